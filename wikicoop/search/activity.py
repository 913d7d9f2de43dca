"""The requests this process is answering, and the indexing thread's courtesy to them.

A process's indexing thread shares the interpreter lock with the threads answering its
requests: while it analyses a batch of pages, a save answered meanwhile takes up to twice
as long (the lock changes hands every few milliseconds). So the web layer counts the
requests in flight (:data:`REQUESTS`), and the indexing thread, between two pages,
waits while there are any: for at most :data:`GIVE_WAY_SECONDS` per batch, so that a
process that is never idle still indexes, only later.

Threads other than the indexing thread never wait (:func:`give_way` returns at once):
a command that reindexes, or a test that writes the index itself, runs at full speed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: most seconds a batch waits for requests in all (after that it runs beside them)
GIVE_WAY_SECONDS = 2.0
#: seconds between two looks at the requests in flight
_LOOK_SECONDS = 0.002


class Requests:
    """A count of the requests being answered by this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Count one request while the block runs."""
        with self._lock:
            self.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1


#: this process's requests (counted by the web layer's middleware)
REQUESTS = Requests()

_courtesy = threading.local()


@contextmanager
def courteous(seconds: float = GIVE_WAY_SECONDS) -> Iterator[None]:
    """In this thread, for the block: :func:`give_way` waits for the requests in flight,
    for at most ``seconds`` in all."""
    _courtesy.allowance = seconds
    try:
        yield
    finally:
        _courtesy.allowance = None


def give_way() -> None:
    """In a :func:`courteous` block: sleep while this process answers requests (within
    the block's allowance). Elsewhere: return at once."""
    allowance = getattr(_courtesy, "allowance", None)
    if not allowance or REQUESTS.in_flight <= 0:
        return
    started = time.monotonic()
    while REQUESTS.in_flight > 0 and time.monotonic() - started < allowance:
        time.sleep(_LOOK_SECONDS)
    _courtesy.allowance = max(0.0, allowance - (time.monotonic() - started))


def _after_fork_in_child() -> None:
    # a worker starts answering nothing, whatever the parent was doing when it forked
    REQUESTS.in_flight = 0
    REQUESTS._lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
