"""``POST /api/v1/pages/<title>/restore`` asks, as the web does, whether the reader may
see the revision (issue 8, point 11): nobody republishes a hidden or rejected revision
they may not read, nor restores someone else's pending text to read it afterwards."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import session_csrf

from wikicoop.community import review
from wikicoop.community.accounts import find_user
from wikicoop.core import revisions as rev
from wikicoop.core.history import history_rows
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

TEXTS = {
    "first": "Premier texte.",
    "hidden": "Texte injurieux.",
    "current": "Texte propre.",
    "rejected": "Texte refusé de Nouveau.",
    "pending": "Texte en attente d'Autre.",
}


def _review(app: Flask, act, revision_id: int) -> None:
    with app.app_context():
        session = get_session()
        act(session, revision_id=revision_id, moderator=find_user(session, "Modo"), reason="x")


def _revision_count(app: Flask) -> int:
    with app.app_context():
        page = rev.find_page(get_session(), parse_title("Atelier"))
        return history_rows(get_session(), page)[0]


@pytest.fixture
def atelier(app: Flask, auth, make_page) -> tuple[dict[str, FlaskClient], dict[str, int]]:
    """Clients logged in (Alice trusted, Nouveau and Autre newcomers, Modo) and the ids
    of « Atelier »'s revisions: published, hidden, rejected, and Autre's pending one."""
    clients = {name: app.test_client() for name in ("Alice", "Nouveau", "Autre", "Modo")}
    auth.login("Alice", client=clients["Alice"])
    auth.login("Nouveau", client=clients["Nouveau"], trust="auto")
    auth.login("Autre", client=clients["Autre"], trust="auto")
    auth.login("Modo", client=clients["Modo"], role="moderator")
    ids = {"first": make_page("Atelier", TEXTS["first"])}
    ids["hidden"] = make_page("Atelier", TEXTS["hidden"])
    ids["current"] = make_page("Atelier", TEXTS["current"])
    ids["rejected"] = make_page("Atelier", TEXTS["rejected"], author="Nouveau")
    ids["pending"] = make_page("Atelier", TEXTS["pending"], author="Autre")
    _review(app, review.hide, ids["hidden"])
    _review(app, review.reject, ids["rejected"])
    return clients, ids


def api_restore(client: FlaskClient, revision_id: int):
    return client.post(
        "/api/v1/pages/Atelier/restore",
        json={"revision": revision_id, "summary": "retour"},
        headers={"X-CSRFToken": session_csrf(client)},
    )


@pytest.mark.parametrize(
    ("who", "which", "status"),
    [
        ("Alice", "hidden", 403),  # a trusted user may not republish a hidden revision
        ("Alice", "rejected", 404),  # nor someone else's rejected one
        ("Nouveau", "pending", 404),  # a newcomer may not take another's pending text
        ("Autre", "rejected", 404),
        ("Nouveau", "hidden", 403),
    ],
)
def test_api_restore_refuses_what_the_reader_may_not_see(app, atelier, who, which, status):
    clients, ids = atelier
    client = clients[who]
    before = _revision_count(app)
    # the web refuses the same way
    web = client.get(f"/wiki/Atelier?action=restore&revision={ids[which]}")
    assert web.status_code == status
    response = api_restore(client, ids[which])
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]
    assert _revision_count(app) == before  # nothing written
    # and the text is still out of the reader's reach
    assert TEXTS[which] not in client.get("/api/v1/pages/Atelier").get_json()["text"]
    assert TEXTS[which] not in client.get("/wiki/Atelier").text


@pytest.mark.parametrize(
    ("who", "which", "status", "published"),
    [
        ("Alice", "first", 200, True),
        ("Modo", "hidden", 200, True),  # a moderator reads hidden text, as on the web
        ("Nouveau", "rejected", 202, False),  # one's own text goes back to review
    ],
)
def test_api_restore_of_a_readable_revision_works(app, atelier, who, which, status, published):
    clients, ids = atelier
    client = clients[who]
    assert client.get(f"/wiki/Atelier?action=restore&revision={ids[which]}").status_code == 200
    response = api_restore(client, ids[which])
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["restored"] is published
    visitor = app.test_client().get("/api/v1/pages/Atelier").get_json()
    assert (visitor["text"].strip() == TEXTS[which]) is published
