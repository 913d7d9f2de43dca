"""Benchmark of the PostgreSQL search backend: rebuild, queries, suggestions, one-page writes.

A measurement, not a test: it exits 0 once the measurements ran, printing "OVER TARGET"
next to a number that misses its target. Needs a PostgreSQL database (a schema of its
own is made and dropped)::

    WIKICOOP_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test \\
        python bench/bench_pg_search.py --pages 10000

The pages come from ``tests/search_corpus.py`` (the relevance corpus, made larger); the
queries are the judged queries of ``tests/unit/test_search_relevance.py`` plus one-word
queries, each run ``--rounds`` times. The backend is called directly (no Flask). Times
are wall clock (``time.perf_counter``): median and p95.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "unit")]

from search_corpus import iter_corpus  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from wikicoop.core.db import upgrade_schema  # noqa: E402
from wikicoop.search import pg_backend  # noqa: E402
from wikicoop.search.backend import QueryError, SearchQuery  # noqa: E402
from wikicoop.search.pg_backend import PostgresBackend  # noqa: E402

#: targets in milliseconds (issue 13, point 5: p95 < 50 ms at 100,000 pages)
TARGET_QUERY_P95_MS = 50.0
TARGET_SUGGEST_P95_MS = 20.0
TARGET_WRITE_P95_MS = 50.0

WORDS = (
    "atelier", "quartier", "habitants", "internet", "numérique", "projet", "médiathèque",
    "jardin", "écriture", "wiki", "photo", "vidéo", "licence", "papi", "fête", "formation",
)  # fmt: skip
PREFIXES = ("pa", "ate", "med", "jard", "eco", "papi b", "atelier d")


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    """Milliseconds of each of ``rounds`` calls."""
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, values: list[float], target: float | None) -> None:
    median, p95 = statistics.median(values), percentile(values, 0.95)
    over = "  OVER TARGET" if target is not None and p95 > target else ""
    print(f"{name:28} median {median:8.1f} ms   p95 {p95:8.1f} ms   n={len(values)}{over}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("WIKICOOP_DATABASE_URL", ""))
    parser.add_argument(
        "--keep-schema",
        default="",
        help="build the pages in this schema once and keep it (later runs reuse it)",
    )
    parser.add_argument(
        "--rank-all",
        type=int,
        default=None,
        help="override pg_backend.RANK_ALL (matches ranked in full; a large value: no cap)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        print("set WIKICOOP_DATABASE_URL (or --database-url) to a PostgreSQL database")
        return 2
    from test_search_relevance import ABSENT, JUDGED

    if args.rank_all is not None:
        pg_backend.RANK_ALL = args.rank_all

    schema = args.keep_schema or f"bench_pg_search_{os.getpid()}"
    admin = create_engine(args.database_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    url = make_url(args.database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(url)
    try:
        upgrade_schema(engine)
        with engine.begin() as conn:  # documents without pages
            conn.execute(
                text(
                    "ALTER TABLE search_entries"
                    " DROP CONSTRAINT IF EXISTS fk_search_entries_page_id_pages"
                )
            )
            built = conn.execute(text("SELECT count(*) FROM search_entries")).scalar()
        backend = PostgresBackend(engine)
        if built != args.pages:
            start = time.perf_counter()
            backend.rebuild(iter_corpus(args.pages))
            print(f"{args.pages} pages rebuilt in {time.perf_counter() - start:.1f} s")
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE search_entries"))
                conn.execute(text("VACUUM ANALYZE search_facets"))
        else:
            print(f"{args.pages} pages already in schema {schema}")

        def run(query: SearchQuery) -> None:
            with contextlib.suppress(QueryError):  # a query of stop words only
                backend.search(query)

        queries = [SearchQuery(j.query, filters=dict(j.filters), sort=j.sort) for j in JUDGED] + [
            SearchQuery(word) for word in WORDS
        ]
        times = [t for q in queries for t in timed(lambda q=q: run(q), args.rounds)]
        report("search (judged + words)", times, TARGET_QUERY_P95_MS)
        common = [t for w in WORDS for t in timed(lambda w=w: run(SearchQuery(w)), args.rounds)]
        report("search (one word)", common, TARGET_QUERY_P95_MS)
        # the judged targets among this many pages (typos aside): what a capped ranking costs
        ranks = []
        for j in JUDGED:
            if j.rank == ABSENT or j.corrected is not None:
                continue
            with contextlib.suppress(QueryError):
                found = backend.search(
                    SearchQuery(j.query, filters=dict(j.filters), sort=j.sort, per_page=10)
                )
                titles = [hit.title for hit in found.hits]
                ranks.append(titles.index(j.expected) + 1 if j.expected in titles else 0)
        mrr = sum(1 / r for r in ranks if r) / len(ranks)
        first = sum(1 for r in ranks if r == 1)
        print(f"judged targets (first 10)    MRR {mrr:.3f}, first {first} of {len(ranks)}")
        suggest = [
            t for p in PREFIXES for t in timed(lambda p=p: backend.suggest_titles(p), args.rounds)
        ]
        report("suggest_titles", suggest, TARGET_SUGGEST_P95_MS)
        sample = list(iter_corpus(50))
        writes = []
        for n, doc in enumerate(sample):
            changed = replace(doc, revision_id=doc.revision_id + 1, text=doc.text + f" mot{n}")
            writes += timed(lambda d=changed: backend.index_pages([d]), 1)
        report("one-page write", writes, TARGET_WRITE_P95_MS)
    finally:
        engine.dispose()
        if not args.keep_schema:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
