"""Background jobs benchmark: what queueing costs the web process, and how long a job
waits before a real ``wikicoop worker`` has run it.

A measurement, not a test: it exits 0 once the measurements ran. Run it from the
repository root, with a Redis (never flushed: a queue of its own, deleted afterwards)::

    python bench/bench_jobs.py                       # 200 jobs, redis://127.0.0.1:6379/0
    python bench/bench_jobs.py --jobs 50 --redis-url redis://host:6379/1

Measures, each as median and p95 wall-clock time:

- ``enqueue()`` of a small job (the web side: one Redis round trip or two);
- enqueue-to-done latency through one worker already running, jobs queued one at a time
  (each waits for the previous one: the latency of a lone e-mail);
- the throughput of one worker on a burst of jobs queued at once (jobs per second; each
  job is a fork of the work horse).

The wiki is a SQLite file in a temporary folder, its app made as ``wikicoop worker``
makes it (all plugins on). The job is :func:`stamp` of this file (bench/ is put on the
worker's path).
"""

from __future__ import annotations

import os
import time

# the work horse imports this module for each job: the imports of the measuring code
# are in main() (statistics, subprocess... took ~0.4 s a job under load)
HERE = os.path.dirname(os.path.abspath(__file__))


def stamp(key: str) -> None:
    """The job: note when it ran (a Redis list)."""
    from wikicoop.jobs import redis_of

    redis_of().rpush(key, repr(time.time()))


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def show(label: str, values: list[float], unit: str = "ms", scale: float = 1000.0) -> None:
    """Print the median and p95 of ``values``."""
    import statistics

    print(
        f"{label:<46} median {statistics.median(values) * scale:8.2f} {unit}"
        f"   p95 {p95(values) * scale:8.2f} {unit}   (n={len(values)})"
    )


def main() -> None:
    """Run the measures (see the module's text)."""
    import argparse
    import signal
    import subprocess
    import sys
    import tempfile
    from pathlib import Path
    from uuid import uuid4

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    options = parser.parse_args()

    from redis import Redis
    from rq import Queue

    from wikicoop import create_app
    from wikicoop.core.db import engine_of, upgrade_schema
    from wikicoop.jobs import enqueue

    queue_name = f"wikicoop-bench-{uuid4().hex[:10]}"
    connection = Redis.from_url(options.redis_url)
    folder = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    settings = {
        "INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": f"sqlite:///{folder / 'wiki.db'}",
        "SECRET_KEY": "bench",
        "REDIS_URL": options.redis_url,
        "JOBS_QUEUE": queue_name,
    }
    app = create_app(settings)
    upgrade_schema(engine_of(app))
    env = dict(os.environ)
    env.update({f"WIKICOOP_{k}": v for k, v in settings.items() if k != "INSTANCE_PATH"})
    env["WIKICOOP_INSTANCE"] = settings["INSTANCE_PATH"]
    env["PYTHONPATH"] = os.pathsep.join(p for p in (HERE, env.get("PYTHONPATH")) if p)
    worker_cmd = [sys.executable, "-c", "from wikicoop.cli import main; main()", "worker"]
    key = f"bench:{queue_name}:stamps"
    try:
        # 1. enqueue cost (no worker: the jobs wait)
        costs = []
        with app.app_context():
            for _ in range(options.jobs):
                start = time.perf_counter()
                enqueue("bench_jobs.stamp", key)
                costs.append(time.perf_counter() - start)
        show("enqueue() in the web process", costs)

        # 3 (first, on the jobs just queued). throughput of one worker, burst mode
        start = time.perf_counter()
        subprocess.run([*worker_cmd, "--burst"], env=env, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        done = connection.llen(key)
        stamps = [float(t) for t in connection.lrange(key, 0, -1)]
        span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
        print(
            f"{'one worker, burst of ' + str(done) + ' jobs':<46} "
            f"{(done - 1) / span:8.1f} jobs/s between first and last "
            f"(whole command with start-up: {elapsed:.1f} s)"
        )
        connection.delete(key)

        # 2. latency through a running worker, one job at a time
        worker = subprocess.Popen(
            worker_cmd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            latencies = []
            with app.app_context():
                enqueue("bench_jobs.stamp", key)  # the first waits for the worker to start
                while connection.llen(key) < 1:
                    time.sleep(0.05)
                for n in range(2, min(options.jobs, 100) + 2):
                    sent = time.time()
                    enqueue("bench_jobs.stamp", key)
                    while connection.llen(key) < n:
                        time.sleep(0.002)
                    latencies.append(float(connection.lindex(key, -1)) - sent)
            show("enqueue -> job done, one running worker", latencies)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
    finally:
        q = Queue(queue_name, connection=connection)
        ids = set(q.get_job_ids()) | set(q.finished_job_registry.get_job_ids(cleanup=False))
        ids |= set(q.failed_job_registry.get_job_ids(cleanup=False))
        patterns = [f"*{queue_name}*", *(f"rq:*{job_id}*" for job_id in ids)]
        keys = {k for pattern in patterns for k in connection.scan_iter(match=pattern)}
        if keys:
            connection.delete(*keys)
        engine_of(app).dispose()
        subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
