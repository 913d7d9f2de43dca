"""« Réutiliser »: the credit line of a page (HTML page and JSON twin), its escaping, the
page's tab, and the Markdown and HTML exports with their licence header."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, page_path, soup


def write(make_page, title: str = 'Jardin "partagé" & <co>', **edit) -> None:
    make_page(title, "Un jardin **ouvert** à tous.", author="Alice", licence="CC-BY-SA-4.0")
    make_page(title, "Un jardin **ouvert** à tous, le samedi.", author="Bob", **edit)


TRICKY = 'Jardin "partagé" & co'


def test_the_credit_line_in_json(app: Flask, client: FlaskClient, make_page):
    write(make_page, title=TRICKY)
    credit = Api(client).get(page_path(TRICKY, "/credit"))
    assert credit["title"] == TRICKY
    assert credit["authors"] == ["Alice", "Bob"]
    assert credit["source"] == "http://localhost/wiki/Jardin_%22partag%C3%A9%22_&_co"
    assert credit["license"] == "CC-BY-SA-4.0" and credit["license_name"] == "CC BY-SA 4.0"
    assert credit["text"] == (
        f"« {TRICKY} », par Alice, Bob — source : {credit['source']} — "
        "sous licence CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/deed.fr)"
    )
    # the HTML is escaped: quotes and ampersands are entities, the link is whole
    assert "&#34;partagé&#34; &amp; co" in credit["html"]
    html = soup(credit["html"])
    assert html.find("a", href=credit["source"]).get_text() == TRICKY
    licence = html.find("a", rel="license")
    assert licence["href"] == "https://creativecommons.org/licenses/by-sa/4.0/deed.fr"
    english = Api(client).get(page_path(TRICKY, "/credit"), query={"lang": "en"})
    assert english["text"].startswith(f"« {TRICKY} », by Alice, Bob")


def test_a_missing_page_has_no_credit(app: Flask, client: FlaskClient):
    answer = Api(client).call("GET", page_path("Nulle part", "/credit"), 404).get_json()
    assert "Nulle part" in answer["error"]


def test_the_reuse_page_shows_copyable_boxes_and_the_tab(app, client, make_page):
    write(make_page, title="Jardin")
    page = soup(client.get("/wiki/Jardin"))
    tab = page.find("a", href="/reutiliser/Jardin")
    assert tab is not None and tab.get_text(strip=True) == "Réutiliser"
    reuse = soup(client.get("/reutiliser/Jardin"))
    text = reuse.select_one("textarea#credit-text")
    assert text.has_attr("readonly") and reuse.find("label", attrs={"for": "credit-text"})
    assert text.get_text().startswith(
        "« Jardin », par Alice, Bob — source : http://localhost/wiki/Jardin"
    )
    html_box = reuse.select_one("textarea#credit-html").get_text()
    assert html_box.startswith('« <a href="http://localhost/wiki/Jardin">Jardin</a> »')
    assert client.get("/reutiliser/Absente").status_code == 404


def test_the_markdown_export_has_a_licence_header(app, client, make_page):
    write(make_page, title="Jardin")
    answer = client.get("/reutiliser/Jardin/export.md")
    assert answer.status_code == 200 and answer.mimetype == "text/markdown"
    assert 'attachment; filename="Jardin.md"' in answer.headers["Content-Disposition"]
    head, body = answer.text.split("\n---\n", 1)
    lines = dict(line.split(": ", 1) for line in head.removeprefix("---\n").splitlines())
    assert json.loads(lines["title"]) == "Jardin"
    assert json.loads(lines["licence"]) == "CC-BY-SA-4.0"
    assert json.loads(lines["authors"]) == ["Alice", "Bob"]
    assert json.loads(lines["source"]) == "http://localhost/wiki/Jardin"
    assert body.strip() == "Un jardin **ouvert** à tous, le samedi."


def test_the_html_export_is_a_standalone_document(app, client, make_page):
    make_page("Jardin", "Texte <script>alert(1)</script> **gras**", licence="CC-BY-4.0")
    answer = client.get("/reutiliser/Jardin/export.html")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    document = soup(answer)
    assert document.title.get_text() == "Jardin"
    assert document.find("script") is None  # the rendered HTML was sanitized
    assert document.select_one("main strong").get_text() == "gras"
    header = document.header.get_text(" ")
    assert "Alice" in header and "CC BY 4.0" in header
    assert document.find("link", rel="license")["href"].startswith(
        "https://creativecommons.org/licenses/by/4.0/"
    )
