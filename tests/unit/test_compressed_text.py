"""The stored form of revision texts: one format byte, then raw or zlib-compressed UTF-8."""

from __future__ import annotations

import zlib

import pytest

from wikicoop.core.compressed_text import (
    RAW,
    STATS,
    ZLIB,
    CompressedText,
    compress_text,
    decompress_text,
)

pytestmark = pytest.mark.any_database

TEXTS = [
    "",
    "Été",
    "Fête des voisins à Kerourien : crêpes, café et « bonne humeur » ! " * 30,
    "\x00\x01 octets de contrôle \U0001f600 et emoji " * 10,
    ("Le Repair Café répare grille-pains, vélos et ordinateurs. " * 40_000)[:2_000_000],
]


@pytest.mark.parametrize("text", TEXTS, ids=["empty", "short", "accents", "controls", "2MB"])
def test_every_text_comes_back_exactly(text: str) -> None:
    assert decompress_text(compress_text(text)) == text
    assert decompress_text(memoryview(compress_text(text))) == text  # as some drivers give


def test_short_or_incompressible_texts_stay_raw_behind_their_marker() -> None:
    assert compress_text("Été") == bytes((RAW,)) + "Été".encode()
    noise = bytes(range(256)).decode("latin-1") * 2  # zlib cannot shrink this much
    stored = compress_text(noise)
    assert len(stored) <= len(noise.encode()) + 1
    long = compress_text("Bonjour à toutes et à tous. " * 100)
    assert (
        long[0] == ZLIB
        and zlib.decompress(long[1:]).decode() == "Bonjour à toutes et à tous. " * 100
    )
    assert len(long) < 200


def test_an_unknown_format_is_refused_not_misread() -> None:
    with pytest.raises(ValueError, match="0x07"):
        decompress_text(b"\x07abc")
    assert decompress_text(b"") == ""  # an empty value is the empty text


def test_the_column_type_converts_both_ways_and_counts_decoded_texts() -> None:
    column = CompressedText()
    STATS.reset()
    stored = column.process_bind_param("Salut à toi", None)  # type: ignore[arg-type]
    assert isinstance(stored, bytes) and stored[0] == RAW
    assert column.process_result_value(stored, None) == "Salut à toi"  # type: ignore[arg-type]
    assert column.process_bind_param(None, None) is None  # type: ignore[arg-type]
    assert column.process_result_value(None, None) is None  # type: ignore[arg-type]
    assert STATS.decoded == 1
