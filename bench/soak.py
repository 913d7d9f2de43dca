"""Soak run of two app servers on one PostgreSQL and one Redis (issue 13, point 6).

16 clients for N minutes, each request sent to one of the two servers in turn: page
views (70 %), saves through the API (20 %, each client on pages of its own, so no
save waits for a conflict) and searches (10 %). A measurement, not a test: it prints
per kind of request the count, the answers other than 2xx/3xx, and the median and p95
latencies, then the error reports of both server logs; it exits 1 when any request
got a 500 (or no answer), else 0. Run it from the repository root::

    .venv/bin/python bench/soak.py                      # 16 clients, 10 minutes
    .venv/bin/python bench/soak.py --minutes 1          # a short run
    .venv/bin/python bench/soak.py --database-url postgresql+psycopg://… --redis-url redis://…

Everything stays on 127.0.0.1; the servers' schema and Redis keys are removed after.
"""

from __future__ import annotations

import argparse
import os
import random
import threading
import time
from collections import Counter, defaultdict
from urllib.parse import quote

from two_servers import DEFAULT_DATABASE, DEFAULT_REDIS, Client, Cluster, median, p95, two_servers

#: words of the seed pages and of the soak's own texts, searched for
WORDS = ("aide", "page", "licence", "lavoir", "atelier", "historique", "quartier", "jardin")
SEED_PAGES = ("Accueil", "Aide:Sommaire", "Bac à sable", "Catégorie:Aide")


def path_of(title: str) -> str:
    return quote(title.replace(" ", "_"))


class Stats:
    """Latencies and statuses per kind of request, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)

    def add(self, kind: str, status: int, ms: float) -> None:
        with self.lock:
            self.latencies[kind].append(ms)
            self.statuses[kind][status] += 1


def client_loop(cluster: Cluster, number: int, stop_at: float, stats: Stats) -> None:
    """One client: views, saves of its own pages and searches until ``stop_at``."""
    rng = random.Random(number)
    client = Client(cluster.ports, cluster.token)
    own = [f"Soak {number} {k}" for k in range(4)]
    bases: dict[str, int | None] = dict.fromkeys(own)
    turn = number
    while time.monotonic() < stop_at:
        turn += 1
        port = cluster.ports[turn % 2]
        roll = rng.random()
        if roll < 0.7:
            title = rng.choice([*SEED_PAGES, *(t for t in own if bases[t])])
            status, ms, _ = client.request(port, "GET", f"/wiki/{path_of(title)}")
            stats.add("view", status, ms)
        elif roll < 0.9:
            title = rng.choice(own)
            text = f"Le {rng.choice(WORDS)} du quartier, version {turn}.\n"
            body = {"text": text, "base_revision": bases[title], "summary": "soak"}
            status, ms, answer = client.request(
                port, "PUT", f"/api/v1/pages/{path_of(title)}", body
            )
            stats.add("save", status, ms)
            if status in (200, 201) and answer:
                bases[title] = answer["revision"]["id"]
            elif status == 409 and answer:
                bases[title] = answer["current_revision"]["id"]
        else:
            word = rng.choice(WORDS)
            status, ms, _ = client.request(port, "GET", f"/recherche?q={word}")
            stats.add("search", status, ms)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--search-backend", default="postgresql")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()

    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    with two_servers(
        args.database_url,
        args.redis_url,
        workers=args.workers,
        search_backend=args.search_backend,
        keep=args.keep_logs,
    ) as cluster:
        stats = Stats()
        stop_at = time.monotonic() + args.minutes * 60
        threads = [
            threading.Thread(target=client_loop, args=(cluster, n, stop_at, stats))
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        reports = cluster.error_reports()

    print(f"{args.clients} clients, {args.minutes:g} min, two servers of {args.workers} workers")
    print(f"{'kind':8} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}  answers")
    failed = 0
    for kind in ("view", "save", "search"):
        counts = stats.statuses[kind]
        lat = stats.latencies[kind]
        shown = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
        print(f"{kind:8} {sum(counts.values()):7} {median(lat):8.1f} {p95(lat):8.1f}  {shown}")
        failed += sum(n for status, n in counts.items() if status >= 500 or status == 0)
    print(f"error reports in the server logs: {reports}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("500s or no answer:", failed)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
