"""Accounts: register, log in and out, change password, rate limits, safe redirects."""

from __future__ import annotations

from helpers import PASSWORD, change_password, csrf_from, login, post_form, soup

from wikicoop.community.accounts import find_user
from wikicoop.web.db import get_session


def register(client, **fields):
    return post_form(client, "/compte/inscription", {"email": "", **fields})


def test_register_logs_in_and_stores_a_strong_hash(app, client):
    response = register(
        client,
        username="  élodie  ",
        password="un long mot de passe",
        confirm="un long mot de passe",
    )
    assert response.status_code == 302
    page = client.get("/wiki/Accueil")
    assert "Élodie" in page.text  # normalised like a user page title
    with app.app_context():
        user = find_user(get_session(), "ÉLODIE")
        assert user is not None and user.role == "contributor"
        assert user.password_hash.startswith("scrypt:")
        assert "un long mot de passe" not in user.password_hash


def test_register_errors_are_explained(client, auth):
    auth.make_user("Alice")
    cases = [
        ({"username": "alice", "password": "x" * 12, "confirm": "x" * 12}, "déjà pris"),
        ({"username": "Bob", "password": "court", "confirm": "court"}, "10 caractères"),
        ({"username": "Bob", "password": "x" * 12, "confirm": "y" * 12}, "différents"),
        ({"username": "B<b>", "password": "x" * 12, "confirm": "x" * 12}, "De 3 à 64"),
    ]
    for fields, words in cases:
        response = register(client, **fields)
        assert response.status_code == 400, fields
        assert words in soup(response).get_text(), fields


def test_registration_can_be_closed(app, client):
    app.config["OPEN_REGISTRATION"] = False
    assert client.get("/compte/inscription").status_code == 403


def test_login_failure_is_401_with_a_message(client, auth):
    auth.make_user("Alice")
    response = login(client, "Alice", "mauvais mot de passe")
    assert response.status_code == 401
    assert "incorrect" in soup(response).get_text()
    assert login(client, "alice", PASSWORD).status_code == 302  # names are case-insensitive


def test_login_follows_only_local_next_urls(client, auth):
    auth.make_user("Alice")
    assert (
        login(client, "Alice", PASSWORD, next_url="/wiki/Page").headers["Location"] == "/wiki/Page"
    )
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client = client.application.test_client()
        assert login(client, "Alice", PASSWORD, next_url=evil).headers["Location"] == "/"


def test_logout_needs_post_with_csrf(client, auth):
    auth.login()
    assert client.get("/compte/deconnexion").status_code == 405
    assert client.post("/compte/deconnexion").status_code == 400
    html = client.get("/compte/mot-de-passe").text
    assert (
        client.post("/compte/deconnexion", data={"csrf_token": csrf_from(html)}).status_code == 302
    )
    assert client.get("/compte/mot-de-passe").status_code == 302  # back to the login page


def test_password_change_ends_other_sessions(app, auth):
    laptop, phone = app.test_client(), app.test_client()
    auth.login("Alice", client=laptop)
    auth.login("Alice", client=phone)
    response = change_password(laptop, PASSWORD, "un nouveau mot de passe")
    assert response.status_code == 302
    assert laptop.get("/compte/mot-de-passe").status_code == 200  # this session stays
    assert phone.get("/compte/mot-de-passe").status_code == 302  # the other one ended
    assert login(phone, "Alice", "un nouveau mot de passe").status_code == 302


def test_wrong_current_password_is_refused(client, auth):
    auth.login()
    response = change_password(client, "pas le bon")
    assert response.status_code == 400
    assert "pas le bon" in soup(response).get_text()


def test_login_attempts_are_rate_limited(app, client, auth):
    auth.make_user("Alice")
    statuses = [login(client, "Alice", f"essai {n}").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    assert "patientez" in login(client, "Alice", PASSWORD).text


def test_disabled_account_cannot_log_in(app, client, auth):
    auth.make_user("Alice")
    with app.app_context():
        user = find_user(get_session(), "Alice")
        user.active = False
        get_session().commit()
    assert login(client, "Alice", PASSWORD).status_code == 401
