"""A page's outgoing links and its categories, as stored for its public version.

The rows serve "what links here", red links, wanted pages and category listings; the
write path keeps them in step with each published revision and each rename.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    String,
    bindparam,
    delete,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from .models import CategoryMembership, Page, PageLink


def store(
    session: Session, page_id: int, links: set[tuple[str, str]], categories: dict[str, str]
) -> None:
    """Make the page's stored links and categories (``category -> sort key``) these.

    One query reads both; what changed is rewritten, what did not is left alone. Most
    edits change neither: a save then spends one round trip here instead of two
    deletes and two inserts (each a round trip on PostgreSQL, and dead rows to vacuum).
    """
    stored_links: set[tuple[str, str]] = set()
    stored_categories: dict[str, str] = {}
    for kind, first, second in session.execute(_stored_links_and_categories(), {"id": page_id}):
        if kind == "l":
            stored_links.add((first, second))
        else:
            stored_categories[first] = second
    if stored_links != links:
        rows = [
            {"source_page_id": page_id, "target_namespace": ns, "target_name": name}
            for ns, name in sorted(links)
        ]
        _rewrite(session, PageLink, PageLink.source_page_id == page_id, bool(stored_links), rows)
    if stored_categories != categories:
        rows = [
            {"page_id": page_id, "category": category, "sort_key": sort_key}
            for category, sort_key in categories.items()
        ]
        owned = CategoryMembership.page_id == page_id
        _rewrite(session, CategoryMembership, owned, bool(stored_categories), rows)


def _rewrite(
    session: Session,
    model: type[PageLink] | type[CategoryMembership],
    owned: ColumnElement[bool],
    had_rows: bool,
    rows: list[dict[str, Any]],
) -> None:
    """Replace the page's rows of ``model`` (those ``owned`` selects) by ``rows``."""
    if had_rows:
        session.execute(delete(model).where(owned))
    if rows:
        session.execute(insert(model), rows)


def sort_as_renamed(session: Session, page: Page) -> None:
    """List a renamed page in its categories under its new name (the sort key)."""
    session.execute(
        update(CategoryMembership)
        .where(CategoryMembership.page_id == page.id)
        .values(sort_key=page.name)
    )


@functools.cache
def _stored_links_and_categories() -> CompoundSelect:
    """The links (``"l"``, namespace, name) and categories (``"c"``, category, sort key)
    of the page ``:id``: built once, its SQL compiled once per database."""
    page_id = bindparam("id", type_=Integer)
    return (
        select(literal("l", String), PageLink.target_namespace, PageLink.target_name)
        .where(PageLink.source_page_id == page_id)
        .union_all(
            select(
                literal("c", String), CategoryMembership.category, CategoryMembership.sort_key
            ).where(CategoryMembership.page_id == page_id)
        )
    )
