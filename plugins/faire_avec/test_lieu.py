"""The access point page type through the running wiki: its declaration and moderation,
saving through the editor and the API, bad values refused naming the field, the seed
help page and the example access points."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from helpers import Api, bearer_for, edit_form, login, make_user, soup

from wikicoop.cli import cli
from wikicoop.core.page_types import registry_of

from .lieu import TYPE_NAME
from .samples import lieu_body, lieu_fields


def test_the_type_is_declared_with_its_fields_and_moderation(app: Flask, client: FlaskClient):
    declared = registry_of(app).get(TYPE_NAME)
    assert declared is not None and declared.plugin == "faire_avec"
    assert [f.name for f in declared.fields] == [
        "structure", "genre", "adresse", "quartier", "position", "horaires", "services",
        "accessible", "telephone", "courriel", "site", "adhesion", "postes",
    ]  # fmt: skip
    listed = {t["name"]: t for t in Api(client).get("/api/v1/page-types")["page_types"]}
    lieu = listed[TYPE_NAME]
    assert lieu["label"]["fr"] == "Lieu d'accès public à internet"
    assert lieu["moderation"] == "newcomers"
    kinds = {f["name"]: f["kind"] for f in lieu["fields"]}
    assert kinds["position"] == "point" and kinds["horaires"] == "hours"
    assert kinds["services"] == "choices" and kinds["accessible"] == "bool"


def test_a_trusted_resident_saves_an_access_point_through_the_api(app: Flask, client):
    api = Api(client, bearer_for(app, "Alice"))
    api.put("Centre social Nord", lieu_body(), 201)
    page = api.page("Centre social Nord")
    assert page["type"] == TYPE_NAME
    assert page["fields"]["quartier"] == "Saint-Martin"
    assert page["fields"]["position"] == {"lat": 48.3958, "lon": -4.4857}


def test_a_newcomers_access_point_waits_for_review(app: Flask, client: FlaskClient):
    api = Api(client, bearer_for(app, "Nouveau", trust="auto"))
    api.put("Local des voisins", lieu_body(), 202)
    assert client.get("/wiki/Local_des_voisins").status_code == 404  # not public yet


BAD = [
    ("genre", {"genre": "piscine"}),
    ("structure", {"structure": None}),
    ("quartier", {"quartier": None}),
    ("position", {"position": {"lat": 95, "lon": -4.48}}),
    ("horaires", {"horaires": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}),
    ("horaires", {"horaires": {"tue": [["18:00", "09:00"]]}}),
    ("services", {"services": ["fax"]}),
    ("accessible", {"accessible": "peut-être"}),
    ("courriel", {"courriel": "pas une adresse"}),
    ("adhesion", {"adhesion": 1850}),
    ("adhesion", {"adhesion": 2003.5}),
    ("postes", {"postes": -2}),
]


@pytest.mark.parametrize(("name", "changes"), BAD)
def test_the_api_refuses_a_bad_value_naming_the_field(app: Flask, client, name, changes):
    api = Api(client, bearer_for(app, "Alice"))
    refused = api.put("Lieu douteux", lieu_body(**changes), 400).get_json()
    assert refused["code"] == "invalid-field" and refused["field"] == name, refused
    assert name in refused["error"]
    api.call("GET", "/api/v1/pages/Lieu%20douteux", 404)  # nothing saved


def test_the_plugins_own_rule_speaks_english_too(app: Flask, client: FlaskClient):
    api = Api(client, {**bearer_for(app, "Alice"), "Accept-Language": "en"})
    refused = api.put("Lieu", lieu_body(adhesion=1700), 400).get_json()
    assert refused["field"] == "adhesion" and "expects a year between 1995" in refused["error"]


def _form(fields: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    return {f"field.{name}": value for name, value in fields.items()}


FORM = {
    "structure": "Centre social",
    "genre": "centre social",
    "adresse": "2 rue Jean Jaurès, Brest",
    "quartier": "Bellevue",
    "position.lat": "48.4003",
    "position.lon": "-4.5058",
    "horaires.mon": "09:00-12:00, 14:00-18:00",
    "services": ["wifi", "ateliers"],
    "accessible": "1",
    "adhesion": "2005",
    "postes": "4",
}


def _post_editor(client: FlaskClient, title: str, fields: dict) -> object:
    path = f"{title}?action=edit&type={TYPE_NAME}"
    data = {**edit_form(client, path), "text": "Bienvenue.", "page_type": TYPE_NAME}
    data |= {"save": "Enregistrer", **_form(fields)}
    return client.post(f"/wiki/{title}?action=edit", data=data)


def test_saving_through_the_editor_shows_the_infobox(app: Flask, client: FlaskClient):
    make_user(app, "Alice")
    login(client, "Alice")
    editor = soup(client.get(f"/wiki/Espace_Bellevue?action=edit&type={TYPE_NAME}"))
    assert editor.select_one('select[name="field.genre"]') is not None
    assert len(editor.select('input[name="field.services"][type="checkbox"]')) == 6
    answer = _post_editor(client, "Espace_Bellevue", FORM)
    assert answer.status_code == 302, answer.text[:2000]
    box = soup(client.get("/wiki/Espace_Bellevue")).select_one("aside.infobox")
    assert box["data-page-type"] == TYPE_NAME
    assert box.select_one("h2").get_text() == "Lieu d'accès public à internet"
    values = {dd["data-field"]: dd.get_text(" ", strip=True) for dd in box.select("dd")}
    assert values["services"] == "ateliers, wifi" and values["quartier"] == "Bellevue"


def test_the_editor_shows_a_refused_year_beside_its_field(app: Flask, client: FlaskClient):
    make_user(app, "Alice")
    login(client, "Alice")
    answer = _post_editor(client, "Espace_Bellevue", {**FORM, "adhesion": "3000"})
    assert answer.status_code == 400
    error = soup(answer).select_one('.page-field[data-field="adhesion"] .field-error')
    assert error is not None and "année" in error.get_text()
    assert client.get("/wiki/Espace_Bellevue").status_code == 404  # nothing saved


def _load_seed(app: Flask) -> None:
    info = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(cli, ["load-seed"], obj=info, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_the_seed_holds_the_help_page_and_typed_examples(app: Flask, client: FlaskClient):
    _load_seed(app)
    help_page = soup(client.get("/wiki/Aide:Lieux_d%27acc%C3%A8s_public_%C3%A0_internet"))
    assert help_page.select_one('.page-content a[href="/lieux/proches"]') is not None
    _load_seed(app)  # a second run changes nothing
    page = Api(client).page("Centre social de Kerourien (exemple)")
    assert page["type"] == TYPE_NAME and page["fields"]["quartier"] == "Kerourien"
    examples = Api(client).get("/api/v1/access-points")["features"]
    assert sorted(f["properties"]["title"] for f in examples) == [
        "Centre social de Kerourien (exemple)",
        "Local associatif de Recouvrance (exemple)",
        "Maison de quartier de Bellevue (exemple)",
        "Médiathèque de Saint-Martin (exemple)",
    ]
    assert all(f["geometry"] is not None for f in examples)
    text = soup(client.get("/wiki/Centre_social_de_Kerourien_(exemple)")).get_text()
    assert "Fiche d'exemple" in text


def test_the_plugin_works_alone(make_app: Callable[..., Flask]):
    app = make_app(DISABLED_PLUGINS=["etre_en_attention", "donner_a_voir"])
    client = app.test_client()
    api = Api(client, bearer_for(app, "Alice"))
    api.put("Seul lieu", lieu_body(), 201)
    assert lieu_fields()["quartier"] in json.dumps(api.page("Seul lieu")["fields"])


def test_disabled_the_plugin_leaves_no_trace(make_app: Callable[..., Flask]):
    app = make_app(DISABLED_PLUGINS=["faire_avec"])
    assert registry_of(app).get(TYPE_NAME) is None
    assert app.test_client().get("/lieux").status_code == 404
