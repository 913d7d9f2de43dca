"""The search documents of a whole wiki, made by several processes (a full reindex).

Making a page's document means rendering its Markdown when no rendering is stored (most
of a reindex after an import), then extracting its words: plain Python, bound by one
core. ``wikicoop reindex`` therefore forks worker processes that each take a chunk of
page ids, read the pages with their own connections, render and store what is missing
(one commit per chunk) and send the documents back; the calling process only writes them
to the index (Whoosh's writer, or PostgreSQL's rows, whose text analysis then runs in
the database server's own process). Chunks come back in page order, and at most a few
are waiting at any time, so memory stays bounded whatever the wiki's size.

A backend whose writing is itself bound by one core (Whoosh analyses every word in the
writing process) is instead written in parts (:func:`write_in_workers`): each worker
also writes the documents it made into a part of the index of its own, and the calling
process only commits the parts together.

Workers are forked (they inherit the app, its plugins and its renderer) and drop the
inherited database connections first: a connection must never be shared by two
processes. With one worker everything happens in the calling process, as in tests and
at start-up.
"""

from __future__ import annotations

import os
import queue
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.db import engine_of
from ..core.models import Page
from .backend import IndexPart, SearchDocument
from .documents import FIELDS_EXTENSION, documents_for, is_searchable, page_batches

if TYPE_CHECKING:  # multiprocessing is loaded by a reindex only, not by every server
    from multiprocessing.pool import AsyncResult
    from multiprocessing.queues import Queue

#: pages a worker reads, renders and commits at a time
CHUNK_PAGES = 250
#: chunks sent ahead per worker (more only holds documents in memory)
CHUNKS_AHEAD = 2

#: the app the forked workers inherit (set by :func:`all_documents` before forking)
_worker_app: Flask | None = None


def default_workers() -> int:
    """Processes making documents by default: one per core, the calling process (which
    writes the index) sharing them."""
    return max(1, os.cpu_count() or 1)


def all_documents(app: Flask, *, workers: int = 1) -> Iterator[SearchDocument]:
    """The documents of every searchable page, by page id, made by ``workers`` processes."""
    chunks = _chunks_of_page_ids(app)
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield from _documents_of(app, chunk)
        return
    import multiprocessing

    global _worker_app
    _worker_app = app
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_forget_inherited_connections) as pool:
        waiting: deque[AsyncResult[list[SearchDocument]]] = deque()
        queued = iter(chunks)
        for chunk in queued:
            waiting.append(pool.apply_async(_worker_documents, (chunk,)))
            if len(waiting) >= workers * CHUNKS_AHEAD:
                break
        while waiting:
            documents = waiting.popleft().get()
            next_chunk = next(queued, None)
            if next_chunk is not None:
                waiting.append(pool.apply_async(_worker_documents, (next_chunk,)))
            yield from documents


def write_in_workers(
    app: Flask,
    new_part: Callable[[], IndexPart],
    *,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Any], int]:
    """Have ``workers`` forked processes write every searchable page into index parts.

    Each worker takes chunks of page ids from a common queue (the faster takes more),
    makes their documents and adds them to its part, made by ``new_part()`` in the
    worker. Returns what the parts' ``finish()`` gave and the number of documents;
    ``progress(n)`` is called with the running total after each chunk. A worker that
    fails (or dies) stops them all and raises :class:`RuntimeError` with its traceback.
    """
    import multiprocessing

    chunks = _chunks_of_page_ids(app)
    context = multiprocessing.get_context("fork")
    tasks: Queue[list[int] | None] = context.Queue()
    results: Queue[tuple[str, Any]] = context.Queue()
    processes = [
        context.Process(target=_write_part, args=(app, new_part, tasks, results), daemon=True)
        for _ in range(max(1, min(workers, len(chunks))))
    ]
    for process in processes:
        process.start()
    for chunk in chunks:
        tasks.put(chunk)
    for _ in processes:
        tasks.put(None)  # no more chunks: finish your part
    parts: list[Any] = []
    count = 0
    try:
        while len(parts) < len(processes):
            try:
                kind, value = results.get(timeout=1.0)
            except queue.Empty:
                if any(process.exitcode not in (None, 0) for process in processes):
                    raise RuntimeError("a reindex worker stopped without a word") from None
                continue
            if kind == "failed":
                raise RuntimeError(f"a reindex worker failed:\n{value}")
            if kind == "part":
                parts.append(value)
                continue
            count += value
            if progress is not None:
                progress(count)
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in processes:
            process.join()
    return parts, count


def _write_part(
    app: Flask,
    new_part: Callable[[], IndexPart],
    tasks: Queue[list[int] | None],
    results: Queue[tuple[str, Any]],
) -> None:
    """A worker of :func:`write_in_workers`: chunks in, documents written, the part out."""
    try:
        engine_of(app).dispose(close=False)  # the parent's connections stay the parent's
        part = new_part()
        try:
            while (chunk := tasks.get()) is not None:
                documents = _documents_of(app, chunk)
                part.add(documents)
                results.put(("written", len(documents)))
            results.put(("part", part.finish()))
        except BaseException:
            part.cancel()
            raise
    except BaseException:
        results.put(("failed", traceback.format_exc()))


def _chunks_of_page_ids(app: Flask) -> list[list[int]]:
    """Every page id, in order, in chunks of :data:`CHUNK_PAGES`."""
    with Session(engine_of(app), expire_on_commit=False) as session:
        ids = list(session.scalars(select(Page.id).order_by(Page.id)))
    return [ids[start : start + CHUNK_PAGES] for start in range(0, len(ids), CHUNK_PAGES)]


def _documents_of(app: Flask, page_ids: list[int]) -> list[SearchDocument]:
    """The documents of the searchable pages among ``page_ids`` (this process)."""
    renderer = app.extensions["wikicoop.renderer"]
    fields = app.extensions.get(FIELDS_EXTENSION)
    documents: list[SearchDocument] = []
    with app.app_context(), Session(engine_of(app), expire_on_commit=False) as session:
        for pages in page_batches(session, page_ids, batch=len(page_ids)):
            searchable = [page for page in pages if is_searchable(page, app.config)]
            documents.extend(documents_for(session, renderer, searchable, fields=fields))
    return documents


def _forget_inherited_connections() -> None:
    """In a new worker: open its own connections (the parent's stay the parent's)."""
    assert _worker_app is not None
    engine_of(_worker_app).dispose(close=False)


def _worker_documents(page_ids: list[int]) -> list[SearchDocument]:
    assert _worker_app is not None
    return _documents_of(_worker_app, page_ids)
