"""What the admins see of the jobs: those waiting, running, waiting for a retry, failed.

With Redis, read from RQ's queue and registries; without it, the jobs that failed in
this process (kept in memory, :func:`wikicoop.jobs.queue.local_failures`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from .queue import forget_local_failure, last_line, local_failures, rq_queue, run_here

#: jobs shown per state (the oldest are left out: a list of thousands helps nobody)
SHOWN_PER_STATE = 100
#: states, in the order of the page
STATES = ("failed", "scheduled", "started", "queued", "local_failed")


@dataclass(frozen=True)
class JobView:
    """One job as the admin page lists it."""

    id: str
    state: str
    func: str
    arguments: str
    attempts: int
    error: str
    when: datetime | None


def summarise(value: Any, depth: int = 0) -> str:
    """A short, safe description of a job argument: texts cut, lists and mappings counted
    (a message's body, which may hold a password-reset link, is never shown)."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    if isinstance(value, Mapping):
        if depth:
            return "{…}"
        return "{" + ", ".join(str(key) for key in list(value)[:6]) + "}"
    if isinstance(value, Sequence):
        if depth or len(value) > 3:
            return f"[{len(value)}]"
        return "[" + ", ".join(summarise(item, depth + 1) for item in value) + "]"
    return repr(value)[:40]


def describe_call(args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """The summarised arguments of a call, as ``a, b, name=c``."""
    parts = [summarise(arg) for arg in args]
    parts += [f"{key}={summarise(value)}" for key, value in kwargs.items()]
    return ", ".join(parts)[:200]


def _when(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)  # RQ stores naive UTC times
    return moment


def _view(job: Any, state: str) -> JobView:
    # newest first; RQ keeps no result for the runs it retried, only for the last one
    failed = [r for r in job.results() if r.type == r.Type.FAILED]
    error = last_line(failed[0].exc_string) if failed else ""
    try:
        arguments = describe_call(job.args or (), job.kwargs or {})
    except Exception:  # a job whose arguments no longer load (a removed plugin's class)
        arguments = "?"
    when = job.ended_at or job.started_at or job.enqueued_at
    return JobView(
        id=job.id,
        state=state,
        func=job.func_name or "?",
        arguments=arguments,
        attempts=int(job.meta.get("attempts") or 0),
        error=error,
        when=_when(when),
    )


def list_jobs(app: Flask) -> dict[str, list[JobView]]:
    """The jobs of ``app`` by state (see :data:`STATES`), newest first."""
    found: dict[str, list[JobView]] = {state: [] for state in STATES}
    queue = rq_queue(app)
    if queue is not None:
        from rq.job import Job

        registries = {
            "failed": queue.failed_job_registry,
            "scheduled": queue.scheduled_job_registry,
            "started": queue.started_job_registry,
        }
        for state, registry in registries.items():
            ids = registry.get_job_ids(0, SHOWN_PER_STATE - 1, desc=True)
            for job in Job.fetch_many(ids, connection=queue.connection):
                if job is not None:
                    found[state].append(_view(job, state))
        for job in queue.get_jobs(0, SHOWN_PER_STATE - 1):
            found["queued"].append(_view(job, "queued"))
    for failure in local_failures(app):
        found["local_failed"].append(
            JobView(
                id=failure.id,
                state="local_failed",
                func=failure.func,
                arguments=describe_call(failure.args, failure.kwargs),
                attempts=1,
                error=failure.error,
                when=failure.when,
            )
        )
    return found


def retry_failed(app: Flask, job_id: str) -> bool:
    """Put a failed job back on the queue (or run an in-process failure again, after the
    response); False when there is no such failed job."""
    failure = forget_local_failure(app, job_id)
    if failure is not None:
        from .queue import after_response

        after_response(lambda: run_here(app, failure.func, failure.args, failure.kwargs))
        return True
    queue = rq_queue(app)
    if queue is None or job_id not in queue.failed_job_registry:
        return False
    queue.failed_job_registry.requeue(job_id)
    return True


def delete_failed(app: Flask, job_id: str) -> bool:
    """Forget a failed job; False when there is no such failed job."""
    if forget_local_failure(app, job_id) is not None:
        return True
    queue = rq_queue(app)
    if queue is None or job_id not in queue.failed_job_registry:
        return False
    from rq.job import Job

    Job.fetch(job_id, connection=queue.connection).delete()
    return True
