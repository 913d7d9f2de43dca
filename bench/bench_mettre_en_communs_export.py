"""Benchmark of the mettre_en_communs export and import: 1,000 pages with their history
(3 published revisions each) exported as a zip (median and p95), a category of 100 of
them, the credit line, and the archive imported once into an empty wiki.

A measurement, not a test: not collected by pytest, exits 0 once measured. Run it from
the repository root::

    python bench/bench_mettre_en_communs_export.py                  # 1,000 pages, 10 exports
    python bench/bench_mettre_en_communs_export.py --pages 200 --repeat 5
    python bench/bench_mettre_en_communs_export.py --database-url URL --truncate  # PostgreSQL

Pages are saved through the one write path (``writing.save``) by three authors in turn;
their text is French-like filler from ``random.Random(seed)``. The import goes into a
second wiki on its own SQLite file (the exporting database may be PostgreSQL).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
from bench_core import (
    Measure,
    build_app,
    get_ok,
    run_typed_bench,
    typed_bench_arguments,
)

from wikicoop.community.accounts import create_user
from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

PLUGIN_VERSIONS = Path(__file__).resolve().parents[1] / "plugins" / "mettre_en_communs" / "versions"
WORDS = [
    *("jardin", "quartier", "atelier", "habitants", "rue", "maison", "association", "place"),
    *("marché", "école", "vélo", "réparer", "partager", "écrire", "mémoire", "port", "phare"),
    *("lavoir", "fête", "voisins", "bibliothèque"),
]
LICENCES = ["CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", "CC-BY-NC-4.0"]
REVISIONS = 3


def filler(rng: random.Random, words: int) -> str:
    """A paragraph of ``words`` random words."""
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def make_pages(app: Flask, count: int, seed: int) -> None:
    """``count`` pages, each saved ``REVISIONS`` times by authors in turn; one in ten is
    in the category « Bench petit », every page in « Bench »."""
    upgrade_schema(engine_of(app), [str(PLUGIN_VERSIONS)])  # the plugin's own tables
    rng = random.Random(seed)
    with app.app_context():
        session = get_session()
        authors = [
            create_user(session, name, "bench password 123", trust="granted")
            for name in ("Anna", "Bertrand", "Chloé")
        ]
        session.commit()
        ctx = writing.context_for(app, session)
        for i in range(count):
            title = parse_title(f"Page {i:04d}")
            categories = "[[Catégorie:Bench]]" + (
                " [[Catégorie:Bench petit]]" if i % 10 == 0 else ""
            )
            base = None
            for number in range(REVISIONS):
                text = "\n\n".join(filler(rng, 60) for _ in range(3 + number)) + "\n\n" + categories
                result = writing.save(
                    ctx,
                    writing.Edit(
                        author=rev.Author(user=authors[(i + number) % len(authors)]),
                        title=title,
                        text=text,
                        base_revision_id=base,
                        summary=f"version {number + 1}",
                        licence=LICENCES[i % len(LICENCES)] if number == 0 else None,
                    ),
                )
                assert result.revision is not None
                base = result.revision.id


def export_measure(app: Flask, name: str, url: str, repeat: int) -> Measure:
    """GET ``url`` (a zip), read whole."""
    client = app.test_client()

    def run() -> None:
        answer = client.get(url)
        data = answer.get_data()
        if answer.status_code != 200:
            raise RuntimeError(f"GET {url}: {answer.status_code} {data[:300]!r}")

    return Measure(name, lambda _i: run, repeat)


def import_once(app: Flask, archive: bytes) -> Measure:
    """The archive imported into a fresh wiki (its own SQLite file), timed once."""
    from mettre_en_communs.import_run import run_import

    measure = Measure("import of the whole-wiki zip into an empty wiki", lambda _i: None, 0)
    with tempfile.TemporaryDirectory(prefix="wikicoop-import-") as tmp:
        target = build_app(Path(tmp) / "instance", f"sqlite:///{Path(tmp) / 'target.db'}")
        upgrade_schema(engine_of(target))
        upgrade_schema(engine_of(target), [str(PLUGIN_VERSIONS)])
        with target.app_context():
            session = get_session()
            admin = create_user(session, "Admin", "bench password 123", role="admin")
            session.commit()
            start = time.perf_counter()
            report = run_import(target, session, io.BytesIO(archive), actor=admin)
            measure.samples.wall.append((time.perf_counter() - start) * 1000)
            measure.samples.cpu.append(measure.samples.wall[-1])
            print(
                f"imported: {len(report.created)} pages, {report.revisions} revisions, "
                f"{len(report.skipped)} skipped"
            )
        engine_of(target).dispose()
    return measure


def measures(app: Flask, repeat: int) -> list[Measure]:
    """The timed requests (run by the caller), and the import, timed once here."""
    app.config["COMMONS_EXPORT_RATE_LIMIT"] = "100000 per minute"
    client = app.test_client()
    archive = client.get("/api/v1/export").get_data()
    print(f"whole-wiki zip: {len(archive) / 1e6:.1f} MB")
    imported = import_once(app, archive)
    credit = "/api/v1/pages/Page_0001/credit"
    markdown = "/reutiliser/Page_0001/export.md"
    return [
        export_measure(app, "export zip, whole wiki", "/api/v1/export", repeat),
        export_measure(
            app, "export zip, category of 10 %", "/api/v1/export?category=Bench_petit", repeat
        ),
        Measure("credit line JSON", lambda _i: lambda: get_ok(client, credit), repeat * 5),
        Measure("page export .md", lambda _i: lambda: get_ok(client, markdown), repeat * 5),
        imported,
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Build the pages, time the exports and the import, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages (default 1000)")
    parser = typed_bench_arguments(parser)
    parser.set_defaults(repeat=10)
    args = parser.parse_args(argv)
    return run_typed_bench(
        args,
        f"mettre_en_communs export bench: {args.pages} pages x {REVISIONS} revisions",
        lambda app: make_pages(app, args.pages, args.seed),
        lambda app: measures(app, args.repeat),
    )


if __name__ == "__main__":
    raise SystemExit(main())
