"""Search index housekeeping as a background job (issue 13, point 3: index merges).

:func:`maintain_later` is what the indexing code calls after a write, instead of merging
there: with Redis, a job for ``wikicoop worker`` (at most one waiting per
:data:`COALESCE_SECONDS`, however many writes asked); without Redis, at once, in this
process, as before. The worker must see the same index as the web servers (the same
``INSTANCE_PATH`` for Whoosh; any worker for the PostgreSQL backend).
"""

from __future__ import annotations

import logging

from flask import Flask, current_app

from ..jobs import enqueue, redis_of
from ..jobs.queue import queue_name

log = logging.getLogger(__name__)

#: writes within this many seconds share one maintenance job
COALESCE_SECONDS = 30


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
            enqueue(maintain_index)
    except Exception:  # housekeeping only: the next write asks again
        log.exception("search index maintenance could not be started")
