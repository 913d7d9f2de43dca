"""Helpers of the background-job tests: a queue of a test's own on the machine's Redis,
real ``wikicoop worker`` processes on a test's wiki (tests/web/test_jobs.py and the
plugins' job tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from flask import Flask
from helpers import redis_or_skip

from wikicoop.jobs import queue

HERE = Path(__file__).resolve().parent / "web"
#: the longest a test waits for a worker before failing (never reached when all is well)
DEADLINE = 90.0


def purge(connection: Any, name: str) -> None:
    """Delete the jobs of queue ``name`` (their hashes, results and executions) and every
    key naming the queue."""
    import rq

    q = rq.Queue(name, connection=connection)
    ids = set(q.get_job_ids())
    for registry in (
        q.failed_job_registry,
        q.started_job_registry,
        q.scheduled_job_registry,
        q.finished_job_registry,
        q.deferred_job_registry,
        q.canceled_job_registry,
    ):
        ids.update(registry.get_job_ids(cleanup=False))
    patterns = [f"*{name}*", *(f"rq:*{job_id}*" for job_id in ids)]
    keys = {key for pattern in patterns for key in connection.scan_iter(match=pattern)}
    if keys:
        connection.delete(*keys)


def worker_env(app: Flask) -> dict[str, str]:
    """The environment of a ``wikicoop worker`` on ``app``'s database, Redis and queue;
    tests/web on its path, for the jobs of jobs_sample.py."""
    env = dict(os.environ)
    for key in (
        "DATABASE_URL",
        "SECRET_KEY",
        "REDIS_URL",
        "JOBS_QUEUE",
        "JOB_RETRIES",
        "JOB_RETRY_SECONDS",
        "SMTP_HOST",
        "SMTP_PORT",
        "MAIL_FROM",
    ):
        env[f"WIKICOOP_{key}"] = str(app.config[key])
    env["WIKICOOP_INSTANCE"] = app.instance_path
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH")) if p)
    return env


WORKER = [sys.executable, "-c", "from wikicoop.cli import main; main()", "worker"]


def run_burst(app: Flask) -> subprocess.CompletedProcess[str]:
    """Run ``wikicoop worker --burst`` until the queue is empty."""
    done = subprocess.run(
        [*WORKER, "--burst"],
        env=worker_env(app),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode == 0, done.stderr
    return done


def start_worker(app: Flask, *options: str) -> subprocess.Popen[str]:
    """A background ``wikicoop worker`` in a process group of its own (worker, work
    horse and scheduler can then be killed together)."""
    return subprocess.Popen(
        [*WORKER, *options],
        env=worker_env(app),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[str]) -> None:
    """Ask the worker to stop (SIGTERM: a warm shutdown); kill its group if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stderr:
        process.stderr.close()


def wait_until(condition: Callable[[], Any], what: str) -> Any:
    """Poll ``condition`` until it is true; fail saying ``what`` after :data:`DEADLINE`."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"still waiting after {DEADLINE:.0f} s for {what}")


def rq_queue(app: Flask) -> Any:
    """The RQ queue of ``app``."""
    with app.app_context():
        return queue.rq_queue(app)


@contextmanager
def own_queue() -> Iterator[str]:
    """A queue name of the caller's own (skip when Redis does not answer, or the redis
    extra is missing); every key of it is deleted at the end."""
    connection = redis_or_skip("the job tests need it")
    pytest.importorskip("rq", reason="the redis extra (RQ) is not installed")
    name = f"wikicoop-test-{uuid4().hex[:12]}"
    try:
        yield name
    finally:
        purge(connection, name)
        connection.close()
