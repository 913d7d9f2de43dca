"""Issue 8, point 13: logging out ends the session and remember-me cookies on the server
side: a copy of them, replayed after the logout, no longer logs anyone in."""

from __future__ import annotations

from helpers import login

COOKIES = ("session", "remember_token")


def login_remembered(client) -> dict[str, str]:
    """Log Alice in with « se souvenir de moi »; return a copy of the browser's cookies."""
    response = login(client, "Alice", remember=True)
    assert response.status_code == 302, response.text
    copied = {name: client.get_cookie(name) for name in COOKIES}
    assert all(copied.values()), copied
    return {name: cookie.value for name, cookie in copied.items()}


def browser(app, cookies: dict[str, str]):
    """A new client carrying only ``cookies``."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def logged_in(client) -> bool:
    return client.get("/compte/mot-de-passe").status_code == 200


def test_replayed_cookies_do_not_survive_logout(app, auth):
    auth.make_user("Alice")
    client = app.test_client()
    cookies = login_remembered(client)
    assert logged_in(browser(app, cookies))
    assert logged_in(browser(app, {"remember_token": cookies["remember_token"]}))

    assert auth.logout(client=client).status_code == 302
    assert not logged_in(client)
    assert not logged_in(browser(app, cookies))
    assert not logged_in(browser(app, {"session": cookies["session"]}))
    assert not logged_in(browser(app, {"remember_token": cookies["remember_token"]}))


def test_logging_in_again_after_logout_works(app, auth):
    auth.make_user("Alice")
    client = app.test_client()
    login_remembered(client)
    auth.logout(client=client)
    cookies = login_remembered(client)
    assert logged_in(client)
    assert logged_in(browser(app, {"remember_token": cookies["remember_token"]}))


def test_logout_ends_the_other_browsers_too(app, auth):
    """The chosen rule: logging out ends every session of the account (see README)."""
    auth.make_user("Alice")
    laptop, phone = app.test_client(), app.test_client()
    login_remembered(laptop)
    login_remembered(phone)
    auth.logout(client=phone)
    assert not logged_in(laptop)
