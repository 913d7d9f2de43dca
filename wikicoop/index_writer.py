"""The index writer: one process that writes the Whoosh index for every web worker.

``wikicoop run`` forks it from the master, once the app is built and warmed up and
before the workers: it shares the master's memory as they do. The workers send it the
ids of the pages their commits touched (:mod:`wikicoop.search.writer_link`); it runs
the indexing thread they would each have run (:class:`~wikicoop.search.indexer.Indexer`:
batches, retries, the periodic "behind the database" check, the tidying merges), at a
lower priority. A save's answer then never waits behind a Whoosh commit in its
worker's interpreter: on PostgreSQL the saves' p95 came from there (issue 14).

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
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask

from .processes import die_with_parent, name_process, release_inherited_handles
from .search import attach_writer, indexer_of, indexes_in_background
from .search.indexer import EXIT_FLUSH_SECONDS
from .search.writer_link import WriterLink, read_page_ids

log = logging.getLogger(__name__)

#: the writer's name in ps and top (and /proc/PID/comm)
PROCESS_NAME = "wikicoop-index"
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
    for signum in (signal.SIGINT, signal.SIGTERM):  # the master's stop ends it (pipe)
        signal.signal(signum, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    release_inherited_handles(app)
    indexer = indexer_of(app)
    for page_ids in read_page_ids(reading):
        indexer.submit(page_ids)
    if not indexer.flush(EXIT_FLUSH_SECONDS):
        log.warning("search index: %d page(s) left for the next start", len(indexer.pending))
