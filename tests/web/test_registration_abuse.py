"""Registration against robots: a honeypot field people never see, and a rate limit on
account creation (Flask-Limiter, in memory by default, in Redis when configured)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import REDIS_URL, csrf_from, redis_or_skip, soup
from sqlalchemy import func, select

from wikicoop.core.models import User
from wikicoop.web.db import get_session
from wikicoop.web.extensions import limiter


def user_count(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(User)) or 0


def register(client: FlaskClient, name: str, **extra: str):
    form = client.get("/compte/inscription")
    data = {
        "csrf_token": csrf_from(form.text),
        "username": name,
        "password": "un mot de passe solide",
        "confirm": "un mot de passe solide",
        "website": "",
        **extra,
    }
    return client.post("/compte/inscription", data=data)


# ------------------------------------------------------------------------- honeypot


def test_honeypot_is_hidden_from_people(client):
    page = soup(client.get("/compte/inscription"))
    field = page.select_one("input[name=website]")
    assert field is not None and field.get("type", "text") == "text"
    assert field["tabindex"] == "-1" and field["autocomplete"] == "off"
    wrapper = field.find_parent(class_="form-extra")
    assert wrapper is not None and wrapper["aria-hidden"] == "true"
    assert field.find_parent("form") is page.select_one("form.narrow-form")
    stylesheet = ""
    for link in page.select("link[rel=stylesheet]"):  # the plugins' sheets, then the theme's
        with client.get(link["href"]) as css:
            stylesheet += css.get_data(as_text=True)
    rule = stylesheet.split(".form-extra", 1)[1].split("}", 1)[0]
    assert "position: absolute" in rule and "left: -10000px" in rule


def test_filled_honeypot_creates_no_account(app, client):
    response = register(client, "Robot", website="http://spam.example")
    assert response.status_code == 400
    page = soup(response)
    message = page.select_one(".banner-error").get_text(" ", strip=True)
    assert message == "Le compte n'a pas pu être créé. Vérifiez le formulaire et réessayez."
    assert "website" not in message and "robot" not in message.lower()
    assert page.select_one("input[name=website]").get("value", "") == ""  # emptied for a retry
    assert page.select_one("input[name=username]")["value"] == "Robot"  # the rest is kept
    assert user_count(app) == 0
    assert register(client, "Robot").status_code == 302  # a person, field left empty
    assert user_count(app) == 1


# ---------------------------------------------------------------------- rate limits


def test_registration_is_rate_limited_in_memory(app, client):
    app.config["REGISTRATION_RATE_LIMIT"] = "2 per minute"
    assert register(client, "Premier").status_code == 302
    client = app.test_client()  # someone else, from the same address
    assert register(client, "Deuxième", website="x").status_code == 400  # counts too
    third = register(client, "Troisième")
    assert third.status_code == 429
    assert "patientez" in soup(third).select_one(".banner-error").get_text()
    assert user_count(app) == 1
    assert client.get("/compte/inscription").status_code == 200  # reading the form is free


@pytest.fixture
def redis_app(app: Flask, make_app, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Flask, str]]:
    """The same wiki with its rate limits in Redis under a key prefix of its own."""
    connection = redis_or_skip("rate limits counted in Redis")
    prefix = f"wikicoop-test-{uuid.uuid4().hex}"
    # Flask-Limiter keeps the key prefix of the first app it was bound to: start afresh
    monkeypatch.setattr(limiter, "_key_prefix", None)
    redis_backed = make_app(
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        REGISTRATION_RATE_LIMIT="2 per minute",
    )
    try:
        yield redis_backed, prefix
    finally:
        stale = list(connection.scan_iter(match=f"*{prefix}*"))
        if stale:
            connection.delete(*stale)
        connection.close()


def test_registration_limit_with_redis_storage(redis_app):
    app, prefix = redis_app
    client = app.test_client()
    assert register(client, "Premier").status_code == 302
    assert register(client, "Deuxième", website="x").status_code == 400
    assert register(client, "Troisième").status_code == 429
    assert user_count(app) == 1
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [k.decode() for k in connection.scan_iter(match=f"*{prefix}*")]
    finally:
        connection.close()
    assert keys and all("auth.register" in k for k in keys)  # counted in Redis, not memory
