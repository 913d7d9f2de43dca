"""Which pages and revisions a reader may see: the one place that answers it for the
web views and the API (both call the guards below and only translate their refusals).

- Everyone sees published revisions.
- A hidden revision appears in history as a placeholder; its text is for moderators.
- A pending or rejected revision is seen by its author and by moderators.
- A deleted page exists only for those allowed ``view_deleted``; a page with no published
  version only for moderators and the people who wrote one of its revisions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from ..errors import ServiceError
from ..text.titles import Title
from . import moderation
from .accounts_state import Account
from .models import Page, Revision, User
from .permissions import can


class NotVisible(ServiceError):
    """A page or revision this reader may not see (404, or 403 for a hidden revision)."""


def viewer_user(actor: Any) -> User | None:
    """The account behind an :class:`Account` or a Flask-Login user object (None for
    visitors)."""
    if isinstance(actor, Account):
        actor = actor.user
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor if isinstance(actor, User) else None


def can_see_text(actor: Any, revision: Revision) -> bool:
    """Whether ``actor`` may read ``revision``'s text (and diffs involving it)."""
    return may_read(actor, revision.status, revision.author_id)


def may_read(actor: Any, status: str, author_id: int | None) -> bool:
    """:func:`can_see_text` from a revision's status and author alone (list rows)."""
    if status == moderation.PUBLISHED:
        return True
    if status == moderation.HIDDEN:
        return can(actor, "see_hidden")
    if can(actor, "view_pending"):
        return True
    user = viewer_user(actor)
    return user is not None and author_id == user.id


def page_exists_for(session: Session, page: Page, actor: Any) -> bool:
    """Whether ``page`` exists for ``actor``: not deleted (unless they may see deleted
    pages), and published, or ``actor`` moderates or wrote one of its revisions."""
    if not can(actor, "view", page):  # a deleted page, for all but admins
        return False
    if page.latest_revision_id is not None or can(actor, "view_pending"):
        return True
    return wrote_on(session, page, actor)


def _no_such_page(title: Title) -> NotVisible:
    return NotVisible("page-not-found", status=404, title=title.full)


def readable_page(session: Session, title: Title, actor: Any) -> Page:
    """The page under ``title`` if it exists for ``actor`` (:class:`NotVisible` 404 otherwise)."""
    from .revisions import find_page  # late: the write path may import this module

    page = find_page(session, title)
    if page is None or not page_exists_for(session, page, actor):
        raise _no_such_page(title)
    return page


def published_page(session: Session, title: Title, actor: Any) -> Page:
    """:func:`readable_page` with a published version (actions on the public page: its
    licence, renaming, deleting, restoring)."""
    page = readable_page(session, title, actor)
    if page.latest_revision_id is None:
        raise NotVisible("not-published", status=404, title=title.full)
    return page


def readable_revision(session: Session, page: Page, actor: Any, revision_id: object) -> Revision:
    """Revision ``revision_id`` of ``page`` if ``actor`` may read its text.

    Raises the write path's error for a malformed or foreign number (400/404), and
    :class:`NotVisible`: 403 for a hidden revision, 404 for another's pending or
    rejected one (which does not exist for this reader).
    """
    from .revisions import revision_of_page

    revision = revision_of_page(session, page, revision_id)
    if can_see_text(actor, revision):
        return revision
    if revision.status == moderation.HIDDEN:
        raise NotVisible("hidden", status=403)
    raise NotVisible("unknown-revision", status=404, id=revision.id)


def shown_revision(session: Session, page: Page, actor: Any) -> tuple[Revision | None, bool]:
    """The version of ``page`` shown to ``actor`` when no revision is asked for, and
    whether it waits for review: their own pending version, else the published one,
    else (a page nobody may see yet) the newest pending one for moderators."""
    pending = own_pending(session, page, actor)
    if pending is None and page.latest_revision_id is None and can(actor, "view_pending"):
        pending = newest_pending(session, page)
    if pending is not None:
        return pending, True
    return page.latest_revision, False


def listed_in_history(actor: Any) -> ColumnElement[bool]:
    """SQL condition on :class:`Revision`: the rows ``actor`` sees listed in a history
    (hidden ones are listed, as placeholders, when they had been public)."""
    if can(actor, "see_hidden"):
        return Revision.id.is_not(None)
    user = viewer_user(actor)
    public = or_(
        Revision.status == moderation.PUBLISHED,
        and_(Revision.status == moderation.HIDDEN, Revision.hidden_from == moderation.PUBLISHED),
    )
    if user is None:
        return public
    return or_(public, Revision.author_id == user.id)


def own_pending(session: Session, page: Page, actor: Any) -> Revision | None:
    """``actor``'s newest pending revision of ``page``, when newer than the public one."""
    user = viewer_user(actor)
    if user is None:
        return None
    stmt = (
        select(Revision)
        .where(
            Revision.page_id == page.id,
            Revision.author_id == user.id,
            Revision.status == moderation.PENDING,
        )
        .order_by(Revision.id.desc())
        .limit(1)
    )
    if page.latest_revision_id is not None:
        stmt = stmt.where(Revision.id > page.latest_revision_id)
    return session.scalars(stmt).first()


def newest_pending(session: Session, page: Page) -> Revision | None:
    """The newest pending revision of ``page`` (what a moderator previews)."""
    return session.scalars(
        select(Revision)
        .where(Revision.page_id == page.id, Revision.status == moderation.PENDING)
        .order_by(Revision.id.desc())
        .limit(1)
    ).first()


def pending_count(session: Session, page: Page) -> int:
    """How many revisions of ``page`` wait for review."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Revision)
            .where(Revision.page_id == page.id, Revision.status == moderation.PENDING)
        )
        or 0
    )


def wrote_on(session: Session, page: Page, actor: Any) -> bool:
    """Whether ``actor`` wrote a revision of ``page`` (an author may follow what became of
    a page nobody else sees yet: pending, or rejected)."""
    user = viewer_user(actor)
    if user is None:
        return False
    return (
        session.scalar(
            select(Revision.id)
            .where(Revision.page_id == page.id, Revision.author_id == user.id)
            .limit(1)
        )
        is not None
    )
