"""Page discussions: threads and flat replies, moderated like edits (pure service).

Each page has one discussion, shown at ``Discussion:<title>``; its messages are
:class:`~wikicoop.models.Comment` rows whose ``page_id`` is the *subject* page. A thread
starts with a message carrying a subject (``thread_id`` None); replies point at that
start (one level, like most forums).

A message is rendered and sanitized once, when written or edited, and stored in
``Comment.html``. Its status comes from :func:`wikicoop.moderation.decide` as for an
edit: ``published`` at once, or ``pending`` until a moderator approves it. Visitors see
published messages only; authors also see their own pending and rejected ones;
moderators see everything. Whenever a message becomes visible or stops being visible,
its subject page's ``touched_at`` moves, so whole-page caches keyed on it show the new
message count (the moderation service does the same when it approves or hides one).

Functions take the SQLAlchemy session and the app (for its settings, its renderer and
as the sender of :mod:`wikicoop.signals`), never the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..core import moderation, signals
from ..core.models import Comment, Page, Report, User, utcnow
from ..core.moderation import HIDDEN, PENDING, PUBLISHED, REJECTED
from ..core.permissions import can
from ..core.render_cache import render_text
from ..error_messages import N_
from ..errors import ServiceError

if TYPE_CHECKING:
    from flask import Flask

MAX_MESSAGE_CHARS = 20_000
MAX_SUBJECT_CHARS = 200
MAX_REPORT_DETAILS_CHARS = 400

#: C0 and C1 control characters other than tab, line feed and carriage return
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: why someone reports a message: code -> French label (the web layer translates it)
REPORT_REASONS: dict[str, str] = {
    "spam": N_("Publicité ou spam"),
    "abuse": N_("Insulte, harcèlement ou propos haineux"),
    "personal": N_("Informations personnelles sur quelqu'un"),
    "off-topic": N_("Hors sujet"),
    "other": N_("Autre raison"),
}


class DiscussionError(ServiceError):
    """A refused discussion act (see :class:`~wikicoop.errors.ServiceError`)."""


@dataclass
class Thread:
    """A thread as one reader sees it: its first message and the replies they may see.

    ``masked`` is True when the first message was hidden by a moderator and the reader
    is not one: only its place is shown (the replies stay readable).
    """

    start: Comment
    replies: list[Comment] = field(default_factory=list)
    masked: bool = False


# -- checking what people write -------------------------------------------------------


def without_control_characters(text: str) -> str:
    """``text`` minus the invisible control characters a message may not hold."""
    return _CONTROL_RE.sub("", text)


def _check_characters(text: str, what: str) -> None:
    """Refuse control characters and lone surrogates; ``what`` is the part checked
    (``message``, ``subject``, ``report``: the variant of the error's sentence)."""
    if _CONTROL_RE.search(text):
        raise DiscussionError("control-characters", variant=what)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. from a JSON "\ud800" escape
        raise DiscussionError("invalid-utf8", variant=what) from None


def clean_text(text: object) -> str:
    """A message's text, line endings normalised; :class:`DiscussionError` when unusable."""
    if not isinstance(text, str):
        raise DiscussionError("invalid-text", variant="message")
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if not text.strip():
        raise DiscussionError("empty-text", variant="message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise DiscussionError(
            "too-long", status=413, variant="message", length=len(text), max=MAX_MESSAGE_CHARS
        )
    _check_characters(text, "message")
    return text


def clean_subject(subject: object) -> str:
    """A thread's subject on one line; :class:`DiscussionError` when missing or unusable."""
    if subject is None:
        subject = ""
    if not isinstance(subject, str):
        raise DiscussionError("invalid-subject")
    subject = " ".join(subject.split())  # tabs and line breaks pasted in become spaces
    if not subject:
        raise DiscussionError("missing-subject")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise DiscussionError("subject-too-long", length=len(subject), max=MAX_SUBJECT_CHARS)
    _check_characters(subject, "subject")
    return subject


def _message_id(raw: object) -> int:
    """A message number from a form or a JSON body (400 when it is not one)."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise DiscussionError("invalid-thread")
    try:
        return int(raw)
    except ValueError:
        raise DiscussionError("invalid-thread") from None


def find_message(session: Session, message_id: int) -> Comment | None:
    """Message ``message_id`` (ids are 32-bit integers: a larger one cannot exist)."""
    return session.get(Comment, message_id) if 0 < message_id < 2**31 else None


# -- who sees what --------------------------------------------------------------------


def can_see(comment: Comment, viewer: User | None) -> bool:
    """Whether ``viewer`` (None: a visitor) may read ``comment``."""
    if comment.status == PUBLISHED or can(viewer, "moderate_comments"):
        return True
    return (
        viewer is not None
        and comment.author_id == viewer.id
        and comment.status in (PENDING, REJECTED)
    )


def list_threads(session: Session, page: Page, viewer: User | None) -> list[Thread]:
    """The threads of ``page``'s discussion as ``viewer`` sees them, oldest first, each
    with its replies oldest first (one query)."""
    moderator = can(viewer, "moderate_comments")
    stmt = select(Comment).where(Comment.page_id == page.id).order_by(Comment.id)
    if not moderator:
        visible = Comment.status == PUBLISHED
        if viewer is not None:
            own = and_(Comment.author_id == viewer.id, Comment.status.in_((PENDING, REJECTED)))
            visible = or_(visible, own)
        # hidden thread starts keep their place, so their replies still make sense
        masked_start = and_(Comment.thread_id.is_(None), Comment.status == HIDDEN)
        stmt = stmt.where(or_(visible, masked_start))
    threads: dict[int, Thread] = {}
    for comment in session.scalars(stmt):
        if comment.thread_id is None:
            masked = not moderator and comment.status == HIDDEN
            threads[comment.id] = Thread(comment, masked=masked)
        elif comment.thread_id in threads:
            threads[comment.thread_id].replies.append(comment)
    return [t for t in threads.values() if not t.masked or t.replies]


def count(session: Session, page_id: int) -> int:
    """How many published messages the discussion of page ``page_id`` holds."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Comment)
            .where(Comment.page_id == page_id, Comment.status == PUBLISHED)
        )
        or 0
    )


# -- writing --------------------------------------------------------------------------


def _require_author(author: User | None) -> User:
    if author is None:
        raise DiscussionError("login-required", status=401)
    return author


def _publish(
    session: Session,
    app: Flask,
    *,
    comment: Comment,
    page: Page,
    author: User,
    old_text: str,
    was: str | None,
    now: datetime,
) -> Comment:
    """Decide the status, render once, tell the listeners, commit."""
    decision = moderation.decide(
        session,
        app.config,
        author=author,
        namespace="talk",
        old_text=old_text,
        new_text=comment.text,
        now=now,
    )
    comment.status = decision.status
    comment.pending_reasons = decision.reasons_text
    comment.html = render_text(session, app.extensions["wikicoop.renderer"], comment.text).html
    if (decision.status == PUBLISHED) != (was == PUBLISHED):
        page.touched_at = now  # cached views of the page show the message count
    session.add(comment)
    session.flush()
    if decision.status != was:  # an edit that keeps the status tells nobody again
        published = decision.status == PUBLISHED
        signal = signals.comment_published if published else signals.comment_pending
        signal.send(app, session=session, comment=comment, page=page, actor=author)
    session.commit()
    return comment


def post_thread(
    session: Session,
    app: Flask,
    *,
    page: Page,
    author: User | None,
    subject: object,
    text: object,
    now: datetime | None = None,
) -> Comment:
    """Start a thread in ``page``'s discussion; the message is published or pending.

    Raises :class:`DiscussionError` for bad input and
    :class:`~wikicoop.moderation.WriteRefused` for a blocked author.
    """
    author = _require_author(author)
    now = now or utcnow()
    moderation.check_can_write(session, app.config, author, now=now)
    clean = clean_subject(subject), clean_text(text)
    comment = Comment(
        page_id=page.id, author_id=author.id, created_at=now, subject=clean[0], text=clean[1]
    )
    return _publish(
        session, app, comment=comment, page=page, author=author, old_text="", was=None, now=now
    )


def thread_for_reply(
    session: Session, page: Page, thread_id: object, viewer: User | None
) -> Comment:
    """The first message of the thread ``thread_id`` of ``page``, if one may answer it.

    A reply's id stands for its thread. Unknown (or unseen) threads are 404, a thread of
    another page 400, a thread hidden or rejected by the moderators 409.
    """
    start = find_message(session, _message_id(thread_id))
    if start is not None and start.thread_id is not None:
        start = session.get(Comment, start.thread_id)
    if start is None or not (can_see(start, viewer) or start.status == HIDDEN):
        raise DiscussionError("unknown-thread", status=404)
    if start.page_id != page.id:
        raise DiscussionError("foreign-thread")
    if start.status in (HIDDEN, REJECTED):
        raise DiscussionError("closed-thread", status=409)
    return start


def reply(
    session: Session,
    app: Flask,
    *,
    page: Page,
    thread_id: object,
    author: User | None,
    text: object,
    now: datetime | None = None,
) -> Comment:
    """Answer a thread of ``page``'s discussion; the reply is published or pending."""
    author = _require_author(author)
    now = now or utcnow()
    moderation.check_can_write(session, app.config, author, now=now)
    start = thread_for_reply(session, page, thread_id, author)
    clean = clean_text(text)
    comment = Comment(
        page_id=page.id, thread_id=start.id, author_id=author.id, created_at=now, text=clean
    )
    return _publish(
        session, app, comment=comment, page=page, author=author, old_text="", was=None, now=now
    )


def edit_refusal(
    comment: Comment, user: User | None, settings: Any, now: datetime | None = None
) -> DiscussionError | None:
    """Why ``user`` may not edit ``comment`` now, or None when they may.

    Only its author may, for ``COMMENT_EDIT_MINUTES`` minutes after posting, and not
    once the moderators hid or rejected it.
    """
    if user is None or comment.author_id != user.id:
        return DiscussionError("not-author", status=403)
    if comment.status in (HIDDEN, REJECTED):
        return DiscussionError("moderated", status=403)
    minutes = int(settings["COMMENT_EDIT_MINUTES"])
    if (now or utcnow()) - comment.created_at > timedelta(minutes=minutes):
        return DiscussionError("edit-expired", status=403, minutes=minutes)
    return None


def edit_message(
    session: Session,
    app: Flask,
    *,
    comment: Comment,
    editor: User | None,
    text: object,
    subject: object = None,
    now: datetime | None = None,
) -> Comment:
    """Change a message (and a thread's subject) within its author's editing window.

    The new text is moderated like a new message: a published message whose edit the
    rules would hold back goes back to pending. A pending message is judged as if it
    were new, so an edit cannot slip held-back links past the review.
    """
    now = now or utcnow()
    refusal = edit_refusal(comment, editor, app.config, now)
    if refusal is not None:
        raise refusal
    assert editor is not None
    moderation.check_can_write(session, app.config, editor, now=now)
    new_text = clean_text(text)
    new_subject = comment.subject
    if comment.thread_id is None and subject is not None:
        new_subject = clean_subject(subject)
    if new_text == comment.text and new_subject == comment.subject:
        return comment  # nothing changed: no "edited" mark
    was = comment.status
    old_text = comment.text if was == PUBLISHED else ""
    comment.text, comment.subject, comment.edited_at = new_text, new_subject, now
    return _publish(
        session,
        app,
        comment=comment,
        page=comment.page,
        author=editor,
        old_text=old_text,
        was=was,
        now=now,
    )


# -- reports --------------------------------------------------------------------------


def report_message(
    session: Session,
    *,
    comment: Comment,
    reporter: User | None,
    ip: str | None,
    reason: object,
    details: object = "",
) -> tuple[Report, bool]:
    """Flag a message for the moderators; it stays visible meanwhile.

    Returns the report and whether it is new: the same person (account, or address for
    a visitor) reporting the same message again gets their open report back.
    """
    if not isinstance(reason, str) or reason not in REPORT_REASONS:
        raise DiscussionError("invalid-reason", variant="report")
    if details is None:
        details = ""
    if not isinstance(details, str):
        raise DiscussionError("invalid-details")
    details = " ".join(without_control_characters(details).split())
    if len(details) > MAX_REPORT_DETAILS_CHARS:
        raise DiscussionError("details-too-long", max=MAX_REPORT_DETAILS_CHARS)
    _check_characters(details, "report")
    label = REPORT_REASONS[reason]
    who = Report.reporter_id == reporter.id if reporter else Report.reporter_ip == ip
    existing = session.scalars(
        select(Report).where(Report.comment_id == comment.id, Report.status == "open", who)
    ).first()
    if existing is not None:
        return existing, False
    report = Report(
        page_id=comment.page_id,
        comment_id=comment.id,
        reporter_id=reporter.id if reporter else None,
        reporter_ip=None if reporter else ip,
        # stored readable, in the wiki's first language, for the moderation queue
        reason=f"{label} : {details}" if details else label,
    )
    session.add(report)
    session.commit()
    return report, True
