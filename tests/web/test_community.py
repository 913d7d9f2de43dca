"""Tools against abuse (``wikicoop/community.py`` and ``wikicoop/views/community.py``):
blocks, page protection, trust and roles, through the moderation pages and the JSON API;
every act lands in the audit log with who, what, on what, and why."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import banner, bearer_for, call_api, csrf_from, session_csrf, soup
from sqlalchemy import select, text

from wikicoop.community import governance as community
from wikicoop.community.accounts import find_user
from wikicoop.core.models import AuditEntry, Block, Page, Revision, User, utcnow
from wikicoop.core.moderation import active_block
from wikicoop.error_messages import sentence_in
from wikicoop.web.db import get_session

MODERATION = "/utilisateur/{}/moderation"


def user_named(app: Flask, name: str) -> User:
    with app.app_context():
        user = find_user(get_session(), name)
        assert user is not None
        return user


def audit_rows(app: Flask, **where: Any) -> list[tuple]:
    """(actor, action, target_type, target_id, page_id, reason, details) in order."""
    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        return [
            (
                e.actor.username if e.actor else None,
                e.action,
                e.target_type,
                e.target_id,
                e.page_id,
                e.reason,
                e.details,
            )
            for e in get_session().scalars(stmt)
        ]


def current_block(app: Flask, name: str) -> Block | None:
    with app.app_context():
        session = get_session()
        return active_block(session, find_user(session, name))


def post_user_form(client: FlaskClient, username: str, data: dict[str, str]):
    page = client.get(MODERATION.format(username))
    assert page.status_code == 200, page.text[:500]
    return client.post(
        MODERATION.format(username), data={"csrf_token": csrf_from(page.text), **data}
    )


def post_protection(client: FlaskClient, title: str, data: dict[str, str]):
    page = client.get(f"/protection/{title}")
    assert page.status_code == 200, page.text[:500]
    return client.post(f"/protection/{title}", data={"csrf_token": csrf_from(page.text), **data})


@pytest.fixture
def bob(auth) -> User:
    """A newcomer, the usual subject of moderation."""
    return auth.make_user("Bob", trust="auto")


# ----------------------------------------------------------------- who may come in


@pytest.mark.parametrize("path", ["/utilisateur/Bob/moderation", "/protection/Accueil", "/journal"])
def test_visitors_and_contributors_are_kept_out(client, auth, bob, make_page, path):
    make_page("Accueil", "Bienvenue.")
    assert client.get(path).status_code == 401
    auth.login("Carole")
    response = client.get(path)
    assert response.status_code == 403
    assert "pas le droit" in banner(response)
    if path != "/journal":  # a form's POST, CSRF token and all, is refused too
        token = session_csrf(client)
        data = {"csrf_token": token, "level": "", "reason": "x", "block_submit": "1"}
        assert client.post(path, data=data).status_code == 403
    assert audit_rows(client.application) == []


def test_unknown_account_is_404(client, auth):
    auth.login("Mod", role="moderator")
    response = client.get(MODERATION.format("Personne"))
    assert response.status_code == 404
    assert "Personne" in banner(response)


def test_moderation_page_tells_the_state_of_a_newcomer(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    response = client.get(MODERATION.format("Bob"))
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one(".state-role").get_text(strip=True) == "contributeur"
    trust = page.select_one(".state-trust").get_text(" ", strip=True)
    assert "Nouveau" in trust and "0 modification" in trust
    assert "5 modifications publiées et 3 jours" in trust  # the automatic rule, from settings
    assert "Aucun blocage en cours" in page.select_one(".state-block").get_text()
    assert page.select_one("select[name=duration]") is not None
    assert page.select_one("select[name=role]") is None  # moderators do not change roles
    assert "jamais été bloqué" in page.get_text()


def test_earned_trust_is_shown(app, client, auth, make_page):
    auth.make_user("Bob", trust="auto")
    revision_id = make_page("Jardin", "Un jardin.", author="Bob")
    with app.app_context():
        session = get_session()
        user = find_user(session, "Bob")
        user.created_at = utcnow() - timedelta(days=10)
        session.get(Revision, revision_id).status = "published"  # as a moderator's approval
        session.commit()
    app.config["TRUST_MIN_APPROVED_EDITS"] = 1
    auth.login("Mod", role="moderator")
    trust = soup(client.get(MODERATION.format("Bob"))).select_one(".state-trust")
    assert "Confirmé" in trust.get_text()
    assert "1 modification publiée" in trust.get_text()


# -------------------------------------------------------------------------- blocks


def test_block_through_the_form_is_audited(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    before = utcnow()
    response = post_user_form(
        client, "Bob", {"duration": "3d", "block_reason": "  Spam  répété ", "block_submit": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(MODERATION.format("Bob"))
    block = current_block(app, "Bob")
    assert block is not None and block.reason == "Spam répété"
    assert timedelta(days=3) <= block.expires_at - before < timedelta(days=3, minutes=1)
    mod, bob_user = user_named(app, "Mod"), user_named(app, "Bob")
    ((actor, action, ttype, tid, _page, reason, details),) = audit_rows(app)
    assert (actor, action, ttype, tid, reason) == (
        "Mod",
        "block",
        "user",
        bob_user.id,
        "Spam répété",
    )
    assert details["block"] == block.id and details["expires_at"].startswith(
        block.expires_at.date().isoformat()
    )
    assert block.by_id == mod.id
    page = soup(client.get(MODERATION.format("Bob")))
    assert "Bloqué" in page.select_one(".state-block").get_text()
    assert "Spam répété" in page.select_one("tr.block-active").get_text()
    assert page.select_one("input[name=lift_reason]") is not None
    assert "est bloqué" in page.select_one(".flash").get_text()


def test_blocked_user_may_still_log_in_and_read(client, auth, bob, make_page, app):
    make_page("Accueil", "Bienvenue.")
    auth.login("Mod", role="moderator")
    post_user_form(
        client, "Bob", {"duration": "forever", "block_reason": "Insultes", "block_submit": "1"}
    )
    auth.logout()
    auth.login("Bob")
    assert client.get("/wiki/Accueil").status_code == 200


def test_block_forever_then_lift(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    post_user_form(
        client, "Bob", {"duration": "forever", "block_reason": "Vandalisme", "block_submit": "1"}
    )
    block = current_block(app, "Bob")
    assert block is not None and block.expires_at is None
    assert (
        "sans date de fin"
        in soup(client.get(MODERATION.format("Bob"))).select_one(".state-block").get_text()
    )
    response = post_user_form(client, "Bob", {"lift_reason": "Excuses reçues", "lift_submit": "1"})
    assert response.status_code == 302
    assert current_block(app, "Bob") is None
    assert [row[1] for row in audit_rows(app)] == ["block", "unblock"]
    assert audit_rows(app, action="unblock")[0][5] == "Excuses reçues"
    page = soup(client.get(MODERATION.format("Bob")))
    assert "levé le" in page.select_one("tr.block-row").get_text()
    assert "Aucun blocage en cours" in page.select_one(".state-block").get_text()


def test_block_without_reason_is_400_and_keeps_the_choice(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    response = post_user_form(
        client, "Bob", {"duration": "1w", "block_reason": "   ", "block_submit": "1"}
    )
    assert response.status_code == 400
    assert "Indiquez la raison" in banner(response)
    assert soup(response).select_one("select[name=duration] option[selected]")["value"] == "1w"
    assert current_block(app, "Bob") is None
    assert audit_rows(app) == []


def test_block_with_unknown_duration_is_400(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    response = post_user_form(
        client, "Bob", {"duration": "1y", "block_reason": "Spam", "block_submit": "1"}
    )
    assert response.status_code == 400
    assert current_block(app, "Bob") is None


def test_moderator_cannot_block_an_admin_or_themself(app, client, auth):
    auth.make_user("Root", role="admin")
    auth.login("Mod", role="moderator")
    page = soup(client.get(MODERATION.format("Root")))
    assert page.select_one("select[name=duration]") is None  # no form offered
    response = post_user_form(
        client, "Root", {"duration": "1d", "block_reason": "Essai", "block_submit": "1"}
    )
    assert response.status_code == 403
    assert "ne peut pas bloquer un administrateur" in banner(response)
    response = post_user_form(
        client, "Mod", {"duration": "1d", "block_reason": "Essai", "block_submit": "1"}
    )
    assert response.status_code == 403
    assert "votre propre compte" in banner(response)
    assert current_block(app, "Root") is None and current_block(app, "Mod") is None
    assert audit_rows(app) == []


def test_refusal_in_english_on_the_form(client, auth):
    auth.make_user("Root", role="admin")
    auth.login("Mod", role="moderator")
    page = client.get(MODERATION.format("Root"))
    response = client.post(
        MODERATION.format("Root"),
        data={
            "csrf_token": csrf_from(page.text),
            "duration": "1d",
            "block_reason": "x",
            "block_submit": "1",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 403
    assert banner(response) == "A moderator cannot block an administrator."


def test_admin_may_block_a_moderator(app, client, auth):
    auth.make_user("Mod", role="moderator")
    auth.login("Root", role="admin")
    response = post_user_form(
        client, "Mod", {"duration": "1d", "block_reason": "Abus de pouvoir", "block_submit": "1"}
    )
    assert response.status_code == 302
    assert current_block(app, "Mod") is not None


def test_a_new_block_replaces_the_current_one(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    post_user_form(client, "Bob", {"duration": "1m", "block_reason": "Spam", "block_submit": "1"})
    first = current_block(app, "Bob")
    post_user_form(client, "Bob", {"duration": "1d", "block_reason": "Réduit", "block_submit": "1"})
    second = current_block(app, "Bob")
    assert second is not None and second.id != first.id and second.reason == "Réduit"
    with app.app_context():
        blocks = community.block_history(get_session(), user_named(app, "Bob"))
    assert [(row.block.id, row.active) for row in blocks] == [(second.id, True), (first.id, False)]
    assert blocks[1].block.lifted_at is not None and blocks[1].lifted_by_name == "Mod"
    assert audit_rows(app, action="block")[-1][6]["replaces"] == [first.id]


def test_lifting_a_block_that_is_over_is_409(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    post_user_form(client, "Bob", {"duration": "1d", "block_reason": "Spam", "block_submit": "1"})
    block = current_block(app, "Bob")
    form = client.get(MODERATION.format("Bob")).text
    client.post(
        MODERATION.format("Bob"),
        data={"csrf_token": csrf_from(form), "lift_reason": "ok", "lift_submit": "1"},
    )
    # a second moderator's form, opened before the lift, names the same block
    response = client.post(
        MODERATION.format("Bob"),
        data={
            "csrf_token": csrf_from(form),
            "block_id": str(block.id),
            "lift_reason": "ok aussi",
            "lift_submit": "1",
        },
    )
    assert response.status_code == 409
    assert "plus en cours" in banner(response)
    assert len(audit_rows(app, action="unblock")) == 1


# ----------------------------------------------------- active_block through the service


def test_active_block_follows_expiry_lifting_and_forever(app, auth, bob):
    auth.make_user("Mod", role="moderator")
    with app.app_context():
        session = get_session()
        mod, user = find_user(session, "Mod"), find_user(session, "Bob")
        long_ago = utcnow() - timedelta(days=10)
        expired = community.block_user(
            session,
            user,
            by=mod,
            reason="ancien",
            expires_at=long_ago + timedelta(days=1),
            now=long_ago,
        )
        assert active_block(session, user) is None  # over since nine days
        assert active_block(session, user, now=long_ago + timedelta(hours=1)).id == expired.id
        week = community.block_user(
            session, user, by=mod, reason="une semaine", expires_at=community.expiry_for("1w")
        )
        assert active_block(session, user).id == week.id
        assert active_block(session, user, now=utcnow() + timedelta(days=8)) is None
        community.lift_block(session, week, by=mod, reason="erreur")
        assert active_block(session, user) is None
        forever = community.block_user(session, user, by=mod, reason="toujours", expires_at=None)
        assert active_block(session, user, now=utcnow() + timedelta(days=3650)).id == forever.id
        with pytest.raises(community.CommunityError) as caught:
            community.lift_block(session, expired, by=mod, reason="trop tard")
        assert caught.value.status == 409 and caught.value.code == "block-not-active"
        with pytest.raises(community.CommunityError) as caught:
            community.block_user(
                session, user, by=mod, reason="passé", expires_at=utcnow() - timedelta(seconds=1)
            )
        assert caught.value.code == "expiry-past"
        history = community.block_history(session, user)
        assert [row.active for row in history] == [True, False, False]


def test_service_refuses_a_contributor(app, auth, bob):
    auth.make_user("Carole")
    with app.app_context():
        session = get_session()
        carole, user = find_user(session, "Carole"), find_user(session, "Bob")
        with pytest.raises(community.CommunityError) as caught:
            community.block_user(session, user, by=carole, reason="non", expires_at=None)
        assert caught.value.status == 403
        assert caught.value.code == "forbidden"
        assert sentence_in(caught.value, "en") == "You are not allowed to do that."


# ---------------------------------------------------------------------- protection


def test_protection_through_the_form_is_audited(app, client, auth, make_page):
    make_page("Charte du quartier", "Les règles.")
    auth.login("Mod", role="moderator")
    page = soup(client.get("/protection/Charte_du_quartier"))
    assert "aucune" in page.select_one(".current-protection").get_text()
    assert page.select_one("input[name=level][value='']").has_attr("checked")
    response = post_protection(
        client, "Charte_du_quartier", {"level": "moderators", "reason": "Texte voté"}
    )
    assert response.status_code == 302
    with app.app_context():
        stored = get_session().scalars(select(Page).where(Page.name == "Charte du quartier")).one()
        assert stored.protection == "moderators"
        page_id = stored.id
    assert audit_rows(app) == [
        ("Mod", "protect", "page", page_id, page_id, "Texte voté", {"old": "", "new": "moderators"})
    ]
    page = soup(client.get("/protection/Charte_du_quartier"))
    assert "modérateurs seulement" in page.select_one(".current-protection").get_text()
    assert "Texte voté" in page.select_one("table.audit-log").get_text()
    post_protection(client, "Charte_du_quartier", {"level": "", "reason": "Fin du vote"})
    assert audit_rows(app, action="protect")[-1][6] == {"old": "moderators", "new": ""}


def test_protection_without_reason_is_400_and_keeps_the_choice(app, client, auth, make_page):
    make_page("Charte", "Les règles.")
    auth.login("Mod", role="moderator")
    response = post_protection(client, "Charte", {"level": "trusted", "reason": ""})
    assert response.status_code == 400
    assert "Indiquez la raison" in banner(response)
    assert soup(response).select_one("input[name=level][value=trusted]").has_attr("checked")
    assert audit_rows(app) == []


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"level": "", "reason": "rien"}, 400, "déjà ce niveau"),
        ({"level": "everyone", "reason": "x"}, 400, "Choisissez qui peut modifier"),
        ({"reason": "x"}, 400, "Choisissez qui peut modifier"),
    ],
)
def test_protection_bad_input(client, auth, make_page, data, status, message):
    make_page("Charte", "Les règles.")
    auth.login("Mod", role="moderator")
    response = post_protection(client, "Charte", data)
    assert response.status_code == status
    assert message in banner(response)


def test_protection_of_a_missing_page_is_404(client, auth):
    auth.login("Mod", role="moderator")
    response = client.get("/protection/Nulle_part")
    assert response.status_code == 404
    assert "Nulle part" in banner(response)
    assert client.get("/protection/Bad[title").status_code == 400


# ---------------------------------------------------------------------- trust, role


def test_trust_through_the_form(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    response = post_user_form(
        client,
        "Bob",
        {"trust": "granted", "trust_reason": "Connu du quartier", "trust_submit": "1"},
    )
    assert response.status_code == 302
    assert user_named(app, "Bob").trust == "granted"
    assert (
        "Confirmé"
        in soup(client.get(MODERATION.format("Bob"))).select_one(".state-trust").get_text()
    )
    post_user_form(
        client, "Bob", {"trust": "withdrawn", "trust_reason": "Liens douteux", "trust_submit": "1"}
    )
    assert user_named(app, "Bob").trust == "withdrawn"
    post_user_form(
        client, "Bob", {"trust": "auto", "trust_reason": "On recommence", "trust_submit": "1"}
    )
    bob_id = user_named(app, "Bob").id
    assert [(r[1], r[2], r[3], r[5], r[6]) for r in audit_rows(app)] == [
        ("trust", "user", bob_id, "Connu du quartier", {"old": "auto", "new": "granted"}),
        ("trust", "user", bob_id, "Liens douteux", {"old": "granted", "new": "withdrawn"}),
        ("trust", "user", bob_id, "On recommence", {"old": "withdrawn", "new": "auto"}),
    ]


def test_trust_refusals(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    response = post_user_form(
        client, "Bob", {"trust": "auto", "trust_reason": "x", "trust_submit": "1"}
    )
    assert response.status_code == 400 and "déjà ce niveau" in banner(response)
    response = post_user_form(
        client, "Bob", {"trust": "granted", "trust_reason": "", "trust_submit": "1"}
    )
    assert response.status_code == 400 and "Indiquez la raison" in banner(response)
    assert soup(response).select_one("select[name=trust] option[selected]")["value"] == "granted"
    response = post_user_form(
        client, "Mod", {"trust": "withdrawn", "trust_reason": "x", "trust_submit": "1"}
    )
    assert response.status_code == 403
    assert audit_rows(app) == []


def test_only_admins_change_roles(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    response = post_user_form(
        client, "Bob", {"role": "moderator", "role_reason": "x", "role_submit": "1"}
    )
    assert response.status_code == 403
    assert user_named(app, "Bob").role == "contributor"
    auth.logout()
    auth.login("Root", role="admin")
    page = soup(client.get(MODERATION.format("Bob")))
    assert page.select_one("select[name=role] option[selected]")["value"] == "contributor"
    response = post_user_form(
        client,
        "Bob",
        {"role": "moderator", "role_reason": "Élu par l'assemblée", "role_submit": "1"},
    )
    assert response.status_code == 302
    assert user_named(app, "Bob").role == "moderator"
    ((actor, action, ttype, tid, _p, reason, details),) = audit_rows(app)
    assert (actor, action, ttype, tid, reason, details) == (
        "Root",
        "role",
        "user",
        user_named(app, "Bob").id,
        "Élu par l'assemblée",
        {"old": "contributor", "new": "moderator"},
    )


def test_the_last_admin_keeps_the_role(app, client, auth):
    auth.login("Root", role="admin")
    response = post_user_form(
        client, "Root", {"role": "moderator", "role_reason": "Je pars", "role_submit": "1"}
    )
    assert response.status_code == 409
    assert "dernier administrateur" in banner(response)
    assert soup(response).select_one("input[name=role_reason]")["value"] == "Je pars"
    assert user_named(app, "Root").role == "admin"
    auth.make_user("Deux", role="admin")
    response = post_user_form(
        client, "Root", {"role": "contributor", "role_reason": "Je pars", "role_submit": "1"}
    )
    assert response.status_code == 302
    assert user_named(app, "Root").role == "contributor"
    assert [r[1] for r in audit_rows(app)] == ["role"]


def test_unknown_submit_is_400(client, auth, bob):
    auth.login("Mod", role="moderator")
    response = post_user_form(client, "Bob", {"something": "1"})
    assert response.status_code == 400


# --------------------------------------------------------------------------- links


def test_moderators_see_the_links_in_the_page_tabs(client, auth, make_page, bob):
    make_page("Utilisateur:Bob", "Je suis Bob.", author="Bob")
    make_page("Jardin", "Un jardin.")
    auth.login("Mod", role="moderator")
    tabs = soup(client.get("/wiki/Utilisateur:Bob")).select_one("nav.page-tabs")
    moderate = tabs.find("a", string="Modérer ce compte")
    assert moderate["href"] == MODERATION.format("Bob")
    assert client.get(moderate["href"]).status_code == 200
    protect = (
        soup(client.get("/wiki/Jardin")).select_one("nav.page-tabs").find("a", string="Protéger")
    )
    assert protect["href"] == "/protection/Jardin"
    assert tabs.find("a", string="Protéger") is not None  # a user page can be protected too
    # a user page that does not exist yet still leads to the account
    auth.make_user("Zoé Martin", trust="auto")
    tabs = soup(client.get("/wiki/Utilisateur:Zoé_Martin")).select_one("nav.page-tabs")
    href = tabs.find("a", string="Modérer ce compte")["href"]
    assert href == MODERATION.format(quote("Zoé_Martin"))
    assert client.get(href).status_code == 200


def test_contributors_do_not_see_the_links(client, auth, make_page, bob):
    make_page("Utilisateur:Bob", "Je suis Bob.", author="Bob")
    auth.login("Carole")
    tabs = soup(client.get("/wiki/Utilisateur:Bob")).select_one("nav.page-tabs")
    assert tabs.find("a", string="Modérer ce compte") is None
    assert tabs.find("a", string="Protéger") is None


# ------------------------------------------------------------------------------ API


def test_api_block_state_and_lift(app, client, bob):
    headers = bearer_for(app, "Mod", "moderator")
    response = call_api(
        client, "POST", "/api/v1/users/Bob/block", headers, {"reason": "Spam", "duration": "1w"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["blocked"] is True and body["block"]["reason"] == "Spam"
    assert body["block"]["by"] == "Mod" and body["block"]["expires_at"] is not None
    state = call_api(client, "GET", "/api/v1/users/Bob/block", headers).get_json()
    assert state["block"]["id"] == body["block"]["id"] and len(state["history"]) == 1
    response = call_api(client, "DELETE", "/api/v1/users/Bob/block", headers, {"reason": "Erreur"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["blocked"] is False and body["history"][0]["lifted_by"] == "Mod"
    assert current_block(app, "Bob") is None
    bob_id = user_named(app, "Bob").id
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in audit_rows(app)] == [
        ("Mod", "block", "user", bob_id, "Spam"),
        ("Mod", "unblock", "user", bob_id, "Erreur"),
    ]
    response = call_api(client, "DELETE", "/api/v1/users/Bob/block?reason=encore", headers)
    assert response.status_code == 409
    assert response.get_json()["code"] == "no-block"


@pytest.mark.parametrize("block", ["abc", 99999999999, -1, True, [1], 1.5])
def test_api_lift_names_a_block_that_does_not_exist(app, client, bob, block):
    headers = bearer_for(app, "Mod", "moderator")
    call_api(
        client, "POST", "/api/v1/users/Bob/block", headers, {"reason": "Spam", "duration": "1d"}
    )
    response = call_api(
        client, "DELETE", "/api/v1/users/Bob/block", headers, {"reason": "x", "block": block}
    )
    assert response.status_code == 409 and response.get_json()["code"] == "no-block"
    assert current_block(app, "Bob") is not None


def test_lift_form_with_a_bad_block_number(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    post_user_form(client, "Bob", {"duration": "1d", "block_reason": "Spam", "block_submit": "1"})
    for bad in ("abc", "99999999999"):
        response = post_user_form(
            client, "Bob", {"block_id": bad, "lift_reason": "x", "lift_submit": "1"}
        )
        assert response.status_code == 409
        assert "pas de blocage en cours" in banner(response)
    assert current_block(app, "Bob") is not None


def test_api_block_with_an_end_date(app, client, bob):
    headers = bearer_for(app, "Mod", "moderator")
    response = call_api(
        client,
        "POST",
        "/api/v1/users/Bob/block",
        headers,
        {"reason": "Pause", "expires_at": "2999-01-31T12:00:00"},
    )
    assert response.status_code == 201
    assert response.get_json()["block"]["expires_at"] == "2999-01-31T12:00:00+00:00"
    response = call_api(
        client,
        "POST",
        "/api/v1/users/Bob/block",
        headers,
        {"reason": "Toujours", "expires_at": None},
    )
    assert response.status_code == 201
    assert response.get_json()["block"]["expires_at"] is None
    assert current_block(app, "Bob").expires_at is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"duration": "1w"}, "reason-required"),
        ({"duration": "1w", "reason": 12}, "invalid-reason"),
        ({"duration": "1w", "reason": "x" * 501}, "reason-too-long"),
        ({"duration": "1y", "reason": "Spam"}, "invalid-duration"),
        ({"expires_at": "demain", "reason": "Spam"}, "invalid-expiry"),
        ({"expires_at": 3, "reason": "Spam"}, "invalid-expiry"),
        ({"expires_at": "2001-01-01T00:00:00Z", "reason": "Spam"}, "expiry-past"),
        ({"reason": "Spam"}, None),
    ],
)
def test_api_block_bad_input_is_400(app, client, bob, body, code):
    headers = bearer_for(app, "Mod", "moderator")
    response = call_api(client, "POST", "/api/v1/users/Bob/block", headers, body)
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert response.get_json().get("code") == code
    assert current_block(app, "Bob") is None


def test_api_block_refusals(app, client, auth, bob):
    auth.make_user("Root", role="admin")
    assert (
        call_api(
            client, "POST", "/api/v1/users/Bob/block", {}, {"reason": "x", "duration": "1d"}
        ).status_code
        == 401
    )
    carole = bearer_for(app, "Carole")
    assert (
        call_api(
            client, "POST", "/api/v1/users/Bob/block", carole, {"reason": "x", "duration": "1d"}
        ).status_code
        == 403
    )
    assert call_api(client, "GET", "/api/v1/users/Bob/block", carole).status_code == 403
    mod = bearer_for(app, "Mod", "moderator")
    response = call_api(
        client, "POST", "/api/v1/users/Root/block", mod, {"reason": "x", "duration": "1d"}
    )
    assert response.status_code == 403 and response.get_json()["code"] == "block-higher-role"
    response = call_api(
        client, "POST", "/api/v1/users/Mod/block", mod, {"reason": "x", "duration": "1d"}
    )
    assert response.status_code == 403 and response.get_json()["code"] == "block-self"
    response = call_api(
        client, "POST", "/api/v1/users/Personne/block", mod, {"reason": "x", "duration": "1d"}
    )
    assert response.status_code == 404
    response = call_api(client, "POST", "/api/v1/users/Bob/block", mod, None)
    assert response.status_code == 400
    assert audit_rows(app) == []


def test_api_refusal_in_english(app, client, auth):
    auth.make_user("Root", role="admin")
    mod = bearer_for(app, "Mod", "moderator")
    response = call_api(
        client,
        "POST",
        "/api/v1/users/Root/block",
        {**mod, "Accept-Language": "en"},
        {"reason": "x", "duration": "1d"},
    )
    assert response.get_json()["error"] == "A moderator cannot block an administrator."


def test_api_with_session_cookie_needs_the_csrf_header(app, client, auth, bob):
    auth.login("Mod", role="moderator")
    body = {"reason": "Spam", "duration": "1d"}
    assert client.post("/api/v1/users/Bob/block", json=body).status_code == 400
    token = csrf_from(client.get(MODERATION.format("Bob")).text)
    response = client.post("/api/v1/users/Bob/block", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_api_protection(app, client, make_page):
    make_page("Charte", "Les règles.")
    mod = bearer_for(app, "Mod", "moderator")
    response = call_api(
        client,
        "PUT",
        "/api/v1/pages/Charte/protection",
        mod,
        {"level": "trusted", "reason": "Vote"},
    )
    assert response.status_code == 200
    assert response.get_json() == {"title": "Charte", "protection": "trusted"}
    with app.app_context():
        page_id = get_session().scalars(select(Page.id).where(Page.name == "Charte")).one()
    assert audit_rows(app) == [
        ("Mod", "protect", "page", page_id, page_id, "Vote", {"old": "", "new": "trusted"})
    ]
    bad = [
        ({"level": "tous", "reason": "x"}, 400, "invalid-protection"),
        ({"level": None, "reason": "x"}, 400, "invalid-protection"),
        ({"level": "trusted", "reason": "x"}, 400, "same-protection"),
        ({"level": "moderators"}, 400, "reason-required"),
    ]
    for body, status, code in bad:
        response = call_api(client, "PUT", "/api/v1/pages/Charte/protection", mod, body)
        assert (response.status_code, response.get_json().get("code")) == (status, code)
    assert (
        call_api(
            client, "PUT", "/api/v1/pages/Nulle_part/protection", mod, {"level": ""}
        ).status_code
        == 404
    )
    carole = bearer_for(app, "Carole")
    response = call_api(
        client, "PUT", "/api/v1/pages/Charte/protection", carole, {"level": "", "reason": "x"}
    )
    assert response.status_code == 403
    assert len(audit_rows(app)) == 1


def test_api_trust_and_role(app, client, auth, bob):
    mod = bearer_for(app, "Mod", "moderator")
    response = call_api(
        client, "PUT", "/api/v1/users/Bob/trust", mod, {"trust": "granted", "reason": "Fiable"}
    )
    assert response.get_json() == {"user": "Bob", "trust": "granted", "trusted": True}
    response = call_api(
        client, "PUT", "/api/v1/users/Bob/trust", mod, {"trust": "maybe", "reason": "x"}
    )
    assert response.status_code == 400 and response.get_json()["code"] == "invalid-trust"
    response = call_api(
        client, "PUT", "/api/v1/users/Bob/role", mod, {"role": "admin", "reason": "x"}
    )
    assert response.status_code == 403
    root = bearer_for(app, "Root", "admin")
    response = call_api(
        client, "PUT", "/api/v1/users/Bob/role", root, {"role": "moderator", "reason": "Élu"}
    )
    assert response.get_json() == {"user": "Bob", "role": "moderator"}
    response = call_api(
        client, "PUT", "/api/v1/users/Root/role", root, {"role": "contributor", "reason": "x"}
    )
    assert response.status_code == 409 and response.get_json()["code"] == "last-admin"
    response = call_api(
        client, "PUT", "/api/v1/users/Bob/role", root, {"role": "chef", "reason": "x"}
    )
    assert response.status_code == 400 and response.get_json()["code"] == "invalid-role"
    assert [(r[0], r[1], r[5]) for r in audit_rows(app)] == [
        ("Mod", "trust", "Fiable"),
        ("Root", "role", "Élu"),
    ]


def test_user_with_a_space_in_the_name(app, client, auth):
    auth.make_user("Zoé Martin", trust="auto")
    mod = bearer_for(app, "Mod", "moderator")
    response = call_api(
        client,
        "POST",
        "/api/v1/users/Zo%C3%A9_Martin/block",
        mod,
        {"reason": "x", "duration": "1d"},
    )
    assert response.status_code == 201 and response.get_json()["user"] == "Zoé Martin"


# ------------------------------------------------------------------------------ races


def test_two_admins_demoting_each_other_leave_one(app, auth):
    """The admin rows are locked while counting: the second demotion waits, counts again
    and is refused, so the wiki never ends up without an administrator."""
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("row locks matter on PostgreSQL; SQLite lets one writer in at a time")
    auth.make_user("Ana", role="admin")
    auth.make_user("Ben", role="admin")
    sessions = app.extensions["wikicoop.sessionmaker"]
    first = sessions()
    # Ana's act has taken the admin rows' locks (as set_role does first) ...
    first.scalars(select(User).where(User.role == "admin").with_for_update()).all()
    outcome: dict[str, str] = {}

    def ben_demotes_ana() -> None:
        with app.app_context():
            session = get_session()
            try:
                community.set_role(
                    session,
                    find_user(session, "Ana"),
                    "contributor",
                    by=find_user(session, "Ben"),
                    reason="À mon tour",
                )
                outcome["ben"] = "done"
            except community.CommunityError as err:
                outcome["ben"] = err.code

    other = threading.Thread(target=ben_demotes_ana)
    other.start()
    # ... while Ben's act waits on them (a state we wait for, not a time)
    with app.extensions["wikicoop.engine"].connect() as watcher:
        for _attempt in range(200):
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            ).scalar()
            if waiting or not other.is_alive():
                break
            watcher.rollback()
            threading.Event().wait(0.05)
    ana, ben = find_user(first, "Ana"), find_user(first, "Ben")
    community.set_role(first, ben, "contributor", by=ana, reason="Passation")
    first.close()
    other.join(timeout=60)
    assert outcome == {"ben": "last-admin"}
    assert user_named(app, "Ana").role == "admin"
    assert user_named(app, "Ben").role == "contributor"
    assert [(r[0], r[1]) for r in audit_rows(app)] == [("Ana", "role")]
