"""``GET /api/v1/export``: the zip of a category or of the whole wiki, with every page's
Markdown, its public history, LICENCES.md, ATTRIBUTIONS.md and manifest.json; never a
hidden, pending or deleted version."""

from __future__ import annotations

import io
import json
import zipfile

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, add_revision, bearer_for, make_user

GARDENS = ["Jardin des Capucins", "Jardin du Guelmeur", "Verger de Kerinou"]


def write_gardens(app: Flask, make_page) -> None:
    """Three pages of the category « Jardins » with three versions each (two authors,
    licences as chosen), a page outside it, and versions nobody may export."""
    for number, title in enumerate(GARDENS):
        licence = ["CC-BY-SA-4.0", "CC-BY-4.0", "CC-BY-NC-4.0"][number]
        make_page(
            title,
            f"{title}.\n\n[[Catégorie:Jardins]]",
            author="Alice",
            licence=licence,
            summary="création",
        )
        make_page(
            title, f"{title}, ouvert.\n\n[[Catégorie:Jardins]]", author="Bob", summary="horaires"
        )
        make_page(
            title,
            f"{title}, ouvert le samedi.\n\n[[Catégorie:Jardins]]",
            author="Alice",
            summary="précision",
        )
    make_page("Atelier vélo", "Réparer son vélo.", author="Chloé")
    # a hidden version and a newcomer's pending one never leave the wiki
    add_revision(app, GARDENS[0], "secret caché", status="hidden", author="Troll")
    make_user(app, "Novice", trust="auto")
    make_page(GARDENS[1], "brouillon en attente\n\n[[Catégorie:Jardins]]", author="Novice")


def archive_of(client: FlaskClient, query: str = "") -> zipfile.ZipFile:
    answer = client.get("/api/v1/export" + query)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(answer.data))


def history_of(archive: zipfile.ZipFile, title: str) -> list[dict]:
    manifest = json.loads(archive.read("manifest.json"))
    (entry,) = [page for page in manifest["pages"] if page["title"] == title]
    return [json.loads(line) for line in archive.read(entry["history"]).decode().splitlines()]


def test_a_category_with_its_history_licences_and_credits(app, client, make_page):
    write_gardens(app, make_page)
    archive = archive_of(client, "?category=jardins")
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "wikicoop-export" and manifest["format_version"] == 1
    assert manifest["wiki"] == "wikicoop" and manifest["category"] == "Jardins"
    assert manifest["counts"] == {"pages": 3, "revisions": 9, "files": 0, "licences": 3}
    assert [page["title"] for page in manifest["pages"]] == GARDENS
    history = history_of(archive, GARDENS[0])
    assert [line["author"] for line in history] == ["Alice", "Bob", "Alice"]
    assert [line["summary"] for line in history] == ["création", "horaires", "précision"]
    assert {line["licence"] for line in history} == {"CC-BY-SA-4.0"}
    assert all(line["date"].startswith("20") for line in history)
    every_text = b"".join(archive.read(name) for name in archive.namelist())
    assert "secret caché".encode() not in every_text
    assert b"brouillon en attente" not in every_text
    assert "Atelier vélo".encode() not in every_text
    markdown = archive.read(manifest["pages"][0]["markdown"]).decode()
    assert markdown.startswith('---\ntitle: "Jardin des Capucins"\nlicence: "CC-BY-SA-4.0"')
    assert '\nauthors: ["Alice", "Bob"]\n' in markdown
    assert markdown.rstrip().endswith(
        "Jardin des Capucins, ouvert le samedi.\n\n[[Catégorie:Jardins]]"
    )
    licences = archive.read("LICENCES.md").decode()
    assert "## CC BY-NC 4.0" in licences
    assert "https://creativecommons.org/licenses/by-nc/4.0/deed.fr" in licences
    assert "- Verger de Kerinou" in licences
    credits = archive.read("ATTRIBUTIONS.md").decode()
    assert (
        "- « Jardin du Guelmeur », par Alice, Bob — source : "
        "http://localhost/wiki/Jardin_du_Guelmeur — CC BY 4.0"
    ) in credits


def test_the_whole_wiki_without_deleted_pages(app, client, make_page):
    write_gardens(app, make_page)
    Api(client, bearer_for(app, "Admin", "admin")).call(
        "DELETE", "/api/v1/pages/Atelier_v%C3%A9lo", 200, json_body={"reason": "doublon"}
    )
    manifest = json.loads(archive_of(client).read("manifest.json"))
    assert [page["title"] for page in manifest["pages"]] == GARDENS
    assert manifest["category"] is None


def test_an_empty_or_bad_category(app, client, make_page):
    make_page("Accueil", "Bonjour")
    answer = Api(client).call("GET", "/api/v1/export?category=Inconnue", 404).get_json()
    assert "Inconnue" in answer["error"]
    Api(client).call("GET", "/api/v1/export?category=a%5Bb", 400)


def test_the_export_is_rate_limited(app: Flask, client: FlaskClient, make_page):
    make_page("Accueil", "Bonjour")
    app.config["COMMONS_EXPORT_RATE_LIMIT"] = "2 per minute"
    codes = [client.get("/api/v1/export").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_export_page_has_a_form(app: Flask, client: FlaskClient):
    page = client.get("/reutiliser")
    assert page.status_code == 200
    assert 'action="/api/v1/export"' in page.text and 'for="category"' in page.text
