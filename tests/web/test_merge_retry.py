"""Issue 8, points 17 and 8 (part): a save sent again stores nothing new.

- A client whose reply was lost retries with the same base revision: the merge sees the
  identical change on both sides and keeps it once, so the retry is an unchanged save,
  even when someone else edited the page in between.
- A newcomer saving their version that waits for review again, without any change, gets
  no second identical pending revision: the web and the API say nothing was stored.
"""

from __future__ import annotations

from flask import Flask
from helpers import bearer_for, edit_form, save

from wikicoop.core.models import Revision
from wikicoop.web.db import get_session

BASE = "ligne 0\nligne 1\nligne 2\n"
ADDED = BASE + "Nouvelle ligne.\n"


def _revisions(app: Flask) -> list[Revision]:
    with app.app_context():
        session = get_session()
        rows = session.query(Revision).order_by(Revision.id).all()
        session.expunge_all()
        return rows


def test_a_retried_put_is_an_unchanged_save(app, make_page):
    first = make_page("Liste", BASE)
    client, headers = app.test_client(), bearer_for(app, "Alice")
    body = {"text": ADDED, "base_revision": first}
    saved = client.put("/api/v1/pages/Liste", json=body, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["changed"] is True
    retried = client.put("/api/v1/pages/Liste", json=body, headers=headers)
    assert retried.status_code == 200
    assert retried.get_json()["changed"] is False
    assert retried.get_json()["revision"]["id"] == saved.get_json()["revision"]["id"]

    # someone corrects the last line; the reply of a second save was lost and it comes again
    make_page("Liste", ADDED.replace("ligne 2", "ligne 2 corrigée"), author="Bob")
    count = len(_revisions(app))
    again = client.put("/api/v1/pages/Liste", json=body, headers=headers)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["changed"] is False
    assert len(_revisions(app)) == count
    text = client.get("/api/v1/pages/Liste").get_json()["text"]
    assert text.count("Nouvelle ligne.") == 1
    assert "ligne 2 corrigée" in text


def _newcomer_edit(app: Flask, auth, make_page):
    """A published page and a newcomer's pending edit of it; returns the newcomer's client."""
    make_page("Atelier", "Couture le mardi.\n")
    newcomer = app.test_client()
    auth.login("Nouveau", client=newcomer, trust="auto")
    text = "Couture le mardi et tricot le jeudi.\n"
    response = save(newcomer, "Atelier", text)
    assert response.status_code == 302
    assert _revisions(app)[-1].status == "pending"
    return newcomer, text


def test_saving_ones_pending_version_again_stores_nothing(app, auth, make_page):
    newcomer, text = _newcomer_edit(app, auth, make_page)
    count = len(_revisions(app))
    form = edit_form(newcomer, "Atelier")  # starts from the newcomer's waiting version
    response = newcomer.post(
        "/wiki/Atelier?action=edit", data={**form, "text": text, "save": "1"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Aucune modification" in response.text
    assert "Merci" not in response.text
    assert len(_revisions(app)) == count


def test_api_answers_an_unchanged_pending_save_as_unchanged(app, auth, make_page):
    _newcomer, text = _newcomer_edit(app, auth, make_page)
    published, pending = _revisions(app)
    count = len(_revisions(app))
    headers = bearer_for(app, "Nouveau")
    for base in (published.id, pending.id):  # from the public version, or from one's own
        response = app.test_client().put(
            "/api/v1/pages/Atelier", json={"text": text, "base_revision": base}, headers=headers
        )
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["changed"] is False
        assert body["revision"]["id"] == pending.id
    assert len(_revisions(app)) == count


def test_a_retry_does_not_undo_a_correction_made_since(app, make_page):
    """The case a merge alone cannot tell: since the lost reply, someone took back part of
    the retried change; merging the retry again would silently undo that correction."""
    base = "Atelier vélo le mardi.\nApportez vos outils.\n"
    mine = "Atelier vélo le mardi soir.\nApportez vos outils.\n"
    first = make_page("Vélo", base)
    client, headers = app.test_client(), bearer_for(app, "Alice")
    body = {"text": mine, "base_revision": first}
    assert client.put("/api/v1/pages/Vélo", json=body, headers=headers).status_code == 200
    # Bob: "not in the evening", and a note on the second line
    theirs = "Atelier vélo le mardi.\nApportez vos outils et une chambre à air.\n"
    make_page("Vélo", theirs, author="Bob")
    count = len(_revisions(app))

    again = client.put("/api/v1/pages/Vélo", json=body, headers=headers)

    assert again.status_code == 200, again.get_json()
    assert again.get_json()["changed"] is False
    assert len(_revisions(app)) == count
    assert client.get("/api/v1/pages/Vélo").get_json()["text"] == theirs
