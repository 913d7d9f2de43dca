"""Issue 8, point 3: every command, form and API route finds an account under any
spelling its name normalises from (underscores, case, spaces, Unicode NFD)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from helpers import PASSWORD, login

from wikicoop.cli import cli as wikicoop_cli

#: ``wikicoop create-user élo_dïe`` makes the account « Élo dïe »; each of these
#: spellings must find it (the last two are in decomposed Unicode, NFD).
SPELLINGS = [
    "élo_dïe",
    "ÉLO DÏE",
    "  élo   dïe ",
    "Élo_dïe",
    "e\u0301lo_di\u0308e",
    "E\u0301LO DI\u0308E",
]


@pytest.fixture
def elodie(runner) -> str:
    """The account « Élo dïe », created by the real command under an underscored name."""
    result = runner.invoke(
        wikicoop_cli, ["create-user", "élo_dïe", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Élo dïe" in result.output
    return "Élo dïe"


@pytest.fixture
def moderator(app, auth):
    """A logged-in moderator client (the audit log and user pages are theirs)."""
    client = app.test_client()
    auth.login("Modo", role="moderator", client=client)
    return client


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_cli_token_create_finds_the_account(runner, elodie, spelling):
    result = runner.invoke(wikicoop_cli, ["token", "create", spelling])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wkc_")


def test_cli_refuses_a_second_account_under_another_spelling(runner, elodie):
    result = runner.invoke(
        wikicoop_cli, ["create-user", "ÉLO_DÏE", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code != 0
    assert "déjà pris" in result.output


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_login_form_finds_the_account(app, elodie, spelling):
    client = app.test_client()
    response = login(client, spelling)
    assert response.status_code == 302, response.text
    assert client.get("/compte/mot-de-passe").status_code == 200


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_web_pages_find_the_account(client, moderator, elodie, spelling):
    path = quote(spelling)
    assert client.get(f"/contributions/{path}").status_code == 200
    assert client.get(f"/flux/contributions/{path}.atom").status_code == 200
    assert client.get("/modifications-recentes", query_string={"user": spelling}).status_code == 200
    assert moderator.get(f"/utilisateur/{path}/moderation").status_code == 200
    audit = moderator.get("/journal", query_string={"actor": spelling})
    assert audit.status_code == 200
    assert "Aucun compte" not in audit.text


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_api_routes_find_the_account(client, moderator, elodie, spelling):
    path = quote(spelling)
    answer = client.get(f"/api/v1/users/{path}/contributions")
    assert answer.status_code == 200, answer.text
    assert answer.get_json()["user"] == elodie
    assert moderator.get(f"/api/v1/users/{path}/block").status_code == 200
    changes = client.get("/api/v1/recent-changes", query_string={"user": spelling})
    assert changes.status_code == 200, changes.text


def test_an_unknown_name_is_still_404(client, elodie):
    assert client.get("/contributions/Personne_inconnue").status_code == 404
    assert client.get("/api/v1/users/%C3%89lo_di/contributions").status_code == 404
