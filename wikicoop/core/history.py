"""History queries: a page's revisions, authors, backlinks and category members.

Reads never commit: every function here only selects, so a view may call them in any
order, inside or outside a write. What writes (saving, deleting, relicensing) stands
on :mod:`wikicoop.core.revisions` and :mod:`wikicoop.core.writing`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased, defer

from ..text.titles import Title, make_title
from . import render_cache
from .models import CategoryMembership, Page, PageLink, Revision


@dataclass(frozen=True)
class HistoryRow:
    """A revision as the history page shows it, with the size change from its parent and
    the parent's status and author (whether the reader may open the diff with it)."""

    revision: Revision
    size_change: int
    parent_status: str | None = None
    parent_author_id: int | None = None


def history_rows(
    session: Session,
    page: Page,
    *,
    limit: int = 50,
    offset: int = 0,
    visible: ColumnElement[bool] | None = None,
) -> tuple[int, list[HistoryRow]]:
    """Newest-first revisions of ``page`` with size changes: two queries, no N+1.

    ``visible`` limits the rows to what a reader may see (see :mod:`wikicoop.visibility`).
    """
    condition = Revision.page_id == page.id
    if visible is not None:
        condition = and_(condition, visible)
    # counted and paged on the covering index ix_revisions_page_listing (no row read)
    total = session.scalar(select(func.count()).select_from(Revision).where(condition)) or 0
    shown = (
        select(Revision.id)
        .where(condition)
        .order_by(Revision.id.desc())
        .limit(limit)
        .offset(offset)
        .scalar_subquery()
    )
    parent = aliased(Revision)
    rows = session.execute(
        select(Revision, parent.size, parent.status, parent.author_id)
        # a history lists revisions, it never shows their texts: none is read (or
        # decompressed), so a page of 50 rows costs the same with 10 or 10,000 revisions
        .options(defer(Revision.text))
        .outerjoin(parent, parent.id == Revision.parent_id)
        # only the shown rows are read: the offset skips index entries, not rows
        .where(Revision.id.in_(shown))
        .order_by(Revision.id.desc())
    ).all()
    return total, [
        HistoryRow(rev, rev.size - (parent_size or 0), parent_status, parent_author_id)
        for rev, parent_size, parent_status, parent_author_id in rows
    ]


def page_authors(session: Session, page: Page) -> list[str]:
    """Everyone who wrote a revision of ``page``, in order of first contribution."""
    assert page.latest_revision_id is not None
    return render_cache.contributors_until(session, page.id, page.latest_revision_id)


def backlinks(session: Session, title: Title) -> list[Title]:
    """Live pages whose latest revision links to ``title``, by title."""
    return [source for source, _redirect in backlinks_with_redirects(session, title)]


def backlinks_with_redirects(session: Session, title: Title) -> list[tuple[Title, bool]]:
    """Live pages linking to ``title``, by title, each with whether it is a redirect
    (one query)."""
    rows = session.execute(
        select(Page.namespace, Page.name, Page.redirect_target.is_not(None))
        .join(PageLink, PageLink.source_page_id == Page.id)
        .where(
            PageLink.target_namespace == title.namespace,
            PageLink.target_name == title.name,
            Page.deleted_at.is_(None),
        )
        .order_by(Page.namespace, Page.name)
    ).all()
    return [(make_title(ns, name), bool(redirect)) for ns, name, redirect in rows]


def category_members(session: Session, category: str) -> list[Title]:
    """Live pages in a category, sorted by name."""
    rows = session.execute(
        select(Page.namespace, Page.name)
        .join(CategoryMembership, CategoryMembership.page_id == Page.id)
        .where(CategoryMembership.category == category, Page.deleted_at.is_(None))
        .order_by(CategoryMembership.sort_key, Page.namespace)
    ).all()
    return [make_title(ns, name) for ns, name in rows]
