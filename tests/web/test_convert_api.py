"""``POST /api/v1/convert/mediawiki``: MediaWiki wikitext in, this wiki's syntax out, for
anyone; bad bodies refused with a clear message in the reader's language."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, edit_form, soup

from wikicoop.text.mediawiki import HABITS, MAX_CONVERT_STRUCTURES, convert_mediawiki
from wikicoop.web.mediawiki_hints import HABIT_HINTS

# the web layer's answers (addresses, forms, templates, text conversions) do not depend
# on the database: the SQLite pass runs them
pytestmark = pytest.mark.any_database

URL = "/api/v1/convert/mediawiki"
SOURCE = "== Horaires ==\nLe '''samedi''' : [https://example.org le site].\n# un\n# deux"


def test_anyone_converts(client: FlaskClient) -> None:
    body = Api(client).call("POST", URL, 200, json_body={"text": SOURCE}).get_json()
    assert body["text"] == (
        "## Horaires\nLe **samedi** : [le site](https://example.org).\n1. un\n1. deux"
    )
    assert body["text"] == convert_mediawiki(SOURCE)
    assert body["habits"] == []


def test_what_is_left_to_do_by_hand_is_named(client: FlaskClient) -> None:
    body = Api(client).call("POST", URL, 200, json_body={"text": "{|\n| a\n|}"}).get_json()
    assert body["text"] == "|  |\n| --- |\n| a |"
    body = Api(client).call("POST", URL, 200, json_body={"text": "[[File:A.jpg|thumb]]"})
    assert body.get_json() == {"text": "[[Fichier:A.jpg|vignette]]", "habits": []}


def test_a_logged_in_browser_needs_no_csrf_token(app: Flask, client: FlaskClient, auth) -> None:
    auth.login("Alice")
    body = Api(client).call("POST", URL, 200, json_body={"text": "''a''"}).get_json()
    assert body["text"] == "*a*"


def test_a_token_works_too(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Bob"))
    assert api.call("POST", URL, 200, json_body={"text": "x"}).get_json()["text"] == "x"


def test_bad_bodies_are_refused_in_the_readers_language(client: FlaskClient) -> None:
    api = Api(client)
    error = api.call("POST", URL, 400, data="pas du JSON").get_json()["error"]
    assert "JSON" in error
    api.call("POST", URL, 400, json_body=["text"])
    for text in (None, 12, ["a"], {"a": 1}):
        body = api.call("POST", URL, 400, json_body={"text": text}).get_json()
        assert body["error"] == "Le champ « text » doit être du texte."
    api.call("POST", URL, 400, json_body={})
    english = api.call(
        "POST", URL, 400, json_body={"text": 1}, headers={"Accept-Language": "en"}
    ).get_json()
    assert english["error"] == 'The "text" field must be text.'
    body = api.call("POST", URL, 400, data='{"text": "\\ud800"}').get_json()
    assert body["code"] == "invalid-utf8"


def test_a_text_over_the_page_size_is_refused(make_app) -> None:
    app = make_app(MAX_PAGE_BYTES=1000)
    api = Api(app.test_client())
    api.call("POST", URL, 200, json_body={"text": "é" * 500})
    body = api.call("POST", URL, 413, json_body={"text": "é" * 501}).get_json()
    assert body["code"] == "too-large" and body["max_bytes"] == 1000
    # a body beyond what the server reads at all: 413 too, in JSON
    api.call("POST", URL, 413, json_body={"text": "a" * 100_000})


def test_a_text_too_full_to_convert_is_refused(client: FlaskClient) -> None:
    text = "[[a]] " * (MAX_CONVERT_STRUCTURES + 1)
    body = Api(client).call("POST", URL, 413, json_body={"text": text}).get_json()
    assert body["code"] == "too-complex"
    assert "plusieurs morceaux" in body["error"]


def test_only_post(client: FlaskClient) -> None:
    assert client.get(URL).status_code == 405


def test_conversions_are_rate_limited(make_app) -> None:
    app = make_app(RATELIMIT_ENABLED=True, CONVERT_RATE_LIMIT="2 per minute")
    api = Api(app.test_client())
    api.call("POST", URL, 200, json_body={"text": "a"})
    api.call("POST", URL, 200, json_body={"text": "a"})
    api.call("POST", URL, 429, json_body={"text": "a"})


# ------------------------------------------------------------- hints in the editor


def test_the_preview_names_the_habits_in_plain_words(client: FlaskClient, auth) -> None:
    auth.login("Alice")
    fields = edit_form(client, "Jardin")
    data = {**fields, "text": "Du '''gras''' ~~~~", "summary": "", "preview": "Aperçu"}
    notices = soup(client.post("/wiki/Jardin?action=edit", data=data)).select(".edit-notices li")
    said = [li.get_text(" ", strip=True) for li in notices]
    assert said[0].startswith("Vous avez signé avec ~~~~")
    assert said[1] == (
        "Vous avez écrit '''gras''' ou ''italique'' à la façon de MediaWiki : ici on écrit "
        "**gras** et *italique*. Le bouton « Convertir en syntaxe du wiki » le fait pour vous."
    )


def test_the_api_save_answer_names_the_habits(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Bob"))
    body = api.put("Jardin", {"text": "== Titre ==", "base_revision": None}, 201).get_json()
    assert body["notices"] == [
        "Vous avez écrit un titre == Titre == à la façon de MediaWiki : ici on écrit "
        "## Titre en début de ligne. Le bouton « Convertir en syntaxe du wiki » le fait "
        "pour vous."
    ]
    english = api.put(
        "Jardin",
        {"text": "{{Ébauche}}", "base_revision": body["revision"]["id"]},
        200,
        headers={"Accept-Language": "en"},
    ).get_json()
    assert english["notices"][0].startswith("You used a MediaWiki template")


def test_markdown_gets_no_hint(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Bob"))
    body = api.put("Jardin", {"text": "# Titre\n\n**gras**", "base_revision": None}, 201)
    assert body.get_json()["notices"] == []


def test_hints_follow_the_habits() -> None:
    assert set(HABIT_HINTS) == set(HABITS)
