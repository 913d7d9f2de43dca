"""Benchmark of the donner_a_voir plugin: one weekly letter sent to 1,500 subscribers on
a local SMTP server (aiosmtpd), total time (target: under 60 s).

A measurement, not a test: not collected by pytest, exits 0 once measured (1 when the
server did not receive every letter). Run it from the repository root::

    python bench/bench_donner_a_voir.py                      # 1,500 subscribers, 20 articles
    python bench/bench_donner_a_voir.py --subscribers 300 --batch-size 50
    python bench/bench_donner_a_voir.py --database-url postgresql+psycopg://u:p@host/db

The week's articles are saved through the one write path (``writing.save``); the
subscribers are confirmed rows (a quarter in English, so two letters are built). The
letter is sent exactly as ``wikicoop magazine send-digest`` sends it
(``digest.send_digest``: batches, one SMTP connection each, deliveries committed per
batch); a second run is timed too (it must send nothing). The SMTP server keeps every
message in memory and parses none, so the time is the wiki's.
"""

from __future__ import annotations

import argparse
import importlib
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import build_app, load_average, typed_saver

from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.core.models import utcnow
from wikicoop.plugins.wiring import migration_dirs
from wikicoop.search import wait_for_index
from wikicoop.web.db import get_session

TARGET_SECONDS = 60.0
SECTIONS = ["Vie de quartier", "Associations", "Numérique", "Culture", "Solidarités"]


class Counter:
    """An aiosmtpd handler that accepts and counts every message (keeps their sizes)."""

    def __init__(self) -> None:
        self.recipients = 0
        self.sizes: list[int] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients += len(envelope.rcpt_tos)
        self.sizes.append(len(envelope.content))
        return "250 OK"


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_articles(app: Flask, count: int, monday: date) -> None:
    """``count`` articles published during the week of ``monday``, through writing.save."""
    with typed_saver(app) as save:
        for i in range(count):
            fields = {
                "rubrique": SECTIONS[i % len(SECTIONS)],
                "signature": f"Rédaction {i % 7}",
                "date_publication": (monday + timedelta(days=i % 7)).isoformat(),
                "chapo": "Un atelier, une fête, une rencontre : ce qui s'est passé dans le "
                "quartier cette semaine, raconté par celles et ceux qui l'ont fait. " * 2,
            }
            text = "Le récit de la semaine.\n" * 20
            save(f"Article {i:03d} de la semaine", "article", fields, text=text)


def make_subscribers(app: Flask, subs: Any, count: int) -> None:
    """``count`` confirmed subscribers, a quarter of them reading English."""
    with app.app_context():
        session = get_session()
        session.execute(subs.deliveries.delete())
        session.execute(subs.subscribers.delete())
        now = utcnow()
        rows = [
            {
                "email": f"abonne{i:05d}@exemple.org",
                "language": "en" if i % 4 == 0 else "fr",
                "status": subs.CONFIRMED,
                "confirmed_at": now,
            }
            for i in range(count)
        ]
        session.execute(subs.subscribers.insert(), rows)
        session.commit()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1500, help="default 1500")
    parser.add_argument("--articles", type=int, default=20, help="in the week (default 20)")
    parser.add_argument("--batch-size", type=int, default=100, help="per SMTP connection")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the week and the subscribers, send the letter, print the times."""
    args = parse_args(argv)
    monday = date.today() - timedelta(days=date.today().weekday() + 7)  # last week
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=free_port())
    controller.start()
    with tempfile.TemporaryDirectory(prefix="wikicoop-bench-magazine-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = build_app(Path(tmp) / "instance", url)
        app.config.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=controller.port,
            MAIL_FROM="magazine@exemple.org",
            SITE_URL="https://wiki.exemple.org",
            MAGAZINE_BATCH_SIZE=args.batch_size,
        )
        engine = engine_of(app)
        try:
            upgrade_schema(engine, migration_dirs(app))
            digest = importlib.import_module("donner_a_voir.digest")
            subs = importlib.import_module("donner_a_voir.subscriptions")
            articles = importlib.import_module("donner_a_voir.articles")
            edition = articles.edition_of(monday)
            print(
                f"donner_a_voir bench: letter {edition}, {args.articles} articles, "
                f"{args.subscribers} subscribers, batches of {args.batch_size}, "
                f"{engine.dialect.name}"
            )
            print(f"load average at start: {load_average()}")
            start = time.perf_counter()
            make_articles(app, args.articles, monday)
            make_subscribers(app, subs, args.subscribers)
            print(f"setup: {time.perf_counter() - start:.1f} s")
            with app.app_context():
                start = time.perf_counter()
                report = digest.send_digest(get_session(), app.config, edition)
                first = time.perf_counter() - start
                start = time.perf_counter()
                again = digest.send_digest(get_session(), app.config, edition)
                second = time.perf_counter() - start
        finally:
            controller.stop()
            wait_for_index(app, timeout=None)
            engine.dispose()
    verdict = "ok" if first < TARGET_SECONDS else "OVER TARGET"
    size = sum(counter.sizes) / max(len(counter.sizes), 1)
    print(
        f"send-digest: {report.sent} sent, {report.refused} refused in {first:.2f} s "
        f"({report.sent / first:.0f} letters/s, {size / 1024:.1f} KiB each); "
        f"target < {TARGET_SECONDS:.0f} s: {verdict}"
    )
    print(f"second run: {again.sent} sent, {again.already} already had it, {second:.2f} s")
    print(f"SMTP server received {counter.recipients} letters")
    print(f"load average at end: {load_average()}")
    return 0 if counter.recipients == args.subscribers == report.sent else 1


if __name__ == "__main__":
    raise SystemExit(main())
