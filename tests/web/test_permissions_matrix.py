"""One permission decision, seen through the running app: every role (visitor, newcomer,
trusted contributor, blocked contributor, moderator, admin) asks every guarded screen of
a page in each state (plain, protected for trusted accounts, protected for moderators,
deleted), and gets exactly what the rules of wikicoop.permissions say.

The expected table is written out here, from the rules, not computed by the code tested.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from helpers import login, make_user
from sqlalchemy import event

from wikicoop.community import governance as community
from wikicoop.community.accounts import find_user
from wikicoop.core import revisions as rev
from wikicoop.core.db import engine_of
from wikicoop.plugins import hookimpl
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

ROLES = ("visitor", "newcomer", "trusted", "blocked", "moderator", "admin")
STATES = ("plain", "trusted", "moderators", "deleted")
#: guarded screens: the permission they ask (GET: the form, or the listing)
SCREENS = {
    "view": "/wiki/{page}",
    "history": "/wiki/{page}?action=history",
    "edit": "/wiki/{page}?action=edit",
    "rename": "/wiki/{page}?action=rename",
    "delete": "/wiki/{page}?action=delete",
    "protect": "/protection/{page}",
    "view_pending": "/moderation",
    "view_audit": "/journal",
    "manage_user": "/utilisateur/Cible/moderation",
}

WRITERS = {"trusted", "moderator", "admin"}  # may edit a page protected for trusted ones
MODERATORS = {"moderator", "admin"}


def expected(role: str, action: str, state: str) -> bool:
    """The rules, as the issue states them, one line each."""
    if state == "deleted" and action in SCREENS and "{page}" in SCREENS[action]:
        return role == "admin" and action in {"view", "history"}  # admins see what was
    if action in {"view", "history"}:
        return True
    if action == "edit":
        if role in {"visitor", "blocked"}:
            return False  # no account, or a block: no writing anywhere
        if state == "moderators":
            return role in MODERATORS
        return state == "plain" or role in WRITERS
    if action == "rename":  # needs trust, like editing a protected page
        if role in {"visitor", "blocked", "newcomer"}:
            return False
        return state != "moderators" or role in MODERATORS
    if action == "delete":
        return role == "admin"
    # moderation screens: moderators and admins, blocked or not (a block stops writing)
    return role in MODERATORS


def page_name(state: str) -> str:
    return f"Page_{state}"


def set_up(app: Flask, make_page) -> None:
    for state in STATES:
        make_page(page_name(state), f"Texte de la page {state}.", author="Auteur")
    make_user(app, "Nouveau", trust="auto")
    make_user(app, "Confirme")
    make_user(app, "Bloque")
    make_user(app, "Cible")
    make_user(app, "Modo", "moderator")
    make_user(app, "Admin", "admin")
    with app.app_context():
        session = get_session()
        admin = find_user(session, "Admin")
        for level in ("trusted", "moderators"):
            page = rev.find_page(session, parse_title(page_name(level)))
            community.set_protection(session, page, level, by=admin, reason="essai")
        community.block_user(
            session, find_user(session, "Bloque"), by=admin, reason="essai", expires_at=None
        )
        deleted = rev.find_page(session, parse_title(page_name("deleted")))
        rev.delete_page(session, page=deleted, actor=admin, reason="essai")
        session.commit()


ACCOUNTS = {
    "newcomer": "Nouveau",
    "trusted": "Confirme",
    "blocked": "Bloque",
    "moderator": "Modo",
    "admin": "Admin",
}


def outcome(client: FlaskClient, url: str) -> bool:
    """Allowed (the screen answers 200) or refused (401, 403, 404, 409 for a deleted
    page, or off to log in)."""
    response = client.get(url)
    if response.status_code == 302:
        assert "/compte/connexion" in response.headers["Location"], url
        return False
    assert response.status_code in {200, 401, 403, 404, 409}, (url, response.status_code)
    return response.status_code == 200


def cells() -> list[tuple[str, str, str]]:
    """(role, action, page state) for every screen; screens about no page: one state."""
    return [
        (role, action, state)
        for role in ROLES
        for action, pattern in SCREENS.items()
        for state in (STATES if "{page}" in pattern else ("plain",))
    ]


def matrix(app: Flask) -> dict[tuple[str, str, str], bool]:
    """What the running app answers to each cell, each role through its own session."""
    got = {}
    for role in ROLES:
        client = app.test_client()
        if role != "visitor":
            assert login(client, ACCOUNTS[role]).status_code == 302
        for cell in cells():
            if cell[0] == role:
                url = SCREENS[cell[1]].format(page=page_name(cell[2]))
                got[cell] = outcome(client, url)
    return got


def test_every_role_gets_what_the_rules_say(app: Flask, make_page) -> None:
    set_up(app, make_page)
    assert matrix(app) == {cell: expected(*cell) for cell in cells()}


class GrantsEverything:
    """A plugin that answers yes to every question."""

    @hookimpl
    def permission_check(self, actor: Any, action: str, page: Any) -> bool | None:
        return True


def expected_with_grants(role: str, action: str, state: str) -> bool:
    """A plugin's True lifts the role table, never a hard rule: a deleted page, a block,
    a page's protection, the trust that renaming needs."""
    if state == "deleted" and "{page}" in SCREENS[action]:
        return role == "admin" and action in {"view", "history"}
    if action == "edit":
        if role == "blocked":
            return False
        if state == "moderators":
            return role in MODERATORS
        return state == "plain" or role in WRITERS
    if action == "rename":
        if role in {"visitor", "blocked", "newcomer"}:
            return False
        return state != "moderators" or role in MODERATORS
    if action == "delete":
        return role != "blocked"
    return True


def test_a_plugin_granting_everything_lifts_no_hard_rule(app: Flask, make_page) -> None:
    app.extensions["wikicoop.plugins"].register(GrantsEverything())
    set_up(app, make_page)
    assert matrix(app) == {
        (role, action, state): expected_with_grants(role, action, state)
        for role, action, state in cells()
    }


def test_the_account_state_is_read_once_per_request_and_only_when_needed(
    app: Flask, make_page
) -> None:
    """A visitor's page view reads no block and no trust; an account's page view (its
    tabs ask edit, rename, delete...) reads its block once, whatever the rules asking."""
    make_page("Essai", "Du texte.", author="Auteur")
    make_user(app, "Nouveau", trust="auto")  # trust 'auto': is_trusted counts its edits
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    client = app.test_client()
    event.listen(engine_of(app), "before_cursor_execute", count)
    try:
        assert client.get("/wiki/Essai").status_code == 200
        assert [s for s in statements if "FROM blocks" in s] == []
        assert login(client, "Nouveau").status_code == 302
        for url in ("/wiki/Essai", "/wiki/Essai?action=history", "/wiki/Essai?action=edit"):
            statements.clear()
            assert client.get(url).status_code == 200
            assert len([s for s in statements if "FROM blocks" in s]) == 1, url
            approved = [s for s in statements if "count(" in s and "FROM revisions" in s]
            assert len(approved) <= 1, (url, approved)  # is_trusted's count, once at most
    finally:
        event.remove(engine_of(app), "before_cursor_execute", count)
