"""Benchmark of the etre_en_attention plugin: the list of initiatives and the dashboard
with 2,000 initiatives (median and p95 of each), and their CSV and JSON twins.

A measurement, not a test: not collected by pytest, exits 0 once measured. Run it from
the repository root::

    python bench/bench_etre_en_attention.py               # 2,000 initiatives, 50 repetitions
    python bench/bench_etre_en_attention.py --initiatives 300 --repeat 10
    python bench/bench_etre_en_attention.py --truncate \
        --database-url postgresql+psycopg://u:p@localhost/bench

The initiatives (and one call per year) are made with ``random.Random(seed)`` and saved
through the one write path (``writing.save``) as the wiki's own pages, so they are what
residents' pages would be once approved. Requests go through the Flask test client.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import (
    Measure,
    Timings,
    build_app,
    get_ok,
    load_average,
    print_table,
    truncate_all,
)

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.search import wait_for_index
from wikicoop.seed import seed_author
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

YEARS = range(2012, 2027)
QUARTERS = ["Centre", "Saint-Martin", "Bellevue", "Kerourien", "Pontanézen", "Recouvrance",
            "Saint-Marc", "Lambézellec", "Europe", "Kérinou", "Quatre-Moulins",
            "Saint-Pierre"]  # fmt: skip
PRIORITY = {"Bellevue", "Kerourien", "Pontanézen", "Recouvrance", "Europe"}
THEMES = ["aller vers les publics éloignés du numérique", "prendre soin des personnes",
          "expression", "mutualisation", "logiciels libres et biens communs", "compétences",
          "innovation"]  # fmt: skip
STATUSES = ["proposée", "retenue", "en cours", "réalisée", "abandonnée"]


def initiative_fields(rng: random.Random, year: int) -> dict[str, Any]:
    """Random but valid values of an initiative of ``year``."""
    quarter = rng.choice(QUARTERS)
    requested = rng.randrange(300, 5000, 50)
    status = rng.choices(STATUSES, weights=[1, 1, 1, 6, 1])[0]
    fields: dict[str, Any] = {
        "porteur": f"Porteur {rng.randint(1, 900)}",
        "organisation": f"Association {rng.randint(1, 300)}",
        "quartier": quarter,
        "annee": year,
        "themes": sorted(rng.sample(THEMES, rng.randint(1, 3)), key=THEMES.index),
        "quartier_prioritaire": quarter in PRIORITY,
        "statut": status,
        "montant_demande": requested,
        "partenaires": "Centre social, médiathèque",
    }
    if status != "proposée":
        fields["montant_accorde"] = requested - rng.randrange(0, 300, 50)
    return fields


def make_pages(app: Flask, count: int, seed: int) -> None:
    """A call per year and ``count`` initiatives, through ``writing.save``."""
    rng = random.Random(seed)
    with app.app_context():
        session = get_session()
        ctx = writing.context_for(app, session)
        author = rev.Author(user=seed_author(session))

        def save(title: str, page_type: str, fields: dict[str, Any]) -> None:
            edit = writing.Edit(
                author=author,
                title=parse_title(title),
                text="Le projet, en quelques lignes.",
                base_revision_id=None,
                page_type=page_type,
                fields=fields,
                system=True,
            )
            writing.save(ctx, edit)

        for year in YEARS:
            dates = {"ouverture": f"{year}-01-15", "cloture": f"{year}-03-31"}
            save(f"Appel à projets {year}", "appel", {"annee": year, **dates, "themes": THEMES})
        for i in range(count):
            save(f"Initiative {i:04d}", "initiative", initiative_fields(rng, rng.choice(YEARS)))


def measures(app: Flask, repeat: int) -> list[Measure]:
    """The timed requests."""
    client = app.test_client()

    def get(url: str) -> Measure:
        return Measure(url, lambda _i: lambda: get_ok(client, url), repeat)

    return [
        get("/appel-a-projets"),
        get("/appel-a-projets?annee=2020&theme=expression"),
        get("/appel-a-projets?quartier=Bellevue&statut=r%C3%A9alis%C3%A9e&page=1"),
        get("/appel-a-projets/2020"),
        get("/appel-a-projets/tableau-de-bord"),
        get("/appel-a-projets/tableau-de-bord?annee=2020"),
        get("/appel-a-projets/tableau-de-bord/quartier.svg"),
        get("/api/v1/initiatives/stats"),
        get("/api/v1/initiatives/stats?year=2020"),
        get("/appel-a-projets/export.csv"),
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--initiatives", type=int, default=2000, help="(default 2000)")
    parser.add_argument("--repeat", type=int, default=50, help="repetitions (default 50)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--truncate", action="store_true", help="empty --database-url first")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the initiatives, time the views, print the table."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wikicoop-bench-etre-en-attention-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = build_app(Path(tmp) / "instance", url)
        engine = engine_of(app)
        try:
            if args.truncate:  # PostgreSQL only: empties every table of the given database
                upgrade_schema(engine)
                truncate_all(engine)
            upgrade_schema(engine)
            print(f"etre_en_attention bench: {args.initiatives} initiatives, {engine.dialect.name}")
            print(f"load average at start: {load_average()}")
            timings = Timings()
            with timings.step(f"{args.initiatives} initiatives through writing.save"):
                make_pages(app, args.initiatives, args.seed)
            for name, seconds in timings.steps.items():
                print(f"{name}: {seconds:.1f} s")
            results = [measure.run() for measure in measures(app, args.repeat)]
            print_table(results)
            print(f"load average at end: {load_average()}")
        finally:
            wait_for_index(app, timeout=None)
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
