"""Search, kept in step with the wiki.

The database is the source of truth; the index follows it. Every commit that touched a
page (a new revision, a rename, a deletion) re-indexes that page once the commit has
succeeded, so a save never fails because of the index. Whatever could not be indexed
then (a crash, a lock held too long) is found and repaired by :func:`ensure_in_step`,
which runs at start-up, and ``wikicoop reindex`` rebuilds everything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from ..db import engine_of
from ..models import Page, Revision
from ..signals import after_response
from .backend import SearchBackend
from .documents import document_for, is_searchable, searchable_pages

log = logging.getLogger(__name__)
_PENDING = "wikicoop.search.pending"


def init_app(app: Flask) -> None:
    """Open the app's search backend and follow the commits of its sessions."""
    from .whoosh_backend import WhooshBackend

    backend = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    app.extensions["wikicoop.search"] = backend
    maker = app.extensions["wikicoop.sessionmaker"]

    def after_commit(session: Session) -> None:
        page_ids = session.info.pop(_PENDING, None)
        if page_ids:
            sync_pages(app, page_ids)

    event.listen(maker, "after_flush", _remember_touched_pages)
    event.listen(maker, "after_commit", after_commit)
    event.listen(maker, "after_soft_rollback", _forget_touched_pages)


def search_backend() -> SearchBackend:
    """The current app's search backend."""
    return current_app.extensions["wikicoop.search"]


def _remember_touched_pages(session: Session, _flush_context: object) -> None:
    pending: set[int] = session.info.setdefault(_PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Revision):
            if obj in session.new and obj.status != "published":
                continue  # a version waiting for review changes nothing visitors find
            pending.add(obj.page_id)
        elif isinstance(obj, Page) and obj.id is not None and _search_fields_changed(obj):
            pending.add(obj.id)


#: the page columns an index entry depends on (``touched_at`` moves with every message)
_INDEXED_PAGE_FIELDS = (
    "namespace", "name", "deleted_at", "latest_revision_id", "redirect_target", "language",
    "licence",
)  # fmt: skip


def _search_fields_changed(page: Page) -> bool:
    state = inspect(page)
    if state.pending or state.deleted or state.was_deleted:
        return True
    return any(state.attrs[name].history.has_changes() for name in _INDEXED_PAGE_FIELDS)


def _forget_touched_pages(session: Session, _previous: object) -> None:
    session.info.pop(_PENDING, None)


def sync_pages(app: Flask, page_ids: Iterable[int]) -> None:
    """Bring these pages' index entries in line with the database (never raises)."""
    try:
        with Session(engine_of(app), expire_on_commit=False) as session:
            _sync(app, session, page_ids)
    except Exception:  # the commit already succeeded: the start-up check will repair
        log.exception("search index update failed for pages %s", sorted(page_ids))
        return
    _maintain_later(app)


def _maintain_later(app: Flask) -> None:
    """Run the backend's housekeeping once the response is sent (once per request)."""
    backend: SearchBackend = app.extensions["wikicoop.search"]
    if has_request_context():
        if g.get("_search_maintenance"):
            return
        g._search_maintenance = True
    after_response(lambda: _maintain(backend))


def _maintain(backend: SearchBackend) -> None:
    try:
        backend.maintain()
    except Exception:  # housekeeping only: the next save tries again
        log.exception("search index maintenance failed")


def _sync(app: Flask, session: Session, page_ids: Iterable[int]) -> None:
    backend: SearchBackend = app.extensions["wikicoop.search"]
    if backend.needs_rebuild():  # no index yet (or an old one): build it, these pages included
        rebuild(app)
        return
    renderer = app.extensions["wikicoop.renderer"]
    wanted = set(page_ids)
    documents, gone = [], set(wanted)
    for page in searchable_pages(session, wanted):
        if is_searchable(page, app.config):
            documents.append(document_for(session, renderer, page))
            gone.discard(page.id)
    if documents:
        backend.index_pages(documents)
    if gone:
        backend.remove_pages(gone)


def ensure_in_step(app: Flask, *, echo: Callable[[str], None] | None = None) -> int:
    """Repair an index that is missing, outdated or behind the database.

    Returns the number of pages (re)indexed or removed.
    """
    backend: SearchBackend = app.extensions["wikicoop.search"]
    if backend.needs_rebuild():
        if echo:
            echo("Index de recherche absent ou ancien : reconstruction…")
        return rebuild(app)
    with Session(engine_of(app)) as session:
        expected = {
            page.id: page.latest_revision_id
            for page in searchable_pages(session)
            if is_searchable(page, app.config)
        }
    indexed = backend.indexed_revisions()
    stale = {pid for pid, rid in expected.items() if indexed.get(pid) != rid}
    extra = set(indexed) - set(expected)
    if stale or extra:
        if echo:
            echo(f"Index de recherche en retard : {len(stale) + len(extra)} page(s) à jour.")
        sync_pages(app, stale | extra)
    return len(stale) + len(extra)


def rebuild(app: Flask, *, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database; returns the number of pages indexed."""
    backend: SearchBackend = app.extensions["wikicoop.search"]
    renderer = app.extensions["wikicoop.renderer"]
    with Session(engine_of(app), expire_on_commit=False) as session:
        total = session.scalar(select(func.count()).select_from(Page)) or 0
        count = 0

        def documents():
            nonlocal count
            for page in searchable_pages(session):
                if is_searchable(page, app.config):
                    count += 1
                    yield document_for(session, renderer, page)

        backend.rebuild(documents(), total=total, progress=progress)
    return count
