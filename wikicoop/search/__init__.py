"""Search, kept in step with the wiki.

The database is the source of truth; the index follows it. Every commit that touched a
page (a new revision, a rename, a deletion) re-indexes that page once the commit has
succeeded, so a save never fails because of the index. In a request the pages are
queued for the process's indexing thread (:mod:`.indexer`): the response goes out at
once, and no save waits for Whoosh's write lock, however long another process holds
it. A queued update that cannot take the lock is retried; what a dead process left in
its queue is found by the "index behind the database" check (:func:`ensure_in_step` at
start-up, and the indexing thread's periodic :func:`pages_behind`); ``wikicoop reindex``
rebuilds everything. Tests and scripts that search right after a save through the web
call :func:`wait_for_index` first.

With ``SEARCH_BACKEND=postgresql`` (:mod:`.pg_backend`) there is no indexing thread:
the entries of the pages a transaction touched are written by a ``before_commit``
listener, with the session's own connection, so they commit (or roll back) with the
revision. That write runs in a savepoint and never fails the save: an error is logged
and the page is caught up by :func:`ensure_in_step` (see docs/search.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, has_request_context
from sqlalchemy import event, func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..core.db import app_of, engine_of, sessionmaker_of
from ..core.models import Page, Revision
from ..core.render_cache import FORGOTTEN_RENDERS
from .activity import give_way
from .backend import RebuiltInParts, SearchBackend, SearchDocument
from .documents import FIELDS_EXTENSION as _FIELDS
from .documents import document_for, index_states, is_searchable, searchable_pages
from .fields import check_extra_fields, declared_fields, document_fields
from .indexer import Indexer
from .maintenance import maintain_later
from .parallel import all_documents, write_in_workers
from .writer_link import WriterLink

log = logging.getLogger(__name__)
#: where the app keeps its search backend (``app.extensions``; see :func:`backend_of`)
SEARCH_KEY = "wikicoop.search"
#: what makes the backend at its first use, and the lock of that first use
_MAKE_BACKEND = "wikicoop.search.make"
_PENDING = "wikicoop.search.pending"
_INDEXER = "wikicoop.search.indexer"
#: the pipe to the index writer process, when the server forked one (:mod:`.writer_link`)
_WRITER = "wikicoop.search.writer"
#: the pages touched by commits inside :func:`indexing_deferred` (None: index at once)
_DEFERRED: ContextVar[set[int] | None] = ContextVar("wikicoop_search_deferred", default=None)


def _page_types(app: Flask) -> Any:
    return app.extensions.get("wikicoop.page_types")


def _hooks(app: Flask) -> Any:
    manager = app.extensions.get("wikicoop.plugins")
    return getattr(manager, "hook", None)


def _document(app: Flask, session: Session, renderer: Any, page: Page) -> SearchDocument:
    """The search document of a page, with its structured fields' values."""
    return document_for(session, renderer, page, fields=app.extensions.get(_FIELDS))


def init_app(app: Flask) -> None:
    """Open the app's search backend and follow the commits of its sessions.

    The page types (:func:`wikicoop.page_types.init_app`, run before) and the plugins'
    ``search_fields()`` give the extra fields: another set is another index, rebuilt
    from the database on first use.
    """
    registry, hooks = _page_types(app), _hooks(app)
    app.extensions[_FIELDS] = document_fields(registry, hooks)
    maker = sessionmaker_of(app)
    if app.config.get("SEARCH_BACKEND") == "postgresql":
        from .pg_backend import PostgresBackend

        app.extensions[SEARCH_KEY] = PostgresBackend(
            engine_of(app), extra_fields=declared_fields(registry, hooks)
        )
        _follow_in_transaction(maker)
        return

    index_dir = app.config["SEARCH_INDEX_DIR"]
    # a plugin's bad field stops the start, as when the backend was made here
    extra_fields = check_extra_fields(declared_fields(registry, hooks))

    def whoosh_backend() -> SearchBackend:
        from .whoosh_backend import WhooshBackend

        return WhooshBackend(index_dir, extra_fields=extra_fields)

    # Whoosh (20 ms of imports) is loaded at the first use, not on the way to the start's
    # first answer (issue 14, point 4); the server loads it before forking its workers
    app.extensions[_MAKE_BACKEND] = (whoosh_backend, threading.Lock())
    app.extensions[_INDEXER] = Indexer(
        lambda page_ids: index_pages(app, page_ids),
        lambda: pages_behind(app),
        gather_seconds=app.config["SEARCH_INDEX_GATHER_SECONDS"],
        # the segments of a burst's last writes merged once it is over, in this process
        tidy=lambda: tidy_index(app),
    )

    event.listen(maker, "after_flush", _remember_touched_pages)
    event.listen(maker, "after_commit", _index_after_commit)
    event.listen(maker, "after_soft_rollback", _forget_touched_pages)


def _take_touched_pages(session: Session) -> set[int]:
    """The pages ``session`` touched since this was last asked (and forgets them)."""
    return session.info.pop(_PENDING, set()) | session.info.pop(FORGOTTEN_RENDERS, set())


def _index_after_commit(session: Session) -> None:
    """Whoosh: hand the pages a commit touched to the indexer (or to the deferring
    request, :func:`indexing_deferred`)."""
    page_ids = _take_touched_pages(session)
    if not page_ids:
        return
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.update(page_ids)
    else:
        index_later(app_of(session), page_ids)


#: set on a session while its search entries are being written (no re-entry)
_WRITING = "wikicoop.search.writing"


def _follow_in_transaction(maker: Any) -> None:
    """PostgreSQL: write the touched pages' entries in the transaction that touched them."""
    event.listen(maker, "after_flush", _remember_touched_pages)
    event.listen(maker, "before_commit", _write_before_commit)
    event.listen(maker, "after_commit", _sync_after_commit)
    event.listen(maker, "after_soft_rollback", _forget_touched_pages)


def _write_before_commit(session: Session) -> None:
    if session.info.get(_WRITING):
        return
    session.flush()  # the last changes' pages join the touched ones
    page_ids = _take_touched_pages(session)
    if page_ids:
        write_in_transaction(app_of(session), session, page_ids)


def _sync_after_commit(session: Session) -> None:
    # pages touched after the entries were written (by the commit's own flush)
    page_ids = _take_touched_pages(session)
    if page_ids:
        sync_pages(app_of(session), page_ids)


def write_in_transaction(app: Flask, session: Session, page_ids: Iterable[int]) -> bool:
    """Write these pages' PostgreSQL search entries in ``session``'s transaction.

    In a savepoint: an error (logged) leaves the entries as they were and the rest of
    the transaction intact, so a save never fails because of search; the page is then
    behind, which :func:`ensure_in_step` repairs. True when the entries were written.
    A lost connection is raised: the whole transaction is gone with it (the caller
    answers 503; swallowing it would only turn the commit into a confusing error).
    """
    from .pg_entries import remove_entries

    backend = backend_of(app)
    renderer = app.extensions["wikicoop.renderer"]
    wanted = set(page_ids)
    session.info[_WRITING] = True
    try:
        with session.begin_nested():
            documents = [
                _document_in_transaction(app, session, renderer, page)
                for page in searchable_pages(session, wanted)
                if is_searchable(page, app.config)
            ]
            connection = session.connection()
            backend.write(connection, documents)
            remove_entries(connection, wanted - {doc.page_id for doc in documents})
        return True
    except Exception as error:
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            raise  # the database went away: so did the save
        log.exception("search entries not written (repaired at start-up): pages %s", sorted(wanted))
        return False
    finally:
        session.info.pop(_WRITING, None)


def _document_in_transaction(
    app: Flask, session: Session, renderer: Any, page: Page
) -> SearchDocument:
    """:func:`.documents.document_for` without committing: the cached rendering if
    there is one, else a fresh one that is not stored (``cached_render`` commits, which
    cannot happen inside a commit; the page's next view stores it)."""
    from ..core.render_cache import _stored_render, contributors_until, render_text
    from .documents import plain_text

    revision = page.latest_revision
    assert revision is not None
    stored = _stored_render(session, revision.id, renderer.fingerprint)
    if stored is not None:
        html, categories, authors = stored.html, stored.categories, stored.authors
    else:
        fresh = render_text(session, renderer, revision.text)
        html, categories = fresh.html, tuple(fresh.categories)
        authors = tuple(contributors_until(session, page.id, revision.id))
    fields = app.extensions.get(_FIELDS)
    return SearchDocument(
        page_id=page.id,
        revision_id=revision.id,
        title=page.title.full,
        namespace=page.namespace,
        text=plain_text(html),
        categories=categories,
        licence=revision.licence,
        page_type=revision.page_type or "page",
        language=page.language if page.language in {"fr", "en"} else "fr",
        authors=authors,
        updated=revision.created_at,
        fields=dict(fields(page, revision)) if fields is not None else {},
    )


@contextmanager
def indexing_deferred(app: Flask) -> Iterator[None]:
    """Index the pages that the commits inside the block touch once, at its end, rather
    than after each commit: for bulk writes in one thread (seed pages, imports), where a
    Whoosh commit and merge per page would cost most of the time."""
    if _DEFERRED.get() is not None or not indexes_in_background(app):
        yield  # nested (the outer block indexes), or PostgreSQL (each commit wrote its own)
        return
    touched: set[int] = set()
    token = _DEFERRED.set(touched)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
        if touched:
            index_later(app, touched)


def search_backend() -> SearchBackend:
    """The current app's search backend."""
    return backend_of(current_app)


def backend_of(app: Flask) -> SearchBackend:
    """The search backend of ``app``, made at the first call (Whoosh's)."""
    backend = app.extensions.get(SEARCH_KEY)
    if backend is not None:
        return backend
    make, lock = app.extensions[_MAKE_BACKEND]
    with lock:
        if SEARCH_KEY not in app.extensions:
            app.extensions[SEARCH_KEY] = make()
        return app.extensions[SEARCH_KEY]


def close_backend(app: Flask) -> None:
    """Close ``app``'s search backend if it was made (its files, its connections)."""
    backend = app.extensions.get(SEARCH_KEY)
    if backend is not None:
        backend.close()


def close_search(app: Flask, timeout: float | None = 60.0, *, index_queued: bool = True) -> bool:
    """Index what this process queued for ``app`` (unless ``index_queued`` is False:
    an index thrown away with the app), end its indexing thread and close its backend;
    False if ``timeout`` seconds were not enough for the queue."""
    indexer = indexer_of(app) if indexes_in_background(app) else None
    done = True if indexer is None else indexer.close(timeout, write_queued=index_queued)
    close_backend(app)
    return done


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
    session.info.pop(FORGOTTEN_RENDERS, None)


def index_later(app: Flask, page_ids: Iterable[int]) -> None:
    """Bring these pages' index entries in line with the database, without waiting.

    In a request they go to the index writer process when the server started one
    (:func:`attach_writer`), else to the process's indexing thread: the response does
    not wait for Whoosh's lock. Elsewhere (the command line, scripts) they are indexed
    at once, and queued for a retry if that fails.
    """
    if has_request_context() and indexes_in_background(app):
        link = app.extensions.get(_WRITER)
        if link is None or not link.send(page_ids):
            indexer_of(app).submit(page_ids)
    else:
        sync_pages(app, page_ids)


def sync_pages(app: Flask, page_ids: Iterable[int]) -> None:
    """Index these pages now (never raises: what fails is queued for a retry)."""
    wanted = set(page_ids)
    try:
        again = index_pages(app, wanted)
    except Exception:  # the commit already succeeded: the indexing thread retries
        log.warning("search index update queued for a retry: pages %s", sorted(wanted))
        again = wanted
    if again and indexes_in_background(app):
        indexer_of(app).submit(again)
    elif again:  # PostgreSQL: no thread; ensure_in_step catches up at the next start
        log.warning("search entries behind the database: pages %s", sorted(again))


def wait_for_index(app: Flask | None = None, timeout: float | None = 60.0) -> bool:
    """Wait until every queued index update of this process is written.

    For tests and scripts that search right after a save through the web (saves answer
    before their pages are indexed). Not what the index writer process has: this waits
    for this process's own queue. False if ``timeout`` seconds were not enough (the
    index lock held by another process, say); the updates stay queued.
    """
    app = app or current_app._get_current_object()
    if not indexes_in_background(app):  # PostgreSQL: written with each commit
        return True
    return indexer_of(app).flush(timeout)


def indexes_in_background(app: Flask) -> bool:
    """Whether ``app``'s index is written after the commits, by an indexing thread
    (Whoosh), rather than in each transaction (PostgreSQL's search)."""
    return _INDEXER in app.extensions


def attach_writer(app: Flask, link: WriterLink) -> None:
    """Send the pages that requests touch to the index writer process at the other end
    of ``link`` (while it takes them: else this process indexes them, as without it)."""
    app.extensions[_WRITER] = link


def indexer_of(app: Flask) -> Indexer:
    """The app's queue of index updates (one per process)."""
    return app.extensions[_INDEXER]


def tidy_index(app: Flask) -> None:
    """Merge the small segments a burst of writes left (once the writes are over)."""
    backend_of(app).maintain(thorough=True)


def index_pages(app: Flask, page_ids: set[int]) -> set[int]:
    """Write these pages' index entries from the database; the ids to write again.

    Raises what the backend or the database raised. A page that changed while it was
    being written (another process may have written its newer state first, then been
    overwritten by this older one) is returned, to be written once more.
    """
    with app.app_context():
        with Session(engine_of(app), expire_on_commit=False) as session:
            written = _write(app, session, page_ids)
        with Session(engine_of(app)) as session:
            now = _index_states(app, session, written)
        maintain_later(app)  # merges: a job for `wikicoop worker`, or at once; never raises
    return {page_id for page_id, state in written.items() if now.get(page_id) != state}


#: text characters, and pages, written in one commit: between commits another process's
#: updates can take the write lock (a bulk import does not hold it for long)
_COMMIT_CHARS = 500_000
_COMMIT_PAGES = 100


def _write(app: Flask, session: Session, page_ids: set[int]) -> dict[int, int | None]:
    """Index or remove these pages; page id -> the revision written (None: removed)."""
    backend = backend_of(app)
    if backend.needs_rebuild():  # no index yet (or an old one): build it, these pages included
        rebuild(app)
        return {}
    renderer = app.extensions["wikicoop.renderer"]
    written: dict[int, int | None] = dict.fromkeys(page_ids)
    documents: list[SearchDocument] = []
    size = 0
    for page in searchable_pages(session, page_ids):
        if is_searchable(page, app.config):  # which pages visitors may find: one place
            give_way()  # the indexing thread lets this process's requests go first
            document = _document(app, session, renderer, page)
            documents.append(document)
            written[page.id] = document.revision_id
            size += len(document.text)
            if size >= _COMMIT_CHARS or len(documents) >= _COMMIT_PAGES:
                backend.index_pages(documents)
                documents, size = [], 0
    if documents:
        backend.index_pages(documents)
    gone = {page_id for page_id, revision_id in written.items() if revision_id is None}
    if gone:
        backend.remove_pages(gone)
    return written


def _index_states(
    app: Flask, session: Session, page_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """page id -> the revision the index should hold, for the searchable pages among
    ``page_ids`` (all pages when None)."""
    return index_states(session, app.config, page_ids)


def pages_behind(app: Flask) -> set[int]:
    """The pages whose index entry differs from the database (missing, stale or extra)."""
    backend = backend_of(app)
    with Session(engine_of(app)) as session:
        expected = _index_states(app, session)
    indexed = backend.indexed_revisions()
    stale = {page_id for page_id, rid in expected.items() if indexed.get(page_id) != rid}
    return stale | (set(indexed) - set(expected))


def ensure_index_built(app: Flask, *, echo: Callable[[str], None] | None = None) -> int:
    """Build the index when it is missing or was built with another schema version;
    returns the number of pages indexed (0 when it was there)."""
    backend = backend_of(app)
    if not backend.needs_rebuild():
        return 0
    if echo:
        echo("Index de recherche absent ou ancien : reconstruction…")
    return rebuild(app)


def ensure_in_step(app: Flask, *, echo: Callable[[str], None] | None = None) -> int:
    """Repair an index that is missing, outdated or behind the database.

    Returns the number of pages (re)indexed or removed.
    """
    backend = backend_of(app)
    if backend.needs_rebuild():
        return ensure_index_built(app, echo=echo)
    behind = pages_behind(app)
    if behind:
        if echo:
            echo(f"Index de recherche en retard : {len(behind)} page(s) à jour.")
        sync_pages(app, behind)
    return len(behind)


def rebuild(app: Flask, *, progress: Callable[[int], None] | None = None, workers: int = 1) -> int:
    """Rebuild the whole index from the database; returns the number of pages indexed.

    ``workers`` > 1 makes the pages' documents in that many forked processes
    (:mod:`.parallel`; ``wikicoop reindex`` uses one per core): they send them to this
    process, which writes the index, or, for a backend that is written in parts
    (Whoosh), each writes its own part and this process commits them together.
    """
    backend = backend_of(app)
    if workers > 1 and isinstance(backend, RebuiltInParts):
        written = 0

        def write_parts() -> list[Any]:
            nonlocal written
            parts, written = write_in_workers(
                app, backend.part_writer, workers=workers, progress=progress
            )
            return parts

        backend.rebuild_in_parts(write_parts)
        return written
    with Session(engine_of(app)) as session:
        total = session.scalar(select(func.count()).select_from(Page)) or 0
    count = 0

    def counted() -> Iterator[SearchDocument]:
        nonlocal count
        for document in all_documents(app, workers=workers):
            count += 1
            yield document

    backend.rebuild(counted(), total=total, progress=progress)
    return count
