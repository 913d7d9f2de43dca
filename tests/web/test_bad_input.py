"""Issue 8, point 15: input no field can hold answers 400 with a clear message, never 500
(NUL bytes in names, e-mails and filters, which PostgreSQL refuses; JSON nested 100,000
deep; a block ending in year 1; multipart forms in invalid UTF-8)."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, bearer_for, csrf_from, edit_form, login, post_form

from wikicoop.community.accounts import find_user
from wikicoop.core.models import Revision
from wikicoop.web.db import get_session

NUL_NAME = "Ali\x00ce"


def assert_refused(response, *words: str) -> None:
    """A 400 answer (HTML or JSON) whose message holds ``words``."""
    assert response.status_code == 400, (response.status_code, response.text[:300])
    text = response.get_json()["error"] if response.is_json else response.text
    for word in words:
        assert word in text, text[:500]


@pytest.fixture
def moderator(app, auth):
    client = app.test_client()
    auth.login("Modo", role="moderator", client=client)
    return client


# ---------------------------------------------------------------- NUL bytes (PostgreSQL)


def test_nul_in_login_name(client, auth):
    auth.make_user("Alice")
    response = login(client, NUL_NAME)
    assert_refused(response, "caractère")


@pytest.mark.parametrize(
    "fields",
    [{"username": NUL_NAME, "email": ""}, {"username": "Alice", "email": "alice\x00@ex.org"}],
)
def test_nul_in_registration(app, client, fields):
    data = {"password": PASSWORD, "confirm": PASSWORD, **fields}
    response = post_form(client, "/compte/inscription", data)
    assert_refused(response)
    with app.app_context():
        assert find_user(get_session(), "Alice") is None


@pytest.mark.parametrize(
    "path",
    [
        "/contributions/Ali%00ce",
        "/flux/contributions/Ali%00ce.atom",
        "/modifications-recentes?user=Ali%00ce",
        "/api/v1/recent-changes?user=Ali%00ce",
        "/api/v1/users/Ali%00ce/contributions",
    ],
)
def test_nul_in_names_and_filters(client, auth, path):
    auth.make_user("Alice")
    assert_refused(client.get(path), "caractère nul")


def test_nul_in_audit_log_actor(moderator):
    assert_refused(moderator.get("/journal?actor=Ali%00ce"), "caractère nul")
    assert_refused(moderator.get("/api/v1/audit-log?actor=Ali%00ce"), "caractère nul")


def test_english_message(client):
    response = client.get("/contributions/Ali%00ce", headers={"Accept-Language": "en"})
    assert_refused(response, "null character")
    response = client.get("/api/v1/tokens?x=%FF", headers={"Accept-Language": "en"})
    assert_refused(response, "UTF-8")


# ------------------------------------------------------------------------- deep JSON


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_deeply_nested_json_is_400(app, auth, depth):
    auth.make_user("Alice")
    auth.make_user("Modo", role="moderator")
    client = app.test_client()
    body = "[" * depth + "]" * depth
    for method, path in (("PUT", "/api/v1/pages/Profond"), ("POST", "/api/v1/users/Alice/block")):
        response = client.open(
            path,
            method=method,
            data=body,
            content_type="application/json",
            headers=bearer_for(app, "Modo"),
        )
        assert_refused(response, "imbriqué")


# ------------------------------------------------------------------ block in year 1


@pytest.mark.parametrize(
    "expires_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "0001-01-01"]
)
def test_block_expiry_out_of_range_is_400_naming_the_field(app, auth, expires_at):
    auth.make_user("Alice")
    auth.make_user("Modo", role="moderator")
    response = app.test_client().post(
        "/api/v1/users/Alice/block",
        json={"reason": "Spam", "expires_at": expires_at},
        headers=bearer_for(app, "Modo"),
    )
    assert_refused(response, "expires_at")


# ------------------------------------------------------- multipart in invalid UTF-8


def multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body with the raw bytes of each field."""
    boundary = "----wikicoop-test-boundary"
    body = b""
    for name, value in fields.items():
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_multipart_registration_in_invalid_utf8_is_refused(app, client):
    form = client.get("/compte/inscription")
    body, content_type = multipart(
        {
            "csrf_token": csrf_from(form.text).encode(),
            "username": b"Alice",
            "email": b"alice\xff@ex.org",
            "password": PASSWORD.encode(),
            "confirm": PASSWORD.encode(),
        }
    )
    response = client.post("/compte/inscription", data=body, content_type=content_type)
    assert_refused(response, "UTF-8")
    with app.app_context():
        assert find_user(get_session(), "Alice") is None


def test_multipart_edit_in_invalid_utf8_is_refused(app, client, auth, make_page):
    make_page("Verger", "Des pommes.")
    auth.login()
    fields = edit_form(client, "Verger")
    body, content_type = multipart(
        {
            **{name: value.encode() for name, value in fields.items()},
            "text": b"Des poires " + b"\xc3\x28 et des prunes.",
            "summary": b"",
            "save": b"Enregistrer",
        }
    )
    response = client.post("/wiki/Verger?action=edit", data=body, content_type=content_type)
    assert_refused(response, "UTF-8")
    with app.app_context():
        assert get_session().query(Revision).count() == 1


def test_multipart_in_valid_utf8_still_works(app, client, auth, make_page):
    make_page("Verger", "Des pommes.")
    auth.login()
    fields = edit_form(client, "Verger")
    body, content_type = multipart(
        {
            **{name: value.encode() for name, value in fields.items()},
            "text": "Des poires, des pêches et un \ufffd gardé.".encode(),
            "summary": b"",
            "save": b"Enregistrer",
        }
    )
    response = client.post("/wiki/Verger?action=edit", data=body, content_type=content_type)
    assert response.status_code == 302, response.text[:300]
    with app.app_context():  # a U+FFFD sent as valid UTF-8 is kept
        latest = get_session().query(Revision).order_by(Revision.id.desc()).first()
        assert "pêches et un \ufffd gardé" in latest.text
