"""Review before publication: a newcomer's edit is invisible to visitors until approved.

Through the real web forms and the JSON API, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import csrf_from, edit_form, found, page_text, save, session_csrf, soup

from wikicoop.core import moderation, writing
from wikicoop.core.models import AuditEntry, Block, Page, Report, Revision, utcnow
from wikicoop.web.db import get_session


def revisions_of(app, title: str) -> list[Revision]:
    with app.app_context():
        session = get_session()
        page = session.query(Page).filter_by(name=title).one()
        rows = session.query(Revision).filter_by(page_id=page.id).order_by(Revision.id).all()
        session.expunge_all()
        return rows


def audit_actions(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        entries = get_session().query(AuditEntry).order_by(AuditEntry.id).all()
        return [(e.action, e.target_type, e.actor.username if e.actor else "") for e in entries]


def act(client, kind: str, target: int, action: str, reason: str = ""):
    token = csrf_from(client.get("/moderation").text)
    return client.post(
        f"/moderation/{kind}/{target}/{action}", data={"csrf_token": token, "reason": reason}
    )


@pytest.fixture
def people(app, auth):
    """A visitor, a newcomer (Nouveau), a trusted contributor (Alice) and a moderator."""
    visitor = app.test_client()
    newcomer, alice, modo = app.test_client(), app.test_client(), app.test_client()
    auth.login("Nouveau", client=newcomer, trust="auto")
    auth.login("Alice", client=alice)
    auth.login("Modo", client=modo, role="moderator")
    return visitor, newcomer, alice, modo


# -- the whole journey ----------------------------------------------------------------------


def test_newcomer_edit_is_invisible_until_approved_then_visible_everywhere(app, people):
    visitor, newcomer, alice, modo = people
    assert save(alice, "Atelier", "Atelier couture le mardi.").status_code == 302
    response = save(newcomer, "Atelier", "Atelier couture le mardi et tricot le jeudi.")
    assert response.status_code == 302
    assert "relecture" in newcomer.get(response.location).text  # the thank-you message

    # the visitor: page, history, search, API
    assert "tricot" not in page_text(visitor, "Atelier")
    assert "Nouveau" not in visitor.get("/wiki/Atelier?action=history").text
    assert found(app, "tricot") == []
    for feed in ("/flux/modifications-recentes.atom", "/flux/historique/Atelier.atom"):
        assert "tricot" not in visitor.get(feed).text
    assert "Nouveau" not in visitor.get("/flux/modifications-recentes.atom").text
    assert "Nouveau" not in soup(visitor.get("/modifications-recentes")).select_one("main").text
    body = visitor.get("/api/v1/pages/Atelier").get_json()
    assert "tricot" not in body["text"] and body["revision"]["status"] == "published"
    statuses = [
        r["status"] for r in visitor.get("/api/v1/pages/Atelier/history").get_json()["revisions"]
    ]
    assert statuses == ["published"]
    # a trusted contributor also sees the published text, and starts from it
    assert "tricot" not in page_text(alice, "Atelier")
    assert "tricot" not in edit_form_text(alice, "Atelier")

    # the author sees their version, with the banner
    html = soup(newcomer.get("/wiki/Atelier"))
    assert "tricot" in html.select_one(".page-content").get_text()
    assert "En attente de relecture" in html.select_one(".banner-pending").get_text()
    assert "tricot" in edit_form_text(newcomer, "Atelier")  # goes on from their version

    # the moderator: the queue with the diff, the author and the reason
    queue = soup(modo.get("/moderation"))
    item = queue.select_one(".queue-item")
    assert "Atelier" in item.get_text() and "Nouveau" in item.get_text()
    assert "nouveau contributeur" in item.get_text()
    assert "tricot" in item.select_one("ins").get_text()
    api_queue = modo.get("/api/v1/moderation/queue").get_json()
    pending_id = api_queue["revisions"][0]["id"]
    assert api_queue["revisions"][0]["reasons"][0]["code"] == "newcomer"
    assert "tricot" in api_queue["revisions"][0]["diff_html"]
    assert visitor.get("/moderation").status_code == 401
    assert alice.get("/moderation").status_code == 403

    response = act(modo, "revision", pending_id, "approve")
    assert response.status_code == 302
    assert "tricot" in page_text(visitor, "Atelier")
    assert found(app, "tricot") == ["Atelier"]
    for feed in ("/flux/modifications-recentes.atom", "/flux/historique/Atelier.atom"):
        assert "tricot" in visitor.get(feed).text
    assert "Nouveau" in soup(visitor.get("/modifications-recentes")).select_one("main").text
    assert visitor.get("/api/v1/pages/Atelier").get_json()["revision"]["id"] == pending_id
    assert "Nouveau" in visitor.get("/wiki/Atelier?action=history").text
    assert ("approve", "revision", "Modo") in audit_actions(app)
    assert soup(modo.get("/moderation")).select_one(".queue-item") is None


def edit_form_text(client, path: str) -> str:
    return soup(client.get(f"/wiki/{path}?action=edit")).select_one("textarea").get_text()


def test_a_new_page_by_a_newcomer_does_not_exist_for_visitors_until_approved(app, people):
    visitor, newcomer, alice, modo = people
    save(alice, "Accueil", "Voir [[Jardin partagé]].")
    save(newcomer, "Jardin_partagé", "Un jardin pour tout le quartier.")
    assert visitor.get("/wiki/Jardin_partag%C3%A9").status_code == 404
    assert visitor.get("/api/v1/pages/Jardin_partag%C3%A9").status_code == 404
    link = soup(visitor.get("/wiki/Accueil")).select_one(".page-content a")
    assert "new" in link.get("class", [])  # still a red link
    assert "Jardin partagé" not in visitor.get("/pages").text
    assert visitor.get("/api/v1/search/suggest?q=jardin").get_json()["titles"] == []
    assert newcomer.get("/wiki/Jardin_partag%C3%A9").status_code == 200
    assert modo.get("/wiki/Jardin_partag%C3%A9").status_code == 200  # the newest pending
    (revision,) = revisions_of(app, "Jardin partagé")
    assert revision.status == "pending"
    act(modo, "revision", revision.id, "approve")
    assert "tout le quartier" in page_text(visitor, "Jardin_partag%C3%A9")
    link = soup(visitor.get("/wiki/Accueil")).select_one(".page-content a")
    assert "new" not in link.get("class", [])
    assert found(app, "quartier") == ["Jardin partagé"]
    assert "Jardin partagé" in visitor.get("/pages").text
    assert visitor.get("/api/v1/search/suggest?q=jardin").get_json()["titles"] == ["Jardin partagé"]


def test_api_put_held_for_review_answers_202_pending(app, people):
    _visitor, newcomer, alice, modo = people
    save(alice, "Atelier", "Texte publié.")
    csrf = session_csrf(newcomer)
    base = revisions_of(app, "Atelier")[-1].id
    response = newcomer.put(
        "/api/v1/pages/Atelier",
        json={"text": "Texte proposé.", "base_revision": base},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending" and body["revision"]["status"] == "pending"
    assert body["pending_reasons"] == ["newcomer"]
    # the author reads their own pending revision by id; a visitor cannot
    rid = body["revision"]["id"]
    assert newcomer.get(f"/api/v1/pages/Atelier?revision={rid}").status_code == 200
    assert alice.get(f"/api/v1/pages/Atelier?revision={rid}").status_code == 404
    assert modo.get(f"/api/v1/pages/Atelier?revision={rid}").status_code == 200


# -- rejection ---------------------------------------------------------------------------


def test_rejection_keeps_the_revision_marked_and_tells_why(app, people):
    visitor, newcomer, alice, modo = people
    save(alice, "Atelier", "Texte publié.")
    save(newcomer, "Atelier", "Texte publicitaire : achetez !")
    pending = revisions_of(app, "Atelier")[-1]
    csrf = session_csrf(modo)
    no_reason = modo.post(
        f"/api/v1/revisions/{pending.id}/reject", json={}, headers={"X-CSRFToken": csrf}
    )
    assert no_reason.status_code == 400 and "raison" in no_reason.get_json()["error"]
    response = modo.post(
        f"/api/v1/revisions/{pending.id}/reject",
        json={"reason": "Publicité"},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    assert response.get_json()["revision"]["status"] == "rejected"
    # the author sees it in the history, marked, with the reason; visitors do not
    history = soup(newcomer.get("/wiki/Atelier?action=history"))
    row = history.select_one("tr.revision-rejected")
    assert row is not None and "Publicité" in row.get_text()
    assert visitor.get("/wiki/Atelier?action=history").text.count("revision-rejected") == 0
    assert "achetez" not in page_text(visitor, "Atelier")
    # nothing is published twice, and the second act is told why
    again = modo.post(
        f"/api/v1/revisions/{pending.id}/approve", json={}, headers={"X-CSRFToken": csrf}
    )
    assert again.status_code == 409 and "refusée" in again.get_json()["error"]
    assert ("reject", "revision", "Modo") in audit_actions(app)


def test_rejecting_an_approved_revision_and_double_approval_are_refused(app, people, auth):
    _visitor, newcomer, alice, modo = people
    other = app.test_client()
    auth.login("Modo2", client=other, role="moderator")
    save(alice, "Atelier", "Texte publié.")
    save(newcomer, "Atelier", "Texte corrigé.")
    pending = revisions_of(app, "Atelier")[-1]
    assert act(modo, "revision", pending.id, "approve").status_code == 302
    # the second moderator had the queue open: their approval and rejection are refused
    response = act(other, "revision", pending.id, "approve")
    assert "déjà été publiée" in other.get(response.location).text
    response = act(other, "revision", pending.id, "reject", "trop tard")
    assert "déjà été publiée" in other.get(response.location).text
    assert [r.status for r in revisions_of(app, "Atelier")] == ["published", "published"]
    assert audit_actions(app).count(("approve", "revision", "Modo")) == 1


# -- drafts, merges, trusted edits meanwhile --------------------------------------------------


def test_a_newcomer_continuing_their_draft_and_approving_the_older_one(app, people):
    _visitor, newcomer, alice, modo = people
    save(alice, "Atelier", "Un.\n\nDeux.\n\nTrois.")
    save(newcomer, "Atelier", "Un, premier.\n\nDeux.\n\nTrois.")
    save(newcomer, "Atelier", "Un, premier.\n\nDeux, second.\n\nTrois.")
    first, second = revisions_of(app, "Atelier")[1:]
    assert second.parent_id == first.id  # the second continues the first
    items = modo.get("/api/v1/moderation/queue").get_json()["revisions"]
    assert [i["id"] for i in items] == [second.id]  # one item: the newest draft
    response = act(modo, "revision", first.id, "approve")
    assert "la plus récente" in modo.get(response.location).text
    act(modo, "revision", second.id, "approve")
    assert [r.status for r in revisions_of(app, "Atelier")] == ["published"] * 3
    assert "Deux, second." in page_text(alice, "Atelier")


def test_trusted_edits_meanwhile_are_merged_on_approval(app, people):
    visitor, newcomer, alice, modo = people
    save(alice, "Atelier", "Un.\n\nDeux.\n\nTrois.")
    save(newcomer, "Atelier", "Un, par le nouveau.\n\nDeux.\n\nTrois.")
    save(alice, "Atelier", "Un.\n\nDeux.\n\nTrois, par Alice.")  # from the published text
    pending = next(r for r in revisions_of(app, "Atelier") if r.status == "pending")
    act(modo, "revision", pending.id, "approve")
    text = page_text(visitor, "Atelier")
    assert "Un, par le nouveau." in text and "Trois, par Alice." in text
    latest = revisions_of(app, "Atelier")[-1]
    assert latest.action == "merge" and latest.status == "published"


def test_approval_of_an_overlapping_change_is_refused_and_nothing_is_published(app, people):
    visitor, newcomer, alice, modo = people
    save(alice, "Atelier", "Rendez-vous à midi.")
    save(newcomer, "Atelier", "Rendez-vous à 14 h.")
    save(alice, "Atelier", "Rendez-vous à 10 h.")
    pending = next(r for r in revisions_of(app, "Atelier") if r.status == "pending")
    response = act(modo, "revision", pending.id, "approve")
    assert "se touchent" in modo.get(response.location).text
    assert "10 h" in page_text(visitor, "Atelier")
    assert next(r for r in revisions_of(app, "Atelier") if r.id == pending.id).status == "pending"


def test_bulk_approve_and_reject(app, people):
    visitor, newcomer, alice, modo = people
    for name in ("Un", "Deux", "Trois"):
        save(alice, name, f"Page {name}.")
        save(newcomer, name, f"Page {name}, complétée.")
    pending = [str(revisions_of(app, name)[-1].id) for name in ("Un", "Deux", "Trois")]
    token = csrf_from(modo.get("/moderation").text)
    response = modo.post(
        "/moderation",
        data={"csrf_token": token, "decision": "reject", "reason": "", "revision_id": pending},
    )
    assert "raison" in modo.get(response.location).text  # rejecting needs a reason
    response = modo.post(
        "/moderation",
        data={"csrf_token": token, "decision": "approve", "reason": "", "revision_id": pending},
    )
    assert "3 version(s) traitée(s)" in modo.get(response.location).text
    assert all("complétée" in page_text(visitor, n) for n in ("Un", "Deux", "Trois"))


# -- trust, modes, links ----------------------------------------------------------------------


def test_trust_is_earned_with_approved_edits(app, people):
    _visitor, newcomer, alice, modo = people
    app.config.update(TRUST_MIN_APPROVED_EDITS=2, TRUST_MIN_ACCOUNT_DAYS=0)
    save(alice, "Atelier", "Zéro.")
    for n in (1, 2):
        save(newcomer, "Atelier", f"Version {n}.")
        act(modo, "revision", revisions_of(app, "Atelier")[-1].id, "approve")
    save(newcomer, "Atelier", "Version 3, publiée tout de suite.")
    assert revisions_of(app, "Atelier")[-1].status == "published"
    # a moderator can withdraw trust
    with app.app_context():
        session = get_session()
        from wikicoop.community.accounts import find_user

        find_user(session, "Nouveau").trust = "withdrawn"
        session.commit()
    save(newcomer, "Atelier", "Version 4.")
    assert revisions_of(app, "Atelier")[-1].status == "pending"


def test_modes_per_namespace_and_external_links(app, people):
    _visitor, newcomer, alice, modo = people
    app.config["MODERATION_MODES"] = {"namespace:help": "a_priori", "namespace:main": "open"}
    save(alice, "Aide:Lire", "Aide.")
    assert revisions_of(app, "Lire")[-1].status == "pending"  # even a trusted contributor
    assert revisions_of(app, "Lire")[-1].pending_reasons == "a-priori"
    save(modo, "Aide:Écrire", "Aide.")
    assert revisions_of(app, "Écrire")[-1].status == "published"  # moderators publish
    save(newcomer, "Ouvert", "Un newcomer publie ici : mode ouvert.")
    assert revisions_of(app, "Ouvert")[-1].status == "published"
    links = " ".join(f"https://spam{n}.example/" for n in range(3))
    save(newcomer, "Ouvert", f"Liens : {links}")
    revision = revisions_of(app, "Ouvert")[-1]
    assert revision.status == "pending" and revision.pending_reasons == "external-links"
    save(alice, "Ouvert", f"Liens : {links} et plus.")  # trusted: no limit
    assert revisions_of(app, "Ouvert")[-1].status == "published"


# -- hiding ------------------------------------------------------------------------------------


def test_hiding_a_revision_removes_its_text_but_not_its_place(app, people):
    visitor, _newcomer, alice, modo = people
    save(alice, "Atelier", "Premier texte.")
    save(alice, "Atelier", "Texte injurieux.")
    save(alice, "Atelier", "Texte propre.")
    first, abusive, current = revisions_of(app, "Atelier")
    response = act(modo, "revision", current.id, "hide", "injures")
    assert "rétablissez d'abord" in soup(modo.get(response.location)).get_text()
    assert act(modo, "revision", abusive.id, "hide", "").status_code == 302  # reason needed
    assert revisions_of(app, "Atelier")[1].status == "published"
    act(modo, "revision", abusive.id, "hide", "injures")
    history = soup(visitor.get("/wiki/Atelier?action=history"))
    assert "Version masquée" in history.select_one("tr.revision-hidden").get_text()
    assert len(history.select("tbody tr")) == 3  # its place is kept
    assert visitor.get(f"/wiki/Atelier?revision={abusive.id}").status_code == 403
    diff = visitor.get(f"/wiki/Atelier?action=diff&from={first.id}&to={abusive.id}")
    assert diff.status_code == 403
    assert visitor.get(f"/api/v1/pages/Atelier?revision={abusive.id}").status_code == 403
    api_rows = visitor.get("/api/v1/pages/Atelier/history").get_json()["revisions"]
    assert {"id": abusive.id, "status": "hidden"}.items() <= next(
        r for r in api_rows if r["id"] == abusive.id
    ).items()
    assert "summary" not in next(r for r in api_rows if r["id"] == abusive.id)
    assert "injurieux" in modo.get(f"/wiki/Atelier?revision={abusive.id}").text
    act(modo, "revision", abusive.id, "unhide")
    assert visitor.get(f"/wiki/Atelier?revision={abusive.id}").status_code == 200
    actions = [a for a, _t, _u in audit_actions(app)]
    assert actions.count("hide") == 1 and actions.count("unhide") == 1


# -- blocks, protection, rate limits, reports ----------------------------------------------------


def block(app, name: str, *, days: int | None = 1, reason: str = "vandalisme") -> None:
    with app.app_context():
        from wikicoop.community.accounts import find_user

        session = get_session()
        user = find_user(session, name)
        expires = utcnow() + timedelta(days=days) if days is not None else None
        session.add(Block(user_id=user.id, reason=reason, expires_at=expires))
        session.commit()


def test_a_blocked_users_open_edit_form_is_refused_with_the_reason(app, people):
    visitor, _newcomer, alice, _modo = people
    save(alice, "Atelier", "Texte.")
    form = edit_form(alice, "Atelier")  # the form is open...
    block(app, "Alice")  # ...when a moderator blocks her
    response = alice.post(
        "/wiki/Atelier?action=edit", data={**form, "text": "Vandalisme.", "save": "1"}
    )
    assert response.status_code == 403
    assert "vandalisme" in response.text and "ne peut pas écrire" in response.text
    assert "Vandalisme" not in page_text(visitor, "Atelier")
    assert alice.get("/wiki/Atelier?action=edit").status_code == 403
    csrf = session_csrf(alice)
    api = alice.put(
        "/api/v1/pages/Atelier",
        json={"text": "x", "base_revision": None},
        headers={"X-CSRFToken": csrf},
    )
    assert api.status_code == 403 and api.get_json()["code"] == "blocked"
    assert alice.get("/wiki/Atelier").status_code == 200  # reading is still fine


def test_an_expired_block_no_longer_applies(app, people):
    _visitor, _newcomer, alice, _modo = people
    block(app, "Alice", days=-1)
    assert save(alice, "Atelier", "Texte.").status_code == 302


def test_protected_pages(app, people):
    _visitor, newcomer, alice, modo = people
    save(alice, "Charte", "La charte du wiki.")
    with app.app_context():
        session = get_session()
        session.query(Page).filter_by(name="Charte").one().protection = "moderators"
        session.commit()
    response = save(alice, "Charte", "Charte modifiée.")
    assert response.status_code == 403 and "protégée" in response.text
    assert save(modo, "Charte", "Charte modifiée par un modérateur.").status_code == 302
    with app.app_context():
        session = get_session()
        session.query(Page).filter_by(name="Charte").one().protection = "trusted"
        session.commit()
    assert save(alice, "Charte", "Charte modifiée par Alice.").status_code == 302
    assert save(newcomer, "Charte", "Charte du nouveau.").status_code == 403


def test_edits_are_rate_limited(app, people):
    _visitor, _newcomer, alice, _modo = people
    app.config["EDIT_RATE_LIMIT"] = "3 per minute"
    codes = [save(alice, "Atelier", f"Version {n}.").status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]


def test_reports_go_to_the_queue_and_are_closed(app, people):
    visitor, _newcomer, alice, modo = people
    save(alice, "Atelier", "Texte douteux.")
    form = visitor.get("/signaler/Atelier")
    assert form.status_code == 200
    token = csrf_from(form.text)
    empty = visitor.post("/signaler/Atelier", data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 400
    for _ in range(2):
        response = visitor.post(
            "/signaler/Atelier", data={"csrf_token": token, "reason": "Propos douteux"}
        )
        assert response.status_code == 302
    with app.app_context():
        (report,) = get_session().query(Report).all()  # reported twice, one report
    queue = soup(modo.get("/moderation"))
    assert "Propos douteux" in queue.get_text()
    act(modo, "report", report.id, "dismissed")
    assert "Propos douteux" not in modo.get("/moderation").text
    assert ("report-dismissed", "report", "Modo") in audit_actions(app)
    assert visitor.get("/signaler/Inexistante").status_code == 404


def test_bad_moderation_input_never_fails(app, people):
    _visitor, _newcomer, alice, modo = people
    save(alice, "Atelier", "Texte.")
    csrf = session_csrf(modo)
    headers = {"X-CSRFToken": csrf}
    assert (
        modo.post("/api/v1/revisions/999999/approve", json={}, headers=headers).status_code == 404
    )
    assert (
        modo.post("/api/v1/revisions/0/reject", json={"reason": "x"}, headers=headers).status_code
        == 404
    )
    bad = modo.post("/api/v1/revisions/1/reject", data="pas du json", headers=headers).status_code
    assert bad in (400, 404, 409)
    assert (
        modo.post("/api/v1/revisions/1/reject", json={"reason": 12}, headers=headers).status_code
        == 400
    )
    assert modo.post("/moderation/revision/1/explode", data={}).status_code in (400, 404)
    token = csrf_from(modo.get("/moderation").text)
    response = modo.post(
        "/moderation", data={"csrf_token": token, "decision": "approve", "revision_id": "abc"}
    )
    assert response.status_code == 400
    published = revisions_of(app, "Atelier")[-1].id
    response = modo.post(f"/api/v1/revisions/{published}/approve", json={}, headers=headers)
    assert response.status_code == 409


def test_the_policy_is_the_default(app):
    """Out of the box: newcomers wait everywhere, trusted contributors publish."""
    assert app.config["MODERATION_DEFAULT"] == "newcomers"
    assert moderation.mode_for(app.config, "main") == "newcomers"
    assert moderation.mode_for(app.config, "help") == "newcomers"


def test_concurrent_approvals_publish_once(app, people, auth):
    """Four moderators approve the same revision at the same instant: one wins."""
    import threading

    from wikicoop.community import review
    from wikicoop.community.accounts import find_user
    from wikicoop.core.revisions import EditError

    _visitor, newcomer, alice, _modo = people
    save(alice, "Atelier", "Texte publié.")
    save(newcomer, "Atelier", "Texte relu.")
    pending = revisions_of(app, "Atelier")[-1].id
    for n in range(4):
        auth.make_user(f"Relecteur{n}", role="moderator")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def worker(n: int) -> None:
        with app.app_context():
            session = get_session()
            moderator = find_user(session, f"Relecteur{n}")
            barrier.wait()
            try:
                review.approve(
                    writing.context_for(app, session),
                    revision_id=pending,
                    moderator=moderator,
                )
                outcomes.append("approved")
            except EditError as err:
                session.rollback()
                outcomes.append(err.code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "not-pending", "not-pending", "not-pending"]
    assert [r.status for r in revisions_of(app, "Atelier")] == ["published", "published"]
    assert [a for a, _t, _u in audit_actions(app)].count("approve") == 1


def test_a_rejected_new_page_stays_visible_to_its_author_only(app, people):
    visitor, newcomer, alice, modo = people
    save(newcomer, "Boutique", "Achetez ici.")
    (revision,) = revisions_of(app, "Boutique")
    act(modo, "revision", revision.id, "reject", "Publicité")
    history = soup(newcomer.get("/wiki/Boutique?action=history"))
    assert "Publicité" in history.select_one("tr.revision-rejected").get_text()
    for client in (visitor, alice):
        assert client.get("/wiki/Boutique?action=history").status_code == 404
        assert client.get("/wiki/Boutique").status_code == 404
    for action in ("info", "rename", "delete"):
        assert newcomer.get(f"/wiki/Boutique?action={action}").status_code in (403, 404)
        assert modo.get(f"/wiki/Boutique?action={action}").status_code == 404
