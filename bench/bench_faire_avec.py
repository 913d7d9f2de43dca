"""Benchmark of the faire_avec plugin: the directory, "near me" and the GeoJSON API with
1,000 access points (median and p95 of each).

A measurement, not a test: not collected by pytest, exits 0 once measured. Run it from
the repository root::

    python bench/bench_faire_avec.py                   # 1,000 access points, 50 repetitions
    python bench/bench_faire_avec.py --places 200 --repeat 20
    python bench/bench_faire_avec.py --database-url postgresql+psycopg://u:p@host/db --truncate

The access points are made with ``random.Random(seed)`` around a dozen neighbourhoods of
a Brest-like city and saved through the one write path (``writing.save``), so they are
what residents' pages would be. Requests go through the Flask test client, in process.
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

TYPE_NAME = "lieu_acces"
QUARTERS = {
    "Centre": (48.3904, -4.4861),
    "Saint-Martin": (48.3958, -4.4857),
    "Bellevue": (48.4003, -4.5058),
    "Kerourien": (48.4071, -4.4962),
    "Pontanézen": (48.4150, -4.4880),
    "Recouvrance": (48.3834, -4.4995),
    "Saint-Marc": (48.3930, -4.4560),
    "Lambézellec": (48.4160, -4.4740),
    "Europe": (48.4110, -4.4640),
    "Kérinou": (48.4040, -4.4770),
    "Quatre-Moulins": (48.3880, -4.5180),
    "Saint-Pierre": (48.3870, -4.5400),
}
KINDS = ["centre social", "maison de quartier", "médiathèque", "association",
         "mairie de quartier", "autre"]  # fmt: skip
SERVICES = ["accès libre", "accès accompagné", "ateliers", "impression", "wifi", "scanner"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def place_fields(rng: random.Random, quarter: str) -> dict[str, Any]:
    """Random but valid values of an access point in ``quarter``."""
    lat, lon = QUARTERS[quarter]
    hours = {}
    for day in DAYS[: rng.randint(2, 6)]:
        hours[day] = (
            [["09:00", "12:00"], ["14:00", "18:00"]] if rng.random() < 0.6 else [["13:30", "19:00"]]
        )
    return {
        "structure": f"Structure {rng.randint(1, 400)}",
        "genre": rng.choice(KINDS),
        "adresse": f"{rng.randint(1, 120)} rue de la Bench, Brest",
        "quartier": quarter,
        "position": {
            "lat": round(lat + rng.uniform(-0.008, 0.008), 5),
            "lon": round(lon + rng.uniform(-0.012, 0.012), 5),
        },
        "horaires": hours,
        "services": sorted(rng.sample(SERVICES, rng.randint(1, 4)), key=SERVICES.index),
        "accessible": rng.random() < 0.7,
        "adhesion": rng.randint(1998, 2025),
        "postes": rng.randint(1, 12),
    }


def make_places(app: Flask, count: int, seed: int) -> None:
    """``count`` access points saved through ``writing.save`` (as the wiki's own pages)."""
    rng = random.Random(seed)
    with typed_saver(app) as save:
        for i in range(count):
            quarter = rng.choice(list(QUARTERS))
            text = f"Un lieu d'accès du quartier {quarter}."
            save(f"Lieu {i:04d} {quarter}", TYPE_NAME, place_fields(rng, quarter), text)


def measures(app: Flask, repeat: int) -> list[Measure]:
    """The timed requests."""
    points = ";".join(f"{lat},{lon}" for lat, lon in QUARTERS.values())
    return get_measures(
        app,
        repeat,
        [
            ("directory /lieux (all)", "/lieux"),
            ("directory, 3 facets + open now", "/lieux?quartier=Bellevue&service=wifi&ouvert=1"),
            ("near me, coordinates", "/lieux/proches?lat=48.4003&lon=-4.5058"),
            ("near me, a neighbourhood", "/lieux/proches?quartier=Kerourien"),
            ("API access-points (all)", "/api/v1/access-points"),
            ("API near + within 1 km", "/api/v1/access-points?near=48.4003,-4.5058&within=1000"),
            (
                "API near + open_at + service",
                "/api/v1/access-points?near=48.39,-4.48&open_at=2026-12-03T10:00&service=wifi",
            ),
            ("API coverage, 12 points", f"/api/v1/access-points/coverage?points={points}"),
            ("export /lieux.geojson", "/lieux.geojson"),
            ("statistics page", "/lieux/statistiques"),
        ],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Build the access points, time the views, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--places", type=int, default=1000, help="access points (default 1000)")
    args = typed_bench_arguments(parser).parse_args(argv)
    return run_typed_bench(
        args,
        f"faire_avec bench: {args.places} access points",
        lambda app: make_places(app, args.places, args.seed),
        lambda app: measures(app, args.repeat),
    )


if __name__ == "__main__":
    raise SystemExit(main())
