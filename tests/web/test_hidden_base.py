"""Issue 8, point 12: a save may not start from a revision its writer may not read.

A 409 conflict answer carries the base text (the conflicting fragments); a hidden
revision, or someone else's pending one, named as the base is refused before any merge,
through the API (PUT /api/v1/pages/<title>) and the web edit form alike.
"""

from __future__ import annotations

import pytest
from flask import Flask
from helpers import Api, bearer_for, save
from werkzeug.test import TestResponse

from wikicoop.community import review
from wikicoop.community.accounts import find_user
from wikicoop.core.models import Revision
from wikicoop.web.db import get_session

SECRET = "Code de la porte : 4521B"
OPEN = "# Local\n\nLe local ouvre à 9 h.\n\nEntrée par la cour.\n"


@pytest.fixture
def hidden_base(app: Flask, auth, make_page) -> int:
    """A page whose second revision (with a door code) a moderator hid; returns its id."""
    auth.make_user("Modo", role="moderator")
    auth.make_user("Bob")
    make_page("Local", OPEN)
    leaked = make_page("Local", OPEN.replace("Entrée par la cour.", SECRET))
    make_page("Local", OPEN.replace("Entrée par la cour.", "Entrée par la rue."))
    with app.app_context():
        session = get_session()
        review.hide(session, revision_id=leaked, moderator=find_user(session, "Modo"), reason="x")
    return leaked


def put_local(app: Flask, name: str, text: str, base: int) -> TestResponse:
    """``name``'s API save of « Local » from the revision ``base``."""
    return Api(app.test_client(), bearer_for(app, name)).put(
        "Local", {"text": text, "base_revision": base}
    )


def _revision_count(app: Flask) -> int:
    with app.app_context():
        return get_session().query(Revision).count()


def test_api_refuses_a_hidden_base_revision(app, hidden_base):
    before = _revision_count(app)
    text = OPEN.replace("Entrée par la cour.", "Entrée côté jardin.")
    response = put_local(app, "Bob", text, hidden_base)
    assert response.status_code == 403, response.get_json()
    body = response.get_json()
    assert body["code"] == "hidden" and "masqu" in body["error"]
    assert "4521B" not in response.text
    assert _revision_count(app) == before


def test_edit_form_refuses_a_hidden_base_revision(app, auth, hidden_base):
    bob = app.test_client()
    auth.login("Bob", client=bob)
    before = _revision_count(app)
    text = OPEN.replace("Entrée par la cour.", "Entrée côté jardin.")
    response = save(bob, "Local", text, base_revision=str(hidden_base))
    assert response.status_code == 403
    assert "masquée" in response.text and "4521B" not in response.text
    assert _revision_count(app) == before


def test_a_moderator_may_still_start_from_a_hidden_revision(app, hidden_base):
    text = OPEN.replace("Entrée par la cour.", "Entrée par la rue.\n\nFin.")
    response = put_local(app, "Modo", text, hidden_base)
    assert response.status_code in (200, 409), response.get_json()


def test_api_refuses_another_persons_pending_base_as_unknown(app, auth, make_page):
    make_page("Atelier", "Couture le mardi.\n")
    newcomer, bob = app.test_client(), app.test_client()
    auth.login("Nouveau", client=newcomer, trust="auto")
    auth.make_user("Bob")
    save(newcomer, "Atelier", "Couture le mardi, secret du jeudi.\n")
    with app.app_context():
        pending = get_session().query(Revision).order_by(Revision.id.desc()).first()
        assert pending.status == "pending"
        pending_id = pending.id
    response = bob.put(
        "/api/v1/pages/Atelier",
        json={"text": "Couture le mercredi.\n", "base_revision": pending_id},
        headers=bearer_for(app, "Bob"),
    )
    assert response.status_code == 404, response.get_json()
    assert "secret" not in response.text
    assert f"{pending_id} n'existe pas" in response.get_json()["error"]
