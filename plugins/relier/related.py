"""Related pages ("cousins"): the pages sharing the most outgoing links, categories and
field values with a page, with the reasons. At most six queries, whatever the wiki's
size: the pages sharing an outgoing link, the pages it links to, the pages linking to
it, the pages sharing a category, the pages of its type (fields compared in Python),
then the titles of the best ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from wikicoop.core.models import CategoryMembership, Page, PageLink, Revision
from wikicoop.text.titles import Title, make_title

#: weight of each reason in the score
WEIGHTS = {"link": 1, "category": 2, "field": 2, "direct": 3}
MAX_REASONS = 5
#: field values too common to mean anything (empty, booleans)
_SKIPPED = {"", "true", "false", "none"}


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


def related(session: Session, page: Page, limit: int = 10) -> list[Cousin]:
    """The ``limit`` best cousins of ``page`` (live pages, not redirects), best first."""
    cousins: dict[int, Cousin] = {}

    def cousin(pid: int) -> Cousin:
        return cousins.setdefault(pid, Cousin(pid))

    mine = aliased(PageLink)
    theirs = aliased(PageLink)
    shared_links = session.execute(
        select(theirs.source_page_id, theirs.target_namespace, theirs.target_name)
        .join(
            mine,
            and_(
                mine.target_namespace == theirs.target_namespace,
                mine.target_name == theirs.target_name,
            ),
        )
        .where(mine.source_page_id == page.id, theirs.source_page_id != page.id)
    )
    for pid, ns, name in shared_links:
        cousin(pid).add("link", make_title(ns, name).full)

    # direct links, both ways
    out = session.execute(
        select(Page.id)
        .join(
            PageLink,
            and_(PageLink.target_namespace == Page.namespace, PageLink.target_name == Page.name),
        )
        .where(PageLink.source_page_id == page.id, Page.id != page.id)
    )
    for (pid,) in out:
        cousin(pid).add("direct", "to")  # the page links to its cousin
    incoming = session.execute(
        select(PageLink.source_page_id).where(
            PageLink.target_namespace == page.namespace,
            PageLink.target_name == page.name,
            PageLink.source_page_id != page.id,
        )
    )
    for (pid,) in incoming:
        cousin(pid).add("direct", "from")  # the cousin links to the page

    my_cat = aliased(CategoryMembership)
    their_cat = aliased(CategoryMembership)
    shared_categories = session.execute(
        select(their_cat.page_id, their_cat.category)
        .join(my_cat, my_cat.category == their_cat.category)
        .where(my_cat.page_id == page.id, their_cat.page_id != page.id)
    )
    for pid, category in shared_categories:
        cousin(pid).add("category", category)

    revision = page.latest_revision
    if revision is not None and revision.page_type and revision.fields:
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
        for pid, fields in same_type:
            for name, value in sorted(own & _values(fields)):
                cousin(pid).add("field", f"{name}={value}")

    if not cousins:
        return []
    best = sorted(cousins.values(), key=lambda c: -c.score)[: limit * 3]
    titles = dict(
        (pid, make_title(ns, name))
        for pid, ns, name in session.execute(
            select(Page.id, Page.namespace, Page.name).where(
                Page.id.in_([c.page_id for c in best]),
                Page.deleted_at.is_(None),
                Page.latest_revision_id.is_not(None),
                Page.redirect_target.is_(None),
            )
        )
    )
    shown = []
    for found in best:
        if found.page_id in titles:
            found.title = titles[found.page_id]
            shown.append(found)
    shown.sort(key=lambda c: (-c.score, c.title.full.casefold() if c.title else ""))
    return shown[:limit]
