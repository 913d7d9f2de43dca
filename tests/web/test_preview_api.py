"""POST /api/v1/preview: the editor's live preview, rendered by the saved page's pipeline
(issue 12, point 2)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import banner, session_csrf, soup
from page_type_samples import PLACE

# the web layer's answers (addresses, forms, templates, text conversions) do not depend
# on the database: the SQLite pass runs them
pytestmark = pytest.mark.any_database

URL = "/api/v1/preview"


@pytest.fixture
def alice(client: FlaskClient, auth) -> dict[str, str]:
    """Alice logged in with cookies; the headers her browser's script sends."""
    auth.login("Alice")
    return {"X-CSRFToken": session_csrf(client)}


def test_preview_renders_like_a_saved_page(client, alice, make_page):
    make_page("Jardin partagé", "Le jardin.")
    text = "## Titre\n\n**gras** [[Jardin partagé]] [[Ailleurs]] <script>alert(1)</script>"
    answer = client.post(URL, json={"text": text}, headers=alice)
    assert answer.status_code == 200, answer.text
    body = answer.get_json()
    html = soup(body["html"])
    assert html.find("h2", id="h-titre") is not None
    assert html.find("strong").get_text() == "gras"
    assert "new" not in (html.find("a", string="Jardin partagé").get("class") or [])
    assert "new" in html.find("a", string="Ailleurs")["class"]  # a red link, as on the page
    assert "<script" not in body["html"]  # sanitized by the one pipeline
    assert body["infobox"] == "" and body["notices"] == []
    assert body["size"] == len(text.encode()) and body["max_bytes"] > body["size"]
    # the same HTML as the page once saved
    make_page("Aperçu", text)
    saved = soup(client.get("/wiki/Aper%C3%A7u")).select_one(".page-content")
    assert saved.decode_contents().strip() == body["html"].strip()


def test_preview_shows_signatures_as_the_save_will_write_them(client, alice):
    """A ``~~~~`` alone on its line would open a code block in Markdown: the preview
    writes it out as the save does (Alice's name and the date), and leaves code alone."""
    text = "Merci pour l'atelier.\n\n~~~~\n\nLa suite, en dessous.\n\n`~~~~`"
    body = client.post(URL, json={"text": text}, headers=alice).get_json()
    html = soup(body["html"])
    assert html.find("pre") is None  # nothing swallowed into a code block
    assert html.find("a", string="Alice")["href"].startswith("/wiki/Utilisateur:Alice")
    assert "La suite, en dessous." in html.get_text()
    assert html.find("code").get_text() == "~~~~"


def test_preview_saves_nothing(client, alice):
    answer = client.post(URL, json={"text": "Rien", "title": "Pas là"}, headers=alice)
    assert answer.status_code == 200
    assert client.get("/wiki/Pas_l%C3%A0").status_code == 404


def test_empty_text_is_an_empty_preview(client, alice):
    answer = client.post(URL, json={"text": "  \n"}, headers=alice)
    assert answer.status_code == 200 and answer.get_json()["html"] == ""


def test_cookie_call_needs_the_csrf_header(client, auth):
    auth.login("Alice")
    answer = client.post(URL, json={"text": "x"})
    assert answer.status_code == 400
    assert "CSRF" in answer.get_json()["error"]


def test_anonymous_visitor_where_anonymous_editing_is_allowed(make_app):
    app = make_app(ANONYMOUS_EDITING=True)
    client = app.test_client()
    token = soup(client.get("/wiki/Bac_%C3%A0_sable?action=edit")).select_one(
        'input[name="csrf_token"]'
    )["value"]
    answer = client.post(URL, json={"text": "*oui*"}, headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.text
    assert "<em>oui</em>" in answer.get_json()["html"]


def test_anonymous_visitor_without_anonymous_editing_is_asked_to_log_in(client):
    answer = client.post(URL, json={"text": "x"})
    assert answer.status_code == 401
    assert "Connectez-vous" in answer.get_json()["error"]


def test_too_long_text_is_413_with_the_sizes(make_app, auth):
    app: Flask = make_app(MAX_PAGE_BYTES=1000)
    client = app.test_client()
    auth.login("Alice", client=client)
    headers = {"X-CSRFToken": session_csrf(client)}
    answer = client.post(URL, json={"text": "é" * 600}, headers=headers)
    assert answer.status_code == 413
    body = answer.get_json()
    assert body["size"] == 1200 and body["max_bytes"] == 1000
    assert "1200" in body["error"] and "1000" in body["error"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"text": 12}, "text"),
        ({"text": "x", "title": "a[b"}, "Titre invalide"),
        ([1, 2], "objet JSON"),
    ],
)
def test_bad_bodies_are_400(client, alice, body, words):
    answer = client.post(URL, json=body, headers=alice)
    assert answer.status_code == 400
    assert words in banner(answer)


# ------------------------------------------------------------------ typed pages


@pytest.fixture
def typed(make_app, auth) -> tuple[FlaskClient, dict[str, str]]:
    app = make_app(PAGE_TYPES=[PLACE])
    client = app.test_client()
    auth.login("Alice", client=client)
    return client, {"X-CSRFToken": session_csrf(client)}


def test_typed_page_shows_its_infobox(typed):
    client, headers = typed
    body = {"text": "Texte.", "type": "lieu", "fields": {"nom": "Maison <b>pour tous</b>"}}
    answer = client.post(URL, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    box = soup(answer.get_json()["infobox"]).select_one("aside.infobox")
    assert box["data-page-type"] == "lieu"
    assert "Maison <b>pour tous</b>" in box.select_one('dd[data-field="nom"]').get_text()


def test_typed_page_from_the_form_inputs(typed):
    client, headers = typed
    form = {"field.nom": "Maison", "field.horaires.mon": "9:00-12:30", "field.publics": ["a"]}
    body = {"text": "T", "type": "lieu", "form_fields": form}
    answer = client.post(URL, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    box = soup(answer.get_json()["infobox"])
    assert "09:00" in box.select_one('dd[data-field="horaires"]').get_text()


def test_unknown_type_is_400_in_the_readers_language(typed):
    client, headers = typed
    answer = client.post(URL, json={"text": "T", "type": "fusee"}, headers=headers)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "Type de page inconnu : fusee."
    answer = client.post(URL + "?lang=en", json={"text": "T", "type": "fusee"}, headers=headers)
    assert "fusee" in answer.get_json()["error"] and "inconnu" not in answer.get_json()["error"]


def test_invalid_fields_are_400_with_the_field_errors(typed):
    client, headers = typed
    body = {"text": "T", "type": "lieu", "fields": {"nom": "M", "acces": "partout"}}
    answer = client.post(URL, json=body, headers=headers)
    assert answer.status_code == 400
    data = answer.get_json()
    assert data["field"] == "acces" and "acces" in data["errors"]
    missing = client.post(URL, json={"text": "T", "type": "lieu", "fields": {}}, headers=headers)
    assert missing.status_code == 400 and missing.get_json()["field"] == "nom"


def test_fields_without_a_type_are_refused(typed):
    client, headers = typed
    answer = client.post(URL, json={"text": "T", "fields": {"nom": "x"}}, headers=headers)
    assert answer.status_code == 400


def test_mediawiki_habits_and_notices_come_with_the_preview(client, alice):
    """The edit notices (first the MediaWiki habits' hints) come with the preview, so the
    editor shows them live and offers the conversion."""
    text = "== Titre ==\n'''gras''' et [https://exemple.org un site]"
    for body in ({"text": text}, {"text": text, "title": "Essai"}):
        answer = client.post(URL, json=body, headers=alice)
        assert answer.status_code == 200
        data = answer.get_json()
        assert {"heading", "quotes", "external_link"} <= set(data["habits"])
        assert data["notices"], data
    plain = client.post(URL, json={"text": "## Titre\n**gras**"}, headers=alice).get_json()
    assert plain["habits"] == [] and plain["notices"] == []


def test_previews_are_rate_limited_per_person(make_app, auth):
    app = make_app(PREVIEW_RATE_LIMIT="3 per minute")
    client = app.test_client()
    auth.login("Alice", client=client)
    headers = {"X-CSRFToken": session_csrf(client)}
    statuses = [client.post(URL, json={"text": "x"}, headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "patientez" in client.post(URL, json={"text": "x"}, headers=headers).get_json()["error"]


def test_typed_form_fields_that_cannot_be_read_name_their_field(typed):
    client, headers = typed
    body = {"text": "T", "type": "lieu", "form_fields": {"field.nom": "M", "field.places": "abc"}}
    answer = client.post(URL, json=body, headers=headers)
    assert answer.status_code == 400
    assert answer.get_json()["field"] == "places"
