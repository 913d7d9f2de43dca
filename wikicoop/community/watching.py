"""Watchlists and notifications: who follows which page, and what they are told.

Following a page also follows its discussion (messages are attached to the subject
page's id). The receivers below are connected to :mod:`wikicoop.signals` by
:func:`init_app`; they run inside the transaction that makes the event, add their rows
to it (all notifications of one event in one ``add_all``, after one select of the
watchers) and never commit. E-mails go out after the commit (:mod:`wikicoop.mailer`).

Notification texts are short and plain, French and English side by side (like the
reasons of :mod:`wikicoop.moderation`): the wiki shows the reader's language, e-mails
carry both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..config import DEFAULTS
from ..core import signals
from ..core.models import Comment, Notification, Page, User, Watch, utcnow
from ..core.moderation import PUBLISHED
from ..error_messages import N_, catalog
from ..text.titles import Title, TitleError, make_title
from . import mailer

# ---------------------------------------------------------------------------- watches


def is_watching(session: Session, user_id: int, page_id: int) -> bool:
    """Whether the user follows the page."""
    return session.get(Watch, (user_id, page_id)) is not None


def watch(session: Session, user_id: int, page_id: int, now: datetime | None = None) -> bool:
    """Follow a page (not committed); False when it was already followed.

    The watchlist starts now: earlier changes are not "new" for this reader.
    """
    if session.get(Watch, (user_id, page_id)) is not None:
        return False
    now = now or utcnow()
    session.add(Watch(user_id=user_id, page_id=page_id, created_at=now, last_seen_at=now))
    return True


def unwatch(session: Session, user_id: int, page_id: int) -> bool:
    """Stop following a page (not committed); False when it was not followed."""
    row = session.get(Watch, (user_id, page_id))
    if row is None:
        return False
    session.delete(row)
    return True


def watched_titles(session: Session, user_id: int, limit: int = 2000) -> list[Title]:
    """The live pages the user follows, by namespace and name."""
    rows = session.execute(
        select(Page.namespace, Page.name)
        .join(Watch, Watch.page_id == Page.id)
        .where(Watch.user_id == user_id, Page.deleted_at.is_(None))
        .order_by(Page.namespace, Page.name)
        .limit(limit)
    ).all()
    return [make_title(ns, name) for ns, name in rows]


def mark_seen(session: Session, user_id: int, now: datetime | None = None) -> int:
    """Everything on the user's watchlist is seen as of now (not committed)."""
    result = session.execute(
        update(Watch)
        .where(Watch.user_id == user_id)
        .values(last_seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass(frozen=True)
class NewComment:
    """A published discussion message on a followed page, newer than the last visit."""

    comment_id: int
    title: Title
    author_name: str
    created_at: datetime
    subject: str


def unseen_comments(session: Session, user_id: int, limit: int = 200) -> list[NewComment]:
    """Published messages by others on the pages the user follows, since the last visit."""
    published_at = func.coalesce(Comment.reviewed_at, Comment.created_at)
    rows = session.execute(
        select(
            Comment.id,
            Comment.created_at,
            Comment.subject,
            Page.namespace,
            Page.name,
            User.username,
        )
        .join(Page, Page.id == Comment.page_id)
        .join(Watch, (Watch.page_id == Comment.page_id) & (Watch.user_id == user_id))
        .outerjoin(User, User.id == Comment.author_id)
        .where(
            Comment.status == PUBLISHED,
            Page.deleted_at.is_(None),
            published_at > Watch.last_seen_at,
            (Comment.author_id != user_id) | Comment.author_id.is_(None),
        )
        .order_by(Comment.id.desc())
        .limit(limit)
    ).all()
    return [
        NewComment(cid, make_title(ns, name), username or "?", created, subject)
        for cid, created, subject, ns, name, username in rows
    ]


# ---------------------------------------------------------------------- notifications

#: the name of an actor the notification does not know
SOMEONE = N_("Quelqu'un")

#: what each kind of notification says (French; other languages from the catalog)
TEXTS: dict[str, str] = {
    "page-changed": N_("%(actor)s a modifié la page « %(page)s »."),
    "revision-approved": N_(
        "%(actor)s a accepté votre modification de la page « %(page)s » : elle est publiée."
    ),
    "revision-rejected": N_("%(actor)s a refusé votre modification de la page « %(page)s »."),
    "comment-posted": N_("%(actor)s a écrit dans la discussion de la page « %(page)s »."),
    "comment-approved": N_(
        "%(actor)s a accepté votre message dans la discussion de la page « %(page)s » : "
        "il est publié."
    ),
    "comment-rejected": N_(
        "%(actor)s a refusé votre message dans la discussion de la page « %(page)s »."
    ),
}
UNKNOWN_TEXT = N_("« %(page)s »")

#: how the extra words of a notification follow its sentence (an edit summary, a reason)
SUMMARY_FOLLOWS = N_("%(text)s Résumé : %(extra)s")
REASON_FOLLOWS = N_("%(text)s Motif : %(extra)s")
EXTRA_LABELS: dict[str, str] = {
    "page-changed": SUMMARY_FOLLOWS,
    "revision-rejected": REASON_FOLLOWS,
    "comment-rejected": REASON_FOLLOWS,
}

#: e-mail subjects
SUBJECTS: dict[str, str] = {
    "page-changed": N_("Page modifiée"),
    "revision-approved": N_("Modification acceptée"),
    "revision-rejected": N_("Modification refusée"),
    "comment-posted": N_("Nouveau message"),
    "comment-approved": N_("Message accepté"),
    "comment-rejected": N_("Message refusé"),
}

#: the e-mail of a notification, in each of :data:`MAIL_LANGUAGES` one after the other
MAIL_BODY = N_(
    "Bonjour %(name)s,\n\n%(text)s\n\nPour voir : %(link)s\n\n"
    "Vous recevez ce message parce que vous suivez cette page ou y avez contribué "
    "sur %(site)s. Vos pages suivies : %(watchlist)s\n"
)
#: what separates two languages in an e-mail ("-- English --")
MAIL_LANGUAGE_HEADING = N_("-- Français --")
MAIL_LANGUAGES = ("fr", "en")


def notification_text(
    kind: str, language: str, *, actor: str | None, page: str, extra: str = ""
) -> str:
    """The sentence of a notification in ``language`` (from the catalog)."""
    translate = catalog(language).gettext
    who = actor or translate(SOMEONE)
    text = translate(TEXTS.get(kind, UNKNOWN_TEXT)) % {"actor": who, "page": page}
    if extra and kind in EXTRA_LABELS:
        text = translate(EXTRA_LABELS[kind]) % {"text": text, "extra": extra}
    return text


def _talk_or_page(title: Title) -> Title:
    try:
        return title.talk_page()
    except TitleError:  # already a discussion, or a title too long for one
        return title


def notification_path(
    kind: str, title: Title | None, revision_id: int | None, comment_id: int | None
) -> str:
    """Where a notification leads, as a path of this wiki (``/wiki/...``)."""
    if title is None:
        return "/notifications"
    base = "/wiki/"
    if kind.startswith("comment-"):
        return base + _talk_or_page(title).url_path
    if kind == "page-changed" and revision_id is not None:
        return f"{base}{title.url_path}?action=diff&to={revision_id}"
    if kind == "revision-rejected" and revision_id is not None:
        return f"{base}{title.url_path}?revision={revision_id}"
    return base + title.url_path


@dataclass(frozen=True)
class NotificationItem:
    """A notification as its reader sees it."""

    id: int
    kind: str
    created_at: datetime
    read: bool
    title: Title | None
    actor_name: str | None
    extra: str
    revision_id: int | None
    comment_id: int | None

    def text(self, language: str) -> str:
        page = self.title.full if self.title is not None else "?"
        return notification_text(
            self.kind, language, actor=self.actor_name, page=page, extra=self.extra
        )

    @property
    def path(self) -> str:
        return notification_path(self.kind, self.title, self.revision_id, self.comment_id)


def list_notifications(
    session: Session, user_id: int, *, before: int | None = None, limit: int = 50
) -> tuple[list[NotificationItem], int | None]:
    """The user's notifications, newest first, and the cursor of the next page: one query."""
    stmt = (
        select(Notification, Page.namespace, Page.name, User.username)
        .outerjoin(Page, Page.id == Notification.page_id)
        .outerjoin(User, User.id == Notification.actor_id)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    rows = session.execute(stmt).all()
    items = [
        NotificationItem(
            id=note.id,
            kind=note.kind,
            created_at=note.created_at,
            read=note.read_at is not None,
            title=make_title(ns, name) if ns is not None else None,
            actor_name=username,
            extra=note.message,
            revision_id=note.revision_id,
            comment_id=note.comment_id,
        )
        for note, ns, name, username in rows[:limit]
    ]
    more = len(rows) > limit
    return items, (items[-1].id if more and items else None)


def unread_count(session: Session, user_id: int) -> int:
    """How many notifications the user has not read (one COUNT)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_all_read(session: Session, user_id: int, now: datetime | None = None) -> int:
    """Mark every unread notification of the user as read (not committed)."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# -------------------------------------------------------------------------- receivers


@dataclass(frozen=True)
class _Recipient:
    user_id: int
    username: str
    email: str | None


def _watchers(session: Session, page_id: int, excluded: set[int]) -> list[_Recipient]:
    """The active accounts following ``page_id``, but ``excluded``: one select."""
    stmt = (
        select(User.id, User.username, User.email)
        .join(Watch, Watch.user_id == User.id)
        .where(Watch.page_id == page_id, User.active.is_(True))
        .order_by(User.id)
    )
    if excluded:
        stmt = stmt.where(User.id.not_in(excluded))
    return [_Recipient(uid, name, email) for uid, name, email in session.execute(stmt)]


def _person(session: Session, user_id: int | None) -> _Recipient | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return _Recipient(user.id, user.username, user.email)


def _config(sender: Any) -> Mapping[str, Any]:
    """The settings of the app that sent a signal (the defaults outside any app)."""
    if isinstance(sender, Flask):
        return sender.config
    return current_app.config if has_app_context() else DEFAULTS


def _notify(
    config: Mapping[str, Any],
    session: Session,
    recipients: Iterable[_Recipient],
    *,
    kind: str,
    page: Page,
    actor_id: int | None,
    actor_name: str | None,
    extra: str = "",
    revision_id: int | None = None,
    comment_id: int | None = None,
) -> list[Notification]:
    """One notification per recipient (one ``add_all``) and their e-mails after commit."""
    people = list(recipients)
    if not people:
        return []
    now = utcnow()
    extra = (extra or "")[:500]
    notes = [
        Notification(
            user_id=person.user_id,
            created_at=now,
            kind=kind,
            actor_id=actor_id,
            page_id=page.id,
            revision_id=revision_id,
            comment_id=comment_id,
            message=extra,
        )
        for person in people
    ]
    session.add_all(notes)
    with_email = [person for person in people if person.email]
    if with_email and mailer.SmtpSettings.from_config(config) is not None:
        title = page.title
        root = mailer.site_root(config)
        link = root + notification_path(kind, title, revision_id, comment_id)
        mails = [
            _mail(config, root, person, kind, title, actor_name, extra, link)
            for person in with_email
        ]
        mailer.queue_mails(session, config, mails)
    return notes


def _mail(
    config: Mapping[str, Any],
    root: str,
    person: _Recipient,
    kind: str,
    title: Title,
    actor_name: str | None,
    extra: str,
    link: str,
) -> mailer.Mail:
    """A notification e-mail: French, then English, with an absolute link."""
    site = config.get("SITE_NAME") or "wikicoop"
    parts, subjects = [], []
    for language in MAIL_LANGUAGES:
        translate = catalog(language).gettext
        text = notification_text(kind, language, actor=actor_name, page=title.full, extra=extra)
        fields = {"name": person.username, "text": text, "link": link, "site": site}
        body = translate(MAIL_BODY) % {**fields, "watchlist": f"{root}/suivi"}
        parts.append(body if not parts else f"{translate(MAIL_LANGUAGE_HEADING)}\n\n{body}")
        subjects.append(translate(SUBJECTS.get(kind, "Notification")))
    body = "\n".join(parts)
    subject = f"[{site}] {' / '.join(subjects)} : {title.full}"
    return mailer.Mail(to=person.email or "", subject=subject, body=body)


def _follow_new_page(session: Session, revision: Any, page: Page) -> None:
    """Authors follow the pages they create."""
    if revision.parent_id is None and revision.author_id is not None:
        watch(session, revision.author_id, page.id, now=revision.created_at)


def on_revision_published(
    sender: Any, *, session: Session, revision: Any, page: Page, actor: Any = None, **_: Any
) -> None:
    """Watchers hear of the change; the author hears that a moderator approved it.

    (A moderator's change is marked patrolled by the write path: ``writing.publish``.)
    """
    config = _config(sender)
    _follow_new_page(session, revision, page)
    author_id = revision.author_id
    actor_id = getattr(actor, "id", None)
    author_name = revision.author.username if revision.author is not None else None
    excluded = {i for i in (author_id, actor_id) if i is not None}
    _notify(
        config,
        session,
        _watchers(session, page.id, excluded),
        kind="page-changed",
        page=page,
        actor_id=author_id,
        actor_name=author_name,
        extra=revision.summary,
        revision_id=revision.id,
    )
    if actor_id is not None and author_id is not None and actor_id != author_id:
        _notify(
            config,
            session,
            filter(None, [_person(session, author_id)]),
            kind="revision-approved",
            page=page,
            actor_id=actor_id,
            actor_name=actor.username,
            revision_id=revision.id,
        )


def on_revision_pending(
    sender: Any, *, session: Session, revision: Any, page: Page, **_: Any
) -> None:
    """A newcomer creating a page follows it even while it waits for review."""
    _follow_new_page(session, revision, page)


def _tell_author_why(
    sender: Any, session: Session, kind: str, author_id: int | None, page: Page,
    actor: Any, reason: str, **target: int,
) -> None:  # fmt: skip
    """The author of a declined revision or message is told, with the reason."""
    actor_id = getattr(actor, "id", None)
    if author_id is None or author_id == actor_id:
        return
    _notify(
        _config(sender),
        session,
        filter(None, [_person(session, author_id)]),
        kind=kind,
        page=page,
        actor_id=actor_id,
        actor_name=getattr(actor, "username", None),
        extra=reason,
        **target,
    )


def on_revision_rejected(
    sender: Any,
    *,
    session: Session,
    revision: Any,
    page: Page,
    actor: Any = None,
    reason: str = "",
    **_: Any,
) -> None:
    """The author is told that their change was declined, and why."""
    _tell_author_why(
        sender, session, "revision-rejected", revision.author_id, page, actor, reason,
        revision_id=revision.id,
    )  # fmt: skip


def on_comment_published(
    sender: Any, *, session: Session, comment: Any, page: Page, actor: Any = None, **_: Any
) -> None:
    """The page's watchers hear of a new message; its author hears it was approved."""
    config = _config(sender)
    author_id = comment.author_id
    actor_id = getattr(actor, "id", None)
    author_name = comment.author.username if comment.author is not None else None
    excluded = {i for i in (author_id, actor_id) if i is not None}
    _notify(
        config,
        session,
        _watchers(session, page.id, excluded),
        kind="comment-posted",
        page=page,
        actor_id=author_id,
        actor_name=author_name,
        comment_id=comment.id,
    )
    if actor_id is not None and author_id is not None and actor_id != author_id:
        _notify(
            config,
            session,
            filter(None, [_person(session, author_id)]),
            kind="comment-approved",
            page=page,
            actor_id=actor_id,
            actor_name=actor.username,
            comment_id=comment.id,
        )


def on_comment_rejected(
    sender: Any,
    *,
    session: Session,
    comment: Any,
    page: Page,
    actor: Any = None,
    reason: str = "",
    **_: Any,
) -> None:
    """The author is told that their message was declined, and why."""
    _tell_author_why(
        sender, session, "comment-rejected", comment.author_id, page, actor, reason,
        comment_id=comment.id,
    )  # fmt: skip


def init_app(app: Flask) -> None:
    """Connect the receivers (once per process: blinker keeps one entry per receiver)."""
    signals.revision_published.connect(on_revision_published)
    signals.revision_pending.connect(on_revision_pending)
    signals.revision_rejected.connect(on_revision_rejected)
    signals.comment_published.connect(on_comment_published)
    signals.comment_rejected.connect(on_comment_rejected)
