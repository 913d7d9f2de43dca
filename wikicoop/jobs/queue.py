"""Putting jobs on the queue, or running them here when there is no Redis.

A job is a module-level function named by its dotted path (``"package.module.function"``)
with plain-data arguments (JSON-like: str, int, float, bool, None, lists, dicts), so that
a worker process started elsewhere can import and call it. It runs inside an app context
(``current_app``, the database session), in the worker or in this process.
"""

from __future__ import annotations

import importlib
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, after_this_request, current_app, has_request_context

log = logging.getLogger(__name__)

#: in-process failures kept for the admin page (oldest dropped first)
KEPT_FAILURES = 50
#: how long a "done" marker of :func:`mark_done` lives in Redis (a week: retries are long over)
DONE_TTL_SECONDS = 7 * 24 * 3600
#: seconds a job may run before RQ stops it (a digest of many messages takes minutes)
JOB_TIMEOUT_SECONDS = 30 * 60

_EXTENSION = "wikicoop.jobs"


@dataclass
class LocalFailure:
    """A job that failed in this process (no Redis): kept in memory for the admin page."""

    id: str
    func: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    error: str
    when: datetime


@dataclass
class _State:
    """What an app keeps for its jobs: its Redis client and its in-process failures."""

    redis: Any = None
    failures: deque[LocalFailure] = field(default_factory=lambda: deque(maxlen=KEPT_FAILURES))


def _state(app: Flask) -> _State:
    state = app.extensions.get(_EXTENSION)
    if state is None:
        state = app.extensions[_EXTENSION] = _State()
    return state


def redis_of(app: Flask | None = None) -> Any:
    """The Redis client of ``app`` (the current app by default), or None without ``REDIS_URL``."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    url = (app.config.get("REDIS_URL") or "").strip()
    if not url:
        return None
    state = _state(app)
    if state.redis is None:
        from redis import Redis

        state.redis = Redis.from_url(url)
    return state.redis


def queue_name(config: Mapping[str, Any]) -> str:
    """The RQ queue of this wiki (``JOBS_QUEUE``)."""
    return (config.get("JOBS_QUEUE") or "wikicoop").strip()


def retry_intervals(config: Mapping[str, Any]) -> list[int]:
    """Seconds before each retry: ``JOB_RETRY_SECONDS``, then doubled each time
    (``JOB_RETRIES`` of them; none when it is 0)."""
    first = max(int(config.get("JOB_RETRY_SECONDS") or 0), 0)
    return [first * 2**attempt for attempt in range(max(int(config.get("JOB_RETRIES") or 0), 0))]


def rq_queue(app: Flask | None = None) -> Any:
    """The RQ queue of ``app``, or None without ``REDIS_URL``."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    connection = redis_of(app)
    if connection is None:
        return None
    from rq import Queue

    return Queue(queue_name(app.config), connection=connection)


def dotted_path(func: str | Callable[..., Any]) -> str:
    """The dotted path of a job function (given as such or as the function itself)."""
    if isinstance(func, str):
        return func
    name = getattr(func, "__qualname__", "")
    if "." in name or "<" in name:  # a method, a nested function or a lambda
        raise ValueError(f"a job must be a module-level function, not {name!r}")
    return f"{func.__module__}.{name}"


def resolve(path: str) -> Callable[..., Any]:
    """The function named by ``path`` (imported)."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def redis_errors() -> tuple[type[BaseException], ...]:
    """What a failing Redis raises (imported when needed: Redis is optional, and its
    client is not loaded by a wiki that never uses it)."""
    try:
        from redis.exceptions import RedisError
    except ImportError:  # no "redis" extra: REDIS_URL cannot work
        return (OSError,)
    return (RedisError, OSError)


def enqueue(func: str | Callable[..., Any], *args: Any, **kwargs: Any) -> str | None:
    """Have ``func(*args, **kwargs)`` run in the background; needs an app context.

    With ``REDIS_URL``: an RQ job on ``JOBS_QUEUE``, retried ``JOB_RETRIES`` times with a
    back-off; its id is returned. Without Redis, or when Redis does not answer (logged):
    run in this process once the response is sent, or at once outside a request; None.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    path = dotted_path(func)
    queue = rq_queue(app)
    if queue is not None:
        from redis.exceptions import RedisError
        from rq import Retry

        intervals = retry_intervals(app.config)
        retry = Retry(max=len(intervals), interval=intervals) if intervals else None
        try:
            job = queue.enqueue(
                path,
                args=args,
                kwargs=kwargs,
                retry=retry,
                job_timeout=JOB_TIMEOUT_SECONDS,
                failure_ttl=30 * 24 * 3600,  # failed jobs stay a month for the admins
            )
            return job.id
        except RedisError as err:
            log.warning("jobs: Redis did not take %s (%s); running it here", path, err)
    after_response(lambda: run_here(app, path, args, kwargs))
    return None


def run_here(
    app: Flask, path: str, args: tuple[Any, ...], kwargs: dict[str, Any], job_id: str = ""
) -> bool:
    """Run a job in this process, inside its own app context; False when it failed
    (logged, and kept for the admin page, never raised: nobody is waiting for it)."""
    try:
        with app.app_context():
            resolve(path)(*args, **kwargs)
        return True
    except Exception as err:
        log.exception("jobs: %s failed in-process", path)
        from uuid import uuid4

        _state(app).failures.append(
            LocalFailure(
                id=job_id or uuid4().hex,
                func=path,
                args=tuple(args),
                kwargs=dict(kwargs),
                error=last_line(f"{type(err).__name__}: {err}"),
                when=datetime.now(UTC),
            )
        )
        return False


def local_failures(app: Flask) -> list[LocalFailure]:
    """The jobs that failed in this process, newest first."""
    return list(reversed(_state(app).failures))


def forget_local_failure(app: Flask, failure_id: str) -> LocalFailure | None:
    """Remove one in-process failure from the list; the removed one, or None."""
    failures = _state(app).failures
    for failure in failures:
        if failure.id == failure_id:
            failures.remove(failure)
            return failure
    return None


def last_line(text: str | None) -> str:
    """The last non-empty line of an error text (of a traceback: the exception itself)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def after_response(action: Callable[[], Any]) -> None:
    """Run ``action`` once the response is sent (its ``close``), so no one waits for it;
    at once outside a request (the command line, a worker)."""
    if not has_request_context():
        action()
        return

    @after_this_request
    def schedule(response: Response) -> Response:
        response.call_on_close(action)
        return response


# ---------------------------------------------------------------- done once


def _done_key(app: Flask, marker: str) -> str:
    return f"wikicoop:jobs:{queue_name(app.config)}:done:{marker}"


def is_done(marker: str) -> bool:
    """Whether ``marker`` was marked done (by a previous run of a retried or restarted
    job). Always False without Redis: an in-process job runs only once."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = redis_of(app)
    return bool(connection is not None and connection.exists(_done_key(app, marker)))


def mark_done(marker: str) -> None:
    """Record that the effect named ``marker`` happened (in Redis, for a week), so that a
    job run again after a failure or a killed worker does not do it twice."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = redis_of(app)
    if connection is not None:
        connection.set(_done_key(app, marker), "1", ex=DONE_TTL_SECONDS)
