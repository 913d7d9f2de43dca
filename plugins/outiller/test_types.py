"""The ``atelier`` page type: its values checked through the API and the editor, with
a clear sentence naming the field and nothing saved."""

from __future__ import annotations

import pytest
from helpers import Api, bearer_for, edit_form, soup

from .outiller_testing import in_days, local_iso

GOOD = {
    "debut": "2027-01-06T10:00",
    "fin": "2027-01-06T12:00",
    "lieu": "Centre social",
    "places": 8,
    "themes": ["wiki"],
}


def _put(app, client, fields, status):
    api = Api(client, bearer_for(app, "Modo", "moderator"))
    body = {"text": "Un atelier.", "base_revision": None, "type": "atelier", "fields": fields}
    return api.put("Atelier essai", body, status).get_json()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"fin": "2027-01-06T09:00"}, "fin", "après le début"),
        ({"fin": "2027-01-06T10:00"}, "fin", "après le début"),
        ({"places": 0}, "places", "1 ou plus"),
        ({"places": 2.5}, "places", "1 ou plus"),
        ({"debut": "06/01/2027 10h"}, "debut", ""),
        ({"repetition": "chaque semaine"}, "jusqu_au", "hebdomadaire"),
        ({"repetition": "chaque semaine", "jusqu_au": "2026-12-01"}, "jusqu_au", "premier"),
        ({"repetition": "chaque semaine", "jusqu_au": "2029-01-01"}, "jusqu_au", "53 semaines"),
        ({"fin": "2027-01-08T12:00"}, "fin", "24 heures"),
        ({"niveau": "expert"}, "niveau", ""),
    ],
)
def test_bad_values_are_refused_naming_the_field(ateliers, client, change, field, words):
    body = _put(ateliers, client, {**GOOD, **change}, 400)
    assert body["code"] == "invalid-field"
    assert body["field"] == field
    assert words in body["error"]
    assert Api(client).get("/api/v1/pages/Atelier_essai", 404)


def test_a_good_workshop_is_saved_with_its_values(ateliers, client):
    body = _put(
        ateliers, client, {**GOOD, "repetition": "chaque semaine", "jusqu_au": "2027-02-03"}, 201
    )
    assert body["created"] is True
    page = Api(client).page("Atelier essai")
    assert page["type"] == "atelier"
    assert page["fields"]["places"] == 8


def test_the_editor_shows_the_error_beside_the_field(ateliers, auth, client):
    auth.login("Anim")
    form = edit_form(client, "Atelier_editeur?action=edit&type=atelier")
    start = in_days(5)
    data = {
        **form,
        "text": "Texte gardé.",
        "page_type": "atelier",
        "summary": "",
        "save": "Enregistrer",
        "field.debut": local_iso(start),
        "field.fin": local_iso(start.replace(hour=9)),
        "field.lieu": "Médiathèque",
        "field.places": "3",
    }
    response = client.post("/wiki/Atelier_editeur?action=edit", data=data)
    assert response.status_code == 400
    error = soup(response).select_one('.page-field[data-field="fin"] .field-error')
    assert error is not None and "après le début" in error.get_text()
    assert soup(response).select_one("textarea[name=text]").get_text().strip() == "Texte gardé."
    assert client.get("/wiki/Atelier_editeur").status_code == 404  # nothing saved
    response = client.post(
        "/wiki/Atelier_editeur?action=edit",
        data={**data, "field.places": "0", "field.fin": local_iso(start.replace(hour=16))},
    )
    error = soup(response).select_one('.page-field[data-field="places"] .field-error')
    assert error is not None and "1 ou plus" in error.get_text()


def test_refusals_are_in_english_too(ateliers, client):
    api = Api(client, {**bearer_for(ateliers, "Modo", "moderator"), "Accept-Language": "en"})
    body = {"text": "A workshop.", "base_revision": None, "type": "atelier"}
    answer = api.put("Workshop", {**body, "fields": {**GOOD, "places": 0}}, 400).get_json()
    assert "1 or more" in answer["error"]
    api.put("Utilisateur:Zoe/Bac à sable", {"text": "x", "base_revision": None}, 201)  # may
    other = Api(client, {**bearer_for(ateliers, "Intrus"), "Accept-Language": "en"})
    refused = other.put("Utilisateur:Zoe/Brouillon", {"text": "x", "base_revision": None}, 403)
    assert "belongs to Zoe" in refused.get_json()["error"]
