"""Search benchmark of wikicoop: full rebuild, queries with snippets, one-page updates.

A measurement, not a test: it always exits 0 once the measurements ran, and prints
"OVER TARGET" next to a number that misses its target. Run it from the repository root::

    python bench/bench_search.py                  # 10,000 pages of ~3 KB, 200 queries
    python bench/bench_search.py --pages 1000     # quick mode

The pages come from ``tests/search_corpus.py`` (the corpus of the relevance tests, made
larger): French pages of Papi, initiatives, workshops, magazine articles, help, categories,
and a few English ones, drawn with ``random.Random(seed)``. The backend is
:class:`~wikicoop.search.whoosh_backend.WhooshBackend` on an index in a temporary folder
(deleted afterwards), called directly: no Flask, no database. Times are wall clock
(``time.perf_counter``); the median CPU time of the process is printed beside them.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from search_corpus import (
    ALL_QUARTIERS,
    ENGLISH_SENTENCES,
    WORKSHOP_KINDS,
    generate_corpus,
    huge_page_text,
)

from wikicoop.search.analysis import fold
from wikicoop.search.backend import SearchDocument, SearchQuery
from wikicoop.search.whoosh_backend import WhooshBackend

#: targets (seconds for the rebuild, milliseconds for the rest)
TARGET_REBUILD_S = 60.0
TARGET_QUERY_MEDIAN_MS = 20.0
TARGET_QUERY_P95_MS = 50.0
TARGET_UPDATE_MEDIAN_MS = 80.0

#: French words of the corpus, common and rarer, for one-word queries
WORDS = (
    "atelier", "ateliers", "quartier", "habitants", "internet", "numérique", "projet",
    "initiatives", "bénévoles", "médiathèque", "jardin", "écriture", "wiki", "photo",
    "vidéo", "licence", "papi", "association", "fête", "formation", "logiciels", "tablette",
    "démarches", "imprimante", "exposition", "souvenirs", "radio", "couture", "généalogie",
    "cœur", "œuvre", "université", "populaire", "bibliothèque", "centre social", "école",
)  # fmt: skip
TYPOS = (
    "mediatheqe", "atelié", "numerique", "bibliotheque", "initiatve", "habitnats", "papy",
    "kerourein", "recouvrence", "ecritrue", "assocation", "benevoles", "lambezelec",
)  # fmt: skip
ENGLISH = (
    "digital inclusion", "community radio", "volunteering", "writing workshop",
    "public internet access", "repair café", "free software", "library hours",
)  # fmt: skip
PHRASES = (
    '"jardins partagés"', '"point d\'accès"', '"appel à projets"', '"maison pour tous"',
    '"centre social"', '"écrivain public"', '"logiciels libres"', '"mettre en œuvre"',
)  # fmt: skip
PREFIXES = ("numéri*", "atel*", "médiat*", "jardin*", "bénév*", "inform*", "kerour*", "photo*")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Samples:
    """Wall-clock and CPU durations of repetitions, in milliseconds."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, fn: Callable[[], Any]) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        result = fn()
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.cpu.append((time.process_time() - cpu) * 1000)
        return result


# --------------------------------------------------------------------------- queries


def typo_of(rng: random.Random, word: str) -> str:
    """``word`` with two neighbouring letters swapped."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def title_words(title: str) -> str:
    return title.split(":", 1)[-1].split(" (")[0]


def make_queries(
    rng: random.Random, documents: Sequence[SearchDocument], count: int
) -> list[tuple[str, SearchQuery]]:
    """``count`` (pattern, query) pairs drawn from realistic patterns, in shuffled order."""
    titles = [d.title for d in documents if d.namespace == "main" and d.language == "fr"]
    patterns: list[tuple[str, int, Callable[[], SearchQuery]]] = [
        ("one word", 16, lambda: SearchQuery(rng.choice(WORDS))),
        ("one word, no accents", 8, lambda: SearchQuery(fold(rng.choice(WORDS)))),
        (
            "papi + quartier",
            10,
            lambda: SearchQuery(f"papi {fold(rng.choice(ALL_QUARTIERS)).lower()}"),
        ),
        ("a page title", 12, lambda: SearchQuery(title_words(rng.choice(titles)))),
        (
            "title words, lowercase, no accents",
            8,
            lambda: SearchQuery(fold(title_words(rng.choice(titles))).lower()),
        ),
        ("two words", 8, lambda: SearchQuery(" ".join(rng.sample(WORDS, 2)))),
        ("phrase", 6, lambda: SearchQuery(rng.choice(PHRASES))),
        ("prefix", 6, lambda: SearchQuery(rng.choice(PREFIXES))),
        (
            "exclusion",
            5,
            lambda: SearchQuery(f"atelier -{rng.choice(WORKSHOP_KINDS).split()[1]}"),
        ),
        ("OR", 5, lambda: SearchQuery(" OR ".join(rng.sample(WORDS, 2)))),
        (
            "typo",
            6,
            lambda: SearchQuery(
                rng.choice(TYPOS) if rng.random() < 0.5 else typo_of(rng, rng.choice(WORDS))
            ),
        ),
        ("English", 4, lambda: SearchQuery(rng.choice(ENGLISH))),
        (
            "English sentence words",
            2,
            lambda: SearchQuery(" ".join(rng.choice(ENGLISH_SENTENCES).split()[:3])),
        ),
        (
            "namespace filter",
            4,
            lambda: SearchQuery(rng.choice(WORDS), filters={"namespace": "help"}),
        ),
        (
            "type filter",
            3,
            lambda: SearchQuery(rng.choice(WORDS), filters={"type": "workshop"}),
        ),
        ("newest first", 4, lambda: SearchQuery(rng.choice(WORDS), sort="date")),
        ("page 2", 3, lambda: SearchQuery(rng.choice(WORDS[:8]), page=2)),
    ]
    names = [p[0] for p in patterns]
    weights = [p[1] for p in patterns]
    makers = {p[0]: p[2] for p in patterns}
    queries = []
    for name in rng.choices(names, weights, k=count):
        queries.append((name, makers[name]()))
    return queries


# --------------------------------------------------------------------------- measures


def index_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "?"


def flag(value: float, target: float) -> str:
    return "  OVER TARGET" if value > target else "  ok"


def print_row(name: str, samples: Samples, width: int, target: str = "", mark: str = "") -> None:
    wall = samples.wall
    print(
        f"{name:<{width}}  {len(wall):>4}  {median(wall):>8.2f}  {p95(wall):>8.2f}"
        f"  {min(wall):>8.2f}  {max(wall):>8.2f}  {median(samples.cpu):>8.2f}  {target:>15}{mark}"
    )


def print_header(width: int) -> None:
    header = (
        f"{'measure':<{width}}  {'n':>4}  {'median':>8}  {'p95':>8}  {'min':>8}  {'max':>8}"
        f"  {'cpu med':>8}  {'target':>15}"
    )
    print(header)
    print("-" * (len(header) + 13))


def edited(doc: SearchDocument, n: int) -> SearchDocument:
    """A new revision of ``doc``: one sentence added, a newer date."""
    addition = f" Mise à jour n° {n} : la permanence change d'horaire à partir de lundi."
    return replace(
        doc,
        revision_id=doc.revision_id + 1000 * (n + 1),
        text=doc.text + addition,
        updated=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
    )


def run_queries(
    backend: WhooshBackend, queries: Sequence[tuple[str, SearchQuery]]
) -> tuple[Samples, dict[str, Samples], list[int]]:
    overall = Samples()
    by_pattern: dict[str, Samples] = defaultdict(Samples)
    totals = []
    for name, q in queries:
        cpu, wall = time.process_time(), time.perf_counter()
        results = backend.search(q)
        elapsed = ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
        for samples in (overall, by_pattern[name]):
            samples.wall.append(elapsed[0])
            samples.cpu.append(elapsed[1])
        totals.append(results.total)
        assert all(hit.snippet_html for hit in results.hits) or not results.hits
    return overall, by_pattern, totals


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="corpus size (default 10000)")
    parser.add_argument("--queries", type=int, default=200, help="queries timed (default 200)")
    parser.add_argument("--updates", type=int, default=50, help="one-page updates (default 50)")
    parser.add_argument(
        "--text-chars",
        type=int,
        default=3300,
        help="average characters of a generated page (default 3300: about 3 KB of UTF-8)",
    )
    parser.add_argument("--seed", type=int, default=2012, help="corpus random seed")
    parser.add_argument(
        "--huge-repeat",
        type=int,
        default=3,
        help="index_pages of the 2 MB page of 250,000 distinct words (default 3 times)",
    )
    args = parser.parse_args(argv)
    if args.pages < 100:
        parser.error("--pages must be at least 100")

    print(
        f"wikicoop search benchmark: Python {platform.python_version()}, "
        f"whoosh-reloaded {importlib.metadata.version('whoosh-reloaded')}, "
        f"{os.cpu_count()} CPU, load average {load_average()}"
    )
    rng = random.Random(args.seed)
    start = time.perf_counter()
    documents = generate_corpus(args.pages, seed=args.seed, text_chars=args.text_chars)
    generated = time.perf_counter() - start
    sizes = [len(d.text.encode("utf-8")) for d in documents]
    print(
        f"corpus: {len(documents)} pages, {sum(sizes) / len(sizes) / 1024:.2f} KB of text on "
        f"average ({sum(sizes) / 1024 / 1024:.1f} MB), "
        f"{sum(d.language == 'en' for d in documents)} in English; generated in {generated:.1f} s"
    )

    with tempfile.TemporaryDirectory(prefix="wikicoop-bench-search-") as tmp:
        index_dir = Path(tmp) / "index"
        backend = WhooshBackend(index_dir)

        # -- full rebuild
        cpu, wall = time.process_time(), time.perf_counter()
        backend.rebuild(iter(documents), total=len(documents))
        rebuild_s = time.perf_counter() - wall
        rebuild_cpu = time.process_time() - cpu
        size = index_size(index_dir)
        print()
        print(
            f"full rebuild: {rebuild_s:.1f} s ({len(documents) / rebuild_s:.0f} pages/s, "
            f"CPU {rebuild_cpu:.1f} s), target <= {TARGET_REBUILD_S:g} s"
            f"{flag(rebuild_s, TARGET_REBUILD_S)}"
        )
        print(
            f"index on disk: {size / 1024 / 1024:.1f} MB "
            f"({size / max(1, sum(sizes)):.2f} × the text)"
        )

        # -- queries
        queries = make_queries(rng, documents, args.queries)
        cold = Samples()
        cold.run(lambda: backend.search(SearchQuery("quartier")))  # opens the index
        overall, by_pattern, totals = run_queries(backend, queries)

        # -- one-page updates (a save: one document + commit)
        candidates = rng.sample(documents, args.updates)
        updates, maintenance = Samples(), Samples()
        for n, doc in enumerate(candidates):
            new = edited(doc, n)
            updates.run(lambda new=new: backend.index_pages([new]))
            maintenance.run(backend.maintain)  # the wiki runs it after the response
        after, _, _ = run_queries(backend, queries)
        # -- the 2 MB page of 250,000 distinct words: how long it holds the write lock
        huge = Samples()
        huge_text, _ = huge_page_text()
        for n in range(args.huge_repeat):
            page = SearchDocument(
                page_id=10_000_000 + n, revision_id=1, title=f"Très grande page {n}",
                namespace="main", text=huge_text,
            )  # fmt: skip
            huge.run(lambda page=page: backend.index_pages([page]))
            backend.maintain()
        suggest = Samples()
        for prefix in rng.choices(("pa", "papi k", "méd", "atel", "jard", "aide:", "ker"), k=50):
            suggest.run(lambda prefix=prefix: backend.suggest_titles(prefix))
        final_size = index_size(index_dir)

    width = 44
    print()
    print(
        f"{len(queries)} queries (20 hits a page, snippets), "
        f"{len({q.text for _, q in queries})} distinct; results per query: "
        f"median {median(totals):g}, max {max(totals)}, "
        f"{sum(1 for t in totals if t == 0)} with none"
    )
    print_header(width)
    print_row("first query (opens the index)", cold, width)
    print_row(
        "query: all",
        overall,
        width,
        f"med <= {TARGET_QUERY_MEDIAN_MS:g} ms",
        flag(median(overall.wall), TARGET_QUERY_MEDIAN_MS),
    )
    print(
        f"{'':<{width}}  {'':>4}  {'':>8}  {'':>8}  {'':>8}  {'':>8}  {'':>8}  "
        f"{f'p95 <= {TARGET_QUERY_P95_MS:g} ms':>15}{flag(p95(overall.wall), TARGET_QUERY_P95_MS)}"
    )
    for name, samples in sorted(by_pattern.items(), key=lambda kv: -median(kv[1].wall)):
        print_row(f"  {name}", samples, width)
    print_row(
        "index_pages(1 page) + commit",
        updates,
        width,
        f"med <= {TARGET_UPDATE_MEDIAN_MS:g} ms",
        flag(median(updates.wall), TARGET_UPDATE_MEDIAN_MS),
    )
    print_row("maintain() after each update (merges)", maintenance, width)
    if huge.wall:
        print_row("index_pages(2 MB, 250,000 distinct words)", huge, width)
    print_row(f"query: all, after {len(updates.wall)} updates", after, width)
    print_row("suggest_titles (prefix)", suggest, width)
    print(
        '(milliseconds of wall clock; "cpu med" is the median CPU time of this process; '
        "targets apply to wall clock)"
    )
    print(f"index on disk after the updates: {final_size / 1024 / 1024:.1f} MB")
    missed = []
    if rebuild_s > TARGET_REBUILD_S:
        missed.append("full rebuild")
    if median(overall.wall) > TARGET_QUERY_MEDIAN_MS:
        missed.append("query median")
    if p95(overall.wall) > TARGET_QUERY_P95_MS:
        missed.append("query p95")
    if median(updates.wall) > TARGET_UPDATE_MEDIAN_MS:
        missed.append("one-page update median")
    print()
    print(f"load average at the end: {load_average()}")
    print("OVER TARGET: " + ", ".join(missed) if missed else "All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
