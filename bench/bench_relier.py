"""Benchmark of the relier plugin: the network view (JSON and SVG) around a page at
depths 1 and 2 and without a page, related pages, the category tree, "what links here"
and the maintenance lists, on a wiki of 5,000 pages (median and p95 of each).

A measurement, not a test: not collected by pytest, exits 0 once measured. Run it from
the repository root::

    python bench/bench_relier.py                        # 5,000 pages, 30 repetitions
    python bench/bench_relier.py --pages 1000 --repeat 10
    python bench/bench_relier.py --database-url postgresql+psycopg://u:p@host/db --truncate

The pages are made with ``random.Random(seed)`` and written by the core's bulk path of
the benches (``bench_core.bulk_insert_pages``: pages, one revision each, their links and
categories, as ``writing.save`` stores them); a third of them then get a page type and
field values (places, initiatives, workshops naming their place) by an update of their
revision, and 200 are user pages: the shapes the network view draws. Requests go
through the Flask test client, in process.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from sqlalchemy import select, text, update

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
from bench_core import (
    PASSWORD,
    CorpusPage,
    Measure,
    Timings,
    build_app,
    get_ok,
    load_average,
    login,
    print_table,
    renderer_of,
    truncate_all,
)

from wikicoop.community.accounts import create_user
from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.core.models import Page, Revision
from wikicoop.search import wait_for_index
from wikicoop.seed import seed_author
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

VERSIONS = Path(__file__).resolve().parents[1] / "plugins" / "relier" / "versions"
QUARTERS = ["Bellevue", "Centre", "Kerourien", "Recouvrance", "Saint-Martin", "Europe"]
TOPICS = ["Jardin", "Atelier", "Lavoir", "Café", "Chorale", "Fablab", "Marché", "Repair"]


def corpus(rng: random.Random, count: int) -> tuple[list[CorpusPage], dict[str, tuple]]:
    """``count`` pages: 40 categories in a tree, 200 user pages, places, initiatives,
    workshops and plain pages linking each other; and the typed ones' (type, fields)."""
    categories = [f"Thème {i}" for i in range(40)]
    titles: list[str] = []
    kinds: dict[str, tuple] = {}
    places = [f"Lieu {i}" for i in range(count // 10)]
    initiatives = [f"Initiative {i}" for i in range(count // 10)]
    workshops = [f"Atelier {i}" for i in range(count // 10)]
    people = [f"Utilisateur:Personne {i}" for i in range(200)]
    plain_count = max(0, count - 40 - len(places) * 3 - len(people))
    plain = [f"{rng.choice(TOPICS)} du quartier {i}" for i in range(plain_count)]
    titles = places + initiatives + workshops + people + plain
    pages: list[CorpusPage] = []
    for i, name in enumerate(categories):
        parents = (categories[(i - 1) // 3],) if i else ()
        pages.append(CorpusPage(parse_title(f"Catégorie:{name}"), "Un thème.", parents))
    for title in titles:
        links = rng.sample(titles, rng.randint(2, 8))
        links += [f"Page manquante {rng.randint(0, 300)}"] if rng.random() < 0.3 else []
        text = "Texte de la page. " + " ".join(f"[[{t}]]" for t in links)
        cats = tuple(rng.sample(categories, rng.randint(0, 3)))
        pages.append(CorpusPage(parse_title(title), text, cats))
        quarter = rng.choice(QUARTERS)
        if title in places:
            kinds[title] = ("lieu_acces", {"quartier": quarter})
        elif title in initiatives:
            kinds[title] = ("initiative", {"quartier": quarter, "lieu": rng.choice(places)})
        elif title in workshops:
            kinds[title] = ("atelier", {"lieu": rng.choice(places), "niveau": "débutant"})
    return pages, kinds


def build(app: Flask, count: int, seed: int) -> list[str]:
    """Write the corpus; the titles to measure around (well linked ones first)."""
    from bench_core import bulk_insert_pages

    rng = random.Random(seed)
    pages, kinds = corpus(rng, count)
    with app.app_context():
        session = get_session()
        author = seed_author(session)
        when = datetime(2026, 12, 1, tzinfo=UTC)
        for start in range(0, len(pages), 1000):
            bulk_insert_pages(
                session, renderer_of(app), pages[start : start + 1000], author.id, when
            )
        ids = dict(session.execute(select(Page.name, Page.latest_revision_id)).all())
        session.execute(
            update(Revision),
            [
                {"id": ids[name], "page_type": kind, "fields": fields}
                for name, (kind, fields) in kinds.items()
            ],
        )
        session.commit()
    return [p.title.full for p in pages if p.title.name.startswith(("Lieu", "Atelier"))]


def publish(app: Flask, title: str, body: str) -> None:
    """A page created and published at once (as the wiki's own, never held for review)."""
    with app.app_context():
        session = get_session()
        edit = writing.Edit(
            author=rev.Author(user=seed_author(session)),
            title=parse_title(title),
            text=body,
            base_revision_id=None,
            system=True,
        )
        result = writing.save(writing.context_for(app, session), edit)
        assert result.revision is not None and not result.pending


def measures(app: Flask, around: Sequence[str], repeat: int) -> list[Measure]:
    """The timed requests (a different page around which to draw at each repetition)."""
    client = app.test_client()

    def around_url(path: str, depth: int):
        def prepare(i: int):
            title = quote(around[i % len(around)].replace(" ", "_"))
            url = f"{path}?around={title}&depth={depth}"
            return lambda: get_ok(client, url)

        return prepare

    def related(i: int):
        title = quote(around[i % len(around)].replace(" ", "_"))
        return lambda: get_ok(client, f"/api/v1/pages/{title}/related")

    def fixed(url: str):
        return lambda _i: lambda: get_ok(client, url)

    reader = app.test_client()
    with app.app_context():
        session = get_session()
        create_user(session, "Lectrice", PASSWORD, trust="granted")
        session.commit()
    login(reader, "Lectrice")

    def page_view(panel: bool, after_publication: bool = False):
        def prepare(i: int):
            app.config["RELIER_COUSINS_PANEL"] = panel
            title = quote(around[i % len(around)].replace(" ", "_"))
            get_ok(reader, f"/wiki/{title}")  # rendered, and its panel stored (untimed)
            if after_publication:  # a publication elsewhere makes every stored list stale
                publish(app, f"Brouillon {i}", f"Essai {i}.")
            return lambda: get_ok(reader, f"/wiki/{title}")

        return prepare

    return [
        Measure("GET /wiki/<t> logged in, no panel", page_view(False), repeat),
        Measure("GET /wiki/<t> logged in, panel stored", page_view(True), repeat),
        Measure("GET /wiki/<t> panel recomputed", page_view(True, True), repeat),
        Measure("GET /api/v1/graph around, depth 1", around_url("/api/v1/graph", 1), repeat),
        Measure("GET /api/v1/graph around, depth 2", around_url("/api/v1/graph", 2), repeat),
        Measure("GET /reseau/graphe.svg depth 1", around_url("/reseau/graphe.svg", 1), repeat),
        Measure("GET /reseau/graphe.svg depth 2", around_url("/reseau/graphe.svg", 2), repeat),
        Measure("GET /reseau/graphe depth 2 (page)", around_url("/reseau/graphe", 2), repeat),
        Measure("GET /api/v1/graph (overview)", fixed("/api/v1/graph"), repeat),
        Measure("GET /reseau/graphe.svg (overview)", fixed("/reseau/graphe.svg"), repeat),
        Measure("GET /api/v1/pages/<t>/related", related, repeat),
        Measure("GET /categories", fixed("/categories"), repeat),
        Measure("GET /liens-vers/Lieu_1", fixed("/liens-vers/Lieu_1"), repeat),
        Measure("GET /reseau/maintenance", fixed("/reseau/maintenance"), repeat),
        Measure("GET maintenance/orphelines", fixed("/reseau/maintenance/orphelines"), repeat),
        Measure("GET maintenance/demandees", fixed("/reseau/maintenance/demandees"), repeat),
        Measure("GET maintenance/impasses", fixed("/reseau/maintenance/impasses"), repeat),
        Measure("GET maintenance/a-verifier", fixed("/reseau/maintenance/a-verifier"), repeat),
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=5000, help="pages (default 5,000)")
    parser.add_argument("--repeat", type=int, default=30, help="repetitions (default 30)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--truncate", action="store_true", help="empty --database-url first")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wikicoop-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = build_app(Path(tmp) / "instance", url)
        app.config["RELIER_FEED_BACKGROUND"] = False
        engine = engine_of(app)
        try:
            if args.truncate:  # PostgreSQL only: empties every table of the given database
                upgrade_schema(engine)
                truncate_all(engine)
            upgrade_schema(engine, [str(VERSIONS)])
            print(
                f"relier bench, {args.pages} pages, {engine.dialect.name}; "
                f"load average at start: {load_average()}"
            )
            timings = Timings()
            with timings.step("pages (bulk path)"):
                around = build(app, args.pages, args.seed)
            if engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum would
                with engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text("ANALYZE")
                    )
            for name, seconds in timings.steps.items():
                print(f"{name}: {seconds:.1f} s")
            print_table([m.run() for m in measures(app, around[:50], args.repeat)])
            print(f"load average at end: {load_average()}")
        finally:
            wait_for_index(app, timeout=None)
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
