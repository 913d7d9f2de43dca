"""Background jobs: work that nobody should wait for (e-mail, digests, index merges).

With ``REDIS_URL`` set, jobs go through an RQ queue on Redis, run by ``wikicoop worker``
(retried with a back-off, failures shown to admins); without it they run in this
process once the response is sent, as before (issue 13, point 3).
"""

from .queue import (
    after_response,
    enqueue,
    is_done,
    mark_done,
    redis_errors,
    redis_of,
    run_here,
)

__all__ = [
    "after_response",
    "enqueue",
    "is_done",
    "mark_done",
    "redis_errors",
    "redis_of",
    "run_here",
]
