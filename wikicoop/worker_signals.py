"""gunicorn's arbiter, whose new workers cannot miss a stop (and which runs a task of
the master's at each turn of its loop).

Between a worker's fork and the moment gunicorn installs the worker's own signal
handlers, the child still runs the master's: a SIGTERM that reaches it then is queued
for a master the child is not, and is lost. A service manager (and Ctrl+C, and the
bench) signals the whole process group at once; when that happens while the master
forks a worker (the start's second worker, or the fresh fork that replaces a worker
over its memory budget), that worker served on, and the stop waited for gunicorn's
30 s graceful timeout to kill it. Measured: one stop in about ten right after a
start's first answer took 30 s, and a supervisor that gave up earlier killed the master
before it could record the pages it kept (the next start then could not use them).

The stop signals are blocked in the master around each fork, so the child starts with
them held; the worker unblocks them as soon as its own handlers are installed, and a
stop that came meanwhile is then handled as any other.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

from gunicorn.arbiter import Arbiter

#: the signals that stop a gunicorn worker (quickly: INT, QUIT; gracefully: TERM)
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGQUIT})


class StopSafeArbiter(Arbiter):  # type: ignore[misc]
    """The arbiter of ``wikicoop run`` (and of the bench's Flask ceiling)."""

    #: called in the master at each turn of its loop (about once a second), after the
    #: signals that came were handled: ``wikicoop run``'s record of its quiet database
    #: (wikicoop.server.RecordWhenQuiet)
    on_idle: Callable[[], object] | None = None

    def manage_workers(self) -> None:
        super().manage_workers()
        if self.on_idle is not None:
            try:
                self.on_idle()
            except Exception:  # never the master's end: the task stops, the wiki serves on
                self.log.exception("the master's task failed; it is not run again")
                self.on_idle = None

    def setup(self, app: Any) -> None:
        super().setup(app)
        self.worker_class = _unblocking_once_ready(self.worker_class)

    def spawn_worker(self) -> int:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            return int(super().spawn_worker())
        finally:  # in the master; the child never comes back here but to exit
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _unblocking_once_ready(worker_class: type) -> type:
    """A subclass of ``worker_class`` that unblocks the stop signals once its handlers
    are installed (a stop held since the fork is then delivered to them)."""

    def init_signals(self: Any) -> None:
        worker_class.init_signals(self)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    return type(worker_class.__name__, (worker_class,), {"init_signals": init_signals})
