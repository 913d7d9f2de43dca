"""Recent changes, patrol and contributions (``wikicoop/views/changes.py``), through HTTP.

Pending, rejected and hidden revisions are written as rows directly (their status is
what matters here); published ones go through the real write path (``make_page``).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import add_revision, banner, csrf_from, soup
from sqlalchemy import event, select

from wikicoop.community import changes as ch
from wikicoop.community import review
from wikicoop.community.accounts import find_user
from wikicoop.community.credentials import create_token
from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.db import engine_of
from wikicoop.core.models import AuditEntry, Page, Revision, utcnow
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session


def revision_row(app: Flask, revision_id: int) -> Revision:
    with app.app_context():
        session = get_session()
        revision = session.get(Revision, revision_id)
        assert revision is not None
        session.expunge(revision)
        return revision


def listed_ids(response) -> list[int]:
    """Revision ids of the rows of an HTML list of changes, in order."""
    assert response.status_code == 200, response.text[:500]
    return [int(li["data-revision"]) for li in soup(response).select("li.change")]


def api_ids(client: FlaskClient, path: str, **query: Any) -> list[int]:
    response = client.get(path, query_string=query)
    assert response.status_code == 200, response.text
    return [c["revision_id"] for c in response.get_json()["changes"]]


@pytest.fixture
def wiki(app: Flask, make_page, auth) -> dict[str, int]:
    """Alice creates two pages, Bob edits one (minor), a help page, then three
    non-published revisions by Nina (pending, rejected, hidden)."""
    ids = {
        "alpha1": make_page("Alpha", "one\n", author="Alice"),
        "beta1": make_page("Beta", "beta text\n", author="Alice"),
        "aide1": make_page("Aide:Lire", "lire\n", author="Alice"),
    }
    ids["alpha2"] = make_page(
        "Alpha", "one two three\n", author="Alice", summary="plus de mots", minor=True
    )
    ids["beta2"] = make_page("Beta", "beta text, longer\n", author="Bob")
    auth.make_user("Nina", trust="auto")
    ids["pending"] = add_revision(app, "Alpha", "spam?\n", author="Nina", status="pending")
    ids["rejected"] = add_revision(
        app, "Beta", "nope\n", author="Nina", status="rejected", reason="hors sujet"
    )
    ids["hidden"] = add_revision(app, "Beta", "insult\n", author="Nina", status="hidden")
    return ids


# ------------------------------------------------------------------------ the list


def test_visitor_sees_published_changes_newest_first(client: FlaskClient, wiki) -> None:
    published = [wiki[k] for k in ("beta2", "alpha2", "aide1", "beta1", "alpha1")]
    assert listed_ids(client.get("/modifications-recentes")) == published
    body = client.get("/api/v1/recent-changes").get_json()
    assert [c["revision_id"] for c in body["changes"]] == published
    assert body["next"] is None
    beta2 = body["changes"][0]
    assert beta2 == {
        "revision_id": wiki["beta2"],
        "page": "Beta",
        "url": "http://localhost/wiki/Beta",
        "user": "Bob",
        "timestamp": beta2["timestamp"],
        "summary": "",
        "minor": False,
        "size": len(b"beta text, longer\n"),
        "size_change": len(b"beta text, longer\n") - len(b"beta text\n"),
        "status": "published",
        "patrolled": False,
        "action": "edit",
        "parent": wiki["beta1"],
    }
    assert beta2["timestamp"].endswith("+00:00")
    created = body["changes"][-1]
    assert created["action"] == "create" and created["size_change"] == created["size"]
    assert body["changes"][1]["summary"] == "plus de mots" and body["changes"][1]["minor"]


def test_page_shows_rows_with_links(client: FlaskClient, wiki) -> None:
    page = soup(client.get("/modifications-recentes"))
    row = page.select_one(f'li.change[data-revision="{wiki["alpha2"]}"]')
    hrefs = [a["href"] for a in row.select("a")]
    assert "/wiki/Alpha" in hrefs
    assert f"/wiki/Alpha?action=diff&to={wiki['alpha2']}" in hrefs
    assert "/contributions/Alice" in hrefs
    assert row.select_one("abbr.minor") is not None
    assert "« plus de mots »" in row.get_text(" ", strip=True)
    assert row.select_one("input[type=checkbox]") is None  # visitors do not patrol
    # the site navigation links to the French address
    assert page.select_one('.site-nav a[href="/modifications-recentes"]') is not None


def test_english_address_redirects_with_its_query(client: FlaskClient, wiki) -> None:
    response = client.get("/recent-changes?minor=hide&limit=2")
    assert response.status_code == 301
    assert response.headers["Location"] == "/modifications-recentes?minor=hide&limit=2"


@pytest.mark.parametrize("who", ["visitor", "contributor"])
def test_unpublished_revisions_are_not_listed(client: FlaskClient, auth, wiki, who: str) -> None:
    if who == "contributor":
        auth.login("Nina")  # even their author does not see them here
    hidden = {wiki["pending"], wiki["rejected"], wiki["hidden"]}
    assert not hidden & set(listed_ids(client.get("/modifications-recentes")))
    assert not hidden & set(api_ids(client, "/api/v1/recent-changes"))
    assert not hidden & set(api_ids(client, "/api/v1/recent-changes", limit=500))


def test_moderator_lists_pending_rejected_hidden(client: FlaskClient, auth, wiki) -> None:
    auth.login("Mod", role="moderator")
    assert listed_ids(client.get("/modifications-recentes?status=pending")) == [wiki["pending"]]
    assert api_ids(client, "/api/v1/recent-changes", status="pending") == [wiki["pending"]]
    rejected = client.get("/api/v1/recent-changes?status=rejected").get_json()["changes"]
    assert [c["revision_id"] for c in rejected] == [wiki["rejected"]]
    assert rejected[0]["status"] == "rejected" and rejected[0]["review_reason"] == "hors sujet"
    assert api_ids(client, "/api/v1/recent-changes", status="hidden") == [wiki["hidden"]]
    everything = api_ids(client, "/api/v1/recent-changes", status="all")
    assert {wiki["pending"], wiki["rejected"], wiki["hidden"], wiki["alpha1"]} <= set(everything)
    # the default stays the published changes, for moderators too
    assert wiki["pending"] not in api_ids(client, "/api/v1/recent-changes")
    row = soup(client.get("/modifications-recentes?status=pending")).select_one("li.change")
    assert "en attente de relecture" in row.get_text(" ", strip=True)


@pytest.mark.parametrize("query", ["status=pending", "status=rejected", "patrolled=no"])
def test_moderator_filters_are_refused_to_others(
    client: FlaskClient, auth, wiki, query: str
) -> None:
    for login in (None, "Bob"):
        if login:
            auth.login(login)
        html = client.get(f"/modifications-recentes?{query}")
        assert html.status_code == 403
        assert "modérateurs" in banner(html)
        api = client.get(f"/api/v1/recent-changes?{query}")
        assert api.status_code == 403 and "modérateurs" in banner(api)


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("minor=sometimes", 400, "minor"),
        ("status=lost", 400, "Statut inconnu"),
        ("namespace=Nowhere", 400, "Espace de noms inconnu"),
        ("type=article", 400, "Type de page inconnu"),
        ("limit=many", 400, "nombre entier"),
        ("limit=0", 400, "positif"),
        ("before=abc", 400, "nombre entier"),
        ("before=-3", 400, "positif"),
        ("patrolled=maybe", 400, "patrolled"),
        ("user=Nobody", 404, "Nobody"),
    ],
)
def test_bad_parameters_get_a_clear_answer(
    client: FlaskClient, auth, wiki, query: str, status: int, words: str
) -> None:
    auth.login("Mod", role="moderator")
    for path in ("/modifications-recentes", "/api/v1/recent-changes"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == status, (path, response.text[:300])
        assert words in banner(response)


def test_filters(client: FlaskClient, auth, wiki) -> None:
    url = "/api/v1/recent-changes"
    assert api_ids(client, url, namespace="help") == [wiki["aide1"]]
    assert api_ids(client, url, namespace="Aide") == [wiki["aide1"]]
    assert api_ids(client, url, namespace="main") == [
        wiki[k] for k in ("beta2", "alpha2", "beta1", "alpha1")
    ]
    assert api_ids(client, url, user="Bob") == [wiki["beta2"]]
    assert api_ids(client, url, user="bob") == [wiki["beta2"]]
    assert api_ids(client, url, minor="only") == [wiki["alpha2"]]
    assert wiki["alpha2"] not in api_ids(client, url, minor="hide")
    assert len(api_ids(client, url, type="page")) == 5
    assert api_ids(client, url, user="Alice", namespace="main", minor="hide") == [
        wiki["beta1"],
        wiki["alpha1"],
    ]
    # the same filters on the HTML page
    assert listed_ids(client.get("/modifications-recentes?user=Bob")) == [wiki["beta2"]]
    assert listed_ids(client.get("/modifications-recentes?namespace=help")) == [wiki["aide1"]]
    # moderators filter on patrol
    auth.login("Mod", role="moderator")
    with client.application.app_context():
        session = get_session()
        ch.patrol(session, [wiki["beta2"]], find_user(session, "Mod"))
        session.commit()
    assert api_ids(client, url, patrolled="yes") == [wiki["beta2"]]
    assert wiki["beta2"] not in api_ids(client, url, patrolled="no")
    assert len(api_ids(client, url, patrolled="no")) == 4


def test_pagination_with_a_cursor(client: FlaskClient, wiki) -> None:
    first = client.get("/api/v1/recent-changes?limit=2").get_json()
    assert [c["revision_id"] for c in first["changes"]] == [wiki["beta2"], wiki["alpha2"]]
    assert first["next"] == wiki["alpha2"]
    second = client.get(f"/api/v1/recent-changes?limit=2&before={first['next']}").get_json()
    assert [c["revision_id"] for c in second["changes"]] == [wiki["aide1"], wiki["beta1"]]
    third = client.get(f"/api/v1/recent-changes?limit=2&before={second['next']}").get_json()
    assert [c["revision_id"] for c in third["changes"]] == [wiki["alpha1"]]
    assert third["next"] is None
    # the HTML page links to the next page, keeping the filters
    page = soup(client.get("/modifications-recentes?limit=2&namespace=main"))
    older = page.select_one('.pagination a[rel="next"]')["href"]
    assert "namespace=main" in older and f"before={wiki['alpha2']}" in older
    assert listed_ids(client.get(older)) == [wiki["beta1"], wiki["alpha1"]]
    # more than 500 is read as 500; a cursor beyond every id starts from the newest
    assert client.get("/api/v1/recent-changes?limit=100000").status_code == 200
    huge = api_ids(client, "/api/v1/recent-changes", before=10**12)
    assert huge == [c["revision_id"] for c in first["changes"]] + huge[2:]


def test_deleted_pages_are_listed_for_admins_only(
    app: Flask, client: FlaskClient, auth, wiki
) -> None:
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Beta"))
        page.deleted_at = utcnow()
        session.commit()
    beta = {wiki["beta1"], wiki["beta2"]}
    assert not beta & set(api_ids(client, "/api/v1/recent-changes"))
    auth.login("Mod", role="moderator")
    assert not beta & set(api_ids(client, "/api/v1/recent-changes"))
    auth.logout()
    auth.login("Root", role="admin")
    assert beta <= set(api_ids(client, "/api/v1/recent-changes"))
    row = soup(client.get("/modifications-recentes")).select_one(
        f'li.change[data-revision="{wiki["beta2"]}"]'
    )
    assert "page supprimée" in row.get_text(" ", strip=True)


def test_one_query_per_page_of_results(app: Flask, make_page) -> None:
    for n in range(12):
        make_page(f"Page {n}", f"text {n}\n", author=f"Author{n}")
        make_page(f"Page {n}", f"text {n} again\n", author=f"Other{n}")
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    with app.app_context():
        session = get_session()
        engine = engine_of(app)
        event.listen(engine, "before_cursor_execute", count)
        try:
            result = ch.list_changes(session, ch.ChangeFilter(limit=20))
            second = ch.list_changes(session, ch.ChangeFilter(limit=20, before=result.next_before))
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(result.changes) == 20 and len(second.changes) == 4
    assert len(statements) == 2
    assert {c.author_name for c in result.changes} >= {"Other11", "Author11"}
    assert all(c.size_change for c in result.changes)


# -------------------------------------------------------------------------- patrol


def patrol_post(client: FlaskClient, **data: Any):
    page = client.get("/modifications-recentes")
    return client.post(
        "/modifications-recentes/verifier", data={"csrf_token": csrf_from(page.text), **data}
    )


def test_moderators_see_unpatrolled_changes_with_a_button(client: FlaskClient, auth, wiki) -> None:
    auth.login("Mod", role="moderator")
    page = soup(client.get("/modifications-recentes"))
    row = page.select_one(f'li.change[data-revision="{wiki["beta2"]}"]')
    assert "unpatrolled" in row["class"]
    assert row.select_one("input[type=checkbox]")["value"] == str(wiki["beta2"])
    button = row.select_one('button[name="only"]')
    assert button["value"] == str(wiki["beta2"])
    form = button.find_parent("form")
    assert form["action"] == "/modifications-recentes/verifier" and form["method"] == "post"


def test_patrol_through_the_form(app: Flask, client: FlaskClient, auth, wiki) -> None:
    auth.login("Mod", role="moderator")
    response = patrol_post(
        client, revision_id=[wiki["beta2"], wiki["alpha2"]], next="/modifications-recentes"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/modifications-recentes"
    for key in ("beta2", "alpha2"):
        row = revision_row(app, wiki[key])
        assert row.patrolled_at is not None
    with app.app_context():
        session = get_session()
        mod = find_user(session, "Mod")
        assert row.patrolled_by_id == mod.id
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        patrols = [(e.action, e.target_type, e.target_id, e.actor_id) for e in entries]
        assert ("patrol", "revision", wiki["beta2"], mod.id) in patrols
        assert ("patrol", "revision", wiki["alpha2"], mod.id) in patrols
        beta = rev.find_page(session, parse_title("Beta"))
        assert any(e.page_id == beta.id for e in entries if e.target_id == wiki["beta2"])
        count = len(entries)
    page = soup(client.get("/modifications-recentes"))
    assert "2 modifications marquées comme vérifiées." in page.get_text(" ", strip=True)
    assert (
        "unpatrolled" not in page.select_one(f'li.change[data-revision="{wiki["beta2"]}"]')["class"]
    )
    # again: harmless, and said so; nothing new in the audit log
    assert patrol_post(client, only=wiki["beta2"]).status_code == 302
    assert (
        "1 modification était déjà vérifiée."
        in soup(client.get("/modifications-recentes")).get_text()
    )
    with app.app_context():
        assert len(get_session().scalars(select(AuditEntry)).all()) == count


def test_patrol_refusals_through_the_form(client: FlaskClient, auth, wiki) -> None:
    auth.login("Bob")
    assert patrol_post(client, only=wiki["beta2"]).status_code == 403
    auth.logout()
    auth.login("Mod", role="moderator")
    response = patrol_post(client, only=wiki["pending"])
    assert response.status_code == 409
    assert "n'est pas publiée" in banner(response)
    # all or nothing: one unpublished revision among others patrols none
    response = patrol_post(client, revision_id=[wiki["beta2"], wiki["rejected"]])
    assert response.status_code == 409
    assert patrol_post(client, only=999999).status_code == 404
    response = patrol_post(client)
    assert response.status_code == 400 and "Cochez" in banner(response)
    assert patrol_post(client, revision_id="abc").status_code == 400


def test_patrol_anonymous_is_401(client: FlaskClient, wiki) -> None:
    token = csrf_from(client.get("/compte/connexion").text)
    response = client.post(
        "/modifications-recentes/verifier", data={"csrf_token": token, "only": wiki["beta2"]}
    )
    assert response.status_code == 401


def test_patrol_through_the_api(app: Flask, client: FlaskClient, auth, wiki) -> None:
    path = f"/api/v1/revisions/{wiki['beta2']}/patrol"
    assert client.post(path).status_code == 401
    with app.app_context():
        session = get_session()
        bob = find_user(session, "Bob")
        bob_token, row = create_token(bob)
        session.add(row)
        mod = auth.make_user("Mod", role="moderator")
        mod_token, row = create_token(session.merge(mod))
        session.add(row)
        session.commit()
    bob_headers = {"Authorization": f"Bearer {bob_token}"}
    headers = {"Authorization": f"Bearer {mod_token}"}
    response = client.post(path, headers=bob_headers)
    assert response.status_code == 403 and response.get_json()["error"]
    response = client.post(path, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {
        "revision_id": wiki["beta2"],
        "patrolled": True,
        "already": False,
    }
    again = client.post(path, headers=headers).get_json()
    assert again["already"] is True and "déjà" in again["message"]
    pending = client.post(f"/api/v1/revisions/{wiki['pending']}/patrol", headers=headers)
    assert pending.status_code == 409
    assert pending.get_json()["code"] == "not-published"
    assert client.post("/api/v1/revisions/424242/patrol", headers=headers).status_code == 404
    listed = client.get("/api/v1/recent-changes", headers=headers).get_json()["changes"]
    assert [c["patrolled"] for c in listed if c["revision_id"] == wiki["beta2"]] == [True]
    with app.app_context():
        audited = (
            get_session().scalars(select(AuditEntry).where(AuditEntry.action == "patrol")).all()
        )
        assert [e.target_id for e in audited] == [wiki["beta2"]]


def test_patrol_through_the_api_with_the_session_needs_csrf(
    client: FlaskClient, auth, wiki
) -> None:
    auth.login("Mod", role="moderator")
    path = f"/api/v1/revisions/{wiki['beta2']}/patrol"
    assert client.post(path).status_code == 400  # no CSRF header
    token = csrf_from(client.get("/modifications-recentes").text)
    assert client.post(path, headers={"X-CSRFToken": token}).status_code == 200


def test_a_revision_unpublished_meanwhile_is_not_patrolled(app: Flask, auth, wiki) -> None:
    """The compare-and-set UPDATE: a change hidden between the check and the write."""
    mod = auth.make_user("Mod", role="moderator")
    with app.app_context():
        session = get_session()
        row = session.get(Revision, wiki["beta2"])
        row.status = "hidden"
        session.flush()
        with pytest.raises(ch.PatrolError) as caught:
            ch.patrol(session, [wiki["beta2"]], session.merge(mod))
        assert caught.value.status == 409
        session.rollback()


# -------------------------------------------------------------------- contributions


def test_contributions_for_a_visitor(client: FlaskClient, wiki) -> None:
    assert listed_ids(client.get("/contributions/Alice")) == [
        wiki[k] for k in ("alpha2", "aide1", "beta1", "alpha1")
    ]
    assert listed_ids(client.get("/contributions/Nina")) == []
    body = client.get("/api/v1/users/Nina/contributions").get_json()
    assert body == {"user": "Nina", "changes": [], "next": None}
    response = client.get("/contributions/Nina?status=pending")
    assert response.status_code == 403


def test_contributions_for_the_author_show_pending_and_rejected(
    client: FlaskClient, auth, wiki
) -> None:
    auth.login("Nina")
    page = client.get("/contributions/Nina")
    assert listed_ids(page) == [wiki["rejected"], wiki["pending"]]  # never the hidden one
    text = soup(page).get_text(" ", strip=True)
    assert "en attente de relecture" in text and "refusée" in text
    assert "Motif du refus : hors sujet" in text
    body = client.get("/api/v1/users/Nina/contributions").get_json()
    statuses = {c["revision_id"]: c["status"] for c in body["changes"]}
    assert statuses == {wiki["rejected"]: "rejected", wiki["pending"]: "pending"}
    assert body["changes"][0]["review_reason"] == "hors sujet"
    assert api_ids(client, "/api/v1/users/Nina/contributions", status="pending") == [
        wiki["pending"]
    ]
    assert client.get("/contributions/Nina?status=hidden").status_code == 403
    # someone else's contributions: published only
    assert listed_ids(client.get("/contributions/Bob")) == [wiki["beta2"]]


def test_contributions_for_a_moderator_show_everything(client: FlaskClient, auth, wiki) -> None:
    auth.login("Mod", role="moderator")
    assert listed_ids(client.get("/contributions/Nina")) == [
        wiki["hidden"],
        wiki["rejected"],
        wiki["pending"],
    ]
    assert api_ids(client, "/api/v1/users/Nina/contributions", status="hidden") == [wiki["hidden"]]


def test_contributions_of_someone_else_for_a_contributor(client: FlaskClient, auth, wiki) -> None:
    auth.login("Bob")
    assert listed_ids(client.get("/contributions/Nina")) == []


def test_contributions_pagination_and_filters(client: FlaskClient, wiki) -> None:
    body = client.get("/api/v1/users/Alice/contributions?limit=3").get_json()
    assert [c["revision_id"] for c in body["changes"]] == [
        wiki["alpha2"],
        wiki["aide1"],
        wiki["beta1"],
    ]
    assert body["next"] == wiki["beta1"]
    rest = api_ids(client, "/api/v1/users/Alice/contributions", before=body["next"])
    assert rest == [wiki["alpha1"]]
    assert api_ids(client, "/api/v1/users/Alice/contributions", namespace="help") == [wiki["aide1"]]
    page = soup(client.get("/contributions/Alice?limit=3"))
    assert f"before={wiki['beta1']}" in page.select_one('.pagination a[rel="next"]')["href"]


def test_contributions_of_an_unknown_user_are_404(client: FlaskClient, wiki) -> None:
    response = client.get("/contributions/Personne")
    assert response.status_code == 404 and "Personne" in banner(response)
    response = client.get("/api/v1/users/Personne/contributions")
    assert response.status_code == 404 and "Personne" in response.get_json()["error"]


def test_contributions_accept_underscores_for_spaces(
    app: Flask, client: FlaskClient, make_page
) -> None:
    rev_id = make_page("Gamma", "g\n", author="Jean Dupont")
    assert listed_ids(client.get("/contributions/Jean_Dupont")) == [rev_id]
    assert listed_ids(client.get("/contributions/Jean%20Dupont")) == [rev_id]
    with app.app_context():
        assert get_session().scalar(select(Page.id).where(Page.name == "Gamma"))


def test_changes_by_or_approved_by_moderators_need_no_patrol(
    app: Flask, client: FlaskClient, auth, make_page, wiki
) -> None:
    auth.make_user("Mod", role="moderator")
    with app.app_context():  # approving publishes: the write path marks it patrolled
        session = get_session()
        mod = find_user(session, "Mod")
        review.approve(
            writing.context_for(app, session), revision_id=wiki["pending"], moderator=mod
        )
        assert session.get(Revision, wiki["pending"]).patrolled_by_id == mod.id
    by_mod = make_page("Alpha", "moderated text\n", author="Mod")
    assert revision_row(app, by_mod).patrolled_at is not None
    auth.login("Mod")
    unpatrolled = api_ids(client, "/api/v1/recent-changes", patrolled="no")
    assert by_mod not in unpatrolled and wiki["pending"] not in unpatrolled
    assert wiki["beta2"] in unpatrolled
