"""The call's page types through the running wiki: declarations, seed pages, and the
write rules (years, amounts, dates, a closed call, statuses left to moderators)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from wikicoop.cli import cli
from wikicoop.core.page_types import registry_of

FORM = "/appel-a-projets/proposer"
INITIATIVE_FIELDS = [
    "porteur",
    "organisation",
    "quartier",
    "annee",
    "themes",
    "quartier_prioritaire",
    "statut",
    "montant_demande",
    "montant_accorde",
    "partenaires",
    "bilan",
    "lieu_acces",
    "ateliers",
]


def body(fields: dict[str, object], page_type: str = "initiative") -> dict[str, object]:
    return {"text": "Le projet.", "base_revision": None, "type": page_type, "fields": fields}


def test_the_plugin_declares_initiative_and_appel(app: Flask) -> None:
    registry = registry_of(app)
    initiative = registry.get("initiative")
    assert initiative is not None and initiative.plugin == "etre_en_attention"
    assert [f.name for f in initiative.fields] == INITIATIVE_FIELDS
    statut = next(f for f in initiative.fields if f.name == "statut")
    assert list(statut.choices) == ["proposée", "retenue", "en cours", "réalisée", "abandonnée"]
    appel = registry.get("appel")
    assert appel is not None
    assert [f.name for f in appel.fields] == ["annee", "ouverture", "cloture", "themes"]
    assert app.config["MODERATION_MODES"]["type:initiative"] == "a_priori"


def test_the_seed_has_a_call_and_example_initiatives(app: Flask, client: FlaskClient) -> None:
    info = ScriptInfo(create_app=lambda: app)
    result = CliRunner().invoke(cli, ["load-seed"], obj=info, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    call = client.get("/api/v1/pages/Appel%20%C3%A0%20projets%202026").get_json()
    assert call["type"] == "appel" and call["fields"]["cloture"] == "2026-03-31"
    page = soup(client.get("/wiki/Caf%C3%A9_num%C3%A9rique_de_Kerourien"))
    assert "Exemple" in page.select_one(".page-content").text
    infobox = page.select_one(".infobox").text
    assert "Kerourien" in infobox and "réalisée" in infobox
    api = client.get("/api/v1/pages/Journal%20sonore%20de%20Pontan%C3%A9zen").get_json()
    assert api["type"] == "initiative" and api["fields"]["quartier_prioritaire"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"annee": 20266}, "annee"),
        ({"annee": 2025.5}, "annee"),
        ({"montant_demande": -100}, "montant_demande"),
        ({"montant_accorde": -1}, "montant_accorde"),
        ({"statut": "gagnée"}, "statut"),
        ({"themes": ["jardinage"]}, "themes"),
        ({"quartier_prioritaire": "peut-être"}, "quartier_prioritaire"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(
    app: Flask, client: FlaskClient, initiative: Callable, change: dict, field: str
) -> None:
    api = Api(client, bearer_for(app, "Modo", "moderator"))
    refused = api.put("Jardin partagé", body(initiative(**change)), 400).get_json()
    assert refused["field"] == field
    api.call("GET", "/api/v1/pages/Jardin%20partag%C3%A9", 404)


def test_a_call_closes_after_it_opens(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Modo", "moderator"))
    fields = {"annee": 2027, "ouverture": "2027-03-01", "cloture": "2027-01-31"}
    refused = api.put("Appel à projets 2027", body(fields, "appel"), 400).get_json()
    assert refused["code"] == "etre-en-attention-dates" and refused["field"] == "cloture"
    assert "après son ouverture" in refused["error"]
    api.call("GET", "/api/v1/pages/Appel%20%C3%A0%20projets%202027", 404)
    english = api.put("Appel à projets 2027", body(fields, "appel"), 400, query={"lang": "en"})
    assert english.get_json()["error"] == "The call must close after it opens."


def test_a_resident_proposes_only_while_the_call_is_open(
    app: Flask, client: FlaskClient, initiative: Callable, make_call: Callable
) -> None:
    api = Api(client, bearer_for(app, "Alice"))
    # no call this year: refused, nothing saved
    refused = api.put("Ciné-débat", body(initiative()), 422).get_json()
    assert refused["code"] == "etre-en-attention-closed"
    api.call("GET", "/api/v1/pages/Cin%C3%A9-d%C3%A9bat", 404)
    make_call(opens_in=-20, closes_in=-1)  # closed yesterday
    assert api.put("Ciné-débat", body(initiative()), 422).get_json()["code"] == (
        "etre-en-attention-closed"
    )
    api.call("GET", "/api/v1/pages/Cin%C3%A9-d%C3%A9bat", 404)


def test_an_open_call_takes_proposals_as_pending_pages(
    app: Flask,
    client: FlaskClient,
    initiative: Callable,
    make_call: Callable,
    published_initiatives: Callable,
) -> None:
    make_call()
    api = Api(client, bearer_for(app, "Alice"))
    # a resident does not choose the status nor the amount granted
    assert api.put("Ciné-débat", body(initiative(statut="retenue")), 403).get_json()["code"] == (
        "etre-en-attention-moderators"
    )
    assert api.put("Ciné-débat", body(initiative(montant_accorde=10)), 403)
    held = api.put("Ciné-débat", body(initiative()), 202).get_json()
    assert held["revision"]["status"] == "pending"
    assert published_initiatives() == []  # waits for a moderator
    modo = Api(client, bearer_for(app, "Modo", "moderator"))
    modo.call("POST", f"/api/v1/revisions/{held['revision']['id']}/approve", 200, json_body={})
    assert published_initiatives() == ["Ciné-débat"]
    # the resident may improve the text, but not move the status
    page = api.page("Ciné-débat")
    moved = {**page["fields"], "statut": "réalisée"}
    edit = {"text": "Mieux dit.", "base_revision": page["revision"]["id"], "fields": moved}
    assert api.put("Ciné-débat", edit, 403).get_json()["code"] == "etre-en-attention-moderators"
    edit["fields"] = page["fields"]
    assert api.put("Ciné-débat", edit).status_code in (200, 202)


def test_the_plugin_works_alone(make_app: Callable[..., Flask]) -> None:
    app = make_app(DISABLED_PLUGINS=["faire_avec", "donner_a_voir"])
    assert registry_of(app).get("initiative") is not None
    assert registry_of(app).get("lieu_acces") is None
    client = app.test_client()
    for url in ("/appel-a-projets", "/appel-a-projets/tableau-de-bord", FORM):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/initiatives/stats").get_json()["total"] == 0


def test_disabled_the_plugin_leaves_no_trace(make_app: Callable[..., Flask]) -> None:
    app = make_app(DISABLED_PLUGINS=["etre_en_attention"])
    assert registry_of(app).get("initiative") is None
    assert registry_of(app).get("appel") is None
    client = app.test_client()
    assert client.get("/appel-a-projets").status_code == 404
    assert client.get("/api/v1/initiatives/stats").status_code == 404
    assert (
        "Appel à projets" not in soup(client.get("/wiki/Accueil").text).select_one(".site-nav").text
    )
