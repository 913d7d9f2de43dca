"""Watchlists (``/suivi``, ``/api/v1/watchlist``): following pages and what changed since.

Follows go through the real button on page views, the form and the API; changes
through the real write path (``make_page``, the web edit form).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, edit_form, soup
from sqlalchemy import select, update

from wikicoop.community import watching
from wikicoop.community.accounts import find_user
from wikicoop.community.credentials import create_token
from wikicoop.core import revisions as rev
from wikicoop.core import signals, writing
from wikicoop.core.models import Comment, Revision, Watch, utcnow
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session


def watched(app: Flask, username: str) -> list[str]:
    """Full titles followed by ``username``, read from the database."""
    with app.app_context():
        session = get_session()
        user = find_user(session, username)
        return [t.full for t in watching.watched_titles(session, user.id)]


def watch_button(client: FlaskClient, path: str):
    form = soup(client.get(path)).select_one("form.watch-form")
    return form


def follow(client: FlaskClient, title_path: str, action: str = "follow", **extra: str):
    token = csrf_from(client.get("/suivi").text)
    return client.post(
        f"/suivi/{title_path}", data={"csrf_token": token, "action": action, **extra}
    )


def watchlist_ids(client: FlaskClient) -> list[int]:
    response = client.get("/suivi")
    assert response.status_code == 200, response.text[:300]
    return [int(li["data-revision"]) for li in soup(response).select("li.change")]


def backdate_watch(app: Flask, username: str, minutes: int = 10) -> None:
    """Move a watch's last visit into the past, as if it were made a while ago."""
    with app.app_context():
        session = get_session()
        user = find_user(session, username)
        session.execute(
            update(Watch)
            .where(Watch.user_id == user.id)
            .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        session.commit()


# ---------------------------------------------------------------- follow / unfollow


def test_the_button_on_a_page_follows_and_unfollows(
    app: Flask, client: FlaskClient, auth, make_page
) -> None:
    make_page("Alpha", "text\n", author="Alice")
    auth.login("Bob")
    form = watch_button(client, "/wiki/Alpha")
    assert form["action"] == "/suivi/Alpha" and form["method"] == "post"
    assert form.select_one('input[name="action"]')["value"] == "follow"
    assert form.button.get_text(strip=True) == "Suivre cette page"
    assert form.button["aria-pressed"] == "false"
    data = {i["name"]: i["value"] for i in form.select("input")}
    response = client.post(form["action"], data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/wiki/Alpha"
    assert watched(app, "Bob") == ["Alpha"]
    page = client.get("/wiki/Alpha")
    assert "Vous suivez la page « Alpha »" in page.text
    form = watch_button(client, "/wiki/Alpha")
    assert form.select_one('input[name="action"]')["value"] == "unfollow"
    assert form.button.get_text(strip=True) == "Ne plus suivre"
    assert form.button["aria-pressed"] == "true"
    data = {i["name"]: i["value"] for i in form.select("input")}
    assert client.post(form["action"], data=data).status_code == 302
    assert watched(app, "Bob") == []
    assert "Vous ne suivez plus" in client.get("/wiki/Alpha").text


def test_no_button_for_visitors(client: FlaskClient, make_page) -> None:
    make_page("Alpha", "text\n")
    assert watch_button(client, "/wiki/Alpha") is None
    assert watch_button(client, "/wiki/Alpha") is None  # the cached copy neither


def test_following_twice_is_harmless(app: Flask, client: FlaskClient, auth, make_page) -> None:
    make_page("Alpha", "text\n")
    auth.login("Bob")
    assert follow(client, "Alpha").status_code == 302
    assert follow(client, "Alpha").status_code == 302
    assert watched(app, "Bob") == ["Alpha"]
    assert follow(client, "Alpha", "unfollow").status_code == 302
    assert follow(client, "Alpha", "unfollow").status_code == 302
    assert watched(app, "Bob") == []


def test_following_a_discussion_follows_its_page(
    app: Flask, client: FlaskClient, auth, make_page
) -> None:
    make_page("Aide:Lire", "text\n")
    auth.login("Bob")
    response = follow(client, "Discussion:Aide:Lire", next="/wiki/Discussion:Aide:Lire")
    assert response.status_code == 302
    assert response.headers["Location"] == "/wiki/Discussion:Aide:Lire"
    assert watched(app, "Bob") == ["Aide:Lire"]


def test_follow_refusals(client: FlaskClient, auth, make_page) -> None:
    make_page("Alpha", "text\n")
    token = csrf_from(client.get("/compte/connexion").text)
    anonymous = client.post("/suivi/Alpha", data={"csrf_token": token, "action": "follow"})
    assert anonymous.status_code == 401
    assert client.get("/suivi").status_code == 401
    auth.login("Bob")
    bad = follow(client, "Alpha", "subscribe")
    assert bad.status_code == 400 and "follow" in soup(bad).select_one(".banner-error").text
    missing = follow(client, "Nulle_part")
    assert missing.status_code == 404 and "Nulle part" in missing.text
    assert follow(client, "A[b]").status_code == 400
    no_csrf = client.post("/suivi/Alpha", data={"action": "follow"})
    assert no_csrf.status_code == 400
    # an outside "next" is not followed: back to the page instead
    outside = follow(client, "Alpha", next="https://evil.example/")
    assert outside.headers["Location"] == "/wiki/Alpha"


def test_a_deleted_page_cannot_be_followed(app: Flask, client: FlaskClient, auth, make_page):
    make_page("Alpha", "text\n")
    with app.app_context():
        session = get_session()
        rev.find_page(session, parse_title("Alpha")).deleted_at = utcnow()
        session.commit()
    auth.login("Bob")
    assert follow(client, "Alpha").status_code == 404


# ------------------------------------------------------------------------------ API


@pytest.fixture
def bob_token(app: Flask, auth) -> dict[str, str]:
    user = auth.make_user("Bob")
    with app.app_context():
        session = get_session()
        token, row = create_token(session.merge(user))
        session.add(row)
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_api_follow_and_unfollow(app: Flask, client: FlaskClient, make_page, bob_token) -> None:
    make_page("Aide:Écrire", "text\n")
    response = client.put("/api/v1/watchlist/Aide:%C3%89crire", headers=bob_token)
    assert response.status_code == 200
    assert response.get_json() == {"title": "Aide:Écrire", "watching": True, "changed": True}
    again = client.put("/api/v1/watchlist/Aide:%C3%89crire", headers=bob_token).get_json()
    assert again["changed"] is False
    listing = client.get("/api/v1/watchlist", headers=bob_token).get_json()
    assert listing == {"pages": ["Aide:Écrire"], "changes": []}
    response = client.delete("/api/v1/watchlist/Aide:%C3%89crire", headers=bob_token)
    assert response.get_json() == {"title": "Aide:Écrire", "watching": False, "changed": True}
    assert watched(app, "Bob") == []


def test_api_refusals(client: FlaskClient, make_page, bob_token) -> None:
    make_page("Alpha", "text\n")
    response = client.put("/api/v1/watchlist/Alpha")
    assert response.status_code == 401 and response.get_json()["error"]
    assert client.get("/api/v1/watchlist").status_code == 401
    missing = client.put("/api/v1/watchlist/Nowhere", headers=bob_token)
    assert missing.status_code == 404 and "Nowhere" in missing.get_json()["error"]
    bad = client.put("/api/v1/watchlist/A%7Cb", headers=bob_token)
    assert bad.status_code == 400 and bad.get_json()["error"].startswith("Titre invalide")
    assert client.post("/api/v1/watchlist/Alpha", headers=bob_token).status_code == 405


def test_api_with_the_session_cookie_needs_the_csrf_header(
    app: Flask, client: FlaskClient, auth, make_page
) -> None:
    make_page("Alpha", "text\n")
    auth.login("Bob")
    assert client.put("/api/v1/watchlist/Alpha").status_code == 400
    token = csrf_from(client.get("/suivi").text)
    assert client.put("/api/v1/watchlist/Alpha", headers={"X-CSRFToken": token}).status_code == 200
    assert watched(app, "Bob") == ["Alpha"]


# ------------------------------------------------------------------ the watchlist


def test_watchlist_shows_only_changes_after_the_last_visit(
    app: Flask, client: FlaskClient, auth, make_page
) -> None:
    before = make_page("Alpha", "one\n", author="Alice")
    make_page("Beta", "not followed\n", author="Alice")
    auth.login("Bob")
    follow(client, "Alpha")
    assert watchlist_ids(client) == []  # what was there before following is not new
    after = make_page("Alpha", "one two\n", author="Alice")
    make_page("Beta", "still not followed\n", author="Alice")
    own = make_page("Alpha", "one two three\n", author="Bob")
    assert watchlist_ids(client) == [after]  # not Bob's own edit, not Beta
    assert before not in watchlist_ids(client) and own not in watchlist_ids(client)
    page = soup(client.get("/suivi"))
    assert [a.get_text() for a in page.select(".followed-pages li > a")] == ["Alpha"]
    api = client.get("/api/v1/watchlist", headers={}).get_json()
    assert [c["revision_id"] for c in api["changes"]] == [after]
    # "mark all as seen"
    form = page.select_one('form[action="/suivi"]')
    assert form is not None and form["method"] == "post"
    response = client.post("/suivi", data={"csrf_token": csrf_from(str(form))})
    assert response.status_code == 302 and response.headers["Location"] == "/suivi"
    assert watchlist_ids(client) == []
    later = make_page("Alpha", "one two three four\n", author="Carol")
    assert watchlist_ids(client) == [later]


def test_watchlist_shows_published_changes_only(
    app: Flask, client: FlaskClient, auth, make_page
) -> None:
    make_page("Alpha", "one\n", author="Alice")
    auth.login("Bob")
    follow(client, "Alpha")
    nina = auth.make_user("Nina", trust="auto")
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Alpha"))
        result = writing.save(
            writing.context_for(app, session),
            writing.Edit(
                title=parse_title("Alpha"),
                text="one, by a newcomer\n",
                base_revision_id=page.latest_revision_id,
                author=rev.Author(user=session.merge(nina)),
            ),
        )
        assert result.revision.status == "pending"
    assert watchlist_ids(client) == []


def test_an_approved_change_reaches_the_watchlist(
    app: Flask, client: FlaskClient, auth, make_page
) -> None:
    """A change written before the last visit but approved after it is new."""
    make_page("Alpha", "one\n", author="Alice")
    auth.login("Bob")
    follow(client, "Alpha")
    nina = auth.make_user("Nina", trust="auto")
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Alpha"))
        written = utcnow() - timedelta(hours=1)
        revision = Revision(
            page_id=page.id,
            parent_id=page.latest_revision_id,
            author_id=nina.id,
            created_at=written,
            size=4,
            text="two\n",
            licence=page.licence,
            status="published",
            reviewed_at=utcnow(),
        )
        session.add(revision)
        session.commit()
        rev_id = revision.id
    assert watchlist_ids(client) == [rev_id]


def test_watchlist_shows_new_discussion_messages(
    app: Flask, client: FlaskClient, auth, make_page
) -> None:
    make_page("Alpha", "one\n", author="Alice")
    auth.login("Bob")
    follow(client, "Alpha")
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Alpha"))
        alice = find_user(session, "Alice")
        bob = find_user(session, "Bob")
        session.add_all(
            [
                Comment(page_id=page.id, author_id=alice.id, subject="Une idée", text="x"),
                Comment(page_id=page.id, author_id=bob.id, subject="Mon sujet", text="y"),
                Comment(
                    page_id=page.id,
                    author_id=alice.id,
                    subject="En attente",
                    text="z",
                    status="pending",
                ),
            ]
        )
        session.commit()
    section = soup(client.get("/suivi")).select_one('section[aria-labelledby="new-messages"]')
    rows = section.select("li")
    assert len(rows) == 1
    assert "« Une idée »" in rows[0].get_text(" ", strip=True)
    assert rows[0].a["href"] == "/wiki/Discussion:Alpha"


def test_authors_follow_the_pages_they_create(
    app: Flask, client: FlaskClient, auth, make_page
) -> None:
    make_page("Alpha", "one\n", author="Alice")
    make_page("Alpha", "two\n", author="Bob")  # an edit: Bob does not follow
    assert watched(app, "Alice") == ["Alpha"]
    assert watched(app, "Bob") == []
    # through the web form too, and for a newcomer whose new page waits for review
    auth.login("Nina", trust="auto")
    fields = edit_form(client, "Nouvelle_page")
    response = client.post(
        "/wiki/Nouvelle_page?action=edit",
        data={**fields, "text": "Bonjour\n", "save": "Enregistrer"},
    )
    assert response.status_code == 302, response.text[:500]
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Nouvelle page"))
        assert page.latest_revision_id is None  # pending: not public yet
        assert watching.is_watching(session, find_user(session, "Nina").id, page.id)


def test_the_receiver_alone_follows_a_new_page(app: Flask, auth, make_page) -> None:
    """revision_pending with a first revision: its author follows the page."""
    make_page("Alpha", "one\n", author="Alice")
    nina = auth.make_user("Nina", trust="auto")
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Alpha"))
        first = session.scalars(select(Revision).where(Revision.parent_id.is_(None))).one()
        first.author_id = nina.id
        signals.revision_pending.send(app, session=session, revision=first, page=page)
        signals.revision_pending.send(app, session=session, revision=first, page=page)
        session.commit()
        assert watching.is_watching(session, nina.id, page.id)
        session.rollback()


def test_header_links(client: FlaskClient, auth) -> None:
    anonymous = soup(client.get("/pages")).select_one(".user-menu")
    assert anonymous.select_one('a[href="/suivi"]') is None
    auth.login("Jean Dupont")
    menu = soup(client.get("/pages")).select_one(".user-menu")
    hrefs = [a["href"] for a in menu.select("a")]
    assert "/suivi" in hrefs and "/notifications" in hrefs
    assert "/contributions/Jean%20Dupont" in hrefs
