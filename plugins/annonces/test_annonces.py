"""The example plugin through the running wiki: its page type and moderation mode, its
validate_edit rule, page panel, menu entry, route, seed page and Markdown syntax."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from wikicoop.cli import cli
from wikicoop.core.page_types import registry_of

SOON = (date.today() + timedelta(days=3)).isoformat()
GONE = (date.today() - timedelta(days=3)).isoformat()


def notice(day: str = SOON, **fields: object) -> dict[str, object]:
    return {"type": "annonce", "fields": {"date": day, "genre": "atelier", **fields}}


def test_the_plugin_declares_the_annonce_type_with_its_moderation(
    app: Flask, client: FlaskClient
) -> None:
    declared = registry_of(app).get("annonce")
    assert declared is not None and declared.plugin == "annonces"
    assert [f.name for f in declared.fields] == ["date", "lieu", "genre", "gratuit", "inscription"]
    # a priori: even a trusted contributor's notice waits for a moderator
    api = Api(client, bearer_for(app, "Alice"))
    held = api.put("Atelier vélo", {"text": "Venez !", "base_revision": None, **notice()})
    assert held.status_code == 202, held.get_json()
    plain = {"text": "Une page sans type", "base_revision": None}
    api.put("Page simple", plain, 201)  # other pages keep the site's mode


def test_a_paying_notice_needs_its_sign_up_link(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Modo", "moderator"))
    body = {"text": "Sortie", "base_revision": None, **notice(gratuit=False)}
    refused = api.put("Sortie en mer", body, 400).get_json()
    assert "inscription" in refused["error"]
    api.call("GET", "/api/v1/pages/Sortie%20en%20mer", 404)  # nothing saved
    body["fields"]["inscription"] = "https://exemple.org/inscription"
    api.put("Sortie en mer", body, 201)


def test_notices_have_a_panel_a_menu_entry_and_a_list(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Modo", "moderator"))
    api.put("Atelier vélo", {"text": "Réparez !", "base_revision": None, **notice()}, 201)
    api.put("Fête passée", {"text": "Merci !", "base_revision": None, **notice(GONE)}, 201)
    page = soup(client.get("/wiki/Atelier_v%C3%A9lo").text)
    # the plugin's own panel, among the other plugins' (related pages…)
    panels = {p.select_one("h2").text: p for p in page.select("section.plugin-panel")}
    panel = panels["Quand ?"]
    assert str(date.fromisoformat(SOON).year) in panel.select_one(".annonce-when").text
    menu = {a.text: a["href"] for a in page.select(".site-nav a")}
    assert menu["Annonces"] == "/annonces"
    listing = soup(client.get("/annonces").text)
    assert [a.text for a in listing.select("ul.annonces a")] == ["Atelier vélo"]  # not the past
    assert soup(client.get("/annonces?lang=en").text).select_one("h1").text == "Coming notices"


def test_important_text_is_marked(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Modo", "moderator"))
    api.put("Vide-grenier", {"text": "Prévoir !!de la monnaie!!.", "base_revision": None}, 201)
    mark = soup(client.get("/wiki/Vide-grenier").text).select_one(".page-content mark")
    assert mark["class"] == ["annonce-important"] and mark.text == "de la monnaie"


def test_the_seed_page_explains_notices(app: Flask) -> None:
    info = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(cli, ["load-seed"], obj=info, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = soup(app.test_client().get("/wiki/Aide:Annonces").text)
    assert page.select_one(".page-content mark.annonce-important").text == "apporter son bol"


def test_disabled_the_plugin_leaves_no_trace(make_app: Callable[..., Flask]) -> None:
    app = make_app(DISABLED_PLUGINS=["annonces"])
    client = app.test_client()
    assert registry_of(app).get("annonce") is None
    assert client.get("/annonces").status_code == 404
    assert "Annonces" not in soup(client.get("/wiki/Accueil").text).select_one(".site-nav").text
