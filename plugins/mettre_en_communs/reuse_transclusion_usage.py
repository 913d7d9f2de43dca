"""Keeping transclusions fresh: which page transcludes which (the table
``mettre_en_communs_transclusions``, Alembic branch ``mettre_en_communs_reuse``), and what
happens to the pages including a source when the source changes.

* The host's rows are rewritten when it is published (one read, then only the changes).
* When a source is published, deleted, renamed or gets another licence, the cached
  renders of the pages including it (directly, through a redirect, or one level further
  up, since a page shows its inclusions' inclusions) are dropped
  (:func:`wikicoop.core.render_cache.forget_renders`): three queries to find them, one
  to forget. Their stored licence conflicts about that source are brought up to date in
  the same pass (one read, then only the changes), never page by page.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from wikicoop.core import render_cache
from wikicoop.core.models import Page, utcnow
from wikicoop.text.titles import Title, TitleError, make_title, parse_title

from .licence_rules import conflict
from .licence_tables import licence_conflicts, metadata
from .reuse_transclusion import published_sources, transcluded_titles

#: one row per host page and title it transcludes (as written)
transclusions = Table(
    "mettre_en_communs_transclusions",
    metadata,
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True),
    Column("namespace", String(16), primary_key=True),
    Column("name", String(255), primary_key=True),
)

_READY: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def ready(session: Session) -> bool:
    """Whether the table exists (the branch upgraded); a yes is remembered per engine."""
    from sqlalchemy import inspect

    engine = session.get_bind()
    if _READY.get(engine):
        return True
    found = inspect(session.connection()).has_table(transclusions.name)
    if found:
        _READY[engine] = True
    return found


def record_usage(session: Session, page: Page, text: str) -> None:
    """Store the titles the host's new public version transcludes."""
    wanted = {title.key for title in transcluded_titles(text)}
    if page.redirect_target:  # a redirect shows its target, nothing of its own
        wanted = set()
    c = transclusions.c
    had = {
        (ns, name)
        for ns, name in session.execute(select(c.namespace, c.name).where(c.page_id == page.id))
    }
    gone, added = had - wanted, wanted - had
    if gone:
        session.execute(
            delete(transclusions).where(
                c.page_id == page.id,
                or_(*(and_(c.namespace == ns, c.name == name) for ns, name in sorted(gone))),
            )
        )
    if added:
        session.execute(
            insert(transclusions),
            [{"page_id": page.id, "namespace": ns, "name": name} for ns, name in sorted(added)],
        )


def forget_usage(session: Session, page: Page) -> None:
    """A deleted host includes nothing any more."""
    session.execute(delete(transclusions).where(transclusions.c.page_id == page.id))


def direct_hosts(session: Session, titles: list[Title]) -> list[tuple[int, str, str, str]]:
    """The live pages including one of ``titles``, by that title or through a redirect to
    it: ``(host id, host licence, namespace, name as written)``.

    The inclusions first, alone (a query a title), then their hosts by id. Joined to the pages
    in one query, SQLite read every page (``SCAN pages``, 85 ms on every save of a
    100,000-page wiki) before the small inclusions table.
    """
    included = list(  # one title at a time (a save has one, a rename two)
        dict.fromkeys(
            row
            for title in titles
            for row in session.execute(
                _inclusions_of_title(),
                {"namespace": title.namespace, "name": title.name, "full": title.full},
            )
        )
    )
    if not included:
        return []
    licences = dict(
        session.execute(
            select(Page.id, Page.licence).where(
                Page.id.in_(sorted({row[0] for row in included})), Page.deleted_at.is_(None)
            )
        ).all()
    )
    return [
        (host, licences[host], namespace, name)
        for host, namespace, name in included
        if host in licences
    ]


@functools.cache
def _inclusions_of_title() -> Select[tuple[int, str, str]]:
    """The inclusions of the title ``:namespace``, ``:name`` (``:full`` written whole),
    by that title or through a redirect to it. Built once: building it at each save took
    a tenth of the save's time."""
    c = transclusions.c
    redirect = aliased(Page)
    through = (
        select(redirect.id)
        .where(
            redirect.namespace == c.namespace,
            redirect.name == c.name,
            redirect.redirect_target == bindparam("full", type_=String),
        )
        .exists()
    )
    named = and_(
        c.namespace == bindparam("namespace", type_=String),
        c.name == bindparam("name", type_=String),
    )
    return select(c.page_id, c.namespace, c.name).where(or_(named, through))


def hosts_above(session: Session, ids: set[int]) -> set[int]:
    """The pages including one of the pages ``ids`` (they show its inclusions): one query."""
    if not ids:
        return set()
    c = transclusions.c
    rows = session.execute(
        select(c.page_id)
        .join(Page, and_(Page.namespace == c.namespace, Page.name == c.name))
        .where(Page.id.in_(sorted(ids)))
    )
    return {pid for (pid,) in rows}


def source_changed(
    session: Session, titles: list[Title], *, except_page: int | None = None
) -> None:
    """A page under one of ``titles`` was published, deleted, renamed or relicensed:
    drop the renders of the pages showing it and refresh their licence conflicts about it."""
    if not ready(session):
        return
    hosts = direct_hosts(session, titles)
    if not hosts:
        return
    ids = {host_id for host_id, *_ in hosts}
    ids |= hosts_above(session, ids)
    ids.discard(except_page)  # its render was just made, with the new text
    if ids:
        render_cache.forget_renders(session, ids)
    refresh_conflicts(session, hosts)


def refresh_conflicts(session: Session, hosts: list[tuple[int, str, str, str]]) -> None:
    """Bring the stored conflicts of these hosts about what they include up to date with
    the sources' current licences (one read of the sources, one of the stored rows, then
    only the changes)."""
    from .licence_checks import page_title
    from .licence_tables import has_table

    if not has_table(session, licence_conflicts.name):
        return
    titles = {(ns, name): make_title(ns, name) for _id, _licence, ns, name in hosts}
    sources = published_sources(session, list(titles.values()))
    licences = {key: (sources[key].licence if key in sources else None) for key in titles}
    wanted: dict[tuple[int, str], tuple[str, str, str]] = {}
    items: set[str] = set()
    for host_id, host_licence, ns, name in hosts:
        item = page_title(ns, name)
        items.add(item)
        code = licences[(ns, name)]
        reason = conflict(host_licence, code, kind="text") if code is not None else None
        if reason is not None:
            wanted[(host_id, item)] = (code or "unknown", host_licence, reason)
    c = licence_conflicts.c
    host_ids = sorted({host_id for host_id, *_ in hosts})
    stored = {
        (row.page_id, row.item): row
        for row in session.execute(
            select(licence_conflicts).where(
                c.page_id.in_(host_ids), c.item.in_(sorted(items)), c.kind == "text"
            )
        )
    }
    gone = [
        key
        for key, row in stored.items()
        if key not in wanted or wanted[key] != (row.item_licence, row.page_licence, row.reason)
    ]
    if gone:
        session.execute(
            delete(licence_conflicts).where(
                or_(*(and_(c.page_id == page_id, c.item == item) for page_id, item in gone))
            )
        )
    fresh = [key for key in wanted if key not in stored or key in gone]
    if fresh:
        now = utcnow()
        session.execute(
            licence_conflicts.insert(),
            [
                {
                    "page_id": page_id,
                    "item": item[:600],
                    "kind": "text",
                    "item_licence": wanted[(page_id, item)][0][:32],
                    "page_licence": wanted[(page_id, item)][1][:32],
                    "reason": wanted[(page_id, item)][2],
                    "revision_id": None,
                    "found_at": now,
                }
                for page_id, item in fresh
            ],
        )


# ------------------------------------------------------------------ the hooks' work


def on_published(session: Session, page: Page, text: str) -> None:
    """``page_published``: the page as a host (what it includes) and as a source."""
    if not ready(session):
        return
    record_usage(session, page, text)
    source_changed(session, [page.title], except_page=page.id)


def on_deleted(session: Session, page: Page) -> None:
    """``page_deleted``: it includes nothing; the pages including it show a red link."""
    if not ready(session):
        return
    forget_usage(session, page)
    source_changed(session, [page.title])


def on_renamed(session: Session, old_title: str, new_title: str) -> None:
    """``page_renamed``: the pages including the old or the new title change."""
    if not ready(session):
        return
    titles = []
    for raw in (old_title, new_title):
        try:
            titles.append(parse_title(raw, allow_fragment=False))
        except TitleError:
            continue
    if titles:
        source_changed(session, titles)
