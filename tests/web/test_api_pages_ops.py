"""Page operations through the JSON API (issue 8, point 7): rename, licence change,
delete and undelete, with the web's permissions, audit entries and clear errors.

Every case runs twice: with a bearer token and with the session cookie plus CSRF header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import bearer_for, call_api, session_csrf
from sqlalchemy import select

from wikicoop.community import governance as community
from wikicoop.core import revisions as rev
from wikicoop.core.models import AuditEntry
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

EN = {"Accept-Language": "en"}


class Caller:
    """One person speaking to the API, with a token or with their session and CSRF."""

    def __init__(self, client: FlaskClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = call_api(
            self.client, method, "/api/v1/pages/" + path, {**self.headers, **(headers or {})}, body
        )
        data = response.get_json()
        if status is not None:
            assert response.status_code == status, data
        if response.status_code >= 400:
            assert data["error"].strip(), data
        data["_status"] = response.status_code
        return data


@pytest.fixture(params=["token", "session"])
def as_user(request, app: Flask, auth) -> Callable[..., Caller]:
    """``as_user(name, role=..., trust=...)``: a :class:`Caller` for that account."""

    def make(name: str, role: str = "contributor", trust: str = "granted") -> Caller:
        client = app.test_client()
        if request.param == "session":
            auth.login(name, client=client, role=role, trust=trust)
            return Caller(client, {"X-CSRFToken": session_csrf(client)})
        return Caller(client, bearer_for(app, name, role, trust=trust))

    return make


def audit(app: Flask, action: str) -> list[tuple[str, str, dict]]:
    """(actor, reason, details) of the audit entries of ``action``, oldest first."""
    with app.app_context():
        rows = get_session().scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return [(e.actor.username if e.actor else "", e.reason, e.details) for e in rows]


def visitor_status(app: Flask, path: str) -> int:
    return app.test_client().get("/api/v1/pages/" + path).status_code


# ------------------------------------------------------------------------------- rename


def test_rename_leaves_a_redirect_and_answers_the_new_state(app, as_user, make_page):
    make_page("Atelier", "Couture le mardi.", licence="CC-BY-4.0")
    alice = as_user("Alice")
    body = alice("POST", "Atelier/rename", {"to": "Atelier couture", "reason": "plus clair"}, 200)
    assert body["title"] == "Atelier couture" and body["from"] == "Atelier"
    assert body["license"] == "CC-BY-4.0" and body["deleted"] is False
    assert body["revision"]["action"] == "move" and body["redirect_left"] is True
    old = alice("GET", "Atelier", status=200)
    assert old["redirect"] == "Atelier couture"
    assert "Couture le mardi." in alice("GET", "Atelier_couture", status=200)["text"]
    assert audit(app, "rename") == [
        ("Alice", "plus clair", {"old": "Atelier", "new": "Atelier couture"})
    ]


def test_rename_without_a_redirect(app, as_user, make_page):
    make_page("Atelier", "Couture.")
    as_user("Alice")("POST", "Atelier/rename", {"to": "Couture", "leave_redirect": False}, 200)
    assert visitor_status(app, "Atelier") == 404
    assert visitor_status(app, "Couture") == 200


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"to": "A[b"}, 400, "[ ]"),  # the rule the title breaks
        ({}, 400, "to"),
        ({"to": 3}, 400, "to"),
        ({"to": "Atelier"}, 400, "identique"),
        ({"to": "Jardin"}, 409, "existe déjà"),
        ({"to": "Couture", "leave_redirect": "oui"}, 400, "leave_redirect"),
        ({"to": "Couture", "reason": ["x"]}, 400, "texte"),
    ],
)
def test_rename_errors(app, as_user, make_page, body, status, words):
    make_page("Atelier", "Couture.")
    make_page("Jardin", "Légumes.")
    data = as_user("Alice")("POST", "Atelier/rename", body, status)
    assert words in data["error"], data
    assert visitor_status(app, "Atelier") == 200 and audit(app, "rename") == []


def test_rename_errors_in_english(as_user, make_page):
    make_page("Atelier", "Couture.")
    make_page("Jardin", "Légumes.")
    data = as_user("Alice")("POST", "Atelier/rename", {"to": "Jardin"}, 409, headers=EN)
    assert data["error"] == 'A page "Jardin" already exists: choose another title.'
    assert data["code"] == "title-taken"


def test_rename_needs_the_webs_permissions(app, as_user, make_page):
    make_page("Atelier", "Couture.")
    newcomer = as_user("Nouveau", trust="auto")  # renaming needs a trusted account
    assert "droit" in newcomer("POST", "Atelier/rename", {"to": "Couture"}, 403)["error"]
    assert newcomer("POST", "Absente/rename", {"to": "Couture"}, 404)
    anonymous = app.test_client().post("/api/v1/pages/Atelier/rename", json={"to": "Couture"})
    assert anonymous.status_code == 401
    assert visitor_status(app, "Atelier") == 200


def test_rename_of_a_protected_page_says_why(app, as_user, make_page, auth):
    make_page("Charte", "Nos règles.")
    modo = auth.make_user("Modo", role="moderator")
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Charte"))
        community.set_protection(session, page, "moderators", by=session.merge(modo), reason="x")
        session.commit()
    data = as_user("Alice")("POST", "Charte/rename", {"to": "Règles"}, 403)
    assert "protégée" in data["error"] and data["code"] == "protected"
    as_user("Modo", role="moderator")("POST", "Charte/rename", {"to": "Règles"}, 200)


# ------------------------------------------------------------------------------ licence


def test_licence_change_by_a_moderator(app, as_user, make_page):
    make_page("Atelier", "Couture.", licence="CC-BY-4.0")
    modo = as_user("Modo", role="moderator")
    body = modo("PUT", "Atelier/license", {"license": "CC-BY-SA-4.0", "reason": "ShareAlike"}, 200)
    assert body["title"] == "Atelier" and body["license"] == "CC-BY-SA-4.0"
    assert body["revision"]["action"] == "relicense"
    assert body["revision"]["licence"] == "CC-BY-SA-4.0"
    assert modo("GET", "Atelier", status=200)["license"] == "CC-BY-SA-4.0"
    assert audit(app, "relicense") == [
        ("Modo", "ShareAlike", {"old": "CC-BY-4.0", "new": "CC-BY-SA-4.0"})
    ]
    assert "(ShareAlike)" in body["revision"]["summary"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"license": "CC-BY-4.0"}, 409, "CC BY-SA"),  # the relicensing rule, with its reason
        ({"license": "GPL"}, 400, "GPL"),
        ({"license": "CC-BY-SA-4.0"}, 400, "déjà"),
        ({}, 400, "license"),
        ({"license": 4}, 400, "license"),
    ],
)
def test_licence_change_errors(app, as_user, make_page, body, status, words):
    make_page("Atelier", "Couture.", licence="CC-BY-SA-4.0")
    data = as_user("Modo", role="moderator")("PUT", "Atelier/license", body, status)
    assert words in data["error"], data
    assert audit(app, "relicense") == []


def test_licence_change_needs_a_moderator(app, as_user, make_page):
    make_page("Atelier", "Couture.", licence="CC-BY-4.0")
    as_user("Alice")("PUT", "Atelier/license", {"license": "CC-BY-SA-4.0"}, 403)
    as_user("Modo", role="moderator")("PUT", "Absente/license", {"license": "CC0-1.0"}, 404)


# ------------------------------------------------------------------ delete, undelete


def test_delete_and_undelete_by_an_admin(app, as_user, make_page):
    make_page("Atelier", "Couture.")
    admin = as_user("Admin", role="admin")
    body = admin("DELETE", "Atelier", {"reason": "doublon"}, 200)
    assert body["title"] == "Atelier" and body["deleted"] is True
    assert visitor_status(app, "Atelier") == 404
    assert admin("DELETE", "Atelier", {}, 409)["code"] == "already-deleted"
    body = admin("POST", "Atelier/undelete", {"reason": "erreur"}, 200)
    assert body["deleted"] is False and body["revision"]["id"]
    assert visitor_status(app, "Atelier") == 200
    assert admin("POST", "Atelier/undelete", {}, 409)["code"] == "not-deleted"
    assert [(a, r) for a, r, _d in audit(app, "delete")] == [("Admin", "doublon")]
    assert [(a, r) for a, r, _d in audit(app, "undelete")] == [("Admin", "erreur")]


def test_delete_without_a_body(app, as_user, make_page):
    make_page("Atelier", "Couture.")
    admin = as_user("Admin", role="admin")
    response = admin.client.open("/api/v1/pages/Atelier", method="DELETE", headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    assert visitor_status(app, "Atelier") == 404


def test_delete_and_undelete_need_an_admin(app, as_user, make_page):
    make_page("Atelier", "Couture.")
    modo = as_user("Modo", role="moderator")
    modo("DELETE", "Atelier", {"reason": "x"}, 403)
    modo("DELETE", "Absente", {}, 404)
    assert visitor_status(app, "Atelier") == 200
    as_user("Admin", role="admin")("DELETE", "Atelier", {}, 200)
    modo("POST", "Atelier/undelete", {}, 403)  # as on the web
    as_user("Admin", role="admin")("POST", "Absente/undelete", {}, 404)
    assert visitor_status(app, "Atelier") == 404


def test_cookie_writes_need_the_csrf_header(app, auth, make_page):
    make_page("Atelier", "Couture.")
    client = app.test_client()
    auth.login("Admin", client=client, role="admin")
    for method, path, body in [
        ("POST", "Atelier/rename", {"to": "Couture"}),
        ("PUT", "Atelier/license", {"license": "CC-BY-SA-4.0"}),
        ("DELETE", "Atelier", {}),
        ("POST", "Atelier/undelete", {}),
    ]:
        response = client.open("/api/v1/pages/" + path, method=method, json=body)
        assert response.status_code == 400, (path, response.get_json())
        assert "CSRF" in response.get_json()["error"]
    assert visitor_status(app, "Atelier") == 200
