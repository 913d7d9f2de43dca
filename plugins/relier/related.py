"""Related pages ("cousins"): the pages sharing the most outgoing links, categories and
field values with a page, with the reasons.

The cost does not grow with the wiki: link targets and categories with more than
:data:`HUB_SIZE` members are left out (a hub linked from 20,000 pages says nothing about
relatedness, like a stop word), and the scores are summed in SQL (one row per related
page, the best :func:`candidates` only) rather than one Python object per shared link.
Four queries: the scores, the pages of the same type (fields compared in Python), the
reasons of the best candidates, their titles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import AliasedClass

from wikicoop.core.models import CategoryMembership, Page, PageLink, Revision
from wikicoop.text.titles import Title, make_title

#: weight of each reason in the score
WEIGHTS = {"link": 1, "category": 2, "field": 2, "direct": 3}
MAX_REASONS = 5
#: field values too common to mean anything (empty, booleans)
_SKIPPED = {"", "true", "false", "none"}
#: a link target, category or page linked from more pages than this is a hub: shared
#: with thousands of pages, it says nothing about relatedness (and would cost one row
#: per member on every computation)
HUB_SIZE = 500
#: candidates kept per shown cousin before the reasons are read (ties, dead pages)
_MARGIN = 3


@dataclass
class Cousin:
    """A related page, its score and why."""

    page_id: int
    title: Title | None = None
    score: int = 0
    reasons: list[dict[str, str]] = field(default_factory=list)

    def add(self, kind: str, value: str) -> None:
        self.score += WEIGHTS[kind]
        if len(self.reasons) < MAX_REASONS * 3:
            self.reasons.append({"kind": kind, "value": value})


def _values(fields: dict[str, Any] | None) -> set[tuple[str, str]]:
    found = set()
    for name, value in (fields or {}).items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                text = str(item).strip()
                if text.casefold() not in _SKIPPED and len(text) <= 200:
                    found.add((name, text.casefold()))
    return found


def _small_target(link: AliasedClass[PageLink]) -> ColumnElement[bool]:
    """True when ``link``'s target is linked from at most HUB_SIZE pages (reads at most
    HUB_SIZE + 1 index entries, whatever the hub's size)."""
    other = aliased(PageLink)
    return ~(
        select(literal_column("1"))  # the index alone answers
        .where(
            other.target_namespace == link.target_namespace,
            other.target_name == link.target_name,
        )
        .limit(1)
        .offset(HUB_SIZE)
        .exists()
    )


def _small_category(membership: AliasedClass[CategoryMembership]) -> ColumnElement[bool]:
    """True when ``membership``'s category has at most HUB_SIZE members."""
    other = aliased(CategoryMembership)
    return ~(
        select(literal_column("1"))
        .where(other.category == membership.category)
        .limit(1)
        .offset(HUB_SIZE)
        .exists()
    )


def _text(value: str) -> ColumnElement[str]:
    """A constant written in the SQL itself (typed for PostgreSQL's UNION)."""
    return literal_column(f"'{value}'", String)


def _reasons(page: Page, linked_from_hub: bool, among: list[int] | None) -> list[Select[Any]]:
    """One SELECT per kind of reason: (related page id, kind, namespace, value, weight),
    for every related page or only those ``among`` the given ids."""
    mine, theirs = aliased(PageLink), aliased(PageLink)
    my_cat, their_cat = aliased(CategoryMembership), aliased(CategoryMembership)

    def of(kind: str) -> ColumnElement[int]:
        return literal_column(str(WEIGHTS[kind]), Integer).label("w")

    selects: list[tuple[Select[Any], ColumnElement[int]]] = [
        (
            select(
                theirs.source_page_id.label("pid"),
                _text("link").label("kind"),
                theirs.target_namespace.label("ns"),
                theirs.target_name.label("value"),
                of("link"),
            )
            .join(
                mine,
                and_(
                    mine.target_namespace == theirs.target_namespace,
                    mine.target_name == theirs.target_name,
                ),
            )
            .where(mine.source_page_id == page.id, theirs.source_page_id != page.id)
            .where(_small_target(mine)),
            theirs.source_page_id,
        ),
        (  # the page links to its cousin
            select(Page.id, _text("direct"), _text(""), _text("to"), of("direct"))
            .join(
                PageLink,
                and_(
                    PageLink.target_namespace == Page.namespace,
                    PageLink.target_name == Page.name,
                ),
            )
            .where(PageLink.source_page_id == page.id, Page.id != page.id),
            Page.id,
        ),
        (
            select(
                their_cat.page_id, _text("category"), _text(""), their_cat.category, of("category")
            )
            .join(my_cat, my_cat.category == their_cat.category)
            .where(my_cat.page_id == page.id, their_cat.page_id != page.id)
            .where(_small_category(my_cat)),
            their_cat.page_id,
        ),
    ]
    if not linked_from_hub:  # the cousin links to the page
        selects.append(
            (
                select(
                    PageLink.source_page_id, _text("direct"), _text(""), _text("from"), of("direct")
                ).where(
                    PageLink.target_namespace == page.namespace,
                    PageLink.target_name == page.name,
                    PageLink.source_page_id != page.id,
                ),
                PageLink.source_page_id,
            )
        )
    if among is None:
        return [query for query, _pid in selects]
    return [query.where(pid.in_(among)) for query, pid in selects]


def _field_matches(session: Session, page: Page) -> dict[int, list[str]]:
    """The pages of the page's type sharing field values with it: {id: ["name=value"]}."""
    revision = page.latest_revision
    if revision is None or not revision.page_type or not revision.fields:
        return {}
    own = _values(revision.fields)
    same_type = session.execute(
        select(Page.id, Revision.fields)
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(
            Revision.page_type == revision.page_type,
            Page.id != page.id,
            Page.deleted_at.is_(None),
        )
    )
    found = {}
    for pid, fields in same_type:
        shared = sorted(own & _values(fields))
        if shared:
            found[pid] = [f"{name}={value}" for name, value in shared]
    return found


def _linked_from_hub(session: Session, page: Page) -> bool:
    """Whether more than HUB_SIZE pages link to the page (reads at most HUB_SIZE + 2)."""
    linkers = session.execute(
        select(PageLink.source_page_id)
        .where(PageLink.target_namespace == page.namespace, PageLink.target_name == page.name)
        .limit(HUB_SIZE + 2)  # + the page itself, when it links to itself
    ).all()
    return sum(1 for (pid,) in linkers if pid != page.id) > HUB_SIZE


def related(session: Session, page: Page, limit: int = 10) -> list[Cousin]:
    """The ``limit`` best cousins of ``page`` (live pages, not redirects), best first.

    The best candidates by links and categories (summed in SQL) and by fields (compared
    in Python) are scored exactly from their reasons; a page outside both candidate
    lists could only win by adding up weak link and field scores.
    """
    hub = _linked_from_hub(session, page)
    wanted = limit * _MARGIN
    rows = union_all(*_reasons(page, hub, None)).subquery()
    score = func.sum(rows.c.w).label("score")
    # the best scores first, then only those joined to their pages (joined before the
    # cut, PostgreSQL hashed all the pages); a few more than wanted for the dead ones
    scores = (
        select(rows.c.pid, score)
        .group_by(rows.c.pid)
        .order_by(score.desc(), rows.c.pid)
        .limit(wanted * 2)
        .subquery()
    )
    by_links = session.scalars(
        select(scores.c.pid)
        .join(Page, Page.id == scores.c.pid)
        .where(
            Page.deleted_at.is_(None),
            Page.latest_revision_id.is_not(None),
            Page.redirect_target.is_(None),
        )
        .order_by(scores.c.score.desc(), Page.name, scores.c.pid)
        .limit(wanted)
    ).all()
    by_fields = _field_matches(session, page)
    best_fields = sorted(by_fields, key=lambda pid: -len(by_fields[pid]))[:wanted]
    among = list(dict.fromkeys([*by_links, *best_fields]))
    if not among:
        return []

    cousins = {pid: Cousin(pid) for pid in among}
    detail = union_all(*_reasons(page, hub, among)).subquery()
    for pid, kind, ns, value in session.execute(
        select(detail.c.pid, detail.c.kind, detail.c.ns, detail.c.value).order_by(
            detail.c.kind.desc(), detail.c.pid, detail.c.ns, detail.c.value
        )
    ):
        cousins[pid].add(kind, make_title(ns, value).full if kind == "link" else value)
    for pid in among:
        for value in by_fields.get(pid, ()):
            cousins[pid].add("field", value)

    titles = dict(
        (pid, make_title(ns, name))
        for pid, ns, name in session.execute(
            select(Page.id, Page.namespace, Page.name).where(
                Page.id.in_(among),
                Page.deleted_at.is_(None),
                Page.latest_revision_id.is_not(None),
                Page.redirect_target.is_(None),
            )
        )
    )
    shown = []
    for found in cousins.values():
        if found.page_id in titles:
            found.title = titles[found.page_id]
            shown.append(found)
    shown.sort(key=lambda c: (-c.score, c.title.full.casefold() if c.title else ""))
    return shown[:limit]
