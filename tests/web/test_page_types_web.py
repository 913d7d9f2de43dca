"""Structured page types through the running app: API, editor, infobox, history, merge,
search facets, moderation (declared with the PAGE_TYPES setting, no plugin needed)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, edit_form, found, login, page_path, soup
from page_type_samples import PLACE, WORKSHOP

from wikicoop.search import ensure_in_step, wait_for_index

GOOD = {
    "nom": "Médiathèque <b>des Capucins</b>",
    "notes": "ligne 1\nligne 2",
    "places": 40,
    "ouverture": "2026-12-03",
    "rdv": "2026-12-05T14:30",
    "horaires": {"mon": [["09:00", "12:30"], ["14:00", "18:00"]], "sat": [["10:00", "12:00"]]},
    "acces": "libre",
    "publics": ["a", "c"],
    "wifi": True,
    "site": "https://example.org/capucins",
    "courriel": "contact@example.org",
    "tel": "+33 2 98 00 00 00",
    "position": {"lat": 48.39, "lon": -4.49},
    "structure": "mairie de Brest",
}


@pytest.fixture
def typed_app(make_app) -> Flask:
    application = make_app(PAGE_TYPES=[PLACE, WORKSHOP])
    ensure_in_step(application)
    return application


@pytest.fixture
def api(typed_app: Flask) -> Api:
    return Api(typed_app.test_client(), bearer_for(typed_app, "Alice"))


@pytest.fixture
def browser(typed_app: Flask, api: Api) -> FlaskClient:
    client = typed_app.test_client()  # Alice, made by the api fixture
    assert login(client, "Alice").status_code == 302
    return client


def create(api: Api, title: str, fields: dict, text: str = "Texte.", page_type: str = "lieu"):
    body = {"text": text, "base_revision": None, "type": page_type, "fields": fields}
    return api.put(title, body, 201).get_json()["revision"]


# ------------------------------------------------------------------------------- API


def test_api_lists_the_declared_page_types(api: Api):
    listed = api.get("/api/v1/page-types")["page_types"]
    # the setting's types first, then those of the enabled plugins (named)
    assert [item["name"] for item in listed][:2] == ["lieu", "rencontre"]
    assert all(item["plugin"] for item in listed[2:])
    place, workshop = listed[:2]
    assert place["plugin"] is None and place["label"] == {"fr": "Lieu", "en": "Place"}
    assert workshop["moderation"] == "a_priori" and place["moderation"] is None
    acces = next(item for item in place["fields"] if item["name"] == "acces")
    assert acces == {
        "name": "acces",
        "kind": "choice",
        "label": {"fr": "Accès", "en": "Accès"},
        "required": False,
        "choices": ["libre", "rdv"],
    }
    assert [item["kind"] for item in place["fields"]][:3] == ["text", "longtext", "number"]


def test_api_writes_and_reads_type_and_fields(api: Api):
    create(api, "Médiathèque", GOOD)
    page = api.page("Médiathèque")
    assert page["type"] == "lieu"
    assert page["fields"]["structure"] == "Mairie de Brest"  # a title, normalised
    assert page["fields"]["horaires"]["mon"] == [["09:00", "12:30"], ["14:00", "18:00"]]
    assert page["fields"]["horaires"]["sun"] == []
    assert page["fields"]["position"] == {"lat": 48.39, "lon": -4.49}
    # fields alone: the page's type checks them; the other values are replaced
    api.edit("Médiathèque", "Texte.", fields={"nom": "Médiathèque", "wifi": False})
    page = api.page("Médiathèque")
    assert page["type"] == "lieu" and page["fields"] == {"nom": "Médiathèque", "wifi": False}
    # a text-only edit keeps the values
    api.edit("Médiathèque", "Autre texte.")
    assert api.page("Médiathèque")["fields"] == {"nom": "Médiathèque", "wifi": False}
    # type null: a plain page again
    api.edit("Médiathèque", "Autre texte.", type=None)
    page = api.page("Médiathèque")
    assert page["type"] is None and page["fields"] is None


BAD_VALUES = [
    ("nom", None, "required"),
    ("nom", 12, "wrong-kind"),
    ("notes", ["x"], "wrong-kind"),
    ("places", "douze", "wrong-kind"),
    ("ouverture", "03/12/2026", "bad-date"),
    ("rdv", "demain", "bad-datetime"),
    ("horaires", {"mon": [["09:00", "12:30"], ["12:00", "14:00"]]}, "hours-overlap"),
    ("horaires", {"tue": [["18:00", "09:00"]]}, "hours-order"),
    ("horaires", {"wed": [["9h", "12:00"]]}, "bad-time"),
    ("horaires", {"lundi": []}, "bad-day"),
    ("acces", "payant", "not-a-choice"),
    ("publics", ["a", "z"], "not-a-choice"),
    ("wifi", "oui", "wrong-kind"),
    ("site", "javascript:alert(1)", "bad-url"),
    ("courriel", "personne", "bad-email"),
    ("tel", "appelez", "bad-phone"),
    ("position", {"lat": 95, "lon": 0}, "out-of-range"),
    ("position", {"lat": 0, "lon": 200}, "out-of-range"),
    ("structure", "a|b", "bad-title"),
    ("inconnu", "x", "unknown-field"),
]


@pytest.mark.parametrize(("name", "value", "reason"), BAD_VALUES)
def test_api_refuses_a_bad_value_naming_the_field(api: Api, name, value, reason):
    fields = {**GOOD, name: value}
    if value is None:
        del fields[name]
    body = {"text": "Texte.", "base_revision": None, "type": "lieu", "fields": fields}
    answer = api.put("Fiche", body, 400).get_json()
    assert answer["code"] == "invalid-field"
    assert answer["field"] == name and answer["reason"] == reason
    assert name in answer["error"]
    api.page("Fiche", 404)  # nothing saved


def test_api_refuses_an_unknown_type(api: Api):
    body = {"text": "T", "base_revision": None, "type": "chateau", "fields": {}}
    answer = api.put("Fiche", body, 400).get_json()
    assert answer["field"] == "type" and answer["code"] == "invalid-field"
    api.page("Fiche", 404)


def test_api_refuses_fields_of_another_type_on_edit(api: Api):
    create(api, "Fiche", {"nom": "x"})
    base = api.page("Fiche")["revision"]["id"]
    body = {"text": "T", "base_revision": base, "fields": {"date": "2026-01-01"}}
    assert api.put("Fiche", body, 400).get_json()["field"] == "date"
    assert api.page("Fiche")["fields"] == {"nom": "x"}


# ------------------------------------------------------------------------------- editor


def _form(values: dict[str, str | list[str]]) -> dict:
    return {f"field.{name}": value for name, value in values.items()}


FORM_GOOD = {
    "nom": "Maison <i>pour tous</i>",
    "notes": "Une\nnote",
    "places": "12,5",
    "ouverture": "2026-12-03",
    "rdv": "2026-12-05T14:30",
    "horaires.mon": "9:00-12:30, 14h-18h",
    "horaires.sat": "10:00-12:00",
    "acces": "rdv",
    "publics": ["b", "a"],
    "wifi": "1",
    "site": "https://example.org/maison",
    "courriel": "maison@example.org",
    "tel": "02 98 00 00 00",
    "position.lat": "48.39",
    "position.lon": "-4.49",
    "structure": "Mairie de Brest",
}


def test_create_a_typed_page_with_the_editor_and_see_the_infobox(browser: FlaskClient):
    offered = soup(browser.get("/recherche?q=Maison")).select_one(".page-type-choice")
    assert offered.select_one('a[data-page-type="lieu"]')["href"] == (
        "/wiki/Maison?action=edit&type=lieu"
    )
    missing = soup(browser.get("/wiki/Maison"))
    link = missing.select_one('.page-type-choice a[data-page-type="lieu"]')
    assert link is not None and link["href"] == "/wiki/Maison?action=edit&type=lieu"
    editor = soup(browser.get(link["href"]))
    assert editor.select_one('input[name="page_type"]')["value"] == "lieu"
    kinds = {
        "places": "number",
        "ouverture": "date",
        "rdv": "datetime-local",
        "site": "url",
        "courriel": "email",
        "tel": "tel",
    }
    for name, html_type in kinds.items():
        assert editor.select_one(f'input[name="field.{name}"]')["type"] == html_type
    assert editor.select_one('input[name="field.wifi"]')["type"] == "checkbox"
    assert len(editor.select('input[name="field.publics"][type="checkbox"]')) == 3
    assert editor.select_one('select[name="field.acces"]') is not None
    assert editor.select_one('input[name="field.horaires.sun"]') is not None
    assert editor.select_one('input[name="field.position.lat"]')["type"] == "number"

    data = {**edit_form(browser, "Maison?action=edit&type=lieu"), "text": "Bienvenue."}
    data |= {"page_type": "lieu", "save": "Enregistrer", **_form(FORM_GOOD)}
    answer = browser.post("/wiki/Maison?action=edit", data=data)
    assert answer.status_code == 302, answer.text[:2000]

    page = soup(browser.get("/wiki/Maison"))
    box = page.select_one("aside.infobox")
    assert box is not None and box["data-page-type"] == "lieu"
    assert box.select_one("h2").get_text() == "Lieu"
    value = {dd["data-field"]: dd for dd in box.select("dd")}
    assert value["nom"].get_text() == "Maison <i>pour tous</i>"  # escaped, not markup
    assert value["nom"].select_one("i") is None
    assert value["site"].select_one("a")["rel"] == ["nofollow", "ugc"]
    assert value["site"].select_one("a")["href"] == "https://example.org/maison"
    assert value["structure"].select_one("a")["href"] == "/wiki/Mairie_de_Brest"
    assert value["courriel"].select_one("a")["href"] == "mailto:maison@example.org"
    hours = [row.get_text(" ", strip=True) for row in value["horaires"].select("tr")]
    assert hours[0] == "Lundi 09:00–12:30, 14:00–18:00"
    assert hours[1] == "Mardi fermé" and hours[5] == "Samedi 10:00–12:00"
    assert value["wifi"].get_text() == "oui"
    assert value["publics"].get_text() == "a, b"
    assert value["places"].get_text() == "12,5"
    assert "3 décembre 2026" in value["ouverture"].get_text()
    assert value["notes"].select_one("br") is not None
    # English labels through the catalog and the declaration
    english = soup(browser.get("/wiki/Maison?lang=en")).select_one("aside.infobox")
    assert english.select_one("h2").get_text() == "Place"
    assert english.select_one('dt[data-field="horaires"]').get_text() == "Opening hours"
    assert "Monday" in english.select_one('dd[data-field="horaires"]').get_text()
    # the editor shows the stored values back
    editor = soup(browser.get("/wiki/Maison?action=edit"))
    assert editor.select_one('input[name="field.horaires.mon"]')["value"] == (
        "09:00-12:30, 14:00-18:00"
    )
    assert editor.select_one('input[name="field.wifi"]').has_attr("checked")
    assert editor.select_one('input[name="field.places"]')["value"] == "12.5"
    assert editor.select_one('input[name="field.position.lon"]')["value"] == "-4.49"


FORM_BAD = [
    ("nom", {"nom": ""}, "obligatoire"),
    ("places", {"places": "douze"}, "nombre"),
    ("ouverture", {"ouverture": "2026-02-30"}, "date"),
    ("rdv", {"rdv": "2026-12-05"}, "heure"),
    ("horaires", {"horaires.mon": "9:00-12:30, 12:00-14:00"}, "chevauchent"),
    ("horaires", {"horaires.tue": "18:00-09:00"}, "finit avant de commencer"),
    ("horaires", {"horaires.wed": "le matin"}, "début-fin"),
    ("horaires", {"horaires.thu": "25:00-26:00"}, "heure invalide"),
    ("acces", {"acces": "payant"}, "payant"),
    ("publics", {"publics": ["z"]}, "« z »"),
    ("site", {"site": "example.org"}, "adresse web"),
    ("courriel", {"courriel": "moi"}, "adresse électronique"),
    ("tel", {"tel": "appelez"}, "téléphone"),
    ("position", {"position.lat": "91", "position.lon": "0"}, "latitude"),
    ("position", {"position.lat": "48", "position.lon": ""}, "bonne forme"),
    ("structure", {"structure": "a|b"}, "titre"),
]


@pytest.mark.parametrize(("name", "changes", "words"), FORM_BAD)
def test_the_editor_refuses_a_bad_value_beside_its_field(browser, name, changes, words):
    data = {**edit_form(browser, "Maison?action=edit&type=lieu"), "text": "Mon texte gardé"}
    data |= {"page_type": "lieu", "save": "Enregistrer", **_form({**FORM_GOOD, **changes})}
    answer = browser.post("/wiki/Maison?action=edit", data=data)
    assert answer.status_code == 400
    html = soup(answer)
    box = html.select_one(f'.page-field[data-field="{name}"]')
    error = box.select_one(".field-error")
    assert error is not None and words in error.get_text(), error
    assert len(html.select(".field-error")) == 1
    assert html.select_one("textarea[name=text]").get_text().strip() == "Mon texte gardé"
    kept = "tel" if name == "courriel" else "courriel"
    assert html.select_one(f'input[name="field.{kept}"]')["value"] == FORM_GOOD[kept]
    assert browser.get("/wiki/Maison").status_code == 404  # nothing saved


def test_the_editor_message_in_english(browser):
    data = {**edit_form(browser, "Maison?action=edit&type=lieu"), "text": "T"}
    data |= {"page_type": "lieu", "save": "Save", **_form({**FORM_GOOD, "acces": "x"})}
    answer = browser.post("/wiki/Maison?action=edit&lang=en", data=data)
    assert answer.status_code == 400
    error = soup(answer).select_one('.page-field[data-field="acces"] .field-error').get_text()
    assert "does not offer the choice" in error


def test_an_unknown_type_is_refused_by_the_editor(browser):
    assert browser.get("/wiki/Maison?action=edit&type=chateau").status_code == 400
    data = {**edit_form(browser, "Maison"), "text": "T", "page_type": "chateau", "save": "x"}
    answer = browser.post("/wiki/Maison?action=edit", data=data)
    assert answer.status_code == 400
    assert "chateau" in soup(answer).select_one(".banner-error").get_text()
    assert browser.get("/wiki/Maison").status_code == 404


# ------------------------------------------------------------------ history, diff, restore


def test_history_diff_and_restore_cover_the_fields(api: Api, browser: FlaskClient):
    first = create(api, "Fiche", {"nom": "Avant", "acces": "libre"})
    second = api.edit("Fiche", "Texte.", fields={"nom": "Après", "acces": "libre"})["revision"]
    diff = soup(browser.get(f"/wiki/Fiche?action=diff&from={first['id']}&to={second['id']}"))
    rows = diff.select("table.field-changes tbody tr")
    assert [row["data-field"] for row in rows] == ["nom"]
    assert rows[0].select_one(".field-old").get_text() == "Avant"
    assert rows[0].select_one(".field-new").get_text() == "Après"
    assert "Les deux versions ont le même texte." in diff.get_text()
    query = {"from": first["id"], "to": second["id"]}
    changes = api.get(page_path("Fiche", "/diff"), query=query)["field_changes"]
    assert changes == [{"field": "nom", "old": "Avant", "new": "Après"}]
    # an old revision shows its own values
    old = soup(browser.get(f"/wiki/Fiche?revision={first['id']}"))
    assert old.select_one('dd[data-field="nom"]').get_text() == "Avant"
    # restoring brings the old values back
    restore = soup(browser.get(f"/wiki/Fiche?action=restore&revision={first['id']}"))
    assert restore.select_one('tr[data-field="nom"] .field-new').get_text() == "Avant"
    api.restore("Fiche", {"revision": first["id"]}, 200)
    assert api.page("Fiche")["fields"] == {"nom": "Avant", "acces": "libre"}
    assert api.history("Fiche")["total"] == 3


def test_merge_of_fields_and_conflict(typed_app: Flask, api: Api, browser: FlaskClient):
    bob = Api(typed_app.test_client(), bearer_for(typed_app, "Bob"))
    base = create(api, "Fiche", {"nom": "Base", "acces": "libre", "places": 10})["id"]
    bob.edit("Fiche", "Texte.", fields={"nom": "Base", "acces": "rdv", "places": 10})
    # another field changed since the base: merged
    merged = api.edit(
        "Fiche", "Texte.", base=base, fields={"nom": "Neuf", "acces": "libre", "places": 10}
    )
    assert merged["merged"] is True
    assert api.page("Fiche")["fields"] == {"nom": "Neuf", "acces": "rdv", "places": 10}
    # the same field changed differently on both sides: conflict, nothing saved
    body = {
        "text": "Texte modifié.",  # the text merges cleanly: only the field conflicts
        "base_revision": base,
        "fields": {"nom": "Base", "acces": "libre", "places": 99},
    }
    bob.edit("Fiche", "Texte.", fields={"nom": "Neuf", "acces": "rdv", "places": 20})
    latest = api.page("Fiche")["revision"]["id"]
    answer = api.put("Fiche", body, 409).get_json()
    assert answer["field_conflicts"] == ["places"]
    assert api.page("Fiche")["revision"]["id"] == latest
    # the editor shows the conflicting field, the typed value kept
    data = {"csrf_token": edit_form(browser, "Fiche")["csrf_token"], "base_revision": str(base)}
    data |= {"text": "Texte du formulaire.", "page_type": "lieu", "save": "x"}
    data |= _form({"nom": "Base", "acces": "libre", "places": "99"})
    page = browser.post("/wiki/Fiche?action=edit", data=data)
    assert page.status_code == 409
    html = soup(page)
    row = html.select_one('.conflict tr[data-field="places"]')
    assert row.select_one(".field-old").get_text() == "20"
    assert row.select_one(".field-new").get_text() == "99"
    assert html.select_one('input[name="field.places"]')["value"] == "99"


# ------------------------------------------------------------------- search, moderation


def test_search_filters_on_field_values_and_type(typed_app: Flask, api: Api):
    create(
        api,
        "Jardin nord",
        {
            "nom": "Jardin",
            "acces": "libre",
            "horaires": {"sat": [["09:00", "12:00"]]},
            "wifi": True,
        },
        "Un jardin partagé.",
    )
    create(
        api, "Jardin sud", {"nom": "Jardin", "acces": "rdv", "wifi": False}, "Un jardin partagé."
    )
    api.put("Jardin ouest", {"text": "Un jardin partagé.", "base_revision": None}, 201)
    create(api, "Verger", {"nom": "Verger", "notes": "Un xylophone au fond."}, "Des pommes.")
    assert wait_for_index(typed_app)
    assert sorted(found(typed_app, "jardin")) == ["Jardin nord", "Jardin ouest", "Jardin sud"]
    assert found(typed_app, "xylophone") == ["Verger"]  # a longtext is searched as words
    assert found(typed_app, "jardin", f_acces="libre") == ["Jardin nord"]
    assert sorted(found(typed_app, "jardin", type="lieu")) == ["Jardin nord", "Jardin sud"]
    answer = api.get("/api/v1/search", query={"q": "jardin", "field.acces": "rdv"})
    assert [hit["title"] for hit in answer["results"]] == ["Jardin sud"]
    assert answer["results"][0]["type"] == "lieu"
    facets = api.get("/api/v1/search", query={"q": "jardin"})["facets"]
    assert {"value": "libre", "count": 1} in facets["field.acces"]
    assert {"value": "sat", "count": 1} in facets["field.horaires"]
    assert {"value": "lieu", "count": 2} in facets["type"]
    by_day = api.get("/api/v1/search", query={"q": "jardin", "field.horaires": "sat"})
    assert [hit["title"] for hit in by_day["results"]] == ["Jardin nord"]
    wifi = api.get("/api/v1/search", query={"q": "jardin", "field.wifi": "false"})
    assert [hit["title"] for hit in wifi["results"]] == ["Jardin sud"]
    api.get("/api/v1/search", 400, query={"q": "jardin", "field.inconnu": "x"})
    # the search page: the facet under the field's label, a link filtering on it
    client = typed_app.test_client()
    html = soup(client.get("/recherche?q=jardin&field.acces=libre"))
    assert [a.get_text() for a in html.select(".hits .hit-title")] == ["Jardin nord"]
    headings = [h.get_text() for h in html.select(".facets h3")]
    assert "Accès" in headings and "Horaires" in headings
    html = soup(client.get("/recherche?q=jardin"))
    links = [a["href"] for a in html.select(".facets a")]
    assert any("field.acces=rdv" in href for href in links)
    assert "Samedi" in html.select_one(".facets").get_text()
    assert "Lieu" in html.select_one(".facets").get_text()  # the type facet, by its label


def test_the_type_moderation_mode_is_honoured(typed_app: Flask, api: Api):
    # Alice is trusted: a plain page is published at once, a workshop waits for review
    api.put("Plain", {"text": "T", "base_revision": None}, 201)
    body = {
        "text": "T",
        "base_revision": None,
        "type": "rencontre",
        "fields": {"date": "2026-12-03"},
    }
    answer = api.put("Atelier vélo", body, 202).get_json()
    assert answer["status"] == "pending"


def test_a_site_setting_wins_over_the_declared_mode(make_app):
    application = make_app(PAGE_TYPES=[WORKSHOP], MODERATION_MODES={"type:rencontre": "open"})
    api = Api(application.test_client(), bearer_for(application, "Alice"))
    body = {
        "text": "T",
        "base_revision": None,
        "type": "rencontre",
        "fields": {"date": "2026-12-03"},
    }
    assert api.put("Atelier", body, 201).get_json()["status"] == "published"


def test_a_bad_declaration_stops_the_app(make_app):
    bad = {"name": "x", "fields": [{"name": "a", "kind": "colour"}]}
    with pytest.raises(Exception, match="unknown kind"):
        make_app(PAGE_TYPES=[bad])


def test_a_version_waiting_for_review_waits_with_its_values(typed_app: Flask, api: Api):
    create(api, "Fiche", {"nom": "Publié"})
    newcomer = Api(typed_app.test_client(), bearer_for(typed_app, "Nouveau", trust="auto"))
    answer = newcomer.edit("Fiche", "Texte.", fields={"nom": "En attente"})
    assert answer["status"] == "pending"
    waiting = answer["revision"]["id"]
    visitor = typed_app.test_client()
    shown = soup(visitor.get("/wiki/Fiche")).select_one('dd[data-field="nom"]')
    assert shown.get_text() == "Publié"
    assert Api(visitor).page("Fiche")["fields"] == {"nom": "Publié"}
    moderator = Api(typed_app.test_client(), bearer_for(typed_app, "Modo", role="moderator"))
    # the moderator sees the field's change in the queue
    reviewer = typed_app.test_client()
    assert login(reviewer, "Modo").status_code == 302
    queued = moderator.get("/api/v1/moderation/queue")["revisions"]
    assert queued[0]["field_changes"] == [{"field": "nom", "old": "Publié", "new": "En attente"}]
    row = soup(reviewer.get("/moderation")).select_one('tr[data-field="nom"]')
    assert row.select_one(".field-old").get_text() == "Publié"
    assert row.select_one(".field-new").get_text() == "En attente"
    moderator.call("POST", f"/api/v1/revisions/{waiting}/approve", 200, json_body={})
    assert Api(visitor).page("Fiche")["fields"] == {"nom": "En attente"}
    shown = soup(visitor.get("/wiki/Fiche")).select_one('dd[data-field="nom"]')
    assert shown.get_text() == "En attente"


def test_preview_and_type_switch_keep_the_values(browser: FlaskClient):
    data = {**edit_form(browser, "Maison?action=edit&type=lieu"), "text": "T"}
    data |= {"page_type": "lieu", "preview": "Prévisualiser", **_form(FORM_GOOD)}
    preview = soup(browser.post("/wiki/Maison?action=edit", data=data))
    assert (
        preview.select_one('input[name="field.horaires.mon"]')["value"] == FORM_GOOD["horaires.mon"]
    )
    assert preview.select_one('input[name="page_type"]')["value"] == "lieu"
    assert browser.get("/wiki/Maison").status_code == 404  # a preview saves nothing
    data.pop("preview")
    assert browser.post("/wiki/Maison?action=edit", data={**data, "save": "x"}).status_code == 302
    # another type on the same page: no common field here, the type's own inputs
    other = soup(browser.get("/wiki/Maison?action=edit&type=rencontre"))
    assert other.select_one('input[name="page_type"]')["value"] == "rencontre"
    assert other.select_one('input[name="field.date"]')["type"] == "date"


def test_a_page_whose_type_is_gone_stays_editable(make_app):
    application = make_app(PAGE_TYPES=[PLACE])
    api = Api(application.test_client(), bearer_for(application, "Alice"))
    create(api, "Fiche", {"nom": "Gardé", "acces": "libre"})
    later = make_app()  # the same database, the type no longer declared
    client = later.test_client()
    assert login(client, "Alice").status_code == 302
    editor = soup(client.get("/wiki/Fiche?action=edit"))
    assert editor.select_one('input[name="page_type"]') is None
    box = soup(client.get("/wiki/Fiche")).select_one("aside.infobox")
    assert box.select_one('dd[data-field="nom"]').get_text() == "Gardé"
    data = {**edit_form(client, "Fiche"), "text": "Nouveau texte.", "save": "x"}
    assert client.post("/wiki/Fiche?action=edit", data=data).status_code == 302
    page = Api(client).page("Fiche")
    assert page["text"].strip() == "Nouveau texte."
    assert page["type"] == "lieu" and page["fields"] == {"nom": "Gardé", "acces": "libre"}


def test_a_second_save_from_the_same_base_with_other_values_is_not_a_retry(
    typed_app: Flask, api: Api
):
    bob = Api(typed_app.test_client(), bearer_for(typed_app, "Bob"))
    base = create(api, "Fiche", {"nom": "Base", "places": 10})["id"]
    api.edit("Fiche", "Texte.", base=base, fields={"nom": "Base", "places": 11})
    bob.edit("Fiche", "Texte.", fields={"nom": "Bob", "places": 11})
    # Alice again from the same base, the same text, another value: merged, not dropped
    again = api.edit(
        "Fiche", "Texte.", base=base, fields={"nom": "Base", "places": 11, "wifi": True}
    )
    assert again["changed"] is True and again["merged"] is True
    assert api.page("Fiche")["fields"] == {"nom": "Bob", "places": 11, "wifi": True}
