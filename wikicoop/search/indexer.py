"""Index updates off the request path: one queue and one background thread per process.

A save commits and answers; the ids of the pages it touched go into this queue, and a
thread of the same process brings their index entries in line with the database. So no
request ever waits for Whoosh's write lock, whichever process holds it and for how long.

The thread gathers the updates of :data:`GATHER_SECONDS` into one write (unless someone
waits for them: :meth:`Indexer.flush`): each Whoosh commit writes a segment, and a burst
of saves costs one commit instead of one each, so the thread takes the processor from
the requests of its process (same interpreter lock) a few times a second at most.

Nothing is forgotten:

- an update that cannot take the lock (:class:`~.whoosh_backend.IndexBusy`) or reach the
  database stays queued and is retried, with a growing pause;
- the pages are read from the database when they are written, never when queued, so a
  retry writes the latest state, and a batch whose pages changed while it was being
  written is queued again (the caller's ``apply`` says which);
- a process that dies with a queued update loses only that memory: the database still
  has the change, and the next "behind the database" check finds it. That check runs
  at start-up (``ensure_in_step``), when a process's indexing thread starts, and then
  at most every :data:`CHECK_SECONDS` while it runs;
- at interpreter exit the queue is flushed (for at most :data:`EXIT_FLUSH_SECONDS`).

Once it has written, and nothing came for :data:`TIDY_SECONDS`, the thread tidies the
index (the caller's ``tidy``: Whoosh merges the small segments the writes left). Merges
during a burst are rationed (:mod:`.maintenance`); without this last one, the segments of
a burst's end stayed until a later write, and every search read them all.

The thread stops after :data:`IDLE_SECONDS` without work and starts again with the next
update. A fork (gunicorn's workers) starts its own thread and queue: the parent's stay
with the parent.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from enum import Enum

from sqlalchemy.exc import OperationalError

from .activity import courteous
from .backend import SearchIndexError

log = logging.getLogger(__name__)

#: seconds without work after which the thread ends (it starts again when needed)
IDLE_SECONDS = 30.0
#: seconds the updates queued after a first one are gathered into its write
GATHER_SECONDS = 0.5
#: seconds without updates, after a write, before the thread tidies the index
TIDY_SECONDS = 2.0
#: at most one "index behind the database" check per process in this many seconds
CHECK_SECONDS = 600.0
#: first pause before a retry (doubled up to RETRY_MAX_SECONDS)
RETRY_SECONDS = 0.2
RETRY_MAX_SECONDS = 30.0
#: how long the exit of the interpreter waits for the queue
EXIT_FLUSH_SECONDS = 10.0

#: the failures that pass by themselves: a held lock, a missing index, a busy database
TRANSIENT_ERRORS = (SearchIndexError, OperationalError)

_live: weakref.WeakSet[Indexer] = weakref.WeakSet()


class _Task(Enum):
    """What the thread does next."""

    INDEX = "index"  # write a batch of pages
    CHECK = "check"  # look for pages the index is behind on
    TIDY = "tidy"  # after writes, once quiet: the caller's ``tidy``


class Indexer:
    """A queue of page ids and the thread that indexes them.

    Args:
        apply: brings the index entries of these pages in line with the database;
            returns the ids to queue again (pages that changed meanwhile). Raises a
            transient error (index busy or not ready, database unreachable) to be retried.
        behind: the ids of the pages whose index entries differ from the database.
        name: the thread's name, for logs.
        gather_seconds: how long updates are gathered into one write (0: none).
        tidy: run once quiet after writes (:data:`TIDY_SECONDS`); a transient error is
            left for the next time.
    """

    def __init__(
        self,
        apply: Callable[[set[int]], set[int]],
        behind: Callable[[], set[int]],
        *,
        name: str = "wikicoop-search-indexer",
        gather_seconds: float = GATHER_SECONDS,
        tidy: Callable[[], None] | None = None,
    ) -> None:
        self._apply, self._behind, self._name = apply, behind, name
        self._tidy = tidy
        self._gather_seconds = max(0.0, float(gather_seconds))
        self._reset()
        _live.add(self)

    def _reset(self) -> None:
        """Fresh state (also in a forked child: the parent's lock may be held there)."""
        self._cond = threading.Condition()
        self._pending: set[int] = set()
        self._first_queued = 0.0  # when the oldest pending update was queued
        self._waiting = 0  # flushes waiting: nothing is gathered meanwhile
        self._busy = False  # a batch or a check is running
        self._thread: threading.Thread | None = None
        self._last_check: float | None = None
        self._failures = 0
        self._untidy = False  # written since the last tidying
        self._closing = False  # close(): the thread ends once idle, with no check or tidying

    def submit(self, page_ids: Iterable[int]) -> None:
        """Queue these pages for indexing; returns at once."""
        ids = {int(i) for i in page_ids}
        if not ids:
            return
        with self._cond:
            if not self._pending:
                self._first_queued = time.monotonic()
            self._pending |= ids
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def flush(self, timeout: float | None = 60.0) -> bool:
        """Wait until every queued page is indexed; False if ``timeout`` ran out first.

        For tests and scripts that search right after a save, and for the exit.
        """
        with self._cond:
            self._waiting += 1
            self._cond.notify_all()  # a gathering thread writes at once
            try:
                return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)
            finally:
                self._waiting -= 1

    def close(self, timeout: float | None = 60.0, *, write_queued: bool = True) -> bool:
        """Index what is queued (dropped with ``write_queued=False``), then end the
        thread at once rather than after :data:`IDLE_SECONDS`, with no check and no
        tidying (a later :meth:`submit` starts a new thread). False if ``timeout``
        seconds were not enough for the queue.

        For the end of an app that the process outlives (tests, scripts): the thread
        holds the app until it ends.
        """
        with self._cond:
            self._closing = True
            if not write_queued:
                self._pending.clear()
            self._cond.notify_all()
        try:
            done = self.flush(timeout)  # what is queued, and the batch being written
            with self._cond:
                thread = self._thread
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
        finally:
            with self._cond:
                self._closing = False
        return done

    @property
    def pending(self) -> frozenset[int]:
        """The pages waiting to be indexed (not counting a batch being written)."""
        with self._cond:
            return frozenset(self._pending)

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    task = self._next_task()
                    if task is None:
                        return
                pause = self._work(*task)
                if pause:
                    with self._cond:
                        self._cond.wait(pause)  # woken early only by new work, retried anyway
        finally:  # normally a no-op; after an unexpected error, no flush waits forever
            with self._cond:
                if self._thread is threading.current_thread():
                    self._thread, self._busy = None, False
                    self._cond.notify_all()

    def _next_task(self) -> tuple[_Task, set[int]] | None:
        """Under the lock: the next task and its pages, None to stop (idle).

        The thread is "busy" until it has nothing at all to do, the check and the
        tidying included: a flush returns only then, so no work follows it.
        """
        now = time.monotonic()
        deadline = now + IDLE_SECONDS
        tidy_at = now + TIDY_SECONDS if self._untidy and self._tidy is not None else None
        while not self._pending and (self._closing or not self._check_due()):
            now = time.monotonic()
            if tidy_at is not None and now >= tidy_at and not self._waiting and not self._closing:
                self._busy, self._untidy = True, False
                return _Task.TIDY, set()
            self._busy = False
            self._cond.notify_all()
            if now >= deadline or self._closing:
                self._thread = None  # under the lock: the next submit starts a new one
                return None
            self._cond.wait(min(deadline, tidy_at or deadline) - now)
        self._busy = True
        if not self._pending:
            return _Task.CHECK, set()
        self._gather()
        if not self._pending:  # dropped while gathered (a close): nothing to write
            return self._next_task()
        batch, self._pending = self._pending, set()
        return _Task.INDEX, batch

    def _gather(self) -> None:
        """Under the lock: let the updates of the next moments join the pending ones,
        until :data:`GATHER_SECONDS` after the oldest, or at once when a flush waits."""
        while self._pending and not self._waiting:
            remaining = self._first_queued + self._gather_seconds - time.monotonic()
            if remaining <= 0:
                return
            self._cond.wait(remaining)

    def _check_due(self) -> bool:
        return self._last_check is None or time.monotonic() - self._last_check >= CHECK_SECONDS

    def _work(self, task: _Task, batch: set[int]) -> float:
        """Index ``batch``, run a check or tidy (``task``); the pause before the next one."""
        if task is _Task.TIDY:
            try:
                with courteous():
                    self._tidy()  # type: ignore[misc]  # (only planned with a tidy)
            except TRANSIENT_ERRORS as exc:  # the index busy elsewhere: the next writes ask again
                log.info("search index not tidied (%s)", exc)
            except Exception:
                log.exception("search index tidying failed")
            return 0.0
        try:
            with courteous():  # the requests of this process go first (activity.py)
                if batch:
                    again = self._apply(batch)
                    self._untidy = True
                else:
                    self._last_check = time.monotonic()
                    again = self._behind()
            if again and not batch:  # often another process's updates on their way: no alarm
                log.info("search index behind the database: %d page(s) queued", len(again))
        except TRANSIENT_ERRORS as exc:
            self._failures += 1
            pause = min(RETRY_SECONDS * 2 ** (self._failures - 1), RETRY_MAX_SECONDS)
            log.warning("search index update delayed (%s); retrying in %.1f s", exc, pause)
            self._requeue(batch)
            return pause
        except Exception:  # a bug: left to the next check rather than retried in a loop
            log.exception("search index update failed for pages %s", sorted(batch))
            return 0.0
        self._failures = 0
        self._requeue(again)
        return 0.0

    def _requeue(self, page_ids: set[int]) -> None:
        if page_ids:
            with self._cond:
                self._pending |= page_ids


def _after_fork_in_child() -> None:
    for indexer in list(_live):
        indexer._reset()


def _flush_at_exit() -> None:
    deadline = time.monotonic() + EXIT_FLUSH_SECONDS
    for indexer in list(_live):
        if not indexer.flush(max(0.0, deadline - time.monotonic())):
            log.warning("search index: %d page(s) left for the next start", len(indexer.pending))


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_flush_at_exit)
