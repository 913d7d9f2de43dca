"""Moderators move an initiative's status from its page: a new revision through the write
path, with only the status changed; nobody else may."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, csrf_from, soup

from wikicoop.core.revisions import find_page
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

PAGE = "/wiki/Ciné-débat"


def page_id(app: Flask, title: str) -> int:
    """The database id of a page (the status form's URL names it)."""
    with app.app_context():
        return find_page(get_session(), parse_title(title)).id


@pytest.fixture
def proposed(app: Flask, make_page: Callable, initiative: Callable, moderator: str) -> int:
    """A published initiative « Ciné-débat » with the status « proposée »; its page id."""
    make_page(
        "Ciné-débat",
        "Un film, puis on en parle.",
        author=moderator,
        page_type="initiative",
        fields=initiative(),
    )
    return page_id(app, "Ciné-débat")


def status_form(client: FlaskClient):
    return soup(client.get(PAGE)).select_one("form.status-form")


def test_a_moderator_moves_the_status_and_only_the_status(
    app: Flask, client: FlaskClient, auth, proposed: int
) -> None:
    auth.login("Modo", role="moderator")
    form = status_form(client)
    assert form is not None and form["action"] == f"/appel-a-projets/statut/{proposed}"
    assert form.select_one("option[selected]")["value"] == "proposée"
    api = Api(client)
    before = api.page("Ciné-débat")
    data = {
        "csrf_token": form.select_one("input[name=csrf_token]")["value"],
        "base_revision": form.select_one("input[name=base_revision]")["value"],
        "statut": "retenue",
    }
    moved = client.post(form["action"], data=data)
    assert moved.status_code == 302 and moved.location.endswith("/wiki/Cin%C3%A9-d%C3%A9bat")
    assert "Statut changé : retenue" in client.get(moved.location).text
    after = api.page("Ciné-débat")
    assert after["fields"] == {**before["fields"], "statut": "retenue"}
    assert after["text"] == before["text"]
    history = api.history("Ciné-débat")["revisions"]
    assert history[0]["summary"] == "Statut : proposée → retenue"
    assert history[0]["status"] == "published"
    diff = api.get(
        f"/api/v1/pages/Cin%C3%A9-d%C3%A9bat/diff?from={history[1]['id']}&to={history[0]['id']}"
    )
    assert diff["field_changes"] == [{"field": "statut", "old": "proposée", "new": "retenue"}]
    # the same form again (its base is now old): nothing changes
    stale = client.post(form["action"], data={**data, "statut": "réalisée"})
    assert stale.status_code == 302
    assert api.page("Ciné-débat")["fields"]["statut"] == "retenue"


def test_only_moderators_see_and_use_the_form(
    app: Flask, client: FlaskClient, auth, proposed: int
) -> None:
    url = f"/appel-a-projets/statut/{proposed}"
    assert status_form(client) is None  # a visitor
    token = csrf_from(client.get("/compte/connexion").text)
    assert client.post(url, data={"csrf_token": token, "statut": "réalisée"}).status_code == 401
    auth.login("Alice")
    assert status_form(client) is None
    token = csrf_from(client.get("/compte/mot-de-passe").text)
    assert client.post(url, data={"csrf_token": token, "statut": "réalisée"}).status_code == 403
    assert Api(client).page("Ciné-débat")["fields"]["statut"] == "proposée"


def test_bad_status_posts_are_refused(
    app: Flask, client: FlaskClient, auth, proposed: int, make_page: Callable
) -> None:
    auth.login("Modo", role="moderator")
    form = status_form(client)
    token = form.select_one("input[name=csrf_token]")["value"]
    base = form.select_one("input[name=base_revision]")["value"]
    url = form["action"]
    assert (
        client.post(
            url, data={"csrf_token": token, "base_revision": base, "statut": "gagnée"}
        ).status_code
        == 400
    )
    assert client.post(url, data={"base_revision": base, "statut": "retenue"}).status_code == 400
    make_page("Une page simple", "Sans type.")
    plain = page_id(app, "Une page simple")
    assert (
        client.post(f"/appel-a-projets/statut/{plain}", data={"csrf_token": token}).status_code
        == 404
    )
    assert (
        client.post("/appel-a-projets/statut/999999", data={"csrf_token": token}).status_code == 404
    )
    assert Api(client).page("Ciné-débat")["fields"]["statut"] == "proposée"
