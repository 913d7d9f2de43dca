"""Which revisions a reader may see: the one place that answers it for views and the API.

- Everyone sees published revisions.
- A hidden revision appears in history as a placeholder; its text is for moderators.
- A pending or rejected revision is seen by its author and by moderators.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from . import moderation
from .models import Page, Revision, User


def viewer_user(actor: Any) -> User | None:
    """The account behind a Flask-Login user object (None for visitors)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor if isinstance(actor, User) else None


def can_see_text(actor: Any, revision: Revision) -> bool:
    """Whether ``actor`` may read ``revision``'s text (and diffs involving it)."""
    user = viewer_user(actor)
    if revision.status == moderation.PUBLISHED:
        return True
    if moderation.is_moderator(user):
        return True
    if revision.status == moderation.HIDDEN:
        return False
    return user is not None and revision.author_id == user.id


def listed_in_history(actor: Any) -> ColumnElement[bool]:
    """SQL condition on :class:`Revision`: the rows ``actor`` sees listed in a history
    (hidden ones are listed, as placeholders, when they had been public)."""
    user = viewer_user(actor)
    if moderation.is_moderator(user):
        return Revision.id.is_not(None)
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
