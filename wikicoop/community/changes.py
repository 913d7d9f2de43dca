"""Recent changes, contributions and watchlists (newest-first lists of revisions), and
the patrol of published changes by moderators.

Pure service (a SQLAlchemy session and plain values, no Flask). Each page of results is
one query: revisions joined with their page, their author and their parent revision
(for the size change); the revision text is never read. Pages of results are cut with
a cursor, ``before`` = a revision id, which stays right while new revisions arrive.

Who may see what is decided by the caller, which fills :class:`ChangeFilter` (the
statuses shown, whether deleted pages are listed); this module only applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from ..core.models import Page, Revision, User, Watch, utcnow
from ..core.moderation import PUBLISHED, audit
from ..errors import ServiceError
from ..text.titles import Title, make_title

#: page types a change can be filtered on (plugins will add theirs; today every page is one)
PAGE_TYPES = ("page",)
#: ``minor=hide`` leaves minor edits out, ``minor=only`` shows nothing else
MINOR_FILTERS = ("hide", "only")
DEFAULT_LIMIT = 50
#: the page of a listed revision, looked up by :func:`page_matches`
LISTED = aliased(Page, name="listed_page")
MAX_LIMIT = 500


@dataclass(frozen=True)
class ChangeFilter:
    """Which revisions a list shows; every field narrows it.

    ``statuses``: the revision statuses shown (published only for visitors).
    ``watched_by``: only pages this user follows, changed since their last visit.
    ``before``: the cursor, only revisions with a smaller id.
    """

    statuses: tuple[str, ...] = (PUBLISHED,)
    namespace: str | None = None
    page_type: str | None = None
    author_id: int | None = None
    minor: str | None = None
    patrolled: bool | None = None
    include_deleted_pages: bool = False
    watched_by: int | None = None
    exclude_author_id: int | None = None
    before: int | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class Change:
    """One revision as a list of changes shows it."""

    revision_id: int
    page_id: int
    title: Title
    page_deleted: bool
    parent_id: int | None
    # the parent's status and author: whether a reader may open the diff with it
    parent_status: str | None
    parent_author_id: int | None
    author_id: int | None
    author_name: str
    created_at: datetime
    summary: str
    minor: bool
    size: int
    size_change: int
    status: str
    patrolled: bool
    action: str
    review_reason: str


@dataclass(frozen=True)
class ChangeList:
    """A page of changes and the cursor of the next (older) page, None at the end."""

    changes: list[Change]
    next_before: int | None


def page_matches(
    page_id: ColumnElement[int], *conditions: ColumnElement[bool]
) -> ColumnElement[bool]:
    """Whether the page ``page_id`` meets ``conditions`` (on :data:`LISTED`), as a lookup
    by primary key per revision.

    The same conditions written on the joined pages made SQLite (3.40) build a bloom
    filter over every page before reading the newest revisions: 60 ms instead of
    0.2 ms for 51 rows of a 100,000-page wiki. PostgreSQL plans both alike.
    """
    return exists().where(LISTED.id == page_id, *conditions)


def list_changes(session: Session, flt: ChangeFilter) -> ChangeList:
    """Revisions matching ``flt``, newest first, at most ``flt.limit``: one query."""
    if flt.page_type is not None and flt.page_type not in PAGE_TYPES:
        return ChangeList([], None)
    parent = aliased(Revision)
    stmt = (
        select(
            Revision.id,
            Revision.page_id,
            Revision.parent_id,
            Revision.author_id,
            Revision.author_ip,
            Revision.created_at,
            Revision.summary,
            Revision.minor,
            Revision.size,
            Revision.status,
            Revision.patrolled_at,
            Revision.action,
            Revision.review_reason,
            Page.namespace,
            Page.name,
            Page.deleted_at,
            User.username,
            parent.size,
            parent.status,
            parent.author_id,
        )
        .select_from(Revision)
        .join(Page, Page.id == Revision.page_id)
        .outerjoin(User, User.id == Revision.author_id)
        .outerjoin(parent, parent.id == Revision.parent_id)
        .order_by(Revision.id.desc())
        .limit(max(1, flt.limit) + 1)
    )
    if len(flt.statuses) == 1:
        stmt = stmt.where(Revision.status == flt.statuses[0])
    else:
        stmt = stmt.where(Revision.status.in_(flt.statuses))
    page_conditions = []
    if not flt.include_deleted_pages:
        page_conditions.append(LISTED.deleted_at.is_(None))
    if flt.namespace is not None:
        page_conditions.append(LISTED.namespace == flt.namespace)
    if page_conditions:
        stmt = stmt.where(page_matches(Revision.page_id, *page_conditions))
    if flt.author_id is not None:
        stmt = stmt.where(Revision.author_id == flt.author_id)
    if flt.minor == "hide":
        stmt = stmt.where(Revision.minor.is_(False))
    elif flt.minor == "only":
        stmt = stmt.where(Revision.minor.is_(True))
    if flt.patrolled is True:
        stmt = stmt.where(Revision.patrolled_at.is_not(None))
    elif flt.patrolled is False:
        stmt = stmt.where(Revision.patrolled_at.is_(None))
    if flt.watched_by is not None:
        # an approved revision reaches its watchers when it is published, not when written
        published_at = func.coalesce(Revision.reviewed_at, Revision.created_at)
        stmt = stmt.join(
            Watch, (Watch.page_id == Revision.page_id) & (Watch.user_id == flt.watched_by)
        ).where(published_at > Watch.last_seen_at)
    if flt.exclude_author_id is not None:
        stmt = stmt.where(
            (Revision.author_id != flt.exclude_author_id) | Revision.author_id.is_(None)
        )
    if flt.before is not None:
        stmt = stmt.where(Revision.id < flt.before)
    rows = session.execute(stmt).all()
    more = len(rows) > flt.limit
    changes = [_change(row) for row in rows[: flt.limit]]
    return ChangeList(changes, changes[-1].revision_id if more and changes else None)


def _change(row) -> Change:
    (
        rev_id,
        page_id,
        parent_id,
        author_id,
        author_ip,
        created_at,
        summary,
        minor,
        size,
        status,
        patrolled_at,
        action,
        review_reason,
        namespace,
        name,
        deleted_at,
        username,
        parent_size,
        parent_status,
        parent_author_id,
    ) = row
    return Change(
        revision_id=rev_id,
        page_id=page_id,
        title=make_title(namespace, name),
        page_deleted=deleted_at is not None,
        parent_id=parent_id,
        parent_status=parent_status,
        parent_author_id=parent_author_id,
        author_id=author_id,
        author_name=username or author_ip or "?",
        created_at=created_at,
        summary=summary,
        minor=minor,
        size=size,
        size_change=size - (parent_size or 0),
        status=status,
        patrolled=patrolled_at is not None,
        action=action,
        review_reason=review_reason,
    )


class PatrolError(ServiceError):
    """A refused patrol: a code, its parameters and the HTTP status (see
    :class:`~wikicoop.errors.ServiceError`)."""


@dataclass(frozen=True)
class PatrolOutcome:
    """Marking one revision as patrolled: ``done`` now, or it was ``already`` patrolled."""

    revision_id: int
    done: bool

    @property
    def already(self) -> bool:
        return not self.done


def _not_published(rev_id: int) -> PatrolError:
    return PatrolError("not-published", status=409, variant="patrol", id=rev_id)


def patrol(
    session: Session, revision_ids: list[int], actor: User, now: datetime | None = None
) -> list[PatrolOutcome]:
    """Mark published revisions as patrolled by ``actor``, each act audited (not committed).

    All or nothing: an unknown revision (404) or one that is not published (409) raises
    :class:`PatrolError` before anything is written. Each mark is a compare-and-set
    UPDATE, so when two moderators patrol the same change at once only one of them
    does it and is audited; the other is told it was already done.
    """
    ids = list(dict.fromkeys(revision_ids))
    found = {
        rev_id: (page_id, status)
        for rev_id, page_id, status in session.execute(
            select(Revision.id, Revision.page_id, Revision.status).where(Revision.id.in_(ids))
        )
    }
    for rev_id in ids:
        if rev_id not in found:
            raise PatrolError("unknown-revision", status=404, id=rev_id)
        if found[rev_id][1] != PUBLISHED:
            raise _not_published(rev_id)
    now = now or utcnow()
    outcomes = []
    for rev_id in ids:
        result = session.execute(
            update(Revision)
            .where(
                Revision.id == rev_id,
                Revision.patrolled_at.is_(None),
                Revision.status == PUBLISHED,
            )
            .values(patrolled_by_id=actor.id, patrolled_at=now)
        )
        done = result.rowcount == 1
        if not done:
            status = session.scalar(select(Revision.status).where(Revision.id == rev_id))
            if status != PUBLISHED:  # hidden or unpublished by someone in between
                raise _not_published(rev_id)
        if done:
            audit(session, actor, "patrol", "revision", rev_id, page_id=found[rev_id][0], now=now)
        outcomes.append(PatrolOutcome(rev_id, done))
    return outcomes
