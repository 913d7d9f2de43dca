"""Two local app servers of one wiki, for bench/soak.py and bench/faults.py.

``wikicoop run`` twice (gunicorn, real processes), each with its own instance folder in
a temporary directory, on one PostgreSQL database (a schema of their own, dropped
afterwards), one Redis (keys under a prefix of their own, deleted afterwards) and one
secret key: the setup of docs/scaling.md on 127.0.0.1. Not a test; imported by the
scripts of this folder.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from server_support import WIKICOOP, RunningWiki

ADMIN_PASSWORD = "correct horse battery staple"
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
TOKEN = re.compile(r"wkc_[A-Za-z0-9_-]{20,}")
#: a server log line that starts an error report (ours or gunicorn's)
ERROR_LINE = re.compile(r"\[ERROR\]|Error handling request|Traceback \(most recent call last\)")


@dataclass
class Cluster:
    """The two servers, the schema's URL and an admin API token."""

    servers: list[RunningWiki]
    url: str
    token: str
    prefix: str
    engine: Engine = field(repr=False)

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]

    def error_reports(self) -> dict[str, int]:
        """How many error reports each server's log holds."""
        return {
            chr(ord("A") + i): len(ERROR_LINE.findall(server.output()))
            for i, server in enumerate(self.servers)
        }


@contextmanager
def two_servers(
    database_url: str = DEFAULT_DATABASE,
    redis_url: str = DEFAULT_REDIS,
    *,
    workers: int = 2,
    search_backend: str = "postgresql",
    keep: bool = False,
) -> Iterator[Cluster]:
    """Start A, then B (A's first start makes the admin and the seed pages), yield, then
    stop both and remove their schema, Redis keys and folders (unless ``keep``)."""
    import redis

    prefix = f"wikicoop-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    schema = prefix.replace("-", "_")
    admin = create_engine(database_url, pool_pre_ping=True)  # a restart may come between
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = (
        make_url(database_url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    root = Path(tempfile.mkdtemp(prefix="wikicoop-two-servers-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKICOOP_")}
    env.update(
        WIKICOOP_DATABASE_URL=url,
        WIKICOOP_SECRET_KEY=uuid.uuid4().hex,
        WIKICOOP_REDIS_URL=redis_url,
        WIKICOOP_JOBS_QUEUE=prefix,
        WIKICOOP_SEARCH_BACKEND=search_backend,
        WIKICOOP_ADMIN_PASSWORD=ADMIN_PASSWORD,
        WIKICOOP_PASSWORD_HASH_METHOD="scrypt:1024:8:1",
    )
    servers = [
        RunningWiki({**env, "WIKICOOP_INSTANCE": str(root / name)}, root / f"{name}.log")
        for name in ("a", "b")
    ]
    engine = create_engine(url, pool_pre_ping=True)
    try:
        for server in servers:
            server.start(workers=workers)
            server.wait_ready()
        made = subprocess.run(
            [str(WIKICOOP), "token", "create", "admin", "--label", "bench"],
            env=servers[0].env,
            capture_output=True,
            text=True,
            check=True,
        )
        token = TOKEN.search(made.stdout + made.stderr)
        assert token, made.stdout + made.stderr
        yield Cluster(servers, url, token.group(0), prefix, engine)
    finally:
        for server in servers:
            server.close()
        engine.dispose()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"*{prefix}*"):  # ours only, never a flush
            client.delete(key)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
        if keep:
            print(f"logs kept in {root}")
        else:
            for log in root.glob("*.log"):
                log.unlink()
            subprocess.run(["rm", "-rf", str(root)], check=False)


class Client:
    """Requests to the servers for one thread; every answer is timed.

    A new connection per request: gunicorn closes an idle keep-alive connection after
    two seconds, and a request sent on it just then would count as "no answer" although
    no server ever read it (a proxy retries those; this client need not).
    """

    def __init__(self, ports: list[int], token: str | None = None) -> None:
        self.ports, self.token = ports, token

    def request(
        self, port: int, method: str, path: str, body: object = None, timeout: float = 60.0
    ) -> tuple[int, float, Any]:
        """(status, milliseconds, JSON body or None); no answer at all is status 0."""
        headers = {"Accept-Language": "fr", "Connection": "close"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            return 0, (time.perf_counter() - start) * 1000, None
        finally:
            conn.close()
        elapsed = (time.perf_counter() - start) * 1000
        parsed = None
        if response.getheader("Content-Type", "").startswith("application/json"):
            with suppress(ValueError):
                parsed = json.loads(data)
        return response.status, elapsed, parsed


def median(values: list[float]) -> float:
    """The median (0 for none)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank (0 for none)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
