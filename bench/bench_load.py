"""Load bench of a real server: an API import, then page views at concurrency 8.

Reproduces the run of issue 8 point 20 (one 500 among 3,720 views, c=8, two workers,
right after a 1,000-page import through the API). A measurement, not a test: it exits 0
once it ran, and prints for each run the import time, the view latencies (median, p95,
max), the count of answers other than 200 and the tracebacks of the server log.
Run it from the repository root; everything stays on 127.0.0.1::

    python bench/bench_load.py                          # 1,000 pages, 4,000 views, 1 run
    python bench/bench_load.py --runs 3 --views 8000
    python bench/bench_load.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

Each run starts from an empty instance in a temporary folder: ``wikicoop init``, an API
token for the admin, ``wikicoop run --workers 2`` on a free port, the import (PUT
/api/v1/pages/<title>, ``--import-concurrency`` clients), then the views (GET
/wiki/<title> of random imported pages). On PostgreSQL each run works in a schema of its
own, dropped afterwards. The edit rate limit is raised for the bulk import
(``WIKICOOP_EDIT_RATE_LIMIT``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench_core import CorpusWriter, load_average, make_titles, median, p95
from sqlalchemy import create_engine, make_url, text

from wikicoop.text.titles import parse_title

WIKICOOP = Path(sys.executable).with_name("wikicoop")
ADMIN_PASSWORD = "correct horse battery staple"
START_WAIT = 120.0
#: a server log line that starts an error report (ours or gunicorn's)
ERROR_LINE = re.compile(r"\[ERROR\]|Error handling request|Traceback \(most recent call last\)")


def free_port() -> int:
    """A loopback port nobody listens on (asked of the OS)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One keep-alive HTTP connection to the bench server (one per thread)."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: object = None) -> tuple[int, float]:
        """(status, milliseconds); a dropped connection counts as status 0."""
        headers = {"Accept-Language": "fr"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        start = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            status = 0
        return status, (time.perf_counter() - start) * 1000

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Results:
    """What one phase saw: statuses and latencies in milliseconds."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, ms: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(ms)

    def failed(self, ok: Sequence[int] = (200,)) -> int:
        return sum(n for status, n in self.statuses.items() if status not in ok)

    def summary(self) -> str:
        if not self.latencies:
            return "nothing measured"
        return (
            f"n={len(self.latencies)} median={median(self.latencies):.1f} ms "
            f"p95={p95(self.latencies):.1f} ms max={max(self.latencies):.1f} ms "
            f"statuses={dict(sorted(self.statuses.items()))}"
        )


def run_in_threads(count: int, concurrency: int, work, make_client) -> None:
    """Call ``work(client, i)`` for i in range(count) on ``concurrency`` threads, each
    thread with its own keep-alive client."""
    local = threading.local()
    clients: list[Client] = []

    def task(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = make_client()
            clients.append(client)
        work(client, i)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(task, range(count)))
    for client in clients:
        client.close()


@contextmanager
def database(url: str | None) -> Iterator[str | None]:
    """The database URL of one run: None (SQLite in the instance) or a fresh PostgreSQL
    schema, dropped at the end."""
    if not url:
        yield None
        return
    schema = f"wikicoop_bench_{os.getpid()}_{int(time.time())}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


class Server:
    """``wikicoop run --workers N`` in its own process group, output in ``log``."""

    def __init__(self, env: dict[str, str], log: Path, workers: int) -> None:
        self.env, self.log, self.port = env, log, free_port()
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(WIKICOOP), "run", "--port", str(self.port), "--workers", str(workers)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        listening = f"Listening at: http://127.0.0.1:{self.port} ({self.process.pid})"
        deadline = time.monotonic() + START_WAIT
        client = Client(self.port)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"wikicoop run exited:\n{self.log.read_text()}")
            if listening in self.log.read_text() and client.request("GET", "/")[0] == 302:
                client.close()
                return
            time.sleep(0.2)
        raise SystemExit(f"wikicoop run did not answer:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def wikicoop(env: dict[str, str], *args: str) -> str:
    """Run a ``wikicoop`` command; its standard output."""
    done = subprocess.run([str(WIKICOOP), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wikicoop {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def error_reports(log: str) -> list[str]:
    """The error reports of a server log: each [ERROR] line with the traceback after it."""
    lines = log.splitlines()
    reports: list[str] = []
    i = 0
    while i < len(lines):
        if ERROR_LINE.search(lines[i]):
            j = i + 1
            while j < len(lines) and not lines[j].startswith(("[", "127.0.0.1 - ")):
                j += 1
            reports.append("\n".join(lines[i:j]))
            i = j
        else:
            i += 1
    return reports


def shortened(report: str, tail: int = 8) -> str:
    """An error report's first line and the end of its traceback (where it failed)."""
    lines = report.splitlines()
    if len(lines) <= tail + 2:
        return report
    return "\n".join([lines[0], "  …", *lines[-tail:]])


def one_run(args: argparse.Namespace, number: int, tmp: Path, database_url: str | None) -> int:
    """One fresh instance: init, import, views. Returns the count of failed views."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKICOOP_")}
    env.update(
        WIKICOOP_INSTANCE=str(tmp / "instance"),
        WIKICOOP_ADMIN_PASSWORD=ADMIN_PASSWORD,
        WIKICOOP_EDIT_RATE_LIMIT="1000000 per minute",
    )
    if database_url:
        env["WIKICOOP_DATABASE_URL"] = database_url
    wikicoop(env, "init")
    token = wikicoop(env, "token", "create", "admin").strip().splitlines()[-1]
    log = tmp / "server.log"
    server = Server(env, log, args.workers)
    imported, viewed = Results(), Results()
    try:
        server.wait_ready()
        rng = random.Random(args.seed + number)
        titles = make_titles(rng, args.pages)
        writer = CorpusWriter(rng, titles)
        texts = [writer.page(t)[0] for t in titles]
        paths = [parse_title(t).url_path for t in titles]

        def put(client: Client, i: int) -> None:
            body = {"text": texts[i], "base_revision": None, "summary": "import"}
            imported.add(*client.request("PUT", f"/api/v1/pages/{paths[i]}", body))

        start = time.perf_counter()
        run_in_threads(
            len(titles), args.import_concurrency, put, lambda: Client(server.port, token)
        )
        import_s = time.perf_counter() - start
        print(f"  import: {len(titles)} pages in {import_s:.1f} s — {imported.summary()}")

        picks = [rng.randrange(len(paths)) for _ in range(args.views)]

        def view(client: Client, i: int) -> None:
            viewed.add(*client.request("GET", f"/wiki/{paths[picks[i]]}"))

        run_in_threads(args.views, args.concurrency, view, lambda: Client(server.port))
        print(f"  views:  {viewed.summary()}")
    finally:
        server.stop()
    reports = error_reports(log.read_text(encoding="utf-8", errors="replace"))
    failed = viewed.failed() + imported.failed(ok=(200, 201))
    print(
        f"  answers other than 200/201: {failed}; error reports in the server log: {len(reports)}"
    )
    for report in reports[: args.show_errors]:
        print("    " + shortened(report).replace("\n", "\n    "))
    return viewed.failed()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages imported (1000)")
    parser.add_argument("--views", type=int, default=4000, help="page views per run (4000)")
    parser.add_argument("--concurrency", type=int, default=8, help="viewing clients (8)")
    parser.add_argument("--import-concurrency", type=int, default=2, help="importing clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--runs", type=int, default=1, help="fresh instances, one after another")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--show-errors", type=int, default=5, help="tracebacks printed per run")
    parser.add_argument("--database-url", default=None, help="PostgreSQL (else SQLite)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"wikicoop load bench — load average {load_average()}")
    total_failed = total_views = 0
    for number in range(args.runs):
        print(f"run {number + 1}/{args.runs}")
        with (
            tempfile.TemporaryDirectory(prefix="wikicoop-load-") as tmp,
            database(args.database_url) as url,
        ):
            total_failed += one_run(args, number, Path(tmp), url)
            total_views += args.views
    print(f"total: {total_failed} failed views out of {total_views} — load {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
