"""Issue 8, point 14: login attempts are limited per account as well as per address, and
the password-change form is limited per account (the real Flask-Limiter)."""

from __future__ import annotations

from helpers import PASSWORD, change_password, login


def try_login(app, name: str, password: str, address: str) -> int:
    """One login attempt from the address ``address``; the status of the answer."""
    return login(app.test_client(), name, password, environ={"REMOTE_ADDR": address}).status_code


def test_many_addresses_meet_the_account_limit(app, auth):
    auth.make_user("Alice")
    auth.make_user("Bruno")
    addresses = [f"10.0.0.{n}" for n in range(1, 5)]
    # 4 tries from each of 4 addresses: each address stays under its own limit (10)
    statuses = [
        try_login(app, "alice" if n % 2 else "ALICE", f"essai {n}", address)
        for address in addresses
        for n in range(4)
    ]
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
    # the right password does not get through either while the account is limited
    assert try_login(app, "Alice", PASSWORD, "10.0.0.99") == 429
    # the limit is the account's: another account from the same addresses is not held
    assert try_login(app, "Bruno", PASSWORD, addresses[0]) == 302


def test_successful_logins_do_not_use_up_the_account_limit(app, auth):
    auth.make_user("Alice")
    statuses = [try_login(app, "Alice", PASSWORD, f"10.0.1.{n}") for n in range(12)]
    assert statuses == [302] * 12


def test_password_form_is_rate_limited_per_account(app, auth):
    laptop, phone = app.test_client(), app.test_client()
    auth.login("Alice", client=laptop)
    auth.login("Alice", client=phone)
    statuses = [change_password(laptop, f"essai {n}").status_code for n in range(5)]
    assert statuses == [400] * 5
    assert change_password(laptop, "essai 6").status_code == 429
    # another browser of the same account shares the limit; another account does not
    assert change_password(phone, PASSWORD).status_code == 429
    other = app.test_client()
    auth.login("Bruno", client=other)
    assert change_password(other, "essai").status_code == 400
