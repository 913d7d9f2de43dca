"""Revisions and pages: the write path's building blocks and page acts.

Pure service: it takes a SQLAlchemy session and plain values, never Flask's request.
Saving, restoring and renaming are in :mod:`wikicoop.writing` (one edit object, one
``publish``); this module holds what they stand on — cleaning input, finding pages and
revisions, the compare-and-set move of a page's pointer (:func:`move_latest`) and the
retry of an act that lost a race (:func:`retrying`) — plus deleting, undeleting and
relicensing a page. The read-only queries (history, authors, backlinks, categories) are
in :mod:`wikicoop.core.history`.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import ServiceError
from ..rendering.pipeline import Renderer
from ..text.licences import LicenceError, get_licence, relicense_refusal_params
from ..text.titles import Title, TitleError, parse_title
from . import links_and_categories, moderation, render_cache
from .accounts_state import Account
from .models import Page, Revision, User, utcnow

MAX_SUMMARY_CHARS = 500
_SAVE_ATTEMPTS = 10
_REDIRECT_RE = re.compile(r"^\s*#(?:REDIRECTION|REDIRECT)\s*\[\[([^\]|#]+)", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class EditError(ServiceError):
    """A refused edit (see :class:`~wikicoop.errors.ServiceError`)."""


@dataclass(frozen=True)
class Author:
    """Who makes an edit: a user, or an address when anonymous editing is allowed.

    ``account``: the user's state already read by the caller (a request's), so that the
    write path does not read their block again; read afresh when None.
    """

    user: User | None
    ip: str | None = None
    account: Account | None = field(default=None, compare=False, repr=False)


def clean_text(text: object, max_bytes: int) -> str:
    """Normalise line endings and check a page text; raise :class:`EditError` when unusable."""
    if not isinstance(text, str):
        raise EditError("invalid-text")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").rstrip()
    if not text.strip():
        raise EditError("empty-text")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates, e.g. from a JSON "\ud800" escape
        raise EditError("invalid-utf8", variant="text") from None
    if size > max_bytes:
        raise EditError("too-large", status=413, size=size, max=max_bytes)
    return text + "\n"


def clean_summary(summary: object) -> str:
    """A one-line edit summary, control characters removed, at most 500 characters."""
    if summary is None:
        return ""
    if not isinstance(summary, str):
        raise EditError("invalid-summary")
    summary = " ".join(_CONTROL_RE.sub(" ", summary).split())
    try:
        summary.encode("utf-8")
    except UnicodeEncodeError:
        raise EditError("invalid-utf8", variant="summary") from None
    if len(summary) > MAX_SUMMARY_CHARS:
        raise EditError("summary-too-long", length=len(summary), max=MAX_SUMMARY_CHARS)
    return summary


def find_page(
    session: Session,
    title: Title,
    *,
    include_deleted: bool = True,
    for_update: bool = False,
    with_latest: bool = False,
) -> Page | None:
    """The page stored under ``title`` (deleted pages too unless asked otherwise).

    ``for_update`` locks the row until the transaction ends (PostgreSQL; SQLite has a
    single writer anyway), so concurrent saves of one page queue instead of racing.
    ``with_latest`` loads the latest revision in the same query (page views).
    """
    stmt = select(Page).where(Page.namespace == title.namespace, Page.name == title.name)
    if not include_deleted:
        stmt = stmt.where(Page.deleted_at.is_(None))
    if for_update:
        # read the row afresh even when this session already holds the page
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    if with_latest:
        # the text is only needed to render a revision that is not cached yet
        stmt = stmt.options(joinedload(Page.latest_revision).defer(Revision.text))
    return session.scalars(stmt).first()


def revision_of_page(session: Session, page: Page, revision_id: object) -> Revision:
    """Revision ``revision_id`` of ``page``, or :class:`EditError` (400/404) saying why not."""
    if isinstance(revision_id, bool) or not isinstance(revision_id, int | str):
        raise EditError("invalid-revision")
    try:
        number = int(revision_id)
    except ValueError:
        raise EditError("invalid-revision") from None
    # ids are 32-bit integers in the schema: a larger number cannot exist
    revision = session.get(Revision, number) if 0 < number < 2**31 else None
    if revision is None:
        raise EditError("unknown-revision", status=404, id=number)
    if revision.page_id != page.id:
        raise EditError("foreign-revision", id=number, title=page.title.full)
    return revision


def redirect_target_of(text: str) -> str | None:
    """The full title named by a ``#REDIRECTION [[Titre]]`` first line, if valid."""
    match = _REDIRECT_RE.match(text)
    if not match:
        return None
    try:
        return parse_title(match.group(1)).full
    except TitleError:
        return None


_T = TypeVar("_T")


def retrying(session: Session, attempt: Callable[[], _T]) -> _T:
    """Run the act ``attempt`` (which only flushes) as one transaction: commit what it
    did, roll it back when it refuses (a :class:`ServiceError`, raised again), and run it
    again from the start, after a rollback, when it lost a race: another writer moved the
    page's pointer (:class:`LostRace`) or created the same page first
    (``IntegrityError``). Gives up with :class:`EditError` 503."""
    for number in range(_SAVE_ATTEMPTS):
        if number:
            time.sleep(random.uniform(0, 0.005 * number))  # let the winner finish
        try:
            result = attempt()
            session.commit()  # also ends the row lock of an act that wrote nothing
            return result
        except (LostRace, IntegrityError):
            session.rollback()
        except ServiceError:
            session.rollback()  # nothing of a refused act stays, and the row lock ends
            raise
    raise EditError("busy", status=503)


class LostRace(Exception):
    """Another writer moved the page's latest revision (or deleted the page) between our
    read and our write: :func:`retrying` starts the attempt again."""


def base_of(session: Session, page: Page, base_revision_id: object) -> Revision:
    """The base revision of a save to ``page``, or :class:`EditError` saying why not."""
    try:
        return revision_of_page(session, page, base_revision_id)
    except EditError as err:
        if err.code == "foreign-revision":  # the old title now holds the redirect
            raise renamed_since(session, page.title, base_revision_id) or err from None
        raise


def renamed_since(session: Session, title: Title, base_revision_id: object) -> EditError | None:
    """409 naming the new title when the page the edit started from was renamed since
    (the edit was written on a page that has moved away); None otherwise."""
    try:
        number = int(base_revision_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    base = session.get(Revision, number) if 0 < number < 2**31 else None
    moved = session.get(Page, base.page_id) if base is not None else None
    if moved is None or moved.is_deleted or moved.title.key == title.key:
        return None
    renamed = session.scalar(
        select(Revision.id)
        .where(Revision.page_id == moved.id, Revision.action == "move", Revision.id > number)
        .limit(1)
    )
    if renamed is None:
        return None
    return EditError("page-renamed", status=409, title=title.full, new_title=moved.title.full)


def unreadable(revision: Revision) -> EditError:
    """The refusal of a base revision its writer may not read, worded as the API's reads
    are: a hidden one is hidden (403), another person's pending one does not exist (404)."""
    if revision.status == moderation.HIDDEN:
        return EditError("hidden", status=403, variant="base")
    return EditError("unknown-revision", status=404, id=revision.id)


def same_save_since(
    session: Session,
    page: Page,
    base: Revision | None,
    author: Author,
    text: str,
    page_type: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> Revision | None:
    """The revision ``author`` already saved with exactly ``text`` (and ``page_type`` and
    ``fields``) since ``base``, if any.

    A client whose reply was lost sends the same text from the same base again; merging
    it onto the page would apply its change twice where the merge cannot tell the two
    copies apart (a word changed inside a line someone else also edited). Recognising
    the retry is exact, and cheap: sizes are compared in SQL before any text.
    """
    if base is None or author.user is None:
        return None
    candidates = session.scalars(
        select(Revision)
        .where(
            Revision.page_id == page.id,
            Revision.id > base.id,
            Revision.author_id == author.user.id,
            Revision.size == len(text.encode("utf-8")),
            Revision.status.in_((moderation.PUBLISHED, moderation.PENDING)),
        )
        .order_by(Revision.id.desc())
        .limit(20)
    )
    return next(
        (
            revision
            for revision in candidates
            if (revision.text, revision.page_type, revision.fields) == (text, page_type, fields)
        ),
        None,
    )


def checked_licence(code: str) -> str:
    try:
        return get_licence(code).code
    except LicenceError as err:
        raise EditError("unknown-licence", **err.params) from None


def check_can_write(
    session: Session,
    settings: Mapping[str, Any],
    author: Author,
    page: Page | None,
    now: datetime,
) -> None:
    """:class:`EditError` 403 for a blocked author or a protected page."""
    try:
        moderation.check_can_write(
            session,
            settings,
            author.user,
            protection=page.protection if page is not None else "",
            now=now,
            account=author.account,
        )
    except moderation.WriteRefused as refused:
        raise EditError(refused.code, status=refused.status, **refused.params) from None


def move_latest(
    session: Session, page: Page, latest: Revision | None, revision: Revision, now: datetime
) -> None:
    """Compare-and-set the page's public revision from ``latest`` to ``revision``.

    The one way the pointer moves (saves, creations, renames, licence changes, approvals):
    ``UPDATE pages SET latest_revision_id = new WHERE latest_revision_id = seen AND the
    page is not deleted``. Raises :class:`LostRace` when another writer moved it (or
    deleted the page) first; :func:`retrying` then starts the act again from fresh data,
    so nobody's acknowledged revision is ever left off the page's chain.
    """
    expected = (
        Page.latest_revision_id.is_(None)
        if latest is None
        else Page.latest_revision_id == latest.id
    )
    moved = session.execute(
        update(Page)
        .where(Page.id == page.id, expected, Page.deleted_at.is_(None))
        .values(latest_revision_id=revision.id, touched_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise LostRace
    # the row now holds these values: no need to read it back
    set_committed_value(page, "latest_revision_id", revision.id)
    set_committed_value(page, "latest_revision", revision)
    set_committed_value(page, "touched_at", now)


def lock_page(session: Session, page_id: int) -> Page:
    """Page ``page_id`` read afresh and locked until the transaction ends (PostgreSQL).

    Raises :class:`EditError` 409 when it has been deleted meanwhile.
    """
    page = session.scalars(
        select(Page)
        .where(Page.id == page_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if page.is_deleted:
        raise deleted_error(page.title)
    return page


def deleted_error(title: Title) -> EditError:
    return EditError("page-deleted", status=409, title=title.full)


def was_published(revision: Revision) -> bool:
    """Published, or hidden after having been published."""
    return revision.status == moderation.PUBLISHED or (
        revision.status == moderation.HIDDEN and revision.hidden_from == moderation.PUBLISHED
    )


def published_root(session: Session, revision: Revision | None) -> Revision | None:
    """The published revision ``revision`` was built on: itself when published, else the
    first published one up its chain of parents (None for a page's pending creation)."""
    seen = 0
    while revision is not None and not was_published(revision) and seen < 10_000:
        revision = session.get(Revision, revision.parent_id) if revision.parent_id else None
        seen += 1
    return revision


def pending_drafts(session: Session, revision: Revision) -> list[Revision]:
    """The still-pending ancestors of ``revision`` by the same author (older drafts it
    continues), nearest first."""
    drafts = []
    parent_id = revision.parent_id
    while parent_id is not None:
        parent = session.get(Revision, parent_id)
        if (
            parent is None
            or parent.status != moderation.PENDING
            or parent.author_id != revision.author_id
        ):
            break
        drafts.append(parent)
        parent_id = parent.parent_id
    return drafts


def settle_drafts(
    session: Session,
    revision: Revision,
    status: str,
    *,
    reviewer: User | None,
    now: datetime,
    reason: str = "",
) -> None:
    """Give ``revision`` (when still pending) and its pending drafts the same outcome."""
    for draft in [revision, *pending_drafts(session, revision)]:
        if draft.status == moderation.PENDING:
            draft.status = status
            draft.reviewed_by_id = reviewer.id if reviewer is not None else None
            draft.reviewed_at = now
            draft.review_reason = reason


def new_revision(
    page: Page,
    *,
    parent: Revision | None,
    author: Author,
    text: str,
    summary: str,
    action: str,
    now: datetime,
    minor: bool = False,
    decision: moderation.Decision | None = None,
) -> Revision:
    """An immutable revision of ``page`` under the page's current licence (not yet added).

    Published unless ``decision`` says it waits for review.
    """
    decision = decision or moderation.Decision(moderation.PUBLISHED)
    return Revision(
        page_id=page.id,
        parent_id=parent.id if parent else None,
        author_id=author.user.id if author.user else None,
        author_ip=None if author.user else author.ip,
        created_at=now,
        summary=summary,
        minor=minor,
        size=len(text.encode("utf-8")),
        text=text,
        licence=page.licence,
        action=action,
        status=decision.status,
        pending_reasons=decision.reasons_text[:200],  # the column's size
    )


def apply_published_revision(
    session: Session, renderer: Renderer, page: Page, revision: Revision, *, new: bool = False
) -> None:
    """Render the page's new public revision once, and refresh its links and categories.

    ``new``: the revision was inserted in this transaction, so no rendering of it can be
    stored yet (its row is inserted without looking for one first: a query less a save).
    """
    rendered = render_cache.render_text(session, renderer, revision.text)
    render_cache.store_render(session, revision, rendered, first=new)
    page.redirect_target = redirect_target_of(revision.text)
    links = set(rendered.links)
    if page.redirect_target:
        links.add(parse_title(page.redirect_target).key)
    links_and_categories.store(
        session, page.id, links, dict.fromkeys(rendered.categories, page.name)
    )


def delete_page(session: Session, *, page: Page, actor: User, reason: object = "") -> None:
    """Soft-delete: the page and its history stay in the database, hidden from visitors."""
    if page.is_deleted:
        raise EditError("already-deleted", status=409)
    page.deleted_at = utcnow()
    page.deleted_by_id = actor.id
    page.deletion_reason = clean_summary(reason)
    render_cache.invalidate_linking_to(session, page.title)
    moderation.audit(
        session, actor, "delete", "page", page.id, page_id=page.id, reason=page.deletion_reason
    )
    session.commit()


def undelete_page(
    session: Session, *, page: Page, actor: User | None = None, reason: object = ""
) -> None:
    """Bring a soft-deleted page back, with its whole history (``reason`` goes to the
    audit log)."""
    if not page.is_deleted:
        raise EditError("not-deleted", status=409)
    page.deleted_at = None
    page.deleted_by_id = None
    page.deletion_reason = None
    render_cache.invalidate_linking_to(session, page.title)
    moderation.audit(
        session, actor, "undelete", "page", page.id, page_id=page.id, reason=clean_summary(reason)
    )
    session.commit()


def change_licence(
    session: Session,
    *,
    page: Page,
    new_code: str,
    author: Author,
    reason: object = "",
) -> Revision:
    """Move a page to another licence, if every contributor's terms are kept.

    Recorded as a new revision (same text, type and fields, new licence) so the history
    shows it, and in the audit log with ``reason``. Owns its transaction (it retries):
    commits.
    """
    code = checked_licence(new_code)
    why = clean_summary(reason)
    page_id = page.id

    return retrying(
        session,
        lambda: _try_change_licence(session, lock_page(session, page_id), code, author, why),
    )


def _try_change_licence(
    session: Session, page: Page, code: str, author: Author, reason: str
) -> Revision:
    """One attempt at :func:`change_licence` on the freshly read, locked ``page``."""
    refusal = relicense_refusal_params(page.licence, code)
    if refusal is not None:
        raise EditError("licence-incompatible", status=409, **refusal)
    latest = page.latest_revision
    assert latest is not None
    if code == page.licence:
        raise EditError("same-licence")
    old_code = page.licence
    old = get_licence(old_code).short_name
    now = utcnow()
    page.licence = code
    revision = new_revision(
        page,
        parent=latest,
        author=author,
        text=latest.text,
        summary=(
            f"Licence changée : {old} → {get_licence(code).short_name}"
            + (f" ({reason})" if reason else "")
        )[:MAX_SUMMARY_CHARS],
        action="relicense",
        now=now,
        minor=True,
    )
    revision.page_type, revision.fields = latest.page_type, latest.fields
    session.add(revision)
    session.flush()
    move_latest(session, page, latest, revision, now)
    moderation.audit(
        session,
        author.user,
        "relicense",
        "page",
        page.id,
        page_id=page.id,
        reason=reason,
        old=old_code,
        new=code,
    )
    return revision
