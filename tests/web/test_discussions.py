"""Discussions (``Discussion:<Title>``): threads and replies, signed and dated, edited by
their author for a while, moderated like edits, reported, counted on the page's tab, and
their API; bad input gets a clear answer, never a 500."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import banner, bearer_for, csrf_from, soup
from inert import page_problems
from sqlalchemy import func, select
from wiki_fixtures import shared_path

from wikicoop.community import discussions
from wikicoop.community.accounts import find_user
from wikicoop.core import signals
from wikicoop.core.models import Block, Comment, Page, Report, utcnow
from wikicoop.web.db import get_session

TALK = "/wiki/Discussion:Jardin"


def post_thread(client: FlaskClient, subject: str, text: str, *, page: str = "Jardin"):
    """Start a thread the way a browser does: GET the discussion, submit its form."""
    token = csrf_from(client.get(f"/wiki/Discussion:{page}").text)
    return client.post(
        f"/discussion/{page}", data={"csrf_token": token, "subject": subject, "text": text}
    )


def post_reply(client: FlaskClient, thread: object, text: str, *, page: str = "Jardin"):
    token = csrf_from(client.get(f"/wiki/Discussion:{page}").text)
    return client.post(
        f"/discussion/{page}", data={"csrf_token": token, "thread": str(thread), "text": text}
    )


def message_ids(response) -> list[int]:
    return [int(a["id"].removeprefix("message-")) for a in soup(response).select("article.comment")]


def comments(app: Flask) -> list[Comment]:
    with app.app_context():
        return list(get_session().scalars(select(Comment).order_by(Comment.id)))


def discussion_tab(response) -> str:
    tab = soup(response).select_one("nav.page-tabs a.discussion-tab")
    assert tab is not None
    return tab.get_text(strip=True)


def textarea(node) -> str:
    """A textarea's value as a browser reads it (one leading line break is dropped)."""
    text = node.get_text()
    return text[2:] if text.startswith("\r\n") else text.removeprefix("\n")


@pytest.fixture
def garden(app, make_page) -> int:
    """The subject page every test talks about (and room for many messages)."""
    app.config["COMMENT_RATE_LIMIT"] = "1000 per minute"
    return make_page("Jardin", "Le jardin partagé du quartier.")


@pytest.fixture
def visitor(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def other(app: Flask) -> FlaskClient:
    """A second browser, for a second person."""
    return app.test_client()


@pytest.fixture
def received():
    """The discussion signals sent during the test: [(name, comment id, page id)]."""
    seen: list[tuple[str, int, int]] = []

    def listener(name):
        def receive(sender, *, session, comment, page, **_kw):
            assert sender is not None and session is not None
            seen.append((name, comment.id, page.id))

        return receive

    published, pending = listener("published"), listener("pending")
    signals.comment_published.connect(published)
    signals.comment_pending.connect(pending)
    yield seen
    signals.comment_published.disconnect(published)
    signals.comment_pending.disconnect(pending)


# ----------------------------------------------------------------------- threads, replies


def test_thread_reply_and_order_signed_and_dated(app, client, other, auth, garden, received):
    auth.login("Bob")
    auth.login("Carole", client=other)
    response = post_thread(client, "Arrosage", "Qui **arrose** cet été ?")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/Discussion:Jardin#message-1")
    assert post_thread(client, "Compost", "Le bac est plein.").status_code == 302
    assert post_reply(other, 1, "Moi, le *mardi*.").status_code == 302
    assert post_reply(client, 1, "Merci Carole !").status_code == 302

    page = soup(client.get(TALK))
    threads = page.select("section.thread")
    assert [t.h3.get_text(strip=True) for t in threads] == ["Arrosage", "Compost"]
    first = threads[0]
    assert [a["id"] for a in first.select("article.comment")] == [
        "message-1",
        "message-3",
        "message-4",
    ]
    assert first.select_one("#message-1 .comment-text strong").get_text() == "arrose"
    assert first.select_one("#message-3 .comment-text em").get_text() == "mardi"
    stored = {c.id: c for c in comments(app)}
    for message_id, author in ((1, "Bob"), (3, "Carole"), (4, "Bob")):
        node = page.select_one(f"#message-{message_id}")
        link = node.select_one("a.comment-author")
        assert link.get_text() == author and link["href"] == f"/wiki/Utilisateur:{author}"
        when = node.select_one("time")
        assert datetime.fromisoformat(when["datetime"]) == stored[message_id].created_at
        assert when.get_text(strip=True)  # a readable date
    assert stored[3].thread_id == 1 and stored[4].thread_id == 1 and stored[2].thread_id is None
    assert stored[1].subject == "Arrosage" and stored[3].subject == ""
    assert "<strong>arrose</strong>" in stored[1].html  # rendered once, when written
    assert [kind for kind, *_ in received] == ["published"] * 4

    english = soup(client.get(TALK, headers={"Accept-Language": "en"}))
    year = str(stored[1].created_at.year)
    assert year in english.select_one("#message-1 time").get_text()


def test_message_html_is_sanitized_once_when_written(app, client, auth, garden):
    auth.login("Bob")
    post_thread(client, "Essai", "**ok** [[Jardin]] <script>alert(1)</script>")
    (comment,) = comments(app)
    assert "<script" not in comment.html and "<strong>ok</strong>" in comment.html
    assert 'href="/wiki/Jardin"' in comment.html


# ---------------------------------------------------------------------------- editing


def test_author_edits_within_the_window_then_not(app, client, other, auth, garden):
    auth.login("Bob")
    auth.login("Carole", client=other)
    post_thread(client, "Arrosage", "Qui arose ?")
    form_page = client.get("/messages/1/modifier")
    assert form_page.status_code == 200
    form = soup(form_page)
    assert textarea(form.select_one("textarea[name=text]")) == "Qui arose ?"
    assert form.select_one("input[name=subject]")["value"] == "Arrosage"
    response = client.post(
        "/messages/1/modifier",
        data={"csrf_token": csrf_from(form_page.text), "subject": "Arrosage d'été",
              "text": "Qui **arrose** ?"},
    )  # fmt: skip
    assert response.status_code == 302
    page = soup(client.get(TALK))
    assert page.select_one("#sujet-1").get_text(strip=True) == "Arrosage d'été"
    assert page.select_one("#message-1 strong").get_text() == "arrose"
    assert "modifié" in page.select_one("#message-1 .comment-edited").get_text()
    assert page.select_one("#message-1 a[href='/messages/1/modifier']") is not None

    # someone else: refused, clearly
    response = other.get("/messages/1/modifier")
    assert response.status_code == 403
    assert "Seule la personne qui a écrit ce message" in banner(response)
    assert other.post("/messages/1/modifier", data={"text": "pirate"}).status_code in {400, 403}
    assert soup(other.get(TALK)).select_one("#message-1 a[href='/messages/1/modifier']") is None

    # the window has passed
    with app.app_context():
        session = get_session()
        comment = session.get(Comment, 1)
        minutes = app.config["COMMENT_EDIT_MINUTES"]
        comment.created_at = utcnow() - timedelta(minutes=minutes, seconds=5)
        session.commit()
    response = client.get("/messages/1/modifier")
    assert response.status_code == 403
    assert "ne peut plus être modifié" in banner(response)
    token = csrf_from(client.get(TALK).text)
    response = client.post("/messages/1/modifier", data={"csrf_token": token, "text": "Trop tard"})
    assert response.status_code == 403
    assert comments(app)[0].text == "Qui **arrose** ?"
    assert soup(client.get(TALK)).select_one("#message-1 a[href='/messages/1/modifier']") is None
    english = client.get("/messages/1/modifier", headers={"Accept-Language": "en"})
    assert "can no longer be changed" in banner(english)


def test_edit_errors_keep_the_text(app, client, auth, garden):
    auth.login("Bob")
    post_thread(client, "Arrosage", "Premier jet.")
    token = csrf_from(client.get("/messages/1/modifier").text)
    response = client.post(
        "/messages/1/modifier", data={"csrf_token": token, "subject": "", "text": "Nouveau"}
    )
    assert response.status_code == 400
    assert "sujet" in banner(response)
    assert textarea(soup(response).select_one("textarea[name=text]")) == "Nouveau"
    assert comments(app)[0].text == "Premier jet."
    assert client.get("/messages/999/modifier").status_code == 404
    assert client.get("/messages/99999999999/modifier").status_code == 404


def test_visitor_cannot_edit(client, visitor, auth, garden):
    auth.login("Bob")
    post_thread(client, "Arrosage", "Texte.")
    assert visitor.get("/messages/1/modifier").status_code == 401


def test_edit_adding_many_links_goes_back_to_review(app, client, auth, garden):
    app.config["MODERATION_MODES"] = {"namespace:talk": "open"}  # newcomers publish at once
    auth.login("Nina", trust="auto")
    post_thread(client, "Liens", "Voici un lien.")
    links = " ".join(f"https://site{n}.example/page" for n in range(5))
    token = csrf_from(client.get("/messages/1/modifier").text)
    assert comments(app)[0].status == "published"
    client.post(
        "/messages/1/modifier", data={"csrf_token": token, "subject": "Liens", "text": links}
    )
    (comment,) = comments(app)
    assert comment.status == "pending" and "external-links" in comment.pending_reasons


# ------------------------------------------------------------------------- moderation


def test_newcomer_message_waits_for_review(app, client, other, visitor, auth, garden, received):
    auth.login("Nina", trust="auto")  # account created now, no approved edit: a newcomer
    auth.login("Bob", client=other)
    response = post_thread(client, "Bonjour", "Je suis **nouvelle** ici.")
    assert response.status_code == 302
    (comment,) = comments(app)
    assert comment.status == "pending" and comment.pending_reasons == "newcomer"
    assert received == [("pending", comment.id, comment.page_id)]

    # the author sees it, with the banner
    mine = soup(client.get(TALK))
    banner = mine.select_one("#message-1 .banner-pending")
    assert banner is not None and "en attente de relecture" in banner.get_text()
    assert "quand un modérateur l'aura relu" in mine.select_one(".flash").get_text()
    # a visitor and another user do not
    for reader in (visitor, other):
        page = reader.get(TALK)
        assert page.status_code == 200
        assert message_ids(page) == [] and "nouvelle" not in page.text
        assert discussion_tab(reader.get("/wiki/Jardin")) == "Discussion"
    assert visitor.get("/messages/1").status_code == 404
    assert visitor.get("/api/v1/pages/Jardin/discussion").get_json()["threads"] == []
    # a moderator does, with the status marked and the reason
    moderator = app.test_client()
    auth.login("Modeste", client=moderator, role="moderator")
    page = soup(moderator.get(TALK))
    assert page.select_one("#message-1 .status-tag").get_text(strip=True) == (
        "En attente de relecture"
    )
    assert "nouveau contributeur" in page.select_one("#message-1 .banner-pending").get_text()
    # other people cannot answer a thread they cannot see
    response = post_reply(other, 1, "Bienvenue !")
    assert response.status_code == 404
    assert soup(response).select_one("#message").get_text() == "Bienvenue !"  # text kept


def test_rejected_message_shows_its_reason_to_its_author(app, client, visitor, auth, garden):
    auth.login("Nina", trust="auto")
    post_thread(client, "Pub", "Achetez !")
    with app.app_context():
        session = get_session()
        comment = session.get(Comment, 1)
        comment.status, comment.review_reason = "rejected", "Publicité"
        session.commit()
    page = soup(client.get(TALK))
    assert "Motif : Publicité" in page.select_one("#message-1 .banner-error").get_text()
    assert message_ids(visitor.get(TALK)) == []


def test_trusted_message_is_published_and_counted_on_cached_page(
    app, client, visitor, auth, garden, received
):
    cache = app.extensions["wikicoop.page_html_cache"]
    assert discussion_tab(visitor.get("/wiki/Jardin")) == "Discussion"
    assert len(cache) == 1
    assert discussion_tab(visitor.get("/wiki/Jardin")) == "Discussion"  # from the cache
    auth.login("Bob")
    post_thread(client, "Arrosage", "Qui arrose ?")
    assert [kind for kind, *_ in received] == ["published"]
    assert discussion_tab(visitor.get("/wiki/Jardin")) == "Discussion (1)"
    assert len(cache) == 2  # a new entry: the page was touched
    post_reply(client, 1, "Moi.")
    assert discussion_tab(visitor.get("/wiki/Jardin")) == "Discussion (2)"
    assert discussion_tab(client.get("/wiki/Jardin")) == "Discussion (2)"
    assert message_ids(visitor.get(TALK)) == [1, 2]
    # hiding a message (the moderators' tool) drops it from the count
    with app.app_context():
        session = get_session()
        comment = session.get(Comment, 2)
        comment.status, comment.hidden_from = "hidden", "published"
        session.get(Page, comment.page_id).touched_at = utcnow()
        session.commit()
    assert discussion_tab(visitor.get("/wiki/Jardin")) == "Discussion (1)"


def test_hidden_messages(app, client, other, visitor, auth, garden):
    auth.login("Bob")
    auth.login("Carole", client=other)
    post_thread(client, "Insultes", "Un texte **odieux**.")
    post_reply(other, 1, "Restons calmes.")
    post_thread(client, "Autre", "Rien à voir.")
    with app.app_context():
        session = get_session()
        for message_id in (1, 3):
            comment = session.get(Comment, message_id)
            comment.status, comment.hidden_from = "hidden", "published"
        session.commit()
    page = soup(visitor.get(TALK))
    # the hidden start keeps its place (its reply stays readable), without its words
    assert message_ids(visitor.get(TALK)) == [1, 2]
    assert "odieux" not in page.get_text() and "Insultes" not in page.get_text()
    assert "masqué par la modération" in page.select_one("#message-1").get_text()
    assert page.select_one("#message-1 a.comment-author") is None
    api = visitor.get("/api/v1/pages/Jardin/discussion").get_json()
    assert len(api["threads"]) == 1
    assert api["threads"][0]["text"] is None and api["threads"][0]["subject"] is None
    assert [r["text"] for r in api["threads"][0]["replies"]] == ["Restons calmes."]
    # replying to a hidden thread: refused, the text is kept
    response = post_reply(other, 1, "Encore ?")
    assert response.status_code == 409
    assert "fermé par la modération" in banner(response)
    assert soup(response).select_one("#message").get_text() == "Encore ?"
    # the author cannot edit it any more, moderators read it
    assert client.get("/messages/1/modifier").status_code == 404
    moderator = app.test_client()
    auth.login("Modeste", client=moderator, role="moderator")
    page = soup(moderator.get(TALK))
    assert page.select_one("#message-1 strong").get_text() == "odieux"
    assert page.select_one("#message-1 .status-tag").get_text(strip=True) == "Masqué"
    assert message_ids(moderator.get(TALK)) == [1, 2, 3]


def test_blocked_user_is_refused(app, client, auth, garden):
    auth.login("Bob")
    post_thread(client, "Arrosage", "Avant le blocage.")
    with app.app_context():
        session = get_session()
        bob = find_user(session, "Bob")
        session.add(Block(user_id=bob.id, reason="Insultes répétées"))
        session.commit()
    page = client.get(TALK)
    assert "Insultes répétées" in soup(page).select_one(".new-thread .banner-warning").get_text()
    assert soup(page).select_one(".new-thread form") is None
    token = csrf_from(page.text)
    response = client.post(
        "/discussion/Jardin", data={"csrf_token": token, "subject": "S", "text": "Encore"}
    )
    assert response.status_code == 403
    assert "ne peut pas écrire" in banner(response)
    response = client.post(
        "/discussion/Jardin", data={"csrf_token": token, "thread": "1", "text": "Encore"}
    )
    assert response.status_code == 403
    response = client.post("/messages/1/modifier", data={"csrf_token": token, "text": "Changé"})
    assert response.status_code == 403
    assert [c.text for c in comments(app)] == ["Avant le blocage."]


# ---------------------------------------------------------------------------- reports


def test_reports_once_per_person_and_the_message_stays(app, client, visitor, auth, garden):
    auth.login("Bob")
    post_thread(client, "Arrosage", "Un message.")
    page = visitor.get(TALK)
    form = soup(page).select_one("#message-1 form[action='/messages/1/signaler']")
    assert form is not None and form.select_one("select[name=reason]") is not None
    data = {"csrf_token": csrf_from(page.text), "reason": "spam", "details": "lien douteux"}
    response = visitor.post("/messages/1/signaler", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/Discussion:Jardin#message-1")
    page = visitor.get(TALK)
    assert "les modérateurs vont regarder" in soup(page).select_one(".flash").get_text()
    assert message_ids(page) == [1]  # still visible
    visitor.post("/messages/1/signaler", data=data)
    assert "déjà signalé" in soup(visitor.get(TALK)).select_one(".flash").get_text()
    token = csrf_from(client.get(TALK).text)
    client.post("/messages/1/signaler", data={"csrf_token": token, "reason": "abuse"})
    client.post("/messages/1/signaler", data={"csrf_token": token, "reason": "other"})
    with app.app_context():
        reports = get_session().scalars(select(Report).order_by(Report.id)).all()
        bob = find_user(get_session(), "Bob")
        assert len(reports) == 2
        assert reports[0].reporter_id is None and reports[0].reporter_ip == "127.0.0.1"
        assert reports[0].reason == "Publicité ou spam : lien douteux"
        assert reports[1].reporter_id == bob.id
        assert all(r.comment_id == 1 and r.status == "open" for r in reports)
        assert reports[0].page_id == get_session().scalar(
            select(Page.id).where(Page.name == "Jardin")
        )
    assert comments(app)[0].status == "published"


def test_report_bad_input(client, visitor, auth, garden):
    auth.login("Bob")
    post_thread(client, "Arrosage", "Un message.")
    token = csrf_from(visitor.get(TALK).text)
    response = visitor.post("/messages/1/signaler", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 400
    assert "raison" in banner(response)
    response = visitor.post("/messages/1/signaler", data={"csrf_token": token})
    assert response.status_code == 400
    data = {"csrf_token": token, "reason": "other", "details": "x" * 401}
    assert visitor.post("/messages/1/signaler", data=data).status_code == 400
    data = {"csrf_token": token, "reason": "spam"}
    assert visitor.post("/messages/42/signaler", data=data).status_code == 404
    assert visitor.post("/messages/1/signaler", data={"reason": "spam"}).status_code == 400


def test_reports_are_rate_limited(app, client, visitor, auth, garden):
    app.config["REPORT_RATE_LIMIT"] = "2 per minute"
    auth.login("Bob")
    for n in range(3):
        post_thread(client, f"Sujet {n}", "Texte.")
    token = csrf_from(visitor.get(TALK).text)
    statuses = [
        visitor.post(
            f"/messages/{n}/signaler", data={"csrf_token": token, "reason": "spam"}
        ).status_code
        for n in (1, 2, 3)
    ]
    assert statuses == [302, 302, 429]


# ----------------------------------------------------------------------------- bad input


def test_bad_input_gets_clear_answers_and_keeps_the_text(app, client, make_page, auth, garden):
    make_page("Verger", "Les pommiers.")
    auth.login("Bob")
    post_thread(client, "Arrosage", "Premier.", page="Verger")  # message 1, on another page
    post_thread(client, "Arrosage", "Ici.")  # message 2

    def new_form(response):
        form = soup(response).select_one(".new-thread form")
        return form.select_one("input[name=subject]")["value"], form.select_one("textarea").text

    response = post_thread(client, "Sans texte", "   \n ")
    assert response.status_code == 400
    assert "vide" in banner(response)
    assert new_form(response)[0] == "Sans texte"

    response = post_thread(client, "", "Un message sans sujet.")
    assert response.status_code == 400
    assert "sujet" in banner(response)
    assert new_form(response) == ("", "Un message sans sujet.")

    response = post_thread(client, "Long", "x" * 100_000)
    assert response.status_code == 413
    assert "trop long" in banner(response)
    assert new_form(response)[1] == "x" * 100_000

    response = post_thread(client, "s" * 201, "Sujet trop long.")
    assert response.status_code == 400 and "sujet est trop long" in banner(response)

    response = post_thread(client, "Contrôle", "Avec\x00 des\x07 caractères\x1b invisibles")
    assert response.status_code == 400
    assert "invisibles" in banner(response)
    assert new_form(response) == ("Contrôle", "Avec des caractères invisibles")

    response = post_reply(client, 1, "Réponse égarée.")  # message 1 is on Verger
    assert response.status_code == 400
    assert "autre page" in banner(response)
    assert new_form(response)[1] == "Réponse égarée."
    for thread, status in (("999", 404), ("0", 404), ("99999999999", 404), ("abc", 400)):
        response = post_reply(client, thread, "Réponse perdue.")
        assert response.status_code == status, thread
        assert new_form(response)[1] == "Réponse perdue."
    # a failed reply keeps its text in its own form, opened
    response = post_reply(client, 2, "\x01")
    assert response.status_code == 400
    form = soup(response).select_one("#fil-2 details.reply-form")
    assert form.has_attr("open") and form.select_one(".banner-error") is not None

    english = client.post(
        "/discussion/Jardin",
        data={"csrf_token": csrf_from(client.get(TALK).text), "subject": "S", "text": ""},
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 400 and "The message is empty" in banner(english)
    assert [c.id for c in comments(app)] == [1, 2]

    # no token, no write
    response = client.post("/discussion/Jardin", data={"subject": "S", "text": "T"})
    assert response.status_code == 400
    assert [c.id for c in comments(app)] == [1, 2]


def test_visitors_cannot_post(client, visitor, auth, garden):
    page = visitor.get(TALK)
    assert soup(page).select_one(".new-thread form") is None
    assert "Connectez-vous" in soup(page).select_one(".new-thread").get_text()
    token = csrf_from(visitor.get("/compte/connexion").text)
    response = visitor.post("/discussion/Jardin", data={"csrf_token": token, "text": "x"})
    assert response.status_code == 401


def test_missing_subject_page(app, client, auth, make_page):
    auth.login("Bob")
    response = client.get("/wiki/Discussion:Nulle_part")
    assert response.status_code == 404
    page = soup(response)
    assert "n'existe pas encore" in page.select_one(".banner-warning").get_text()
    link = page.find("a", string=re.compile("Créer la page"))
    assert link is not None and link["href"] == "/wiki/Nulle_part?action=edit"
    token = csrf_from(response.text)
    response = client.post(
        "/discussion/Nulle_part", data={"csrf_token": token, "subject": "S", "text": "T"}
    )
    assert response.status_code == 404
    assert client.get("/api/v1/pages/Nulle_part/discussion").status_code == 404
    # a page whose only version waits for review does not exist for its readers
    newcomer = app.test_client()
    auth.login("Nina", client=newcomer, trust="auto")
    token = csrf_from(newcomer.get("/wiki/Pas_encore?action=edit").text)
    newcomer.post(
        "/wiki/Pas_encore?action=edit",
        data={"csrf_token": token, "text": "Brouillon", "base_revision": "", "save": "1"},
    )
    with app.app_context():
        pending = get_session().scalars(select(Page).where(Page.name == "Pas encore")).first()
        assert pending is not None and pending.latest_revision_id is None
    assert client.get("/wiki/Discussion:Pas_encore").status_code == 404
    # bad titles
    assert client.get("/discussion/A%5BB").status_code == 400
    assert client.post("/discussion/A%5BB", data={"csrf_token": token}).status_code == 400
    assert client.get("/api/v1/pages/A%5BB/discussion").status_code == 400


def test_talk_wiki_page_is_still_shown(client, make_page, auth, garden):
    old = make_page("Discussion:Jardin", "Un texte **d'autrefois**.")
    auth.login("Bob")
    post_thread(client, "Arrosage", "Nouveau fil.")
    page = soup(client.get(TALK))
    assert page.select_one(".discussion > .page-content strong").get_text() == "d'autrefois"
    assert message_ids(client.get(TALK)) == [1]
    assert "Modifier" in [a.get_text(strip=True) for a in page.select("nav.page-tabs a")]
    # an old revision is shown by the page views, as before
    response = client.get(f"{TALK}?revision={old}")
    assert response.status_code == 200
    assert soup(response).select_one(".page-content strong").get_text() == "d'autrefois"
    # a talk page without subject page still shows its text
    make_page("Discussion:Disparu", "Archives.")
    response = client.get("/wiki/Discussion:Disparu")
    assert response.status_code == 200 and "Archives." in response.text
    assert "n'existe pas encore" in response.text
    # the posting address, visited, leads to the discussion
    response = client.get("/discussion/Jardin")
    assert response.status_code == 302 and response.headers["Location"].endswith(TALK)
    response = client.get("/messages/1")
    assert response.status_code == 302 and response.headers["Location"].endswith("#message-1")


# --------------------------------------------------------------------------------- XSS


def test_xss_payloads_in_messages_are_inert(app, client, visitor, auth, garden):
    data = json.loads(shared_path("xss-vectors", "all-payloads.json").read_text("utf-8"))
    payloads = [item["payload"] for item in data]
    auth.login("Bob")
    with app.app_context():
        session = get_session()
        bob = find_user(session, "Bob")
        page = session.scalars(select(Page).where(Page.name == "Jardin")).one()
        chunk: list[str] = []
        for payload in payloads:
            if sum(map(len, chunk)) + len(payload) > 15_000:
                discussions.post_thread(
                    session, app, page=page, author=bob, subject="Lot", text="\n\n".join(chunk)
                )
                chunk = []
            chunk.append(discussions.without_control_characters(payload))
        for payload in payloads[:150]:
            try:
                subject = discussions.clean_subject(payload[:200])
                discussions.post_thread(
                    session, app, page=page, author=bob, subject=subject, text=payload
                )
            except discussions.DiscussionError:
                session.rollback()
    # through the form too
    assert post_thread(client, payloads[0][:200], payloads[1]).status_code in {302, 400}
    for reader in (visitor, client):
        response = reader.get(TALK)
        assert response.status_code == 200
        assert not page_problems(response.text), page_problems(response.text)[:5]
    with app.app_context():
        total = get_session().scalar(select(func.count()).select_from(Comment))
        assert total > 100
    api = visitor.get("/api/v1/pages/Jardin/discussion")
    assert api.mimetype == "application/json" and len(api.get_json()["threads"]) == total


# --------------------------------------------------------------------------------- API


@pytest.fixture
def tokens(app):
    """Bearer tokens for a trusted contributor and a newcomer."""

    return {
        "trusted": bearer_for(app, "Bob", trust="granted"),
        "newcomer": bearer_for(app, "Nina", trust="auto"),
    }


def test_api_get_and_post(app, client, visitor, tokens, garden):
    url = "/api/v1/pages/Jardin/discussion"
    response = client.post(
        url, json={"subject": "Arrosage", "text": "Qui **arrose** ?"}, headers=tokens["trusted"]
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "published"
    thread = body["message"]
    assert thread["subject"] == "Arrosage" and thread["author"] == "Bob"
    assert "<strong>arrose</strong>" in thread["html"]
    response = client.post(
        url, json={"thread": thread["id"], "text": "Moi !"}, headers=tokens["newcomer"]
    )
    assert response.status_code == 202
    assert response.get_json()["status"] == "pending"
    response = client.post(
        url, json={"thread": thread["id"], "text": "Moi aussi."}, headers=tokens["trusted"]
    )
    assert response.status_code == 201

    listing = visitor.get(url).get_json()
    assert listing["title"] == "Jardin" and listing["discussion"] == "Discussion:Jardin"
    assert listing["count"] == 2
    (only,) = listing["threads"]
    assert only["id"] == thread["id"] and only["status"] == "published"
    assert [r["text"] for r in only["replies"]] == ["Moi aussi."]
    assert datetime.fromisoformat(only["created_at"]).tzinfo is not None
    mine = client.get(url, headers=tokens["newcomer"]).get_json()
    replies = mine["threads"][0]["replies"]
    assert [(r["text"], r["status"]) for r in replies] == [
        ("Moi !", "pending"),
        ("Moi aussi.", "published"),
    ]
    assert replies[0]["pending_reasons"] == ["newcomer"]
    # the talk title works too
    assert client.get("/api/v1/pages/Discussion:Jardin/discussion").get_json()["count"] == 2


def test_api_bad_input(app, client, tokens, garden, make_page):
    url = "/api/v1/pages/Jardin/discussion"
    headers = tokens["trusted"]

    def call(body, status, *, path=url, **kw):
        response = client.post(path, headers=kw.get("headers", headers), **body)
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        return response.get_json()

    assert "Connectez-vous" in call({"json": {"text": "x"}}, 401, headers={})["error"]
    bad = {"Authorization": "Bearer wkc_nope"}
    call({"json": {"subject": "S", "text": "x"}}, 401, headers=bad)
    call({"data": "pas du json", "content_type": "application/json"}, 400)
    call({"json": ["liste"]}, 400)
    call({"json": {"subject": "S"}}, 400)
    assert call({"json": {"subject": "S", "text": ""}}, 400)["code"] == "empty-text"
    assert call({"json": {"subject": "S", "text": 5}}, 400)["code"] == "invalid-text"
    assert call({"json": {"text": "Sans sujet"}}, 400)["code"] == "missing-subject"
    assert call({"json": {"subject": "S", "text": "x" * 20_001}}, 413)["code"] == "too-long"
    assert call({"json": {"subject": "S", "text": "\ud800"}}, 400)["code"] == "invalid-utf8"
    assert call({"json": {"subject": "S", "text": "a\x00b"}}, 400)["code"] == ("control-characters")
    assert call({"json": {"thread": 12345, "text": "x"}}, 404)["code"] == "unknown-thread"
    assert call({"json": {"thread": True, "text": "x"}}, 400)["code"] == "invalid-thread"
    assert call({"json": {"thread": [1], "text": "x"}}, 400)["code"] == "invalid-thread"
    make_page("Verger", "Les pommiers.")
    other = call(
        {"json": {"subject": "S", "text": "x"}}, 201, path="/api/v1/pages/Verger/discussion"
    )
    assert call({"json": {"thread": other["message"]["id"], "text": "x"}}, 400)["code"] == (
        "foreign-thread"
    )
    call({"json": {"subject": "S", "text": "x"}}, 404, path="/api/v1/pages/Absente/discussion")
    with app.app_context():
        session = get_session()
        session.add(Block(user_id=find_user(session, "Bob").id, reason="Spam"))
        session.commit()
    assert call({"json": {"subject": "S", "text": "x"}}, 403)["code"] == "blocked"
    english = client.post(
        url,
        json={"subject": "S", "text": ""},
        headers={**tokens["newcomer"], "Accept-Language": "en"},
    )
    assert english.get_json()["error"].startswith("The message is empty")


# -------------------------------------------------------------------------- rate limits


def test_messages_are_rate_limited(app, client, tokens, auth, garden):
    app.config["COMMENT_RATE_LIMIT"] = "2 per minute"
    auth.login("Carole")
    assert post_thread(client, "Un", "Premier.").status_code == 302
    assert post_reply(client, 1, "Deuxième.").status_code == 302
    response = post_thread(client, "Trois", "Troisième.")
    assert response.status_code == 429
    assert "patientez" in banner(response)
    assert len(comments(app)) == 2
    # per account: someone else still may, and the API shares the budget
    url = "/api/v1/pages/Jardin/discussion"
    body = {"subject": "API", "text": "Par l'API."}
    statuses = [
        client.post(url, json=body, headers=tokens["trusted"]).status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    limited = client.post(url, json=body, headers=tokens["trusted"])
    assert limited.mimetype == "application/json" and "error" in limited.get_json()
