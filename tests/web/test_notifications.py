"""Notifications: the receivers of ``wikicoop.signals``, the /notifications page, the header
badge, the API, and e-mail through a real local SMTP server (aiosmtpd).

Receivers are tested alone (sending the signals by hand, as the write path does) and
end to end through web saves and the moderation API.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask
from flask.testing import FlaskClient
from helpers import Inbox, bearer_for, csrf_from, edit_form, free_port, soup, use_smtp
from sqlalchemy import event, select

from wikicoop.community import mailer, watching
from wikicoop.community.accounts import find_user
from wikicoop.core import revisions as rev
from wikicoop.core import signals
from wikicoop.core.db import engine_of
from wikicoop.core.models import Comment, Notification, Page, Revision, User
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session


def notes_of(app: Flask, username: str) -> list[Notification]:
    """The user's notifications, oldest first, detached from the session."""
    with app.app_context():
        session = get_session()
        user = find_user(session, username)
        rows = session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        ).all()
        session.expunge_all()
        return list(rows)


def kinds(app: Flask, username: str) -> list[str]:
    return [n.kind for n in notes_of(app, username)]


def follow(app: Flask, username: str, title: str) -> None:
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title(title))
        watching.watch(session, find_user(session, username).id, page.id)
        session.commit()


def set_email(app: Flask, username: str, email: str | None) -> None:
    with app.app_context():
        session = get_session()
        find_user(session, username).email = email
        session.commit()


def pending_revision(app: Flask, title: str, text: str, author: str) -> int:
    """A revision waiting for review, written by ``author`` (a row, as the write path does)."""
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title(title))
        revision = Revision(
            page_id=page.id,
            parent_id=page.latest_revision_id,
            author_id=find_user(session, author).id,
            size=len(text.encode()),
            text=text,
            licence=page.licence,
            status="pending",
        )
        session.add(revision)
        session.commit()
        return revision.id


@pytest.fixture
def watched_page(app: Flask, auth, make_page) -> int:
    """Alpha by Alice, followed by Alice (its creator), Bob and Carol; Nina is a newcomer."""
    make_page("Alpha", "one\n", author="Alice")
    for name in ("Bob", "Carol"):
        auth.make_user(name)
        follow(app, name, "Alpha")
    auth.make_user("Nina", trust="auto")
    auth.make_user("Mod", role="moderator")
    with app.app_context():
        return rev.find_page(get_session(), parse_title("Alpha")).id


def send(
    app: Flask, signal: Any, revision_id: int, actor: str = "Mod", *, commit: bool = True, **extra
) -> None:
    """Send ``signal`` about a revision the way the write path does (``extra``: its other
    arguments, e.g. the reason), then commit, or roll back when ``commit`` is false."""
    with app.app_context():
        session = get_session()
        revision = session.get(Revision, revision_id)
        signal.send(
            app,
            session=session,
            revision=revision,
            page=revision.page,
            actor=find_user(session, actor),
            **extra,
        )
        if commit:
            session.commit()
        else:
            session.rollback()


# ------------------------------------------------------------------ the receivers


def test_watchers_hear_of_a_change_but_not_its_author(app: Flask, make_page, watched_page) -> None:
    rev_id = make_page("Alpha", "one two\n", author="Bob")
    assert kinds(app, "Carol") == ["page-changed"]
    assert kinds(app, "Alice") == ["page-changed"]
    assert kinds(app, "Bob") == []
    note = notes_of(app, "Carol")[0]
    assert note.revision_id == rev_id and note.page_id == watched_page
    with app.app_context():
        assert note.actor_id == find_user(get_session(), "Bob").id
        assert note.read_at is None


def test_the_receiver_alone(app: Flask, watched_page) -> None:
    """Sending revision_published by hand: the actor is left out as well as the author."""
    rev_id = pending_revision(app, "Alpha", "one, two\n", "Nina")
    send(app, signals.revision_published, rev_id, "Mod")
    assert kinds(app, "Bob") == ["page-changed"]
    assert kinds(app, "Carol") == ["page-changed"]
    assert kinds(app, "Alice") == ["page-changed"]
    assert kinds(app, "Mod") == []
    assert kinds(app, "Nina") == ["revision-approved"]  # not "page-changed" as well
    approved = notes_of(app, "Nina")[0]
    with app.app_context():
        assert approved.actor_id == find_user(get_session(), "Mod").id
    assert approved.revision_id == rev_id


def test_the_watchers_are_read_in_one_query(app: Flask, auth, watched_page) -> None:
    """The receivers' queries do not grow with the number of watchers."""

    def statements_for(revision_id: int) -> list[str]:
        seen: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            seen.append(statement)

        engine = engine_of(app)
        with app.app_context():
            session = get_session()
            revision = session.get(Revision, revision_id)
            page = session.get(Page, revision.page_id)
            actor = find_user(session, "Mod")
            _ = revision.author, page.title  # loaded before counting
            event.listen(engine, "before_cursor_execute", count)
            try:
                signals.revision_published.send(
                    app, session=session, revision=revision, page=page, actor=actor
                )
                session.flush()
            finally:
                event.remove(engine, "before_cursor_execute", count)
            session.rollback()
        return [s for s in seen if s.lstrip().upper().startswith("SELECT")]

    few = statements_for(pending_revision(app, "Alpha", "a\n", "Nina"))
    for n in range(15):
        auth.make_user(f"Watcher{n}")
        follow(app, f"Watcher{n}", "Alpha")
    many = statements_for(pending_revision(app, "Alpha", "b\n", "Nina"))
    assert len(many) == len(few) <= 3


def test_a_rejected_author_is_told_why(app: Flask, watched_page) -> None:
    rev_id = pending_revision(app, "Alpha", "spam\n", "Nina")
    send(app, signals.revision_rejected, rev_id, reason="publicité")
    assert kinds(app, "Nina") == ["revision-rejected"]
    assert notes_of(app, "Nina")[0].message == "publicité"
    assert kinds(app, "Bob") == [] and kinds(app, "Mod") == []


def test_discussion_messages(app: Flask, watched_page) -> None:
    with app.app_context():
        session = get_session()
        page = session.get(Page, watched_page)
        bob = find_user(session, "Bob")
        nina = find_user(session, "Nina")
        mod = find_user(session, "Mod")
        by_bob = Comment(page_id=page.id, author_id=bob.id, subject="Idée", text="x")
        by_nina = Comment(page_id=page.id, author_id=nina.id, text="y", status="pending")
        spam = Comment(page_id=page.id, author_id=nina.id, text="z", status="pending")
        session.add_all([by_bob, by_nina, spam])
        session.flush()
        signals.comment_published.send(app, session=session, comment=by_bob, page=page, actor=bob)
        signals.comment_published.send(app, session=session, comment=by_nina, page=page, actor=mod)
        signals.comment_rejected.send(
            app, session=session, comment=spam, page=page, actor=mod, reason="hors sujet"
        )
        session.commit()
    assert kinds(app, "Carol") == ["comment-posted", "comment-posted"]
    assert kinds(app, "Alice") == ["comment-posted", "comment-posted"]
    assert kinds(app, "Bob") == ["comment-posted"]  # Nina's, not his own
    assert kinds(app, "Nina") == ["comment-approved", "comment-rejected"]
    assert notes_of(app, "Nina")[1].message == "hors sujet"
    assert kinds(app, "Mod") == []


def test_nothing_is_kept_when_the_transaction_rolls_back(app: Flask, watched_page) -> None:
    rev_id = pending_revision(app, "Alpha", "a\n", "Nina")
    send(app, signals.revision_published, rev_id, commit=False)
    assert kinds(app, "Bob") == []


# -------------------------------------------------------------------- end to end


def test_a_web_save_notifies_the_watchers(
    app: Flask, client: FlaskClient, auth, watched_page
) -> None:
    auth.login("Bob")
    fields = edit_form(client, "Alpha")
    response = client.post(
        "/wiki/Alpha?action=edit",
        data={**fields, "text": "one, two\n", "summary": "coquille", "save": "1"},
    )
    assert response.status_code == 302, response.text[:300]
    assert kinds(app, "Carol") == ["page-changed"] and kinds(app, "Bob") == []
    assert notes_of(app, "Carol")[0].message == "coquille"


def test_a_newcomer_edit_notifies_once_approved(
    app: Flask, client: FlaskClient, auth, watched_page
) -> None:
    auth.login("Nina")
    fields = edit_form(client, "Alpha")
    response = client.post(
        "/wiki/Alpha?action=edit", data={**fields, "text": "one, new\n", "save": "1"}
    )
    assert response.status_code == 302
    assert kinds(app, "Bob") == []  # pending: nobody hears of it yet
    with app.app_context():
        session = get_session()
        pending = session.scalars(select(Revision).where(Revision.status == "pending")).one()
        pending_id = pending.id
    response = client.post(
        f"/api/v1/revisions/{pending_id}/approve", headers=bearer_for(app, "Mod"), json={}
    )
    assert response.status_code == 200, response.text
    assert kinds(app, "Bob") == ["page-changed"]
    assert kinds(app, "Nina") == ["revision-approved"]
    assert kinds(app, "Mod") == []


# ------------------------------------------------------------ the page and the badge


def test_notifications_page_and_badge(
    app: Flask, client: FlaskClient, auth, make_page, watched_page
):
    make_page("Alpha", "one two\n", author="Alice")
    rejected = pending_revision(app, "Alpha", "spam\n", "Bob")
    send(app, signals.revision_rejected, rejected, reason="hors sujet")
    auth.login("Bob")
    header = soup(client.get("/pages")).select_one(".user-menu a.notifications-link")
    assert header["href"] == "/notifications"
    assert header.select_one(".badge").get_text(" ", strip=True) == "2 non lues"
    page = soup(client.get("/notifications"))
    items = page.select("li.notification")
    assert [li["data-kind"] for li in items] == ["revision-rejected", "page-changed"]
    assert all("unread" in li["class"] for li in items)
    assert items[0].a.get_text(" ", strip=True) == (
        "Mod a refusé votre modification de la page « Alpha ». Motif : hors sujet"
    )
    assert items[0].a["href"] == f"/wiki/Alpha?revision={rejected}"
    assert items[1].a.get_text(" ", strip=True) == "Alice a modifié la page « Alpha »."
    assert items[1].a["href"].startswith("/wiki/Alpha?action=diff&to=")
    english = soup(client.get("/notifications", headers={"Accept-Language": "en"}))
    assert english.select("li.notification a")[1].get_text(" ", strip=True) == (
        'Alice changed the page "Alpha".'
    )
    # mark all as read
    form = page.select_one('form[action="/notifications"]')
    response = client.post("/notifications", data={"csrf_token": csrf_from(str(form))})
    assert response.status_code == 302
    page = soup(client.get("/notifications"))
    assert all("read" in li["class"] for li in page.select("li.notification"))
    assert page.select_one(".user-menu .badge") is None
    assert page.select_one('form[action="/notifications"]') is None
    assert all(n.read_at is not None for n in notes_of(app, "Bob"))


def test_the_badge_costs_one_count_per_request(
    app: Flask, client: FlaskClient, auth, watched_page
) -> None:
    auth.login("Bob")
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    engine = engine_of(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/notifications").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    counts = [s for s in seen if "count(" in s.lower() and "notifications" in s]
    assert len(counts) == 1


def test_notifications_need_an_account(client: FlaskClient) -> None:
    assert client.get("/notifications").status_code == 401
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.get("/notifications?before=x").status_code == 401


def test_notifications_api(app: Flask, client: FlaskClient, auth, make_page, watched_page):
    rev_id = make_page("Alpha", "one two\n", author="Alice")
    headers = bearer_for(app, "Bob")
    body = client.get("/api/v1/notifications", headers=headers).get_json()
    assert body["unread"] == 1 and body["next"] is None
    (note,) = body["notifications"]
    assert note["kind"] == "page-changed" and note["page"] == "Alpha"
    assert note["actor"] == "Alice" and note["revision_id"] == rev_id
    assert note["url"] == f"http://localhost/wiki/Alpha?action=diff&to={rev_id}"
    assert note["text"] == "Alice a modifié la page « Alpha »." and note["read"] is False
    english = client.get("/api/v1/notifications", headers={**headers, "Accept-Language": "en"})
    assert english.get_json()["notifications"][0]["text"] == 'Alice changed the page "Alpha".'
    assert client.get("/api/v1/notifications?before=abc", headers=headers).status_code == 400
    marked = client.post("/api/v1/notifications/read", headers=headers).get_json()
    assert marked == {"marked": 1}
    assert client.get("/api/v1/notifications", headers=headers).get_json()["unread"] == 0


def test_notification_texts() -> None:
    text = watching.notification_text
    assert text("page-changed", "fr", actor=None, page="A", extra="typo") == (
        "Quelqu'un a modifié la page « A ». Résumé : typo"
    )
    assert text("page-changed", "en", actor=None, page="A", extra="typo") == (
        'Someone changed the page "A". Summary: typo'
    )
    assert text("comment-approved", "en", actor="Mod", page="A") == (
        'Mod accepted your message in the discussion of the page "A": it is now published.'
    )


# ------------------------------------------------------------------------- e-mail


def test_an_email_is_sent_after_the_commit(
    app: Flask, make_page, watched_page, smtp_server
) -> None:
    inbox, port = smtp_server
    use_smtp(app, port, SITE_URL="https://wiki.example.org/")
    set_email(app, "Carol", "carol@example.org")  # Bob has no address: in the wiki only
    rev_id = make_page("Alpha", "one two\n", author="Alice")
    assert kinds(app, "Bob") == ["page-changed"]
    assert [e.rcpt_tos for e in inbox.envelopes] == [["carol@example.org"]]
    (message,) = inbox.messages()
    assert message["To"] == "carol@example.org" and message["From"] == "wiki@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "Alpha" in message["Subject"] and "Page modifiée" in message["Subject"]
    body = message.get_content()
    link = f"https://wiki.example.org/wiki/Alpha?action=diff&to={rev_id}"
    assert link in body
    french = body.index("Alice a modifié la page « Alpha ».")
    english = body.index('Alice changed the page "Alpha".')
    assert french < english
    assert body.startswith("Bonjour Carol,")


def test_the_link_uses_the_request_address_without_site_url(
    app: Flask, client: FlaskClient, auth, watched_page, smtp_server
) -> None:
    inbox, port = smtp_server
    use_smtp(app, port)
    set_email(app, "Carol", "carol@example.org")
    auth.login("Bob")
    fields = edit_form(client, "Alpha")
    response = client.post(
        "/wiki/Alpha?action=edit",
        data={**fields, "text": "one, web\n", "save": "1"},
        base_url="http://localhost:8080",
    )
    assert response.status_code == 302
    assert inbox.messages() == []  # sent once the response is on its way...
    response.close()  # ...which a WSGI server signals by closing it
    (message,) = inbox.messages()
    assert "http://localhost:8080/wiki/Alpha?action=diff&to=" in message.get_content()


def test_approval_and_rejection_emails(app: Flask, watched_page, smtp_server) -> None:
    inbox, port = smtp_server
    use_smtp(app, port, SITE_URL="https://wiki.example.org")
    set_email(app, "Nina", "nina@example.org")
    rev_id = pending_revision(app, "Alpha", "spam\n", "Nina")
    send(app, signals.revision_rejected, rev_id, reason="publicité")
    (message,) = inbox.messages()
    assert message["To"] == "nina@example.org"
    body = message.get_content()
    assert "Mod a refusé votre modification de la page « Alpha ». Motif : publicité" in body
    assert f"https://wiki.example.org/wiki/Alpha?revision={rev_id}" in body


def test_no_email_without_smtp_host_or_after_a_rollback(
    app: Flask, make_page, watched_page, smtp_server
) -> None:
    inbox, port = smtp_server
    set_email(app, "Carol", "carol@example.org")
    make_page("Alpha", "one two\n", author="Alice")  # SMTP_HOST is empty
    assert inbox.envelopes == [] and kinds(app, "Carol") == ["page-changed"]
    use_smtp(app, port)
    rev_id = pending_revision(app, "Alpha", "three\n", "Nina")
    send(app, signals.revision_published, rev_id, commit=False)
    assert inbox.envelopes == []


def test_a_refusing_server_does_not_fail_the_save(
    app: Flask, client: FlaskClient, auth, watched_page, caplog
) -> None:
    inbox = Inbox(refuse=True)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        use_smtp(app, port)
        set_email(app, "Carol", "carol@example.org")
        auth.login("Bob")
        fields = edit_form(client, "Alpha")
        with caplog.at_level(logging.WARNING, logger="wikicoop.community.mailer"):
            response = client.post(
                "/wiki/Alpha?action=edit", data={**fields, "text": "one, two\n", "save": "1"}
            )
            response.close()  # the mail goes after the response, as a WSGI server closes it
    finally:
        controller.stop()
    assert response.status_code == 302
    assert "Vos modifications ont été enregistrées." in client.get("/wiki/Alpha").text
    assert kinds(app, "Carol") == ["page-changed"]
    assert inbox.envelopes == []
    assert "carol@example.org" in caplog.text and "refused" in caplog.text


def test_a_server_that_is_down_does_not_fail_the_save(
    app: Flask, client: FlaskClient, auth, watched_page, caplog
) -> None:
    use_smtp(app, free_port())  # nothing listens there
    set_email(app, "Carol", "carol@example.org")
    auth.login("Bob")
    fields = edit_form(client, "Alpha")
    with caplog.at_level(logging.WARNING, logger="wikicoop.community.mailer"):
        response = client.post(
            "/wiki/Alpha?action=edit", data={**fields, "text": "one, two\n", "save": "1"}
        )
        response.close()  # the mail goes after the response
    assert response.status_code == 302
    assert kinds(app, "Carol") == ["page-changed"]
    with app.app_context():
        page = rev.find_page(get_session(), parse_title("Alpha"))
        assert get_session().get(Revision, page.latest_revision_id).text == "one, two\n"
    assert "0 of 1 message(s) sent" in caplog.text


def test_smtp_login() -> None:
    """With SMTP_USERNAME set, the mailer logs in before sending."""
    inbox = Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login, auth_data.password
        inbox.logins.append(
            (
                login.decode() if isinstance(login, bytes) else login,
                password.decode() if isinstance(password, bytes) else password,
            )
        )
        return AuthResult(success=inbox.logins[-1][1] == "secret")

    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        settings = mailer.SmtpSettings.from_config(
            {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": port,
                "SMTP_USERNAME": "wiki",
                "SMTP_PASSWORD": "secret",
                "MAIL_FROM": "wiki@example.org",
            }
        )
        assert settings is not None
        mail = mailer.Mail("someone@example.org", "Sujet é", "Corps é\n")
        assert mailer.send_mails(settings, [mail]) == 1
    finally:
        controller.stop()
    assert inbox.logins == [("wiki", "secret")]
    (message,) = inbox.messages()
    assert message["Subject"] == "Sujet é" and message.get_content().rstrip() == "Corps é"
    assert mailer.SmtpSettings.from_config({"SMTP_HOST": "  "}) is None


def test_users_without_notifications_table_rows_have_zero(app: Flask, auth) -> None:
    user = auth.make_user("Zoé")
    with app.app_context():
        assert watching.unread_count(get_session(), user.id) == 0
        assert get_session().get(User, user.id) is not None
