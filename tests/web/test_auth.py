"""Accounts: register, log in and out, change password, rate limits, safe redirects."""

from __future__ import annotations

from bs4 import BeautifulSoup
from conftest import PASSWORD, csrf_from

from wikicoop.accounts import find_user
from wikicoop.db import get_session


def register(client, **fields):
    form = client.get("/compte/inscription")
    data = {"csrf_token": csrf_from(form.text), "email": "", **fields}
    return client.post("/compte/inscription", data=data)


def login(client, username, password, next_url=None):
    form = client.get("/compte/connexion")
    url = "/compte/connexion" + (f"?next={next_url}" if next_url else "")
    return client.post(
        url, data={"csrf_token": csrf_from(form.text), "username": username, "password": password}
    )


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
        assert words in BeautifulSoup(response.text, "html.parser").get_text(), fields


def test_registration_can_be_closed(app, client):
    app.config["OPEN_REGISTRATION"] = False
    assert client.get("/compte/inscription").status_code == 403


def test_login_failure_is_401_with_a_message(client, auth):
    auth.make_user("Alice")
    response = login(client, "Alice", "mauvais mot de passe")
    assert response.status_code == 401
    assert "incorrect" in BeautifulSoup(response.text, "html.parser").get_text()
    assert login(client, "alice", PASSWORD).status_code == 302  # names are case-insensitive


def test_login_follows_only_local_next_urls(client, auth):
    auth.make_user("Alice")
    assert login(client, "Alice", PASSWORD, "/wiki/Page").headers["Location"] == "/wiki/Page"
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client = client.application.test_client()
        assert login(client, "Alice", PASSWORD, evil).headers["Location"] == "/"


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
    form = laptop.get("/compte/mot-de-passe")
    response = laptop.post(
        "/compte/mot-de-passe",
        data={
            "csrf_token": csrf_from(form.text),
            "current": PASSWORD,
            "password": "un nouveau mot de passe",
            "confirm": "un nouveau mot de passe",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/compte/mot-de-passe").status_code == 200  # this session stays
    assert phone.get("/compte/mot-de-passe").status_code == 302  # the other one ended
    assert login(phone, "Alice", "un nouveau mot de passe").status_code == 302


def test_wrong_current_password_is_refused(client, auth):
    auth.login()
    form = client.get("/compte/mot-de-passe")
    response = client.post(
        "/compte/mot-de-passe",
        data={
            "csrf_token": csrf_from(form.text),
            "current": "pas le bon",
            "password": "un nouveau mot de passe",
            "confirm": "un nouveau mot de passe",
        },
    )
    assert response.status_code == 400
    assert "pas le bon" in BeautifulSoup(response.text, "html.parser").get_text()


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
