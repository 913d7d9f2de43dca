"""Proposing an initiative through /appel-a-projets/proposer: a pending page while the
call is open, a clear refusal otherwise, the form's own checks, anonymous proposals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, banner, bearer_for, csrf_from, login, post_form, soup

FORM = "/appel-a-projets/proposer"
PROPOSAL = {
    "titre": "Atelier photo du Valy-Hir",
    "texte": "Apprendre à faire de belles photos avec son téléphone.",
    "porteur": "Gwen Caradec",
    "quartier": "Valy-Hir",
    "themes": ["expression", "compétences"],
    "prioritaire": "y",
    "montant": "1 250,50",
}


def queue(app: Flask, client: FlaskClient) -> list[dict]:
    """The moderation queue's revisions, as a moderator reads them."""
    modo = Api(client, bearer_for(app, "Modo", "moderator"))
    return modo.get("/api/v1/moderation/queue")["revisions"]


def test_a_resident_proposes_while_the_call_is_open(
    app: Flask, client: FlaskClient, auth, make_call: Callable, published_initiatives: Callable
) -> None:
    make_call()
    auth.login("Alice")
    page = soup(client.get(FORM))
    assert page.select_one("form.proposal-form input[name=csrf_token]") is not None
    assert "ouvert jusqu'au" in page.select_one(".call-state").text
    assert page.select_one("a[href^='/wiki/Appel']") is not None  # the rules
    sent = post_form(client, FORM, PROPOSAL)
    assert sent.status_code == 302, sent.text[:500]
    assert "Merci" in client.get(sent.location).text
    assert published_initiatives() == []  # pending: visitors see nothing yet
    waiting = queue(app, client)
    assert [r["page"] for r in waiting] == ["Atelier photo du Valy-Hir"]
    modo = Api(client, bearer_for(app, "Modo", "moderator"))
    modo.call("POST", f"/api/v1/revisions/{waiting[0]['id']}/approve", 200, json_body={})
    fields = modo.page("Atelier photo du Valy-Hir")["fields"]
    assert fields == {
        "porteur": "Gwen Caradec",
        "quartier": "Valy-Hir",
        "annee": date.today().year,
        "themes": ["expression", "compétences"],
        "quartier_prioritaire": True,
        "statut": "proposée",
        "montant_demande": 1250.5,
    }


@pytest.mark.parametrize(("opens_in", "closes_in"), [(-20, -1), (2, 30)])
def test_outside_the_call_the_form_says_so_and_saves_nothing(
    app: Flask, client: FlaskClient, auth, make_call: Callable, opens_in: int, closes_in: int
) -> None:
    make_call(opens_in=opens_in, closes_in=closes_in)
    auth.login("Alice")
    page = client.get(FORM)
    assert page.status_code == 200 and soup(page).select_one("form.proposal-form") is None
    expected = "clos depuis" if closes_in < 0 else "ouvrira le"
    assert expected in banner(page)
    token = csrf_from(client.get("/compte/mot-de-passe").text)
    refused = client.post(FORM, data={"csrf_token": token, **PROPOSAL})
    assert refused.status_code == 422 and expected in banner(refused)
    assert queue(app, client) == []


def test_without_a_call_this_year_there_is_no_form(
    app: Flask, client: FlaskClient, auth, make_call: Callable
) -> None:
    make_call(year=date.today().year - 1)  # last year's call does not open this year
    auth.login("Alice")
    assert "pas d'appel" in banner(client.get(FORM))


def test_visitors_are_asked_to_log_in_unless_anonymous_editing(
    app: Flask, client: FlaskClient, make_call: Callable, make_app: Callable
) -> None:
    make_call()
    page = soup(client.get(FORM))
    assert page.select_one("form.proposal-form") is None
    assert page.select_one("a[href^='/compte/connexion']") is not None
    token = csrf_from(client.get("/compte/connexion").text)
    assert client.post(FORM, data={"csrf_token": token, **PROPOSAL}).status_code == 401
    assert queue(app, client) == []
    open_wiki = make_app(ANONYMOUS_EDITING=True)
    visitor = open_wiki.test_client()
    sent = post_form(visitor, FORM, PROPOSAL)
    assert sent.status_code == 302, sent.text[:500]
    assert [r["page"] for r in queue(open_wiki, visitor)] == ["Atelier photo du Valy-Hir"]


@pytest.mark.parametrize(
    ("change", "name", "sentence"),
    [
        ({"titre": " "}, "titre", "obligatoire"),
        ({"quartier": ""}, "quartier", "obligatoire"),
        ({"montant": "beaucoup"}, "montant", "1500"),
        ({"montant": "-5"}, "montant", "1500"),
        ({"titre": "Un [titre] cassé"}, "titre", ""),
        ({"porteur": "x" * 501}, "porteur", "500"),
    ],
)
def test_a_bad_proposal_is_shown_again_with_the_reason(
    app: Flask, client: FlaskClient, auth, make_call: Callable, change, name, sentence
) -> None:
    make_call()
    auth.login("Alice")
    refused = post_form(client, FORM, {**PROPOSAL, **change})
    assert refused.status_code == 422
    page = soup(refused)
    assert sentence in page.select_one(f"#erreur-{name}").text
    assert "belles photos" in page.select_one("#texte").text  # what was typed stays
    assert queue(app, client) == []


def test_a_taken_title_and_a_missing_csrf_token_are_refused(
    app: Flask, client: FlaskClient, auth, make_call: Callable, make_page: Callable
) -> None:
    make_call()
    make_page("Atelier photo du Valy-Hir", "Une page qui existe.")
    auth.login("Alice")
    taken = post_form(client, FORM, PROPOSAL)
    assert taken.status_code == 422
    assert "déjà ce nom" in soup(taken).select_one("#erreur-titre").text
    assert client.post(FORM, data={**PROPOSAL, "titre": "Autre"}).status_code == 400
    assert queue(app, client) == []


def test_the_form_speaks_english_too(client: FlaskClient, auth, make_call: Callable) -> None:
    make_call()
    auth.login("Alice")
    page = soup(client.get(FORM + "?lang=en"))
    assert page.select_one("h1").text == "Propose an initiative"
    assert page.select_one("label[for=quartier]").text.startswith("Neighbourhood")


def test_proposals_share_the_editors_rate_limit(
    make_app: Callable, make_call: Callable, auth
) -> None:
    make_call()
    limited = make_app(EDIT_RATE_LIMIT="2 per minute")
    client = limited.test_client()
    auth.make_user("Bob")
    login(client, "Bob")
    for n in range(2):
        assert post_form(client, FORM, {**PROPOSAL, "titre": f"Projet {n}"}).status_code == 302
    assert post_form(client, FORM, {**PROPOSAL, "titre": "Projet 3"}).status_code == 429
