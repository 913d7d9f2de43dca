"""The seed (example workshops, the help page), the plugin alone, and the plugin off."""

from __future__ import annotations

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from helpers import Api, bearer_for, soup

from wikicoop.cli import cli
from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.core.page_types import registry_of

from .outiller_testing import VERSIONS, drop_own_tables, in_days

OTHERS = [
    "annonces",
    "faire_avec",
    "etre_en_attention",
    "donner_a_voir",
    "mettre_en_communs",
    "relier",
]


def _load_seed(app: Flask) -> None:
    info = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(cli, ["load-seed"], obj=info, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_the_seed_holds_examples_and_the_help_page(ateliers, client):
    _load_seed(ateliers)
    _load_seed(ateliers)  # a second run changes nothing
    listed = Api(client).get("/api/v1/workshops?from=2027-01-01&to=2027-12-31")["workshops"]
    titles = {w["title"] for w in listed}
    assert len(titles) == 4 and all("(exemple)" in t for t in titles)
    weekly = [w for w in listed if "Écrire sur le wiki" in w["title"]]
    assert len(weekly) > 20 and all(w["weekly"] for w in weekly)
    assert {w["capacity"] for w in listed} >= {2, 8, 12}
    page = soup(client.get("/wiki/Aide:Apprendre_%C3%A0_%C3%A9crire_sur_le_wiki"))
    assert page.select_one('.page-content a[href="/apprendre"]') is not None
    example = soup(client.get("/wiki/" + weekly[0]["url"].rsplit("/wiki/", 1)[1]))
    assert "Fiche d'exemple" in example.get_text()
    calendar = soup(client.get("/ateliers/mois/2027-01"))
    place = calendar.select_one("li.outiller-session a[href^='/wiki/Centre_social']")
    assert place is not None  # the place is a page link (an access point page with faire_avec)


def test_the_plugin_works_alone(make_app):
    app = make_app(DISABLED_PLUGINS=OTHERS)
    upgrade_schema(engine_of(app), [str(VERSIONS)])
    try:
        client = app.test_client()
        body = {
            "text": "Seul.",
            "base_revision": None,
            "type": "atelier",
            "fields": {
                "debut": in_days(3).strftime("%Y-%m-%dT%H:%M"),
                "fin": in_days(3, hour=16).strftime("%Y-%m-%dT%H:%M"),
                "lieu": "Salle des fêtes",
                "places": 1,
            },
        }
        Api(client, bearer_for(app, "Modo", "moderator")).put("Atelier seul", body, 201)
        url = "/api/v1/workshops/Atelier_seul/registrations"
        assert (
            Api(client, bearer_for(app, "Ana")).call("POST", url, 201).get_json()["status"]
            == "registered"
        )
        assert (
            Api(client, bearer_for(app, "Bob")).call("POST", url, 201).get_json()["status"]
            == "waiting"
        )
        assert "complet" in client.get("/ateliers").text
        assert client.get("/agenda.ics").status_code == 200
    finally:
        drop_own_tables(engine_of(app))


def test_off_the_plugin_leaves_no_trace(make_app):
    app = make_app(DISABLED_PLUGINS=["outiller"])
    assert registry_of(app).get("atelier") is None
    client = app.test_client()
    for path in ("/ateliers", "/apprendre", "/agenda.ics", "/api/v1/workshops"):
        assert client.get(path).status_code == 404
    assert "/ateliers" not in client.get("/wiki/Accueil").text


def test_the_stylesheet_is_linked_and_served(ateliers, client):
    page = soup(client.get("/ateliers"))
    assert page.select_one('link[href="/ateliers/static/outiller.css"]') is not None
    sheet = client.get("/ateliers/static/outiller.css")
    assert sheet.status_code == 200 and b".outiller-form" in sheet.data
    sheet.close()
