"""The view's page cache (wikicoop.web.page_cache): pages kept compressed, within a
byte budget, least recently used dropped first."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from wikicoop.web.page_cache import (
    ADDRESSES_PER_MIB,
    MIN_ADDRESSES,
    CachedPage,
    PageHtmlCache,
)

pytestmark = pytest.mark.any_database  # memory only: the SQLite run covers it

WHEN = datetime(2026, 12, 6, tzinfo=UTC)


def page(text: str) -> CachedPage:
    return CachedPage.of(f"<p>{text}</p>", f'"{hash(text)}"', WHEN)


def noise(seed: int, size: int = 3000) -> str:
    """Text that does not compress much (a page of its own size)."""
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzéèàç ") for _ in range(size))


def test_a_page_is_kept_compressed_and_given_back_whole() -> None:
    html = "<p>Le lavoir du quartier – restauré en 2026 🌿.</p>" * 200
    kept = CachedPage.of(html, '"1"', WHEN)
    assert kept.body == html.encode("utf-8")
    assert len(kept.gzipped) < len(html.encode("utf-8")) / 10


def test_the_budget_counts_bytes_and_drops_the_least_recently_used() -> None:
    one = page(noise(1))
    cache = PageHtmlCache(budget=int(one.size * 3.5))  # three such pages
    for n in range(3):
        cache.put(n, page(noise(n)))
    assert cache.get(0) is not None  # 0 is now the most recently used
    cache.put(3, page(noise(3)))
    assert len(cache) == 3 and cache.get(1) is None
    assert {n for n in range(4) if cache.get(n) is not None} == {0, 2, 3}
    assert cache.kept_bytes <= one.size * 3.5


def test_a_page_larger_than_the_budget_is_not_kept() -> None:
    cache = PageHtmlCache(budget=100)
    cache.put("big", page(noise(9)))
    assert len(cache) == 0 and cache.kept_bytes == 0


def test_an_address_leads_to_its_page_while_the_stamp_holds() -> None:
    cache = PageHtmlCache()
    cache.put("key", page("Lavoir"))
    cache.remember("/wiki/Lavoir", 7, "key")
    assert cache.fresh("/wiki/Lavoir", 7).body == b"<p>Lavoir</p>"
    assert cache.fresh("/wiki/Lavoir", 8) is None  # something was committed since


def test_the_addresses_remembered_follow_the_budget() -> None:
    """An address is worth keeping only while its page may still be kept: about four
    per page the budget holds, the least recently used dropped first."""
    cache = PageHtmlCache(budget=2**20)
    for n in range(5_000):
        cache.remember(f"/wiki/Page_{n}", 1, n)
    assert len(cache._addresses) == ADDRESSES_PER_MIB
    assert "/wiki/Page_4999" in cache._addresses and "/wiki/Page_0" not in cache._addresses
    small = PageHtmlCache(budget=1_000)
    for n in range(500):
        small.remember(n, 1, n)
    assert len(small._addresses) == MIN_ADDRESSES
