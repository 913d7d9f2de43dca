"""Revision texts stored compressed: a column type that reads and writes ``str``.

Every stored value starts with one format byte, so a row may stay raw when compressing
does not pay (short texts) and the format may evolve without rewriting old rows:

- ``0x00``: the UTF-8 text as is;
- ``0x01``: the UTF-8 text compressed with zlib (stdlib; DEFLATE level 6).

Readers see a ``str`` (the TypeDecorator decodes on load); SQL cannot look inside the
bytes, so no query may apply ``LIKE``, ``substr`` or ``length`` to the column: compute
in Python, or use ``revisions.size`` for the length.

Decoding counts the texts it opens in :data:`STATS` (per thread), so tests can prove that
a page's history, a diff and a restore open as many texts with 10,000 revisions as with 10.
"""

from __future__ import annotations

import threading
import zlib

from sqlalchemy.engine import Dialect
from sqlalchemy.types import LargeBinary, TypeDecorator

RAW = 0x00
ZLIB = 0x01

#: zlib's default level: 9 stores no fewer bytes on French wiki texts (bench/bench_compression.py)
LEVEL = 6
#: below this many bytes, a zlib stream rarely beats the raw text: not even tried
MIN_COMPRESSED_BYTES = 64


class _Stats(threading.local):
    """How many texts this thread decoded (compressed or raw) since the last reset."""

    decoded: int = 0

    def reset(self) -> None:
        """Count from zero again."""
        self.decoded = 0


STATS = _Stats()


def compress_text(text: str) -> bytes:
    """``text`` as stored: a format byte, then the raw or zlib-compressed UTF-8."""
    raw = text.encode("utf-8")
    if len(raw) >= MIN_COMPRESSED_BYTES:
        packed = zlib.compress(raw, LEVEL)
        if len(packed) < len(raw):
            return bytes((ZLIB,)) + packed
    return bytes((RAW,)) + raw


def decompress_text(stored: bytes | memoryview) -> str:
    """The text of a stored value (any format byte this module ever wrote)."""
    STATS.decoded += 1
    data = bytes(stored)
    if not data:  # tolerated: an empty value is the empty text
        return ""
    marker, body = data[0], data[1:]
    if marker == RAW:
        return body.decode("utf-8")
    if marker == ZLIB:
        return zlib.decompress(body).decode("utf-8")
    raise ValueError(f"unknown revision text format {marker:#04x}")


class CompressedText(TypeDecorator[str]):
    """A ``str`` attribute stored as compressed bytes (BLOB on SQLite, BYTEA on PostgreSQL)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        """Compress on write (``None`` stays NULL)."""
        return None if value is None else compress_text(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        """Decompress on read."""
        return None if value is None else decompress_text(value)
