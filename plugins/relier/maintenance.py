"""Who links where: "what links here" with counts, and the maintenance lists (orphan,
wanted and dead-end pages, pages whose licence or authorship needs attention).

Each list is one query for its page of rows and one for its total, whatever the size of
the wiki (``NOT EXISTS`` on the indexed link table, never a loop over pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from wikicoop.core import history
from wikicoop.core.models import Page, PageLink, Revision
from wikicoop.text.licences import LICENCES
from wikicoop.text.titles import Title, make_title

#: namespaces whose pages are expected to be linked from somewhere
CONTENT_NAMESPACES = ("main", "portal")
#: pages that are entry points by nature (never orphans)
ENTRY_PAGES = ("Accueil",)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Row:
    """One line of a list: a title and, for some lists, a count or a reason."""

    title: Title
    count: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Listing:
    """A page of a list, with the total number of rows."""

    rows: Sequence[Row]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _live_published() -> list:
    return [
        Page.deleted_at.is_(None),
        Page.latest_revision_id.is_not(None),
        Page.redirect_target.is_(None),
    ]


def _paged(session: Session, stmt: Select, page: int, size: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(size).offset((page - 1) * size)).all()
    return rows, total


def _incoming_live():
    """``EXISTS`` a live page (not the page itself) linking to ``Page``."""
    source = aliased(Page)
    return exists().where(
        PageLink.target_namespace == Page.namespace,
        PageLink.target_name == Page.name,
        source.id == PageLink.source_page_id,
        source.deleted_at.is_(None),
        source.id != Page.id,
    )


def orphans(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Listing:
    """Content pages no other live page links to (the home page left out)."""
    stmt = (
        select(Page.namespace, Page.name)
        .where(
            *_live_published(),
            Page.namespace.in_(CONTENT_NAMESPACES),
            ~and_(Page.namespace == "main", Page.name.in_(ENTRY_PAGES)),
            ~_incoming_live(),
        )
        .order_by(Page.namespace, Page.name)
    )
    rows, total = _paged(session, stmt, page, size)
    return Listing([Row(make_title(ns, n)) for ns, n in rows], total, page, size)


def dead_ends(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Listing:
    """Content pages that link to no page."""
    stmt = (
        select(Page.namespace, Page.name)
        .where(
            *_live_published(),
            Page.namespace.in_(CONTENT_NAMESPACES),
            ~exists().where(PageLink.source_page_id == Page.id),
        )
        .order_by(Page.namespace, Page.name)
    )
    rows, total = _paged(session, stmt, page, size)
    return Listing([Row(make_title(ns, n)) for ns, n in rows], total, page, size)


def wanted(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Listing:
    """Missing pages, the most linked to first, with the number of live pages linking."""
    target = aliased(Page)
    count = func.count().label("n")
    stmt = (
        select(PageLink.target_namespace, PageLink.target_name, count)
        .join(Page, Page.id == PageLink.source_page_id)
        .where(
            Page.deleted_at.is_(None),
            ~exists().where(
                target.namespace == PageLink.target_namespace,
                target.name == PageLink.target_name,
                target.deleted_at.is_(None),
                target.latest_revision_id.is_not(None),
            ),
        )
        .group_by(PageLink.target_namespace, PageLink.target_name)
        .order_by(count.desc(), PageLink.target_namespace, PageLink.target_name)
    )
    rows, total = _paged(session, stmt, page, size)
    return Listing([Row(make_title(ns, n), c) for ns, n, c in rows], total, page, size)


def attention(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Listing:
    """Pages whose licence is not one the wiki knows (missing, "unknown", imported), or
    whose published versions name no author (only anonymous or unknown writers)."""
    known_author = exists().where(
        Revision.page_id == Page.id,
        Revision.status == "published",
        or_(Revision.author_id.is_not(None), Revision.author_ip.is_not(None)),
    )
    bad_licence = or_(Page.licence.is_(None), Page.licence.not_in(list(LICENCES)))
    stmt = (
        select(
            Page.namespace,
            Page.name,
            bad_licence.label("bad_licence"),
            (~known_author).label("no_author"),
        )
        .where(*_live_published(), or_(bad_licence, ~known_author))
        .order_by(Page.namespace, Page.name)
    )
    rows, total = _paged(session, stmt, page, size)
    listed = [
        Row(make_title(ns, n), reason="licence" if bad else "author") for ns, n, bad, _none in rows
    ]
    return Listing(listed, total, page, size)


@dataclass(frozen=True)
class Backlinks:
    """The live pages linking to a title, grouped by namespace, redirects marked."""

    groups: list[tuple[str, list[tuple[Title, bool]]]]
    total: int
    #: pages linking to a redirect among them (reaching the title through it)
    via: dict[Title, list[Title]] = field(default_factory=dict)


def backlinks(session: Session, title: Title) -> Backlinks:
    """What links to ``title`` (the core's one query), grouped by namespace, redirects
    flagged with the pages reaching the title through them."""
    rows = history.backlinks_with_redirects(session, title)
    groups: dict[str, list[tuple[Title, bool]]] = {}
    for source, redirect in rows:
        groups.setdefault(source.namespace, []).append((source, redirect))
    redirects = [source for source, redirect in rows if redirect]
    return Backlinks(list(groups.items()), len(rows), _through(session, redirects))


def _through(session: Session, redirects: list[Title]) -> dict[Title, list[Title]]:
    """The live pages linking to each of ``redirects``: one query per namespace."""
    via: dict[Title, list[Title]] = {}
    by_ns: dict[str, list[str]] = {}
    for title in redirects:
        by_ns.setdefault(title.namespace, []).append(title.name)
    for namespace, names in by_ns.items():
        rows = session.execute(
            select(PageLink.target_name, Page.namespace, Page.name)
            .join(Page, Page.id == PageLink.source_page_id)
            .where(
                PageLink.target_namespace == namespace,
                PageLink.target_name.in_(names),
                Page.deleted_at.is_(None),
            )
            .order_by(Page.namespace, Page.name)
        )
        for target, ns, name in rows:
            via.setdefault(make_title(namespace, target), []).append(make_title(ns, name))
    return via


def backlink_counts(session: Session, titles: Sequence[Title]) -> dict[tuple[str, str], int]:
    """How many live pages link to each of ``titles``: one query per namespace."""
    counts: dict[tuple[str, str], int] = {}
    by_ns: dict[str, list[str]] = {}
    for title in titles:
        by_ns.setdefault(title.namespace, []).append(title.name)
    for namespace, names in by_ns.items():
        rows = session.execute(
            select(PageLink.target_name, func.count())
            .join(Page, Page.id == PageLink.source_page_id)
            .where(
                PageLink.target_namespace == namespace,
                PageLink.target_name.in_(names),
                Page.deleted_at.is_(None),
            )
            .group_by(PageLink.target_name)
        )
        counts.update({(namespace, name): n for name, n in rows})
    return counts
