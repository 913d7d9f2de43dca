"""The index writer: one process that writes the Whoosh index for every web worker.

``wikicoop run`` forks it from the master once gunicorn is set up (its ``when_ready``),
just before the workers: it shares the master's memory as they do, and the later the
fork, the fewer of the master's pages it keeps a private copy of (13.5 MiB of its own
when forked before gunicorn started, 5 MiB now). The workers send it the
ids of the pages their commits touched (:mod:`wikicoop.search.writer_link`); it runs
the indexing thread they would each have run (:class:`~wikicoop.search.indexer.Indexer`:
batches, retries, the periodic "behind the database" check, the tidying merges), at a
lower priority, each task in a short-lived child of its own (:func:`in_child`), so
that the writer's memory stays what it shares with the master. A save's answer then
never waits behind a Whoosh commit in its worker's interpreter: on PostgreSQL the
saves' p95 came from there (issue 14).

Its life follows the master's: killed with it (``die_with_parent``); at a clean stop the
master closes its end of the pipe once its workers are gone, and the writer writes what
it still holds, then ends (:meth:`IndexWriter.stop` waits for it). Ctrl+C and a
service manager's SIGTERM reach the whole process group: the writer ignores them and
ends with the pipe, so nothing it holds is dropped. If it dies, the workers' next send
fails and they index in their own process again, starting with a "behind" check that
finds what it held.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask

from .processes import die_with_parent, name_process, release_inherited_handles
from .search import attach_writer, index_pages, indexes_in_background, pages_behind, tidy_index
from .search.backend import SearchIndexError
from .search.indexer import EXIT_FLUSH_SECONDS, TRANSIENT_ERRORS, Indexer
from .search.maintenance import last_maintained, maintained_at
from .search.writer_link import WriterLink, read_page_ids

log = logging.getLogger(__name__)
T = TypeVar("T")

#: the writer's name in ps and top (and /proc/PID/comm)
PROCESS_NAME = "wikicoop-index"
#: the signals gunicorn's master handles (its handlers would reap the writer's children)
_MASTER_SIGNALS = tuple(
    getattr(signal, f"SIG{name}")
    for name in ["CHLD", "HUP", "QUIT", "TTIN", "TTOU", "USR1", "USR2", "WINCH"]
    if hasattr(signal, f"SIG{name}")
)
#: the writer's niceness: the workers' requests go first when the processors are busy
NICENESS = 5
#: how long the master's stop waits for the writer (it flushes for EXIT_FLUSH_SECONDS)
STOP_SECONDS = EXIT_FLUSH_SECONDS + 5.0


@dataclass
class IndexWriter:
    """The master's handle on the writer process."""

    pid: int
    link: WriterLink

    def stop(self, timeout: float = STOP_SECONDS) -> bool:
        """Close the master's end of the pipe (the workers' are closed: they are gone)
        and wait for the writer to write what it holds; False if it is still running
        after ``timeout`` seconds (it dies with the master anyway)."""
        self.link.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                pid, _status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # already reaped (gunicorn reaps every child)
                return True
            if pid:
                return True
            if time.monotonic() >= deadline:
                log.warning("search index writer still busy at the stop: left to the next start")
                return False
            time.sleep(0.05)


def start_index_writer(app: Flask, *, close_in_child: Iterable[int] = ()) -> IndexWriter | None:
    """Fork the index writer, and have this process and the ones it forks later send it
    their pages (in the master, before the workers). None when the search backend
    writes in each transaction (PostgreSQL's) or ``SEARCH_INDEX_WRITER`` is off.

    ``close_in_child``: descriptors the writer must not keep (the listening socket)."""
    if not app.config.get("SEARCH_INDEX_WRITER", True) or not indexes_in_background(app):
        return None
    master_pid = os.getpid()
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer
        status = 1
        try:
            os.close(writing)
            for fd in close_in_child:
                with contextlib.suppress(OSError):
                    os.close(fd)
            _write_index(app, reading, master_pid)
            status = 0
        except BaseException:
            log.exception("search index writer failed")
        finally:
            os._exit(status)  # never the master's exit handlers (gunicorn's, the pid file)
    os.close(reading)
    link = WriterLink(writing)
    attach_writer(app, link)
    log.info("search index writer started (pid %d)", pid)
    return IndexWriter(pid, link)


def _write_index(app: Flask, reading: int, master_pid: int) -> None:
    """The writer's life: index the pages that arrive until the pipe closes, then
    write what is still queued."""
    die_with_parent(master_pid)
    name_process(PROCESS_NAME)
    for signum in _MASTER_SIGNALS:  # gunicorn's handlers are the master's, not its own
        signal.signal(signum, signal.SIG_DFL)
    for signum in (signal.SIGINT, signal.SIGTERM):  # the master's stop ends it (pipe)
        signal.signal(signum, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    release_inherited_handles(app)
    indexer = Indexer(
        lambda page_ids: _index_in_child(app, page_ids),
        lambda: in_child(app, lambda: pages_behind(app)),
        name="wikicoop-index-writer",
        gather_seconds=app.config["SEARCH_INDEX_GATHER_SECONDS"],
        tidy=lambda: in_child(app, lambda: tidy_index(app)),
    )
    for page_ids in read_page_ids(reading):
        indexer.submit(page_ids)
    if not indexer.flush(EXIT_FLUSH_SECONDS):
        log.warning("search index: %d page(s) left for the next start", len(indexer.pending))


def _index_in_child(app: Flask, page_ids: set[int]) -> set[int]:
    """Index these pages in a child; the merges it made count for this process too
    (they are rationed, :mod:`wikicoop.search.maintenance`)."""
    again, merged_at = in_child(app, lambda: (index_pages(app, page_ids), last_maintained(app)))
    maintained_at(app, merged_at)
    return again


def in_child(app: Flask, work: Callable[[], T]) -> T:
    """Run ``work`` in a child process and return its result (or raise its error).

    The writer does each task in a child that ends with it: what indexing allocates
    (Whoosh's pools and merges, the analysis caches, the documents' texts) goes with
    the child, where the writer's own memory kept growing (its PSS 28 → 59–67 MiB over
    200–400 saves) however much of it was freed (Python's arenas stay pinned by a few live
    objects). A fork costs a few milliseconds; the child opens its own database
    connection and index. A transient error in the child (index busy, database gone)
    is raised here as :class:`~wikicoop.search.backend.SearchIndexError`, to be
    retried; another one was logged with its traceback by the child.
    """
    parent = os.getpid()
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's lines run in another process
        os.close(reading)
        outcome: tuple[str, object]
        try:
            die_with_parent(parent)
            release_inherited_handles(app)
            outcome = ("done", work())
        except TRANSIENT_ERRORS as error:
            outcome = ("transient", f"{type(error).__name__}: {error}")
        except BaseException as error:
            log.exception("search index writer: a task failed")
            outcome = ("failed", f"{type(error).__name__}: {error}")
        try:
            with os.fdopen(writing, "wb") as out:
                pickle.dump(outcome, out)
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("search index writer: a task's process died without an answer")
    kind, value = pickle.loads(data)
    if kind == "transient":
        raise SearchIndexError(str(value))
    if kind == "failed":
        raise RuntimeError(f"search index writer: {value}")
    return value  # type: ignore[return-value]
