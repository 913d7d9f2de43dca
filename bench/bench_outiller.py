"""Benchmark of the outiller plugin: the workshop calendar (``/ateliers``, by month, place
and topic), the iCalendar feed and the JSON list with 500 workshops; then 50 people
signing up at once to a workshop of 12 places (median and p95 of each).

A measurement, not a test: not collected by pytest, exits 0 once measured (1 when a
race round does not end with exactly 12 registered). Run it from the repository root::

    python bench/bench_outiller.py                     # 500 workshops, 50 repetitions
    python bench/bench_outiller.py --workshops 100 --repeat 20 --rounds 3
    python bench/bench_outiller.py --database-url postgresql+psycopg://u:p@host/db --truncate

The workshops are made with ``random.Random(seed)`` (a fifth of them weekly, over 6 to 12
weeks) and saved through the one write path (``writing.save``). The sign-up race runs
``--people`` threads, each with its own test client (so its own session and
connection), released together by a barrier, through ``POST
/api/v1/workshops/<title>/registrations`` with API tokens; each round is a new workshop.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import (
    Measure,
    get_measures,
    median,
    p95,
    run_typed_bench,
    typed_bench_arguments,
    typed_saver,
)

from wikicoop.community.accounts import create_user
from wikicoop.community.credentials import create_token
from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.web.db import get_session

VERSIONS = Path(__file__).resolve().parent.parent / "plugins" / "outiller" / "versions"
PARIS = ZoneInfo("Europe/Paris")
PLACES = [
    "Centre social de Kerourien", "Médiathèque de Saint-Martin", "Maison de quartier de Bellevue",
    "Local associatif de Recouvrance", "Mairie de quartier de l'Europe", "Espace Pontanézen",
    "PL Lambézellec", "Maison pour tous du Valy-Hir",
]  # fmt: skip
TOPICS = ["wiki", "blog", "écriture publique", "audio", "vidéo", "cartographie", "photo"]
LEVELS = ["débutant", "intermédiaire", "confirmé"]


def workshop_fields(rng: random.Random, now: datetime) -> dict[str, Any]:
    """Random but valid values of a workshop in the next four months."""
    start = (now + timedelta(days=rng.randint(1, 120))).replace(
        hour=rng.choice([9, 10, 14, 18]), minute=rng.choice([0, 30]), second=0, microsecond=0
    )
    fields: dict[str, Any] = {
        "debut": start.strftime("%Y-%m-%dT%H:%M"),
        "fin": (start + timedelta(hours=rng.choice([1.5, 2, 3]))).strftime("%Y-%m-%dT%H:%M"),
        "lieu": rng.choice(PLACES),
        "animateurs": f"Anim{rng.randint(1, 20)}",
        "public": "Tout public",
        "niveau": rng.choice(LEVELS),
        "places": rng.randint(4, 16),
        "themes": sorted(rng.sample(TOPICS, rng.randint(1, 3)), key=TOPICS.index),
    }
    if rng.random() < 0.2:
        fields["repetition"] = "chaque semaine"
        fields["jusqu_au"] = (start + timedelta(weeks=rng.randint(6, 12))).date().isoformat()
    return fields


def make_workshops(app: Flask, count: int, seed: int) -> None:
    """The plugin's tables, then ``count`` workshops saved through ``writing.save``."""
    upgrade_schema(engine_of(app), [str(VERSIONS)])
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:1024:8:1"  # the race's accounts, quickly
    rng = random.Random(seed)
    now = datetime.now(PARIS)
    with typed_saver(app) as save:
        for i in range(count):
            save(f"Atelier {i:04d}", "atelier", workshop_fields(rng, now), "Un atelier.")


def _raced_workshop(
    app: Flask, title: str, places: int, people: int
) -> tuple[str, list[dict[str, str]]]:
    """A workshop in three days with ``places``, and ``people`` accounts' API headers."""
    start = datetime.now(PARIS) + timedelta(days=3)
    fields = {
        "debut": start.strftime("%Y-%m-%dT%H:%M"),
        "fin": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "lieu": PLACES[0],
        "places": places,
    }
    with typed_saver(app) as save:
        save(title, "atelier", fields, "Un atelier très demandé.")
    headers = []
    with app.app_context():
        session = get_session()
        for i in range(people):
            user = create_user(session, f"{title[-12:]}-{i:03d}".replace(" ", ""), "mot de passe")
            token, row = create_token(user, "bench")
            session.add(row)
            headers.append({"Authorization": f"Bearer {token}"})
        session.commit()
    return title, headers


def race(app: Flask, round_: int, people: int, places: int) -> tuple[int, int, list[float], bool]:
    """One round: a new workshop of ``places``, ``people`` sign-ups at once. Returns the
    registered and waiting counts, each sign-up's latency (ms), and whether the
    waiting positions are exactly 1..n."""
    title, headers = _raced_workshop(app, f"Atelier couru {round_}", places, people)
    url = f"/api/v1/workshops/{title.replace(' ', '_')}/registrations"
    barrier = threading.Barrier(people)
    results: list[tuple[int, dict, float]] = []
    lock = threading.Lock()

    def one(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        started = time.perf_counter()
        response = client.post(url, headers=headers[index])
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results.append((response.status_code, response.get_json() or {}, elapsed))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = [body.get("status") for code, body, _ in results if code == 201]
    positions = sorted(body["position"] for _, body, _ in results if "position" in body)
    exact = positions == list(range(1, len(positions) + 1))
    return (
        statuses.count("registered"),
        statuses.count("waiting"),
        [ms for _, _, ms in results],
        exact,
    )


def single_sign_ups(app: Flask, repeat: int) -> Measure:
    """One sign-up at a time (no one else waiting), each by a new person, to a workshop
    with room for all: the cost of the transaction itself."""
    title, headers = _raced_workshop(app, "Atelier tranquille", repeat + 5, repeat + 5)
    url = f"/api/v1/workshops/{title.replace(' ', '_')}/registrations"
    client = app.test_client()

    def prepare(i: int):  # type: ignore[no-untyped-def]
        def sign_up() -> None:
            response = client.post(url, headers=headers[i])
            if response.status_code != 201:
                raise RuntimeError(f"sign-up {i}: {response.status_code} {response.text}")

        return sign_up

    return Measure("API sign-up, one at a time", prepare, repeat)


def measures(app: Flask, args: argparse.Namespace) -> list[Measure]:
    """The sign-up race (printed), then the timed calendar requests."""
    latencies: list[float] = []
    print(
        f"sign-up race: {args.people} people at once, {args.capacity} places, "
        f"{args.rounds} round(s)"
    )
    for round_ in range(args.rounds):
        registered, waiting, times, exact = race(app, round_, args.people, args.capacity)
        latencies += times
        print(
            f"  round {round_ + 1}: {registered} registered, {waiting} waiting, "
            f"positions 1..{waiting} {'exact' if exact else 'NOT EXACT'}; sign-up median "
            f"{median(times):.1f} ms, p95 {p95(times):.1f} ms"
        )
        if registered != args.capacity or registered + waiting != args.people or not exact:
            args.failed = True
    print(f"  all rounds: sign-up median {median(latencies):.1f} ms, p95 {p95(latencies):.1f} ms")
    month = (datetime.now(PARIS) + timedelta(days=31)).strftime("%Y-%m")
    return [
        single_sign_ups(app, args.repeat),
        *get_measures(
            app,
            args.repeat,
            [
                ("/ateliers (upcoming, page 1)", "/ateliers"),
                (f"/ateliers/mois/{month}", f"/ateliers/mois/{month}"),
                ("/ateliers/lieu/<place>", "/ateliers/lieu/Centre%20social%20de%20Kerourien"),
                ("/ateliers/theme/wiki", "/ateliers/theme/wiki"),
                ("/agenda.ics (all)", "/agenda.ics"),
                ("/agenda.ics?topic=audio", "/agenda.ics?topic=audio"),
                ("API /api/v1/workshops (all)", "/api/v1/workshops"),
                (
                    "API workshops, place + topic",
                    "/api/v1/workshops?place=PL%20Lamb%C3%A9zellec&topic=blog",
                ),
            ],
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Build the workshops, run the race, time the views, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workshops", type=int, default=500, help="workshops (default 500)")
    parser.add_argument("--people", type=int, default=50, help="simultaneous sign-ups")
    parser.add_argument("--capacity", type=int, default=12, help="places of the raced workshop")
    parser.add_argument("--rounds", type=int, default=5, help="race rounds (default 5)")
    args = typed_bench_arguments(parser).parse_args(argv)
    args.failed = False
    run_typed_bench(
        args,
        f"outiller bench: {args.workshops} workshops",
        lambda app: make_workshops(app, args.workshops, args.seed),
        lambda app: measures(app, args),
    )
    return 1 if args.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
