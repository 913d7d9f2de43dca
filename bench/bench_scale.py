"""Scale benchmark: the same requests on wikis of 1,000 and 100,000 pages, side by side.

A measurement, not a test (exits 0 whatever the numbers). The wikis are instance folders
built by ``make_big_wiki.py``; give them all in one run so that every figure is taken
the same way, at the same time, under the same machine load::

    python bench/make_big_wiki.py --instance /tmp/w1k --pages 1000 --revisions 10000
    python bench/make_big_wiki.py --instance /tmp/w100k            # 100,000 / 1,000,000
    python bench/bench_scale.py --instance /tmp/w1k --instance /tmp/w100k

Every request goes through the Flask test client in this process (no HTTP server, no
network): the figures are the application's own time (routing, SQL, rendering,
templates), not a server's. Each measure prints its median and p95 over ``--repeat``
runs (``--queries`` for search and suggestions) per wiki, then the ratio of the big
wiki's median to the small one's. The saves add revisions to the wikis; the first page
views render pages and fill the render cache (it is empty after ``make_big_wiki.py``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import (
    BASE_REVISION_RE,
    Measure,
    Prepared,
    csrf_of,
    edited,
    get_ok,
    latest_text,
    load_average,
    median,
    p95,
)
from make_big_wiki import database_size, folder_size

from wikicoop import create_app
from wikicoop.core import history
from wikicoop.core.db import engine_of
from wikicoop.core.models import Page, Revision
from wikicoop.search import wait_for_index
from wikicoop.text.titles import Title, make_title, parse_title
from wikicoop.web.db import get_session

PASSWORD = "correct horse battery staple"
WORD_RE = re.compile(r"[a-zàâçéèêëîïôûùüÿœæ]{5,}")
#: the kinds of search queries, in the order ``search_queries`` cycles through them
QUERY_KINDS = ("one word", "two words", "a page title", "a prefix (word*)")
TARGET_RATIO = 1.5
TARGET_SEARCH_P95_MS = 50.0


@dataclass
class Wiki:
    """An instance built by ``make_big_wiki.py``, opened in this process."""

    path: Path
    app: Flask
    facts: dict[str, Any]
    anonymous: FlaskClient
    editor: FlaskClient

    @property
    def label(self) -> str:
        return f"{self.facts['pages']:,} p."


class NoIndexing:
    """Stands in for the app's index queue (``--no-indexing``): saves queue nothing.

    For a wiki whose search index is not built yet: a real queue would start indexing
    all its pages in the background (its "behind the database" check) at the first save.
    The index update runs after the response anyway, in a background thread.
    """

    pending: frozenset[int] = frozenset()

    def submit(self, page_ids: object) -> None:
        """Ignore the pages saved."""

    def flush(self, timeout: float | None = 60.0) -> bool:
        """Nothing is ever queued."""
        return True


def open_wiki(path: Path, search_backend: str, *, indexing: bool = True) -> Wiki:
    """The app of an instance folder (its ``config.py`` names the database)."""
    overrides: dict[str, Any] = {"INSTANCE_PATH": str(path.resolve()), "TESTING": True}
    if search_backend:
        overrides["SEARCH_BACKEND"] = search_backend
    app = create_app(overrides)
    if not indexing:
        app.extensions["wikicoop.search.indexer"] = NoIndexing()
    facts = json.loads((path / "bigwiki.json").read_text(encoding="utf-8"))
    editor = app.test_client()
    html = get_ok(editor, "/compte/connexion")
    response = editor.post(
        "/compte/connexion",
        data={"username": "Contributeur 00", "password": PASSWORD, "csrf_token": csrf_of(html)},
    )
    if response.status_code != 302:
        raise RuntimeError(f"login failed on {path}: {response.status_code}")
    return Wiki(path, app, facts, app.test_client(), editor)


def url_of(title: Title, action: str = "") -> str:
    """``/wiki/<title>`` with an optional ``?action=``."""
    return "/wiki/" + title.url_path + (f"?action={action}" if action else "")


def sample_titles(wiki: Wiki, rng: random.Random, count: int, *, edited_only: bool) -> list[Title]:
    """``count`` distinct article titles (with two revisions or more if ``edited_only``)."""
    with wiki.app.app_context():
        session = get_session()
        query = select(Page.namespace, Page.name).where(Page.namespace == "main")
        if edited_only:
            query = query.where(
                select(func.count())
                .where(Revision.page_id == Page.id)
                .correlate(Page)
                .scalar_subquery()
                > 1
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        offsets = sorted(rng.sample(range(total), min(count, total)))
        titles = []
        for offset in offsets:
            ns, name = session.execute(query.order_by(Page.id).offset(offset).limit(1)).one()
            titles.append(make_title(ns, name))
        rng.shuffle(titles)
        return titles


def search_queries(rng: random.Random, titles: Sequence[Title], count: int) -> list[str]:
    """Queries like people type: one word, two words, a title, a word prefix."""
    words = [w for t in titles for w in WORD_RE.findall(t.name.lower())]
    words += [
        "jardin",
        "association",
        "quartier",
        "bénévoles",
        "marché",
        "patrimoine",
        "réparation",
        "histoire",
        "commune",
        "chantier",
        "permanence",
        "gouvernement",
        "région",
        "musique",
        "école",
    ]
    queries = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            queries.append(rng.choice(words))
        elif kind == 1:
            queries.append(f"{rng.choice(words)} {rng.choice(words)}")
        elif kind == 2:
            queries.append(rng.choice(titles).name)
        else:
            queries.append(rng.choice(words)[:4] + "*")
    return queries


def wanted(args: argparse.Namespace, name: str) -> bool:
    """Whether the measure ``name`` is selected by ``--only`` and ``--skip``."""
    if any(word in name for word in args.skip):
        return False
    return not args.only or any(word in name for word in args.only)


class ScaleBench:
    """The measured requests on one wiki."""

    def __init__(self, wiki: Wiki, args: argparse.Namespace) -> None:
        self.wiki, self.args = wiki, args
        rng = random.Random(args.seed)
        n = args.repeat
        pool = sample_titles(wiki, rng, 3 * n, edited_only=True)
        self.view_titles = pool[:n]
        self.save_titles = pool[n : 2 * n]
        self.diff_titles = pool[2 * n :]
        self.popular = parse_title(wiki.facts["popular_title"])
        self.category = parse_title(wiki.facts["big_category"])
        self.most_revised = parse_title(wiki.facts["most_revised_title"])
        self.queries = search_queries(rng, pool, args.queries)
        with wiki.app.app_context():
            session = get_session()
            self.members = len(history.category_members(session, self.category.name))
            self.backlinks = len(history.backlinks(session, self.popular))
        self.prefixes = [t.name[: rng.randint(3, 6)] for t in pool[: args.queries]]

    def get(self, client: FlaskClient, urls: Sequence[str]) -> Callable[[int], Prepared]:
        """GET ``urls[i]`` (modulo) with ``client``, after the index updates are written."""

        def prepare(i: int) -> Prepared:
            wait_for_index(self.wiki.app, timeout=None)
            return lambda: get_ok(client, urls[i % len(urls)])

        return prepare

    def view_after_save(self, i: int) -> Prepared:
        """A logged-in view of a page viewed before, just after a publication elsewhere:
        the « Pages cousines » panel (plugin relier) recomputes the page's list, as every
        publication makes every stored list stale. The publication is simulated, untimed,
        by the plugin's own generation bump (one UPDATE of ``relier_state``)."""
        wiki = self.wiki
        wait_for_index(wiki.app, timeout=None)
        with wiki.app.app_context():
            session = get_session()
            session.execute(
                text("UPDATE relier_state SET value = value + 1 WHERE name = 'generation'")
            )
            session.commit()
        url = url_of(self.view_titles[i % len(self.view_titles)])
        return lambda: get_ok(wiki.editor, url)

    def web_save(self, i: int) -> Prepared:
        """POST the edit form of a page (form and text fetched untimed)."""
        wiki = self.wiki
        wait_for_index(wiki.app, timeout=None)
        title = self.save_titles[i % len(self.save_titles)]
        url = url_of(title, "edit")
        html = get_ok(wiki.editor, url)
        base = BASE_REVISION_RE.search(html)
        data = {
            "csrf_token": csrf_of(html),
            "base_revision": base.group(1) if base else "",
            "text": edited(latest_text(wiki.app, title), i),
            "summary": "Banc d'essai (échelle)",
            "save": "Enregistrer",
        }

        def post() -> None:
            response = wiki.editor.post(url, data=data)
            if response.status_code != 302:
                raise RuntimeError(f"POST {url}: {response.status_code}\n{response.text[:500]}")
            response.close()

        return post

    def measures(self) -> list[Measure]:
        """Every measure, in the order they run (first views before cached ones)."""
        w, n, q = self.wiki, self.args.repeat, self.args.queries
        views = [url_of(t) for t in self.view_titles]
        category = url_of(self.category)
        search = [f"/api/v1/search?q={quote(s)}" for s in self.queries]
        suggest = [f"/api/v1/search/suggest?q={quote(s)}" for s in self.prefixes]
        backlinks_api = f"/api/v1/pages/{self.popular.url_path}/backlinks"
        # untimed warm-up: templates, pool, the search index's readers
        get_ok(w.anonymous, url_of(self.popular))
        get_ok(w.editor, url_of(self.popular))
        if wanted(self.args, "search"):
            get_ok(w.anonymous, search[0])
        return [
            Measure("page view, first (renders), anonymous", self.get(w.anonymous, views), n),
            Measure("page view, cached, anonymous", self.get(w.anonymous, views), n),
            Measure("page view, logged in", self.get(w.editor, views), n),
            Measure("page view, logged in, after a save elsewhere", self.view_after_save, n),
            Measure("save (web form POST ?action=edit)", self.web_save, n),
            Measure(
                "history (?action=history), random page",
                self.get(w.anonymous, [url_of(t, "history") for t in self.view_titles]),
                n,
            ),
            Measure(
                "history of the most revised page",
                self.get(w.anonymous, [url_of(self.most_revised, "history")]),
                n,
            ),
            Measure(
                "diff (?action=diff, latest vs parent)",
                self.get(w.anonymous, [url_of(t, "diff") for t in self.diff_titles]),
                n,
            ),
            Measure(
                "recent changes (/modifications-recentes)",
                self.get(w.anonymous, ["/modifications-recentes"]),
                n,
            ),
            Measure(
                "category page (big category), anonymous", self.get(w.anonymous, [category]), n
            ),
            Measure("category page (big category), logged in", self.get(w.editor, [category]), n),
            Measure(
                "page info (?action=info) of the most linked page",
                self.get(w.anonymous, [url_of(self.popular, "info")]),
                n,
            ),
            Measure(
                "backlinks API of the most linked page", self.get(w.anonymous, [backlinks_api]), n
            ),
            Measure("search (GET /api/v1/search)", self.get(w.anonymous, search), q),
            Measure(
                "title suggestions (/api/v1/search/suggest)", self.get(w.anonymous, suggest), q
            ),
        ]


def run(wikis: Sequence[Wiki], args: argparse.Namespace) -> dict[str, Any]:
    """Measure every wiki; print and return the results."""
    results: dict[str, Any] = {}
    names: list[str] = []
    for wiki in wikis:
        print(
            f"measuring {wiki.path} ({wiki.facts['pages']:,} pages, "
            f"{wiki.facts['revisions']:,} revisions, {wiki.facts['database']}); "
            f"load average {load_average()}",
            flush=True,
        )
        bench = ScaleBench(wiki, args)
        print(
            f"  big category: {bench.members:,} members; most linked page: "
            f"{bench.backlinks:,} backlinks; most revised page: {wiki.facts['most_revisions']} revs"
        )
        measures = [m for m in bench.measures() if wanted(args, m.name)]
        for m in measures:
            m.run()
            wall = m.samples.wall
            print(
                f"  {m.name:<52} median {median(wall):8.2f}  p95 {p95(wall):8.2f} ms"
                f"  (CPU median {median(m.samples.cpu):8.2f})",
                flush=True,
            )
            if m.name.startswith("search"):
                for kind, label in enumerate(QUERY_KINDS):
                    part = wall[kind :: len(QUERY_KINDS)]
                    print(f"    {label:<50} median {median(part):8.2f}  p95 {p95(part):8.2f} ms")
        wait_for_index(wiki.app, timeout=None)
        names = [m.name for m in measures]
        with wiki.app.app_context():
            db_bytes = database_size(engine_of(wiki.app))
        results[str(wiki.path)] = {
            "facts": wiki.facts,
            "load_average_end": load_average(),
            "database_bytes": db_bytes,
            "index_bytes": folder_size(Path(wiki.app.config["SEARCH_INDEX_DIR"])),
            "search_backend": wiki.app.config["SEARCH_BACKEND"],
            "category_members": bench.members,
            "backlinks": bench.backlinks,
            "measures": {
                m.name: {
                    "n": len(m.samples.wall),
                    "median_ms": round(median(m.samples.wall), 2),
                    "p95_ms": round(p95(m.samples.wall), 2),
                    "cpu_median_ms": round(median(m.samples.cpu), 2),
                }
                for m in measures
            },
        }
        engine_of(wiki.app).dispose()
    print_table(wikis, names, results)
    return results


def print_table(wikis: Sequence[Wiki], names: Sequence[str], results: dict[str, Any]) -> None:
    """Median / p95 per wiki, and the last wiki's median over the first one's."""
    print()
    head = "".join(f"  {w.label + ' ' + w.facts['database'][:6]:>22}" for w in wikis)
    print(f"{'measure (ms, median / p95)':<56}{head}  {'ratio':>6}")
    for name in names:
        cells, medians = "", []
        for w in wikis:
            m = results[str(w.path)]["measures"][name]
            medians.append(m["median_ms"])
            cells += f"  {m['median_ms']:>10.2f} / {m['p95_ms']:>8.2f}"
        ratio = medians[-1] / medians[0] if len(medians) > 1 and medians[0] else 0
        print(f"{name:<56}{cells}  {ratio:>6.2f}")
    print()
    for w in wikis:
        r = results[str(w.path)]
        f = r["facts"]
        print(
            f"{w.path}: {f['pages']:,} pages, {f['revisions']:,} revisions; build "
            f"{f['build_total_seconds']:.0f} s; reindex {f.get('reindex_seconds', '?')} s "
            f"({f.get('reindex_cpu_seconds', '?')} s CPU) "
            f"({f.get('reindex_backend', '?')}); database {r['database_bytes'] / 2**20:.0f} MB, "
            f"index {r['index_bytes'] / 2**20:.0f} MB; search backend {r['search_backend']}; "
            f"load average at end {r['load_average_end']}"
        )
    print(
        f"goals: page view and save medians within {TARGET_RATIO} x the 1,000-page ones; "
        f"search p95 under {TARGET_SEARCH_P95_MS:g} ms on PostgreSQL; reindex under 600 s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the given instances; 0 once measured."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--instance", type=Path, action="append", required=True, help="a make_big_wiki.py folder"
    )
    parser.add_argument("--repeat", type=int, default=50, help="runs of each request (50)")
    parser.add_argument("--queries", type=int, default=200, help="search queries (200)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--search-backend", default="", help="SEARCH_BACKEND (default: config)")
    parser.add_argument("--json", type=Path, help="write the results there too")
    parser.add_argument(
        "--no-indexing",
        action="store_true",
        help="saves queue no search index update (for wikis not indexed yet)",
    )
    parser.add_argument(
        "--only", action="append", default=[], help="measure only names containing this"
    )
    parser.add_argument("--skip", action="append", default=[], help="skip names containing this")
    args = parser.parse_args(argv)
    print(f"bench_scale: load average {load_average()}")
    wikis = [
        open_wiki(path, args.search_backend, indexing=not args.no_indexing)
        for path in args.instance
    ]
    results = run(wikis, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
