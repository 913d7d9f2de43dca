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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import (
    Measure,
    get_measures,
    run_typed_bench,
    typed_bench_arguments,
    typed_saver,
)

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
    text = "Le projet, en quelques lignes."
    with typed_saver(app) as save:
        for year in YEARS:
            fields = {"annee": year, "ouverture": f"{year}-01-15", "cloture": f"{year}-03-31"}
            save(f"Appel à projets {year}", "appel", {**fields, "themes": THEMES}, text=text)
        for i in range(count):
            fields = initiative_fields(rng, rng.choice(YEARS))
            save(f"Initiative {i:04d}", "initiative", fields, text=text)


def measures(app: Flask, repeat: int) -> list[Measure]:
    """The timed requests."""
    return get_measures(
        app,
        repeat,
        [
            ("list /appel-a-projets (all)", "/appel-a-projets"),
            ("list, year + theme", "/appel-a-projets?annee=2020&theme=expression"),
            (
                "list, neighbourhood + status",
                "/appel-a-projets?quartier=Bellevue&statut=r%C3%A9alis%C3%A9e",
            ),
            ("page of a year", "/appel-a-projets/2020"),
            ("dashboard (all years)", "/appel-a-projets/tableau-de-bord"),
            ("dashboard, one year", "/appel-a-projets/tableau-de-bord?annee=2020"),
            ("one chart (SVG)", "/appel-a-projets/tableau-de-bord/quartier.svg"),
            ("API initiatives/stats", "/api/v1/initiatives/stats"),
            ("API initiatives/stats?year=", "/api/v1/initiatives/stats?year=2020"),
            ("export CSV", "/appel-a-projets/export.csv"),
        ],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Build the initiatives, time the views, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--initiatives", type=int, default=2000, help="(default 2000)")
    args = typed_bench_arguments(parser).parse_args(argv)
    return run_typed_bench(
        args,
        f"etre_en_attention bench: {args.initiatives} initiatives",
        lambda app: make_pages(app, args.initiatives, args.seed),
        lambda app: measures(app, args.repeat),
    )


if __name__ == "__main__":
    raise SystemExit(main())
