"""The indexing thread gathers the updates of a moment into one write (one Whoosh commit
for a burst of saves), and writes at once when someone waits for it."""

from __future__ import annotations

import threading
import time

import pytest

from wikicoop.search import activity
from wikicoop.search.indexer import Indexer

pytestmark = pytest.mark.any_database  # threads and a count: no database


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


# -- giving way to the requests of the process (search/activity.py) -----------------


def _give_way_in_a_thread(allowance: float) -> threading.Thread:
    def run() -> None:
        with activity.courteous(allowance):
            activity.give_way()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_the_indexing_thread_waits_while_a_request_is_answered() -> None:
    with activity.REQUESTS.answering():
        waiting = _give_way_in_a_thread(allowance=60)
        waiting.join(0.3)
        assert waiting.is_alive(), "it went on while the request was being answered"
    waiting.join(10)
    assert not waiting.is_alive(), "it kept waiting after the request was answered"


def test_its_wait_has_an_allowance_so_a_busy_process_still_indexes() -> None:
    with activity.REQUESTS.answering():
        waiting = _give_way_in_a_thread(allowance=0.2)
        waiting.join(10)
        assert not waiting.is_alive(), "it waited beyond its allowance"


def test_other_threads_never_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sleep(_seconds: float) -> None:
        raise AssertionError("a thread outside a courteous block waited")

    monkeypatch.setattr(activity.time, "sleep", no_sleep)
    with activity.REQUESTS.answering():
        activity.give_way()  # a command or a test writing the index: at once


def test_the_web_layer_counts_the_request_being_answered(app) -> None:
    seen: list[int] = []
    app.before_request(lambda: seen.append(activity.REQUESTS.in_flight))
    before = activity.REQUESTS.in_flight
    app.test_client().get("/wiki/Accueil")
    assert seen == [before + 1]
    assert activity.REQUESTS.in_flight == before


# -- closing (the end of an app the process outlives) --------------------------------


def test_close_writes_the_queue_then_ends_the_thread_at_once() -> None:
    recorder = Recorder()
    indexer = Indexer(recorder, no_check, gather_seconds=3600)
    indexer.submit([5])
    thread = indexer._thread
    assert thread is not None
    assert indexer.close(10)
    assert {5} in recorder.batches
    # not after IDLE_SECONDS (30 s): at once
    assert not thread.is_alive()


def test_a_closed_indexer_starts_again_with_the_next_update() -> None:
    recorder = Recorder()
    indexer = Indexer(recorder, no_check, gather_seconds=0)
    indexer.close(10)  # nothing queued, no thread: nothing to wait for
    indexer.submit([8])
    assert indexer.flush(10)
    assert {8} in recorder.batches
    assert indexer.close(10)


class Checks:
    """A ``behind`` that counts its calls (and finds nothing behind)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> set[int]:
        self.count += 1
        return set()


def test_close_can_drop_the_queue_and_never_runs_the_check() -> None:
    recorder, checks = Recorder(), Checks()
    indexer = Indexer(recorder, checks, gather_seconds=3600)
    indexer.submit([9])  # gathered for an hour: still queued when closed
    assert indexer.close(10, write_queued=False)
    assert recorder.batches == []
    assert checks.count == 0, "a closing indexer looked for pages behind the database"


def test_a_queue_dropped_while_gathered_is_neither_written_nor_checked() -> None:
    recorder, checks = Recorder(), Checks()
    indexer = Indexer(recorder, checks, gather_seconds=3600)
    indexer.submit([10])
    deadline = time.monotonic() + 10
    while not indexer._busy and time.monotonic() < deadline:  # the thread is gathering
        time.sleep(0.01)
    assert indexer._busy, "the indexing thread never started gathering"
    assert indexer.close(10, write_queued=False)
    assert recorder.batches == [] and checks.count == 0
