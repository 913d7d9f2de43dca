"""Faults on two app servers of one wiki (issue 13, point 6): no acknowledged edit lost,
the servers recover without a restart by hand.

Clients save pages through the API on both servers in turn (each client on pages of
its own, every text carrying a marker) while a fault happens:

- ``server-kill`` (default): ``kill -9`` of server A's gunicorn master (its workers die
  with it), then A is started again;
- ``worker-kill``: ``kill -9`` of one of A's workers in the middle of the saves (the
  master starts another);
- ``postgresql-restart``: ``pg_ctlcluster <version> main restart`` under load. It stops
  every database of the machine's cluster for a moment, so it runs only with
  ``--restart-postgresql`` (never on a machine where others are working).

Afterwards every save answered 200/201 must be in the database with its marker, the
server not touched must have answered every request, and both servers must answer
again (within a bounded wait) without being restarted by hand, except A after a
``server-kill``, which its supervisor (systemd's ``Restart=always``) would start: here
the script does. Exits 1 when one of these fails. Run from the repository root::

    .venv/bin/python bench/faults.py                       # server-kill
    .venv/bin/python bench/faults.py --scenario worker-kill
    .venv/bin/python bench/faults.py --scenario postgresql-restart --restart-postgresql

The faults of the job worker (``kill -9`` during a job) are in tests/web/test_jobs.py.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.orm import Session
from two_servers import DEFAULT_DATABASE, DEFAULT_REDIS, Client, Cluster, median, p95, two_servers

from wikicoop.core.models import Revision

#: longest wait for the servers to answer again after a fault (bounded, then failure)
RECOVERY_WAIT = 60.0


@dataclass
class Record:
    """What the clients saw: acknowledged saves and every answer, per server."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: list[tuple[int, str]] = field(default_factory=list)  # (revision, marker)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)

    def add(self, server: str, status: int, ms: float) -> None:
        with self.lock:
            self.statuses.setdefault(server, Counter())[status] += 1
            self.latencies.append(ms)


def saver(cluster: Cluster, number: int, stop: threading.Event, record: Record) -> None:
    """Save this client's pages on A and B in turn until ``stop``; keep the acks."""
    client = Client(cluster.ports, cluster.token)
    titles = [f"Panne {number} {k}" for k in range(3)]
    bases: dict[str, int | None] = dict.fromkeys(titles)
    turn = number
    while not stop.is_set():
        turn += 1
        side = turn % 2
        title = titles[turn % len(titles)]
        marker = f"m{uuid.uuid4().hex[:12]}"
        body = {"text": f"Version {turn} : {marker}.\n", "base_revision": bases[title]}
        path = f"/api/v1/pages/{quote(title.replace(' ', '_'))}"
        status, ms, answer = client.request(cluster.ports[side], "PUT", path, body)
        record.add("AB"[side], status, ms)
        if status in (200, 201) and answer:
            bases[title] = answer["revision"]["id"]
            with record.lock:
                record.acknowledged.append((answer["revision"]["id"], marker))
        elif status == 409 and answer:  # a save cut off after its commit: base moved
            bases[title] = answer["current_revision"]["id"]
        elif status == 0:
            time.sleep(0.05)  # no server there: as a proxy would, try the other next


def wait_answering(port: int) -> float:
    """Seconds until the server on ``port`` answers a page view with 200 (bounded)."""
    client = Client([port])
    start = time.monotonic()
    while time.monotonic() - start < RECOVERY_WAIT:
        if client.request(port, "GET", "/wiki/Accueil", timeout=10)[0] == 200:
            return time.monotonic() - start
        time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer within {RECOVERY_WAIT} s")


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers of ``master`` (its children)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()]


def postgresql_restart() -> None:
    """Restart the machine's PostgreSQL cluster (only with --restart-postgresql)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )


def inject(cluster: Cluster, scenario: str) -> dict[str, float]:
    """Cause the fault; return what was measured (seconds)."""
    a = cluster.servers[0]
    assert a.process is not None
    if scenario == "server-kill":
        a.crash()  # kill -9 of the master; its workers die with it
        time.sleep(2.0)  # the clients meet a dead server for a while
        start = time.monotonic()
        a.start(workers=2)
        a.wait_ready()
        return {"A started again in (s)": time.monotonic() - start}
    if scenario == "worker-kill":
        victim = worker_pids(a.process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        return {"A answers again after (s)": wait_answering(a.port)}
    if scenario == "postgresql-restart":
        postgresql_restart()
        return {
            "A answers again after (s)": wait_answering(a.port),
            "B answers again after (s)": wait_answering(cluster.servers[1].port),
        }
    raise ValueError(scenario)


def lost_edits(cluster: Cluster, acknowledged: list[tuple[int, str]]) -> list[int]:
    """The acknowledged revisions missing from the database (or without their marker)."""
    lost = []
    with Session(cluster.engine) as session:
        for revision_id, marker in acknowledged:
            revision = session.get(Revision, revision_id)
            if revision is None or marker not in revision.text:
                lost.append(revision_id)
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        choices=("server-kill", "worker-kill", "postgresql-restart"),
        default="server-kill",
    )
    parser.add_argument("--restart-postgresql", action="store_true")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--before", type=float, default=5.0, help="seconds of saves before")
    parser.add_argument("--after", type=float, default=5.0, help="seconds of saves after")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--search-backend", default="postgresql")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    if args.scenario == "postgresql-restart" and not args.restart_postgresql:
        parser.error("postgresql-restart stops the machine's PostgreSQL: add --restart-postgresql")

    failures: list[str] = []
    with two_servers(
        args.database_url, args.redis_url, search_backend=args.search_backend, keep=args.keep_logs
    ) as cluster:
        record, stop = Record(), threading.Event()
        threads = [
            threading.Thread(target=saver, args=(cluster, n, stop, record))
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        measured = inject(cluster, args.scenario)
        time.sleep(args.after)
        after_fault = {side: Counter(c) for side, c in record.statuses.items()}
        time.sleep(args.after)  # and the same again once recovered
        stop.set()
        for thread in threads:
            thread.join()
        for side, port in zip("AB", cluster.ports, strict=True):
            if Client([port]).request(port, "GET", "/wiki/Accueil")[0] != 200:
                failures.append(f"{side} does not answer at the end")
        lost = lost_edits(cluster, record.acknowledged)
        reports = cluster.error_reports()

    print(f"scenario {args.scenario}, {args.clients} clients saving on A and B in turn")
    for name, seconds in measured.items():
        print(f"  {name}: {seconds:.1f}")
    for side in "AB":
        shown = ", ".join(f"{s}: {n}" for s, n in sorted(record.statuses.get(side, {}).items()))
        print(f"  answers of {side}: {shown}")
    print(
        f"  save latency p50 {median(record.latencies):.0f} ms, p95 {p95(record.latencies):.0f} ms"
    )
    print(f"  acknowledged saves: {len(record.acknowledged)}, lost: {len(lost)}")
    print(f"  error reports in the logs: {reports}")
    if lost:
        failures.append(f"{len(lost)} acknowledged saves lost: {lost[:10]}")
    untouched = "B" if args.scenario != "postgresql-restart" else None
    if untouched:
        bad = {s: n for s, n in record.statuses.get(untouched, {}).items() if s == 0 or s >= 500}
        if bad:
            failures.append(f"{untouched}, untouched, failed requests: {bad}")
    # once recovered, the last stretch of saves went through on both
    for side in "AB":
        late = record.statuses.get(side, Counter()) - after_fault.get(side, Counter())
        if not (late[200] + late[201]):
            failures.append(f"no save acknowledged by {side} after the recovery")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
