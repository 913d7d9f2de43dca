"""Benchmark of the media library: uploading a 10 MB photo through the JSON API (median
and p95), every step included: reading the multipart body, checking the content,
decoding, turning upright, re-encoding without EXIF/GPS, two thumbnails, the file page
written through the core's write path, the version row and the files on disk.

A measurement, not a test: not collected by pytest, exits 0 once measured. Run it from
the repository root::

    python bench/bench_mettre_en_communs_upload.py                  # 10 uploads
    python bench/bench_mettre_en_communs_upload.py --repeat 20 --megabytes 10
    python bench/bench_mettre_en_communs_upload.py --database-url postgresql+psycopg://u:p@host/db

On PostgreSQL it works in a schema of its own, dropped at the end (``--truncate`` uses
the database's own schema instead, emptied before and after).

The photos are noisy JPEGs (noise barely compresses: ~10 MB at quality 95 for about 8.5
megapixels) carrying EXIF with a GPS position, made with Pillow before the clock starts;
each repetition uploads different bytes (a re-upload of the same bytes is refused as a
duplicate). Requests go through the Flask test client, in process.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PIL import Image
from sqlalchemy import create_engine, make_url, text

from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.search import wait_for_index

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from bench_core import build_app, load_average, median, p95, truncate_all
from helpers import bearer_for

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "plugins" / "mettre_en_communs" / "versions"
#: megapixels of noise per megabyte of JPEG at quality 95 (measured with Pillow 13)
PIXELS_PER_MB = 850_000


def noisy_photo(rng: random.Random, megabytes: float) -> bytes:
    """A noisy JPEG of about ``megabytes`` MB, with EXIF (camera, GPS position)."""
    pixels = int(megabytes * PIXELS_PER_MB)
    width = int((pixels * 4 / 3) ** 0.5)
    height = pixels // width
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    exif = Image.Exif()
    exif[0x010F] = "Appareil de test"
    exif[0x0112] = 1
    exif[0x8825] = {1: "N", 2: (48.0, 23.0, 30.0), 3: "W", 4: (4.0, 29.0, 10.0)}
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="uploads timed (default 10)")
    parser.add_argument("--megabytes", type=float, default=10.0, help="photo size (default 10)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--truncate",
        action="store_true",
        help="empty the given database first (without it, PostgreSQL gets a private schema)",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    print(f"load average: {load_average()}")
    started = time.perf_counter()
    photos = [noisy_photo(rng, args.megabytes) for _ in range(args.repeat)]
    sizes = [len(p) / 1_000_000 for p in photos]
    print(
        f"{args.repeat} photos made in {time.perf_counter() - started:.1f} s, "
        f"{min(sizes):.1f}–{max(sizes):.1f} MB each"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        private = ""
        if url.startswith("postgresql") and not args.truncate:
            # a schema of its own, dropped at the end: nothing left in the given database
            private = f"bench_media_{os.getpid()}"
            with create_engine(url).begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {private}"))
            scoped = make_url(url).update_query_dict({"options": f"-csearch_path={private}"})
            url = scoped.render_as_string(hide_password=False)
        try:
            schema = create_engine(url)
            if args.truncate and args.database_url:
                truncate_all(schema)
            upgrade_schema(schema)  # the core's tables, then the plugin's
            upgrade_schema(schema, [str(VERSIONS)])
            schema.dispose()
            app = build_app(Path(tmp) / "instance", url)
            engine = engine_of(app)
            app.config["COMMONS_MAX_UPLOAD_BYTES"] = 25_000_000
            headers = bearer_for(app, "Photographe", "moderator")
            client = app.test_client()
            walls: list[float] = []
            for number, photo in enumerate(photos):
                body = {
                    "file": (io.BytesIO(photo), f"photo-{number:03d}.jpg"),
                    "license": "CC-BY-SA-4.0",
                    "author": "Photographe",
                    "source": "Travail personnel",
                    "description": "Une photo du port, pour le banc d'essai.",
                }
                wall = time.perf_counter()
                answer = client.post(
                    "/api/v1/files", data=body, headers=headers, content_type="multipart/form-data"
                )
                walls.append((time.perf_counter() - wall) * 1000)
                assert answer.status_code == 201, answer.text
            stored = answer.json
            wait_for_index(app)  # the index thread writes in the temporary folder
            if args.truncate and args.database_url:
                truncate_all(engine)
            engine.dispose()
        finally:
            if private:
                with create_engine(args.database_url).begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {private} CASCADE"))
    print(
        f"upload of a {sizes[0]:.1f} MB photo (POST /api/v1/files): n={len(walls)}, "
        f"median {median(walls):.0f} ms, p95 {p95(walls):.0f} ms, "
        f"min {min(walls):.0f} ms, max {max(walls):.0f} ms"
    )
    print(
        f"stored: {stored['width']}x{stored['height']} px, {stored['size'] / 1_000_000:.1f} MB "
        "(re-encoded at quality 90, EXIF and GPS removed), "
        f"thumbnails {sorted(stored['thumbnails'])}"
    )
    print(f"load average: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
