"""Whoosh's small segments merged after a burst of saves (search/whoosh_backend.py's
``maintain``, and the indexing thread's tidying once quiet, search/indexer.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from wikicoop.search import indexer as indexer_module
from wikicoop.search import whoosh_backend
from wikicoop.search.backend import SearchDocument, SearchQuery
from wikicoop.search.indexer import Indexer
from wikicoop.search.whoosh_backend import WhooshBackend

pytestmark = pytest.mark.any_database  # an index in a folder, threads: no database


def lavoir(page_id: int) -> SearchDocument:
    return SearchDocument(
        page_id=page_id,
        revision_id=page_id * 10,
        namespace="main",
        title=f"Lavoir {page_id}",
        text=f"Le lavoir numéro {page_id} du quartier, restauré par les habitants.",
    )


def segments(backend: WhooshBackend) -> int:
    return len(backend._open()._segments())


def test_one_maintenance_merges_a_burst_s_segments(tmp_path: Path) -> None:
    """Each save's commit leaves a segment; during a burst a call merges the smallest
    few (one Whoosh MERGE_SMALL round), once it is over a thorough one merges them down
    to the few kept, and nothing is lost."""
    backend = WhooshBackend(tmp_path / "index")
    backend.rebuild([lavoir(1)])
    for page_id in range(2, 32):
        backend.index_pages([lavoir(page_id)])  # as 30 saves, one commit each
    assert segments(backend) == 31
    backend.maintain()
    assert 5 < segments(backend) < 31
    backend.maintain(thorough=True)
    assert segments(backend) <= whoosh_backend.SMALL_SEGMENTS_KEPT + 1
    assert backend.search(SearchQuery("lavoir", per_page=50)).total == 31


class Tidying:
    """A ``tidy`` that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.done = threading.Event()

    def __call__(self) -> None:
        self.calls += 1
        self.done.set()


def test_the_indexing_thread_tidies_once_quiet_after_writing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(indexer_module, "TIDY_SECONDS", 0.2)
    tidying, written = Tidying(), []
    indexer = Indexer(lambda ids: written.append(ids) or set(), set, gather_seconds=0, tidy=tidying)
    indexer.submit([1])
    assert indexer.flush(10) and written == [{1}]
    assert tidying.done.wait(10), "never tidied after writing"
    assert indexer.flush(10)  # the tidying is over before a flush returns
    tidying.done.clear()
    assert not tidying.done.wait(0.6)  # nothing written since: once only
    assert tidying.calls == 1
    indexer.submit([2])
    assert tidying.done.wait(10) and tidying.calls == 2


def test_a_burst_s_last_segments_are_merged_once_it_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The indexing thread's writes, then its tidying, on a real index: what the burst
    left is merged without any later write asking for it."""
    monkeypatch.setattr(indexer_module, "TIDY_SECONDS", 0.2)
    backend = WhooshBackend(tmp_path / "index")
    backend.rebuild([lavoir(1)])
    tidying = threading.Event()

    def tidy() -> None:
        backend.maintain(thorough=True)
        tidying.set()

    def write(page_ids: set[int]) -> set[int]:
        backend.index_pages([lavoir(page_id) for page_id in page_ids])
        return set()

    indexer = Indexer(write, set, gather_seconds=0, tidy=tidy)
    for page_id in range(2, 22):
        indexer.submit([page_id])
        assert indexer.flush(10)  # one commit, one segment each
    assert tidying.wait(10)
    assert segments(backend) <= whoosh_backend.SMALL_SEGMENTS_KEPT + 1
    assert backend.search(SearchQuery("lavoir", per_page=50)).total == 21
