"""Shared resources (page type ``ressource``, /ressources with its filters and JSON twin,
the seed examples) and the page counting pages and files per licence."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from wikicoop.cli import cli as wikicoop_cli


def resource(kind: str, licence: str, link: str = "https://example.org/", **more) -> dict:
    return {
        "text": "Une ressource.",
        "base_revision": None,
        "type": "ressource",
        "fields": {"genre": kind, "licence_ressource": licence, "lien": link, **more},
    }


def test_the_seed_resources_are_listed_and_filtered(app: Flask, client: FlaskClient):
    result = app.test_cli_runner().invoke(wikicoop_cli, ["load-seed"])
    assert result.exit_code == 0, result.output
    page = soup(client.get("/ressources"))
    assert page.select_one(".reuse-count")["data-count"] == "3"
    assert [a.get_text() for a in page.select(".reuse-resources > li > a:first-child")] == [
        "Guide pour écrire sur un wiki de territoire (ressource d'exemple)",
        "LibreOffice (ressource d'exemple)",
        "Liste des équipements publics en données ouvertes (ressource d'exemple)",
    ]
    only = soup(client.get("/ressources?genre=logiciel+libre"))
    assert only.select_one(".reuse-count")["data-count"] == "1"
    assert only.select_one("#genre option[selected]")["value"] == "logiciel libre"
    data = Api(client).get("/api/v1/resources?license=ODbL-1.0")["resources"]
    assert [item["kind"] for item in data] == ["données ouvertes"]
    assert data[0]["link"] == "https://www.data.gouv.fr/"
    assert data[0]["url"].startswith("http://localhost/wiki/Liste_des_")
    # the help page of reuse is a seed page too
    assert client.get("/wiki/Aide:R%C3%A9utiliser_une_page_du_wiki").status_code == 200


def test_a_resource_through_the_api_and_a_bad_value(app: Flask, client: FlaskClient):
    api = Api(client, bearer_for(app, "Alice"))
    api.put("Umap", resource("logiciel libre", "AGPL-3.0-or-later", theme="cartes"), 201)
    refused = api.put("Autre", resource("roman", "MIT"), 400).get_json()
    assert refused["field"] == "genre" and refused["reason"] == "not-a-choice"
    api.put("Sans lien", resource("guide", "MIT", link="javascript:alert(1)"), 400)
    (item,) = Api(client).get("/api/v1/resources")["resources"]
    assert (item["title"], item["license"], item["theme"]) == (
        "Umap",
        "AGPL-3.0-or-later",
        "cartes",
    )
    link = soup(client.get("/ressources")).select_one(".reuse-resources a[rel]")
    assert link["href"] == "https://example.org/" and "nofollow" in link["rel"]


def test_pages_and_files_per_licence(app: Flask, client: FlaskClient, make_page):
    make_page("Un", "texte", licence="CC-BY-SA-4.0")
    make_page("Deux", "texte", licence="CC-BY-SA-4.0")
    make_page("Trois", "texte", licence="CC0-1.0")
    make_page("Fichier:Photo.png", "une photo", licence="CC-BY-NC-4.0")
    make_page("Quatre", "texte", licence="CC-BY-4.0")
    Api(client, bearer_for(app, "Admin", "admin")).call(
        "DELETE", "/api/v1/pages/Quatre", 200, json_body={"reason": "test"}
    )
    assert Api(client).get("/api/v1/licences") == {
        "pages": {"CC-BY-SA-4.0": 2, "CC0-1.0": 1},
        "files": {"CC-BY-NC-4.0": 1},
    }
    page = soup(client.get("/communs/licences"))
    pages = page.select_one("#pages-par-licence figure")
    assert pages.img["src"] == "/communs/licences/pages.svg"
    rows = [(tr.th.get_text(), tr.td.get_text()) for tr in pages.select("tbody tr")]
    assert rows == [("CC BY-SA 4.0", "2"), ("CC0 1.0", "1")]
    files = page.select_one("#fichiers-par-licence tbody tr")
    assert (files.th.get_text(), files.td.get_text()) == ("CC BY-NC 4.0", "1")
    chart = client.get("/communs/licences/fichiers.svg")
    assert chart.mimetype == "image/svg+xml" and b"CC BY-NC 4.0" in chart.data
    assert client.get("/communs/licences/autre.svg").status_code == 404
