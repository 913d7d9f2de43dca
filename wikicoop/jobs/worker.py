"""The worker behind ``wikicoop worker``: RQ's forking worker, each job in the app context.

The worker process builds the app once; each job runs in a forked work horse, inside an
app context (``current_app``, a database session of its own). The scheduler runs along
(the retries wait their back-off in RQ's scheduled registry, and only the scheduler puts
them back on the queue).

A worker killed mid-job (``kill -9``, a machine that stops) leaves its job "started":
once the worker's heartbeat is older than ``heartbeat + grace`` seconds, the next
maintenance of any worker of the queue (at its start, then every
``maintenance_interval`` seconds) retries the job, or marks it failed when no retry is
left (RQ's abandoned jobs). Jobs whose effects must happen once mark them done
(:func:`wikicoop.jobs.queue.mark_done`) and skip what is marked.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from typing import Any

from flask import Flask
from rq import Queue, Worker

from .queue import queue_name, redis_of

log = logging.getLogger(__name__)

#: seconds between two heartbeats of a busy worker (RQ's default)
HEARTBEAT_SECONDS = 30
#: seconds without a heartbeat after which a started job counts as abandoned (RQ's: 60)
GRACE_SECONDS = 60
#: seconds between two cleanings of the registries (abandoned jobs, a dead scheduler's
#: lock): a minute, where RQ waits ten
MAINTENANCE_SECONDS = 60


#: prctl(2) option: the signal a process gets when its parent dies (Linux)
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Have this process killed when ``parent_pid`` (its parent) dies, on Linux: RQ's work
    horse is in a process group of its own, and would otherwise outlive a worker killed
    by ``kill -9``, finishing its job while the job is retried elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


class AppWorker(Worker):
    """An RQ worker that runs each job inside ``app``'s context."""

    app: Flask
    grace: int = GRACE_SECONDS
    #: the worker's process: its work horses die with it
    worker_pid: int = 0

    def main_work_horse(self, job: Any, queue: Queue) -> None:
        """The forked horse: first tie its life to the worker's."""
        die_with_parent(self.worker_pid)
        super().main_work_horse(job, queue)

    def perform_job(self, job: Any, queue: Queue, execution: Any) -> bool:  # type: ignore[override]
        """Run the job in an app context, counting its attempts (``meta["attempts"]``, for
        the admin page: a run killed with its worker counts too); the forked horse drops
        the parent's pooled database connections (never share a socket across a fork)."""
        from ..core.db import engine_of

        job.meta["attempts"] = int(job.meta.get("attempts") or 0) + 1
        job.save_meta()
        engine_of(self.app).dispose(close=False)
        with self.app.app_context():
            return super().perform_job(job, queue, execution)

    def subscribe(self) -> None:
        """RQ's command channel (stop, kill a job), read every second: RQ's thread waits
        60 s on it, and closing it at shutdown waited that long (a ``--burst`` run took
        a minute more than its jobs)."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        """RQ's TTL (the next heartbeat, at most the job's remaining time) with our grace
        instead of RQ's fixed minute."""
        return super().get_heartbeat_ttl(job, working_time) - 60 + self.grace


def make_worker(
    app: Flask,
    *,
    heartbeat: int = HEARTBEAT_SECONDS,
    grace: int = GRACE_SECONDS,
    maintenance_interval: int = MAINTENANCE_SECONDS,
    name: str | None = None,
) -> AppWorker:
    """A worker on ``app``'s queue (``JOBS_QUEUE`` on ``REDIS_URL``).

    :raises RuntimeError: ``REDIS_URL`` is not set.
    """
    connection = redis_of(app)
    if connection is None:
        raise RuntimeError("REDIS_URL is not set")
    queue = Queue(queue_name(app.config), connection=connection)
    worker = AppWorker(
        [queue],
        connection=connection,
        name=name,
        job_monitoring_interval=heartbeat,
        maintenance_interval=maintenance_interval,
        log_job_description=False,  # its arguments: e-mail addresses, subjects
    )
    worker.app = app
    worker.grace = grace
    worker.worker_pid = os.getpid()
    return worker


def run_worker(app: Flask, *, burst: bool = False, scheduler: bool = True, **options: Any) -> bool:
    """Run a worker on ``app``'s queue until stopped (or, with ``burst``, until the queue
    is empty); whether it ran any job. ``options``: those of :func:`make_worker`."""
    from ..core.change_stamp import CHANGE_STAMP_KEY

    # PostgreSQL: present on the database once, before the jobs (each run in a fork of
    # this process) write: else each would wait on its own (core.write_mark)
    app.extensions[CHANGE_STAMP_KEY].announce()
    worker = make_worker(app, **options)
    return worker.work(burst=burst, with_scheduler=scheduler, logging_level="INFO")
