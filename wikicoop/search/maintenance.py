"""Search index housekeeping as a background job (issue 13, point 3: index merges).

:func:`maintain_later` is what the indexing code calls after a write, instead of merging
there: with Redis, a job for ``wikicoop worker`` (at most one waiting per
:data:`COALESCE_SECONDS`, however many writes asked); without Redis, in this process,
at most once per :data:`LOCAL_SECONDS`: a merge takes 100–370 ms of the interpreter
that the process's requests share, and merging after every write of a burst of saves
made their slowest answers twice as slow (bench/bench_views.py). Between two merges a
process adds at most one segment per gathering of its indexing thread, and once its
writes are over (two seconds without any), its indexing thread merges them all
(:mod:`.indexer`, ``maintain(thorough=True)``). The worker must
see the same index as the web servers (the same ``INSTANCE_PATH`` for Whoosh; any worker
for the PostgreSQL backend).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app

from ..jobs import enqueue, redis_of
from ..jobs.queue import queue_name

log = logging.getLogger(__name__)

#: writes within this many seconds share one maintenance job
COALESCE_SECONDS = 30
#: without Redis: a process maintains the index at most once in this many seconds
LOCAL_SECONDS = 15.0
#: app.extensions key: when this process last maintained the index itself
_LAST_LOCAL = "wikicoop.search.maintained_at"


def maintain_index() -> None:
    """The job: let the search backend merge what saves left (``backend.maintain()``)."""
    backend = current_app.extensions.get("wikicoop.search")
    if backend is not None:
        backend.maintain()


def maintain_later(app: Flask) -> None:
    """Have the index maintained in the background (see the module's text); never raises."""
    try:
        with app.app_context():
            connection = redis_of(app)
            if connection is not None:
                key = f"wikicoop:jobs:{queue_name(app.config)}:maintain-index"
                if not connection.set(key, "1", nx=True, ex=COALESCE_SECONDS):
                    return  # one is already waiting
            else:
                last = app.extensions.get(_LAST_LOCAL)
                now = time.monotonic()
                if last is not None and now - last < LOCAL_SECONDS:
                    return  # merged a moment ago: the next write after the pause asks again
                app.extensions[_LAST_LOCAL] = now
            enqueue(maintain_index)
    except Exception:  # housekeeping only: the next write asks again
        log.exception("search index maintenance could not be started")


def last_maintained(app: Flask) -> float | None:
    """When this process last maintained the index itself (``time.monotonic()``)."""
    return app.extensions.get(_LAST_LOCAL)


def maintained_at(app: Flask, when: float | None) -> None:
    """Record a maintenance done for this process by another one (the index writer's
    children share the machine's monotonic clock): the next waits its turn."""
    if when is not None and when > (app.extensions.get(_LAST_LOCAL) or 0.0):
        app.extensions[_LAST_LOCAL] = when
