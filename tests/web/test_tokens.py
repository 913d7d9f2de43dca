"""Issue 8, point 7 (tokens and bots): list and revoke one's API tokens (API and
command line); bot accounts and admins are exempt from the edit rate limits."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from helpers import PASSWORD, bearer, cli_token, session_csrf

from wikicoop.cli import cli as wikicoop_cli
from wikicoop.community.accounts import find_user
from wikicoop.core.models import ApiToken, utcnow
from wikicoop.web.db import get_session


def cli(runner, *args: str, input: str | None = None):
    """Run ``wikicoop ARGS``; the result (exit code and output)."""
    return runner.invoke(wikicoop_cli, list(args), input=input)


def token_row(app, token_id: int) -> ApiToken:
    with app.app_context():
        row = get_session().get(ApiToken, token_id)
        get_session().expunge(row)
        return row


@pytest.fixture
def alice(auth) -> str:
    auth.make_user("Alice")
    return "Alice"


# ------------------------------------------------------------------------ the API


def test_list_own_tokens(client, runner, alice, auth):
    first = cli_token(runner, "alice", "import")
    cli_token(runner, "Alice", "robot du jeudi")
    auth.make_user("Bruno")
    cli_token(runner, "Bruno", "pas à Alice")
    answer = client.get("/api/v1/tokens", headers=bearer(first))
    assert answer.status_code == 200, answer.text
    tokens = answer.get_json()["tokens"]
    assert [t["label"] for t in tokens] == ["import", "robot du jeudi"]
    for token in tokens:
        assert set(token) == {"id", "label", "created_at", "last_used_at"}
        assert isinstance(token["id"], int)
        datetime.fromisoformat(token["created_at"])
    assert tokens[0]["last_used_at"] is not None  # the one this request used
    datetime.fromisoformat(tokens[0]["last_used_at"])
    assert tokens[1]["last_used_at"] is None
    assert first not in answer.text  # tokens are never shown again


def test_list_needs_an_account(client):
    assert client.get("/api/v1/tokens").status_code == 401


def test_revoke_own_token(client, runner, alice):
    keep, drop = cli_token(runner, "Alice", "garder"), cli_token(runner, "Alice", "jeter")
    ids = {
        t["label"]: t["id"]
        for t in client.get("/api/v1/tokens", headers=bearer(keep)).json["tokens"]
    }
    answer = client.delete(f"/api/v1/tokens/{ids['jeter']}", headers=bearer(keep))
    assert answer.status_code == 200, answer.text
    assert answer.get_json()["token"]["id"] == ids["jeter"]
    assert client.get("/api/v1/tokens", headers=bearer(drop)).status_code == 401
    listed = client.get("/api/v1/tokens", headers=bearer(keep)).get_json()["tokens"]
    assert [t["label"] for t in listed] == ["garder"]
    # revoking it again, or a token that does not exist: 404
    assert client.delete(f"/api/v1/tokens/{ids['jeter']}", headers=bearer(keep)).status_code == 404
    assert client.delete("/api/v1/tokens/999999", headers=bearer(keep)).status_code == 404


def test_revoking_another_accounts_token_is_404(app, client, runner, alice, auth):
    mine = cli_token(runner, "Alice")
    auth.make_user("Bruno")
    theirs = cli_token(runner, "Bruno", "à Bruno")
    their_id = client.get("/api/v1/tokens", headers=bearer(theirs)).json["tokens"][0]["id"]
    answer = client.delete(f"/api/v1/tokens/{their_id}", headers=bearer(mine))
    assert answer.status_code == 404
    assert "error" in answer.get_json()
    assert token_row(app, their_id).revoked is False
    assert client.get("/api/v1/tokens", headers=bearer(theirs)).status_code == 200


def test_session_cookie_revocation_needs_csrf(client, runner, auth):
    auth.login("Alice")
    token = cli_token(runner, "Alice", "navigateur")
    token_id = client.get("/api/v1/tokens").get_json()["tokens"][0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}").status_code == 400  # no CSRF token
    csrf = session_csrf(client)
    answer = client.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRFToken": csrf})
    assert answer.status_code == 200, answer.text
    assert client.get("/api/v1/tokens", headers=bearer(token)).status_code == 401


def test_last_use_is_recorded_at_most_once_a_minute(app, client, runner, alice):
    token = cli_token(runner, "Alice")
    token_id = client.get("/api/v1/tokens", headers=bearer(token)).json["tokens"][0]["id"]
    first_use = token_row(app, token_id).last_used_at
    assert first_use is not None
    client.get("/api/v1/tokens", headers=bearer(token))
    assert token_row(app, token_id).last_used_at == first_use  # within the minute: no write
    with app.app_context():
        row = get_session().get(ApiToken, token_id)
        row.last_used_at = utcnow() - timedelta(minutes=2)
        get_session().commit()
    client.get("/api/v1/tokens", headers=bearer(token))
    assert token_row(app, token_id).last_used_at > first_use - timedelta(seconds=1)
    assert utcnow() - token_row(app, token_id).last_used_at < timedelta(minutes=1)


# -------------------------------------------------------------------- the commands


def test_cli_token_list_and_revoke(app, client, runner, alice):
    token = cli_token(runner, "alice", "import")
    listed = cli(runner, "token", "list", "ALICE")
    assert listed.exit_code == 0, listed.output
    token_id = client.get("/api/v1/tokens", headers=bearer(token)).json["tokens"][0]["id"]
    assert str(token_id) in listed.output and "import" in listed.output
    assert token not in listed.output
    revoked = cli(runner, "token", "revoke", str(token_id))
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/tokens", headers=bearer(token)).status_code == 401
    assert "import" not in cli(runner, "token", "list", "Alice").output
    assert cli(runner, "token", "revoke", str(token_id)).exit_code != 0  # already revoked
    assert cli(runner, "token", "revoke", "999999").exit_code != 0
    assert cli(runner, "token", "list", "Personne").exit_code != 0


def test_cli_bot_flag(app, runner):
    made = cli(runner, "create-user", "robot_import", "--bot", "--password-stdin", input=PASSWORD)
    assert made.exit_code == 0, made.output
    with app.app_context():
        assert find_user(get_session(), "Robot import").bot is True
    assert cli(runner, "user", "set-bot", "robot_import", "off").exit_code == 0
    with app.app_context():
        assert find_user(get_session(), "Robot import").bot is False
    assert cli(runner, "user", "set-bot", "ROBOT IMPORT", "on").exit_code == 0
    with app.app_context():
        assert find_user(get_session(), "Robot import").bot is True
    assert cli(runner, "user", "set-bot", "Personne", "on").exit_code != 0


# ------------------------------------------------------------ edit rate limits


def put_pages(client, token: str, count: int) -> list[int]:
    """PUT ``count`` new pages through the API; the statuses of the answers."""
    return [
        client.put(
            f"/api/v1/pages/Import_{n}",
            json={"text": f"Page {n}.", "base_revision": None},
            headers=bearer(token),
        ).status_code
        for n in range(count)
    ]


@pytest.mark.parametrize("kind", ["bot", "admin"])
def test_bots_and_admins_are_exempt_from_edit_limits(app, client, runner, auth, kind):
    app.config["EDIT_RATE_LIMIT"] = "3 per minute"
    if kind == "bot":
        cli(
            runner, "create-user", "Robot", "--bot", "--trusted", "--password-stdin", input=PASSWORD
        )
    else:
        auth.make_user("Robot", role="admin")
    statuses = put_pages(client, cli_token(runner, "Robot"), 8)
    assert statuses == [201] * 8


def test_a_plain_contributor_meets_the_edit_limit(app, client, runner, alice):
    app.config["EDIT_RATE_LIMIT"] = "3 per minute"
    statuses = put_pages(client, cli_token(runner, "Alice"), 5)
    assert statuses == [201, 201, 201, 429, 429]
