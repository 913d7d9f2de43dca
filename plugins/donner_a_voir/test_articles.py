"""The magazine's article type through the running wiki: its fields, its a priori
moderation, refused values, and the example articles of the seed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup
from sqlalchemy import Engine, inspect

from wikicoop.cli import cli
from wikicoop.core.db import engine_of
from wikicoop.core.page_types import registry_of


def article(day: str = "2026-12-01", **fields: object) -> dict[str, object]:
    """An article's type and fields (a section, a byline, a day), ``fields`` added."""
    values = {"rubrique": "Culture", "signature": "Hélène Q.", "date_publication": day}
    return {"type": "article", "fields": {**values, **fields}}


def test_the_article_type_and_its_fields(app: Flask) -> None:
    declared = registry_of(app).get("article")
    assert declared is not None and declared.plugin == "donner_a_voir"
    kinds = {f.name: f.kind for f in declared.fields}
    assert kinds == {
        "rubrique": "choice",
        "signature": "text",
        "date_publication": "date",
        "chapo": "longtext",
        "image": "url",
    }
    assert app.config["MODERATION_MODES"]["type:article"] == "a_priori"


def test_every_article_waits_for_a_moderator(app: Flask, client: FlaskClient) -> None:
    trusted = Api(client, bearer_for(app, "Alice"))  # trusted, yet reviewed
    body = {"text": "Un récit.", "base_revision": None, **article(chapo="En bref.")}
    assert trusted.put("Concert d'hiver", body, 202).get_json()
    assert client.get("/wiki/Concert_d%27hiver").status_code == 404  # nothing public yet
    moderator = Api(client, bearer_for(app, "Modo", "moderator"))
    moderator.put("Fête des voisins", {"text": "Récit.", "base_revision": None, **article()}, 201)
    infobox = soup(client.get("/wiki/F%C3%AAte_des_voisins").text).text
    assert "Hélène Q." in infobox and "Culture" in infobox


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"rubrique": "Sport"}, "rubrique", "not-a-choice"),
        ({"date_publication": "1er décembre"}, "date_publication", "bad-date"),
        ({"image": "javascript:alert(1)"}, "image", "bad-url"),
        ({"signature": ""}, "signature", "required"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_saved(
    app: Flask, client: FlaskClient, fields: dict[str, str], field: str, reason: str
) -> None:
    api = Api(client, bearer_for(app, "Modo", "moderator"))
    body = {"text": "Texte.", "base_revision": None, **article(**fields)}
    refused = api.put("Article raté", body, 400).get_json()
    assert (refused["field"], refused["reason"]) == (field, reason)
    assert refused["error"]
    api.call("GET", "/api/v1/pages/Article%20rat%C3%A9", 404)


def test_the_seed_brings_a_help_page_and_example_articles(app: Flask) -> None:
    info = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(cli, ["load-seed"], obj=info, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert "Article du magazine" in client.get("/wiki/Aide:Magazine").text
    example = soup(client.get("/wiki/Un_samedi_au_Repair_Caf%C3%A9_de_Kerourien").text)
    assert "article d'exemple" in example.select_one(".page-content").text
    assert "Maryvonne L." in example.text  # typed: its byline is in the infobox
    front = soup(client.get("/magazine").text).select(".magazine-article h2 a")
    assert [a.text for a in front] == [
        "La chorale des Quatre-Moulins fête ses dix ans",
        "À la médiathèque, on apprend le courriel à tout âge",
        "Un samedi au Repair Café de Kerourien",
        "Le jardin partagé de Pontanézen prépare l'hiver",
    ]


def test_wikicoop_upgrade_makes_the_plugins_tables(
    make_app: Callable[..., Flask], drop_tables: Callable[[Engine], None]
) -> None:
    app = make_app(DISABLED_PLUGINS=["faire_avec", "etre_en_attention"])  # this branch only
    info = ScriptInfo(create_app=lambda: app)
    engine = engine_of(app)
    try:
        result = CliRunner().invoke(cli, ["upgrade"], obj=info, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        tables = inspect(engine).get_table_names()
        assert {"donner_a_voir_subscribers", "donner_a_voir_deliveries"} <= set(tables)
    finally:
        drop_tables(engine)


def test_disabled_the_plugin_leaves_no_trace(make_app: Callable[..., Flask]) -> None:
    app = make_app(DISABLED_PLUGINS=["donner_a_voir"])
    assert registry_of(app).get("article") is None
