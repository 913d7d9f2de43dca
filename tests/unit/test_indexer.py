"""The indexing thread gathers the updates of a moment into one write (one Whoosh commit
for a burst of saves), and writes at once when someone waits for it."""

from __future__ import annotations

import threading

import pytest

from wikicoop.search.indexer import Indexer

pytestmark = pytest.mark.any_database


class Recorder:
    """An ``apply`` that records each batch it is given."""

    def __init__(self) -> None:
        self.batches: list[set[int]] = []
        self.written = threading.Event()

    def __call__(self, page_ids: set[int]) -> set[int]:
        self.batches.append(set(page_ids))
        self.written.set()
        return set()


def no_check() -> set[int]:
    return set()


def test_updates_queued_together_are_written_in_one_batch() -> None:
    recorder = Recorder()
    indexer = Indexer(recorder, no_check, gather_seconds=0.3)
    indexer.submit([1])
    indexer.submit([2, 3])
    assert recorder.written.wait(10)
    assert indexer.flush(10)
    assert recorder.batches == [{1, 2, 3}]


def test_a_flush_writes_at_once_without_gathering() -> None:
    recorder = Recorder()
    indexer = Indexer(recorder, no_check, gather_seconds=3600)
    indexer.submit([7])
    assert indexer.flush(10), "the flush waited for the gathering (an hour)"
    assert {7} in recorder.batches


def test_without_gathering_each_update_is_written_as_it_comes() -> None:
    recorder = Recorder()
    indexer = Indexer(recorder, no_check, gather_seconds=0)
    indexer.submit([4])
    assert recorder.written.wait(10)
    assert recorder.batches == [{4}]
