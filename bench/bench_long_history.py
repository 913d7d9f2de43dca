"""A page with 10,000 revisions against a page with 10: history, diff and restore timed.

A measurement, not a test (tests/web/test_long_history.py proves the same work by counting
statements and texts decoded): it prints the median and p95 wall-clock times and exits 0.
Run it from the repository root::

    .venv/bin/python bench/bench_long_history.py                     # SQLite (temporary file)
    .venv/bin/python bench/bench_long_history.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test   # own schema

On PostgreSQL it works in a schema of its own (``bench_history_<pid>``), dropped at the end,
and runs VACUUM ANALYZE after the bulk load (as autovacuum would on a live wiki).
Everything runs in process (Flask test client), timed with ``time.perf_counter``:

- the history: first, middle and last page (HISTORY_PAGE_SIZE rows);
- the diff of the first and the last revision (``?action=diff&from=&to=``);
- restoring an old revision (the form POST; the first and the second alternately).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import bindparam, create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import PASSWORD, make_user  # noqa: E402

from wikicoop import create_app  # noqa: E402
from wikicoop.community.accounts import find_user  # noqa: E402
from wikicoop.core import revisions as rev  # noqa: E402
from wikicoop.core import writing  # noqa: E402
from wikicoop.core.db import engine_of, upgrade_schema  # noqa: E402
from wikicoop.core.models import Revision, utcnow  # noqa: E402
from wikicoop.search import wait_for_index  # noqa: E402
from wikicoop.text.titles import parse_title  # noqa: E402
from wikicoop.web.db import get_session  # noqa: E402

PARAGRAPH = (
    "Le Repair Café de Kerourien ouvre chaque premier samedi du mois, de 14 h à 18 h, à la "
    "maison de quartier. Bénévoles et voisins y réparent ensemble grille-pains, vélos, "
    "vêtements et ordinateurs : on apprend en faisant, on évite de jeter.\n\n"
)


def version_text(number: int) -> str:
    """The text of the ``number``-th version (2 to 5 KB of French); versions 9 and 9,999,
    the last of each page, are as long, so both diffs compare the same amount of text."""
    return f"= Repair Café =\n\nVersion n° {number}.\n\n" + PARAGRAPH * (8 + number % 10)


def build_page(app: Flask, title: str, count: int) -> list[int]:
    """A page of ``count`` published revisions (the first saved through the write path, the
    rest inserted in bulk through the ORM's table, so texts are compressed); their ids."""
    with app.app_context():
        session = get_session()
        user = find_user(session, "Historienne")
        assert user is not None
        author = rev.Author(user=user)
        writing.save(
            writing.context_for(app, session),
            writing.Edit(
                author=author, title=parse_title(title), text=version_text(0), base_revision_id=None
            ),
        )
        page = rev.find_page(session, parse_title(title))
        assert page is not None
        start = utcnow()
        for chunk in range(1, count, 2000):
            rows = [
                {
                    "page_id": page.id,
                    "author_id": author.user.id,
                    "created_at": start + timedelta(minutes=n),
                    "summary": f"Retouche n° {n}",
                    "minor": False,
                    "size": len(version_text(n).encode()),
                    "text": version_text(n),
                    "licence": page.licence,
                    "action": "edit",
                    "status": "published",
                }
                for n in range(chunk, min(count, chunk + 2000))
            ]
            session.execute(insert(Revision.__table__), rows)
        ids = list(
            session.scalars(
                select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
            )
        )
        table = Revision.__table__
        session.execute(
            update(table).where(table.c.id == bindparam("rid")),
            [{"rid": rid, "parent_id": parent} for parent, rid in pairwise(ids)],
        )
        page.latest_revision_id = ids[-1]
        session.commit()
        return ids


def settle(app: Flask) -> None:
    """On PostgreSQL, VACUUM ANALYZE after the bulk load, as autovacuum soon would on a live
    wiki: without it the planner has no statistics for the new rows and index-only scans
    still visit the table (its visibility map is empty)."""
    engine = engine_of(app)
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE revisions"))


def timed(run: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    """Wall-clock milliseconds of ``repeat`` runs, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def get_ok(client: FlaskClient, url: str) -> None:
    """GET ``url``; a failure stops the bench."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")


def measure(app: Flask, sizes: Sequence[int], repeat: int) -> dict[str, dict[int, list[float]]]:
    """Time the operations on one page of each size."""
    with app.app_context():
        make_user(app, "Historienne")
    client = app.test_client()
    response = client.post(
        "/compte/connexion", data={"username": "Historienne", "password": PASSWORD}
    )
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code}")
    page_size = app.config["HISTORY_PAGE_SIZE"]
    results: dict[str, dict[int, list[float]]] = {}
    for size in sizes:
        title = f"Histoire de {size} versions"
        start = time.perf_counter()
        ids = build_page(app, title, size)
        print(f"  built {title!r} in {time.perf_counter() - start:.1f} s", flush=True)
        settle(app)
        path = "/wiki/" + title.replace(" ", "_")
        offsets = {"first": 0, "middle": size // 2, "last": max(0, size - page_size)}
        for name, offset in offsets.items():
            url = f"{path}?action=history&offset={offset}"
            results.setdefault(f"history, {name} page", {})[size] = timed(
                lambda url=url: get_ok(client, url), repeat
            )
        url = f"{path}?action=history&limit=10"  # as many rows as the short page shows
        results.setdefault("history, 10 rows", {})[size] = timed(
            lambda url=url: get_ok(client, url), repeat
        )
        url = f"{path}?action=diff&from={ids[0]}&to={ids[-1]}"
        results.setdefault("diff first/last", {})[size] = timed(
            lambda url=url: get_ok(client, url), repeat
        )
        turn = iter(range(10**9))

        def restore(path: str = path, ids: list[int] = ids, turn: Iterator[int] = turn) -> None:
            old = ids[next(turn) % 2]  # the first and the second in turn: each is a change
            response = client.post(f"{path}?action=restore", data={"revision": str(old)})
            if response.status_code != 302:
                raise RuntimeError(f"restore {old}: {response.status_code}")

        results.setdefault("restore (POST)", {})[size] = timed(restore, repeat)
        wait_for_index(app)
    return results


def report(label: str, results: dict[str, dict[int, list[float]]], sizes: Sequence[int]) -> None:
    """One line per operation: median and p95 for each page size, and their ratio."""
    print(f"\n{label}: wall-clock ms (median / p95)")
    head = "".join(f"  {f'{size:,} revisions':>22}" for size in sizes)
    print(f"{'operation':<24}{head}  {'median ratio':>12}")
    for name, by_size in results.items():
        cells = "".join(
            f"  {statistics.median(by_size[s]):>10.2f} / {p95(by_size[s]):>8.2f}" for s in sizes
        )
        ratio = statistics.median(by_size[sizes[-1]]) / statistics.median(by_size[sizes[0]])
        print(f"{name:<24}{cells}  {ratio:>12.2f}")


def settings(instance: Path, database_url: str) -> dict:
    """A test-like app on ``database_url`` (no CSRF, no rate limit: the bench times views)."""
    return {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "TESTING": True,
        "SECRET_KEY": "bench-secret-key",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SEED_ON_FIRST_RUN": False,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }


def main() -> None:
    """Run on SQLite, or on PostgreSQL with --database-url."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sizes", default="10,10000", help="revisions of each page")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.database_url:
            schema = f"bench_history_{os.getpid()}"
            admin = create_engine(args.database_url)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            url = make_url(args.database_url).update_query_dict(
                {"options": f"-csearch_path={schema}"}
            )
            label = "PostgreSQL"
            database_url = url.render_as_string(hide_password=False)
        else:
            schema, admin, label = "", None, "SQLite"
            database_url = f"sqlite:///{folder / 'wiki.db'}"
        try:
            app = create_app(settings(folder / "instance", database_url))
            upgrade_schema(engine_of(app))
            results = measure(app, sizes, args.repeat)
            wait_for_index(app)
            engine_of(app).dispose()
        finally:
            if admin is not None:
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                admin.dispose()
    report(label, results, sizes)
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
