"""The moderation log (``/journal`` and ``GET /api/v1/audit-log``): moderators only, newest
first, who did what to what, when and why, with links, filters and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import bearer_for, post_form, soup
from sqlalchemy import select

from wikicoop.community import governance as community
from wikicoop.community.accounts import find_user
from wikicoop.core.models import Page, utcnow
from wikicoop.core.moderation import audit
from wikicoop.web.db import get_session


def rows(response) -> list[dict[str, object]]:
    """The journal's table as dicts: who, what, on what (text and links), why."""
    out = []
    for tr in soup(response).select("table.audit-log tbody tr"):
        target = tr.select_one(".audit-target")
        out.append(
            {
                "actor": tr.select_one(".audit-actor").get_text(" ", strip=True),
                "action": tr["data-action"],
                "what": tr.select_one(".audit-action").get_text(" ", strip=True),
                "target": target.get_text(" ", strip=True),
                "links": [a["href"] for a in target.select("a")],
                "reason": tr.select_one(".audit-reason").get_text(strip=True),
                "when": tr.select_one("time")["datetime"],
            }
        )
    return out


@pytest.fixture
def history(app: Flask, auth, make_page) -> dict[str, int]:
    """A small story: Mod blocks Bob, protects a page, Root makes Bob a moderator, and a
    revision approved by Mod (written the way the review queue writes it)."""
    auth.make_user("Bob", trust="auto")
    auth.make_user("Mod", role="moderator")
    auth.make_user("Root", role="admin")
    revision_id = make_page("Jardin partagé", "Le jardin.")
    with app.app_context():
        session = get_session()
        bob, mod, root = (find_user(session, n) for n in ("Bob", "Mod", "Root"))
        page = session.scalars(select(Page).where(Page.name == "Jardin partagé")).one()
        start = utcnow() - timedelta(hours=1)
        community.block_user(
            session, bob, by=mod, reason="Spam", expires_at=None, now=start + timedelta(minutes=1)
        )
        community.set_protection(session, page, "trusted", by=mod, reason="Guerre d'édition")
        community.set_role(session, bob, "moderator", by=root, reason="Élu")
        audit(session, mod, "approve", "revision", revision_id, page_id=page.id, reason="Bien")
        session.commit()
        return {"bob": bob.id, "page": page.id, "revision": revision_id}


def test_journal_lists_every_act_newest_first(client, auth, history):
    auth.login("Mod", role="moderator")
    response = client.get("/journal")
    assert response.status_code == 200
    table = rows(response)
    assert [r["action"] for r in table] == ["approve", "role", "protect", "block"]
    assert [r["actor"] for r in table] == ["Mod", "Root", "Mod", "Mod"]
    assert [r["reason"] for r in table] == ["Bien", "Élu", "Guerre d'édition", "Spam"]
    approve, role, protect, block = table
    assert approve["links"] == [
        f"/wiki/Jardin_partag%C3%A9?revision={history['revision']}",
        "/wiki/Jardin_partag%C3%A9",
    ]
    assert f"version n° {history['revision']}" in approve["target"]
    assert role["links"] == ["/wiki/Utilisateur:Bob", "/utilisateur/Bob/moderation"]
    assert "contributeur → modérateur" in role["what"]
    assert protect["links"] == ["/wiki/Jardin_partag%C3%A9"]
    assert "aucune → contributeurs confirmés seulement" in protect["what"]
    assert "sans date de fin" in block["what"]
    assert block["when"] < protect["when"]
    assert "4 décisions" in soup(response).select_one(".audit-total").get_text()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "protect"}, ["protect"]),
        ({"actor": "Root"}, ["role"]),
        ({"actor": "mod"}, ["approve", "protect", "block"]),  # names are case-insensitive
        ({"target": "Bob"}, ["role", "block"]),
        ({"target": "Jardin partagé"}, ["approve", "protect"]),
        ({"target": "jardin_partagé"}, ["approve", "protect"]),
        ({"action": "block", "target": "Bob"}, ["block"]),
        ({"action": "block", "actor": "Root"}, []),
    ],
)
def test_journal_filters(client, auth, history, query, expected):
    auth.login("Mod", role="moderator")
    response = client.get("/journal", query_string=query)
    assert response.status_code == 200
    assert [r["action"] for r in rows(response)] == expected
    form = soup(response).select_one("form.audit-filters")
    for name, value in query.items():  # the filters stay filled in
        field = form.select_one(f"[name={name}]")
        shown = (
            field.select_one("option[selected]")["value"]
            if field.name == "select"
            else field["value"]
        )
        assert shown == value


def test_journal_unknown_names_say_so(client, auth, history):
    auth.login("Mod", role="moderator")
    response = client.get("/journal", query_string={"actor": "Personne"})
    assert response.status_code == 200 and rows(response) == []
    assert "Personne" in soup(response).select_one(".banner-warning").get_text()
    response = client.get("/journal", query_string={"target": "Nulle[part"})
    assert response.status_code == 200 and rows(response) == []
    assert "Nulle[part" in soup(response).select_one(".banner-warning").get_text()


def test_journal_pages(app, client, auth):
    auth.make_user("Mod", role="moderator")
    with app.app_context():
        session = get_session()
        mod = find_user(session, "Mod")
        for n in range(55):
            audit(session, mod, "patrol", "revision", 1000 + n, reason=f"n{n}")
        session.commit()
    auth.login("Mod")
    first = client.get("/journal", query_string={"action": "patrol"})
    assert len(rows(first)) == 50 and rows(first)[0]["reason"] == "n54"
    following = soup(first).select_one("nav.pagination a[rel=next]")["href"]
    assert "action=patrol" in following
    second = client.get(following)
    assert [r["reason"] for r in rows(second)] == [f"n{n}" for n in range(4, -1, -1)]
    assert soup(second).select_one("nav.pagination a[rel=next]") is None
    assert soup(second).select_one("nav.pagination a[rel=prev]") is not None
    assert client.get("/journal?offset=abc").status_code == 400


def test_acts_made_through_the_forms_reach_the_journal(client, auth, make_page):
    auth.make_user("Bob", trust="auto")
    make_page("Charte", "Les règles.")
    auth.login("Mod", role="moderator")
    block = {"duration": "1d", "block_reason": "Spam", "block_submit": "1"}
    post_form(client, "/utilisateur/Bob/moderation", block)
    post_form(client, "/protection/Charte", {"level": "moderators", "reason": "Vote"})
    table = rows(client.get("/journal"))
    assert [(r["actor"], r["action"], r["reason"]) for r in table] == [
        ("Mod", "protect", "Vote"),
        ("Mod", "block", "Spam"),
    ]
    assert "jusqu'au" in table[1]["what"]
    # the account's page shows its recent decisions and links to the filtered journal
    account = soup(client.get("/utilisateur/Bob/moderation"))
    assert [tr["data-action"] for tr in account.select("table.audit-log tr.audit-entry")] == [
        "block"
    ]
    link = account.find("a", string="Ce compte dans le journal de modération")["href"]
    assert [r["action"] for r in rows(client.get(link))] == ["block"]


def test_journal_is_for_moderators(client, auth):
    assert client.get("/journal").status_code == 401
    auth.login("Carole")
    assert client.get("/journal").status_code == 403


# ------------------------------------------------------------------------------ API


def test_api_audit_log(app, client: FlaskClient, history):
    headers = bearer_for(app, "Mod", "moderator")
    response = client.get("/api/v1/audit-log", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 4 and body["limit"] == 50 and body["offset"] == 0
    approve, role, protect, block = body["entries"]
    assert approve == {
        "id": approve["id"],
        "timestamp": approve["timestamp"],
        "actor": "Mod",
        "action": "approve",
        "target_type": "revision",
        "target_id": history["revision"],
        "target": None,
        "page": "Jardin partagé",
        "reason": "Bien",
        "details": {},
    }
    assert (role["target"], role["details"]) == ("Bob", {"old": "contributor", "new": "moderator"})
    assert (protect["target"], protect["page"]) == ("Jardin partagé", "Jardin partagé")
    assert block["details"]["expires_at"] is None and block["target_id"] == history["bob"]
    assert block["timestamp"] < protect["timestamp"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "block"}, ["block"]),
        ({"actor": "Root"}, ["role"]),
        ({"user": "Bob"}, ["role", "block"]),
        ({"page": "Jardin_partagé"}, ["approve", "protect"]),
        ({"target_type": "revision"}, ["approve"]),
        ({"limit": "2"}, ["approve", "role"]),
        ({"limit": "2", "offset": "3"}, ["block"]),
    ],
)
def test_api_audit_log_filters(app, client, history, query, expected):
    headers = bearer_for(app, "Mod", "moderator")
    body = client.get("/api/v1/audit-log", headers=headers, query_string=query).get_json()
    assert [e["action"] for e in body["entries"]] == expected


def test_api_audit_log_target_id(app, client, history):
    headers = bearer_for(app, "Mod", "moderator")
    query = {"target_type": "user", "target_id": str(history["bob"])}
    body = client.get("/api/v1/audit-log", headers=headers, query_string=query).get_json()
    assert [e["action"] for e in body["entries"]] == ["role", "block"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"limit": "beaucoup"}, 400),
        ({"target_id": "x"}, 400),
        ({"actor": "Personne"}, 404),
        ({"user": "Personne"}, 404),
        ({"page": "Nulle part"}, 404),
        ({"page": "Bad[title"}, 400),
    ],
)
def test_api_audit_log_bad_input(app, client, history, query, status):
    headers = bearer_for(app, "Mod", "moderator")
    response = client.get("/api/v1/audit-log", headers=headers, query_string=query)
    assert response.status_code == status
    assert response.mimetype == "application/json" and response.get_json()["error"]


def test_api_audit_log_is_for_moderators(app, client, history):
    assert client.get("/api/v1/audit-log").status_code == 401
    response = client.get("/api/v1/audit-log", headers=bearer_for(app, "Carole", "contributor"))
    assert response.status_code == 403
    assert response.get_json()["error"]
