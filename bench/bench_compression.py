"""How much smaller revision texts are stored (wikicoop.core.compressed_text), on French text.

A measurement, not a test: it prints the stored/raw size ratio of each corpus and exits 0.
Run it from the repository root::

    .venv/bin/python bench/bench_compression.py
    .venv/bin/python bench/bench_compression.py --history 500 --seed 7

Corpora, each text compressed on its own as a revision row is:

- the seed pages (``pages_seed/*.md``, French help pages);
- the French sentences of ../shared/testdata/french-text (UD French-GSD), alone (tiny
  texts: most stay raw) and grouped into pages of about 3 KB;
- the real MediaWiki exports of ../shared/testdata/mediawiki-export (English Wikipedia
  revisions: a non-French check);
- a realistic history: ``--history`` successive revisions of one French page, each edit
  inserting, replacing or deleting a sentence or a paragraph.

For comparison it also prints what zlib level 9, bz2 and lzma (all stdlib) would store,
and the median time to decode one text of each corpus.
"""

from __future__ import annotations

import argparse
import bz2
import json
import lzma
import random
import statistics
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wikicoop.core.compressed_text import compress_text, decompress_text  # noqa: E402

SHARED = ROOT.parent / "shared" / "testdata"

#: other stdlib codecs, with the same one-byte marker and raw fallback, for comparison
OTHERS: dict[str, Callable[[bytes], bytes]] = {
    "zlib-9": lambda raw: zlib.compress(raw, 9),
    "bz2-9": lambda raw: bz2.compress(raw, 9),
    "lzma-raw": lambda raw: lzma.compress(
        raw, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 6}]
    ),
}


def seed_pages() -> list[str]:
    """The French help pages wikicoop ships."""
    return [path.read_text("utf-8") for path in sorted((ROOT / "pages_seed").glob("*.md"))]


def sentences() -> list[str]:
    """The French sentences of the shared test data (empty when absent)."""
    path = SHARED / "french-text" / "fr_gsd_sentences.json"
    if not path.exists():
        return []
    return [item["text"] for item in json.loads(path.read_text("utf-8"))]


def sentence_pages(all_sentences: list[str], size: int = 3000) -> list[str]:
    """Consecutive sentences grouped into paragraphs and pages of about ``size`` bytes."""
    pages, page, paragraph = [], [], []
    for sentence in all_sentences:
        paragraph.append(sentence)
        if len(paragraph) == 4:
            page.append(" ".join(paragraph))
            paragraph = []
        if sum(len(p.encode()) for p in page) >= size:
            pages.append(f"= Page {len(pages) + 1} =\n\n" + "\n\n".join(page) + "\n")
            page = []
    return pages


def mediawiki_revisions() -> list[str]:
    """Every revision text of the real MediaWiki exports (empty when absent)."""
    texts = []
    for path in sorted((SHARED / "mediawiki-export").glob("*.xml")):
        for element in ET.parse(path).iter():
            if element.tag.endswith("}text") and element.text:
                texts.append(element.text)
    return texts


def history(all_sentences: list[str], count: int, seed: int) -> list[str]:
    """``count`` successive versions of one page: each edit inserts, replaces or deletes a
    sentence, or adds a paragraph, as contributors do."""
    rng = random.Random(seed)
    start = (ROOT / "pages_seed" / "aide-historique-des-versions.md").read_text("utf-8")
    lines = start.splitlines()
    versions = ["\n".join(lines) + "\n"]
    pool = all_sentences or [line for line in lines if line.strip()]
    for _ in range(count - 1):
        kind = rng.random()
        at = rng.randrange(len(lines) + 1)
        if kind < 0.5:
            lines.insert(at, rng.choice(pool))
        elif kind < 0.8 and lines:
            lines[min(at, len(lines) - 1)] = rng.choice(pool)
        elif kind < 0.9 and len(lines) > 10:
            del lines[min(at, len(lines) - 1)]
        else:
            lines[at:at] = ["", " ".join(rng.choice(pool) for _ in range(4)), ""]
        versions.append("\n".join(lines) + "\n")
    return versions


def stored_size(texts: list[str], codec: Callable[[bytes], bytes] | None = None) -> int:
    """Bytes stored for ``texts``: wikicoop's format, or another codec with the same marker
    byte and raw fallback."""
    if codec is None:
        return sum(len(compress_text(text)) for text in texts)
    total = 0
    for text in texts:
        raw = text.encode()
        total += 1 + min(len(raw), len(codec(raw)))
    return total


def decode_median_us(texts: list[str]) -> float:
    """Median time to decode one stored text, in microseconds."""
    stored = [compress_text(text) for text in texts]
    times = []
    for _ in range(5):
        for value in stored:
            start = time.perf_counter()
            decompress_text(value)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    """Print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=300, help="versions of the history")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    french = sentences()
    corpora = {
        "seed pages (pages_seed)": seed_pages(),
        "French sentences, one per text": french,
        "French sentences as ~3 KB pages": sentence_pages(french),
        "MediaWiki exports (English)": mediawiki_revisions(),
        f"history: {args.history} versions of a page": history(french, args.history, args.seed),
    }
    header = f"{'corpus':<40} {'texts':>6} {'raw KB':>9} {'stored KB':>10} {'ratio':>6}"
    print(header + "".join(f" {name:>9}" for name in OTHERS) + f" {'decode µs':>10}")
    all_texts: list[str] = []
    for name, texts in corpora.items():
        if not texts:
            print(f"{name:<40} (absent)")
            continue
        all_texts += texts
        _line(name, texts)
    _line("all of the above", all_texts)
    print("ratio = stored bytes / raw UTF-8 bytes (lower is better); other codecs: same ratio")


def _line(name: str, texts: list[str]) -> None:
    raw = sum(len(text.encode()) for text in texts)
    stored = stored_size(texts)
    others = "".join(f" {stored_size(texts, codec) / raw:>9.3f}" for codec in OTHERS.values())
    print(
        f"{name:<40} {len(texts):>6} {raw / 1024:>9.1f} {stored / 1024:>10.1f}"
        f" {stored / raw:>6.3f}{others} {decode_median_us(texts):>10.1f}"
    )


if __name__ == "__main__":
    main()
