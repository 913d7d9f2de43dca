"""The pages kept on disk for all the workers (wikicoop.page_files): an answer made
under a stamp found under that stamp only, never half written, never another run's,
within its byte budget."""

from __future__ import annotations

import contextlib
import gzip
import os
import time
from pathlib import Path

import pytest

from wikicoop.page_files import (
    STOP_RECORD,
    PageFiles,
    body_digest,
    keys_of_generation,
    read_stop_record,
)

pytestmark = pytest.mark.any_database  # files only: run once, on SQLite's pass

KEY = ("/wiki/Lavoir", "wiki.example", "https", "fr", "")
RECORD = ("200 OK", (("Content-Type", "text/html"),), b"\x1f\x8b page", '"tag"', 1.5e9)


def test_an_answer_is_found_under_its_stamp_only(tmp_path: Path) -> None:
    files = PageFiles(tmp_path / "pages", budget=2**20)
    files.put(KEY, b"stamp-1", RECORD)
    assert files.get(KEY, b"stamp-1") == RECORD
    assert files.get(KEY, b"stamp-2") is None  # something was committed since
    assert files.get((*KEY[:-1], "theme=sombre"), b"stamp-1") is None  # another key
    files.put(KEY, "pg-snapshot", RECORD)  # made again: the file is replaced
    assert files.get(KEY, b"stamp-1") is None
    assert files.get(KEY, "pg-snapshot") == RECORD
    assert len(list((tmp_path / "pages").iterdir())) == 1


def test_the_workers_of_one_run_share_the_files_and_a_new_run_never_reads_them(
    tmp_path: Path,
) -> None:
    """Workers forked from one app share its generation; a restart (other settings,
    another version: what the stamp does not see) draws a new one."""
    first_worker = PageFiles(tmp_path, budget=2**20, generation=b"run-1")
    second_worker = PageFiles(tmp_path, budget=2**20, generation=b"run-1")
    first_worker.put(KEY, b"stamp", RECORD)
    assert second_worker.get(KEY, b"stamp") == RECORD
    assert PageFiles(tmp_path, budget=2**20).get(KEY, b"stamp") is None


def test_the_keys_of_a_generation_come_newest_first(tmp_path: Path) -> None:
    """What ``wikicoop upgrade`` makes again for the next start: the pages of the last
    run's generation, under any stamp, the most recently written first."""
    last_run = PageFiles(tmp_path, budget=2**20, generation=b"run-1")
    keys = [(f"/wiki/Page_{n}", *KEY[1:]) for n in range(4)]
    for age, key in enumerate(keys):  # Page_0 written last
        last_run.put(key, b"stamp" if age else b"older stamp", RECORD)
        os.utime(last_run._path(key), ns=(10**18 - age * 10**9,) * 2)
    PageFiles(tmp_path, budget=2**20, generation=b"run-0").put(
        ("/wiki/Vieille", *KEY[1:]), b"stamp", RECORD
    )
    (tmp_path / "not a page.page").write_bytes(b"damaged")
    assert keys_of_generation(tmp_path, b"run-1", limit=10) == keys
    assert keys_of_generation(tmp_path, b"run-1", limit=2) == keys[:2]
    assert keys_of_generation(tmp_path, b"run-2", limit=10) == []
    assert keys_of_generation(tmp_path / "missing", b"run-1", limit=10) == []


def test_a_damaged_or_foreign_file_is_a_miss(tmp_path: Path) -> None:
    files = PageFiles(tmp_path, budget=2**20, generation=b"run")
    files.put(KEY, b"stamp", RECORD)
    (path,) = tmp_path.iterdir()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut short
    assert files.get(KEY, b"stamp") is None
    path.write_bytes(b"<html>not a record</html>")
    assert files.get(KEY, b"stamp") is None


def test_a_put_leaves_its_file_and_no_temporary_one(tmp_path: Path) -> None:
    """A file is written under a temporary name, then renamed over the old one."""
    files = PageFiles(tmp_path, budget=2**20)
    files.put(KEY, b"stamp", RECORD)
    names = [entry.name for entry in tmp_path.iterdir()]
    assert len(names) == 1 and names[0].endswith(".page")


def test_the_folder_stays_within_its_budget_dropping_the_oldest(tmp_path: Path) -> None:
    budget = 40_000
    writer = PageFiles(tmp_path, budget=10 * budget, generation=b"run")  # no sweep yet
    body = os.urandom(3_000)  # what gzip leaves of a page: no longer compressible
    for number in range(40):
        writer.put(("/wiki/Page", str(number)), b"s", ("200 OK", (), body, None, None))
        path = writer._path(("/wiki/Page", str(number)))
        os.utime(path, ns=(time.time_ns(), 1_000_000_000 * (number + 1)))  # written in order
    files = PageFiles(tmp_path, budget=budget, generation=b"run")
    held = files.sweep()
    assert held <= budget * 0.75
    assert sum(entry.stat().st_size for entry in tmp_path.iterdir()) == held
    assert files.get(("/wiki/Page", "39"), b"s") is not None  # the newest stay
    assert files.get(("/wiki/Page", "0"), b"s") is None  # the oldest went first


def test_a_sweep_removes_what_a_crashed_writer_left(tmp_path: Path) -> None:
    files = PageFiles(tmp_path, budget=2**20)
    files.put(KEY, b"s", RECORD)
    left = tmp_path / ".4242.7.tmp"
    left.write_bytes(b"half a record")
    recent = tmp_path / ".4243.1.tmp"  # a writer at work now
    recent.write_bytes(b"being written")
    os.utime(left, (time.time() - 3600, time.time() - 3600))
    files.sweep()
    assert not left.exists() and recent.exists()
    assert files.get(KEY, b"s") == RECORD


def held_bytes(folder: Path) -> int:
    """The bytes of the files in ``folder`` now (a sweep may remove some meanwhile)."""
    total = 0
    for entry in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            total += entry.stat().st_size
    return total


def test_writing_sweeps_by_itself(tmp_path: Path) -> None:
    budget = 40_000
    files = PageFiles(tmp_path, budget=budget)
    body = os.urandom(3_000)
    for number in range(100):
        files.put(("/wiki/Page", str(number)), b"s", ("200 OK", (), body, None, None))
    deadline = time.monotonic() + 10
    while held_bytes(tmp_path) > budget:
        assert time.monotonic() < deadline, "no sweep kept the folder within its budget"
        time.sleep(0.01)


def test_an_answer_too_big_or_a_folder_that_cannot_be_written_is_not_kept(
    tmp_path: Path,
) -> None:
    small = PageFiles(tmp_path / "small", budget=1_000)
    small.put(KEY, b"s", ("200 OK", (), os.urandom(2_000), None, None))
    assert small.get(KEY, b"s") is None
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    files = PageFiles(blocked / "pages", budget=2**20)
    files.put(KEY, b"s", RECORD)  # no error: the page is simply not kept
    assert files.get(KEY, b"s") is None


def test_a_stamp_that_could_not_be_read_is_never_kept_nor_met(tmp_path: Path) -> None:
    files = PageFiles(tmp_path / "pages", budget=2**20)
    unread = object()  # what ChangeStamp gives when the database cannot be read
    files.put(KEY, unread, RECORD)
    assert not (tmp_path / "pages").exists()
    files.put(KEY, b"s", RECORD)
    assert files.get(KEY, unread) is None


def test_no_budget_no_files(tmp_path: Path) -> None:
    files = PageFiles(tmp_path / "pages", budget=0)
    assert not files.enabled
    files.put(KEY, b"s", RECORD)
    assert not (tmp_path / "pages").exists()


def test_a_plain_body_is_written_once_then_read_from_its_file(tmp_path: Path) -> None:
    """For a client that does not take gzip: the body's own file, named after the gzip
    bytes, written at the first view and read at the next."""
    body = "<html><p>Le lavoir du quartier, restauré en 2024.</p></html>".encode() * 50
    compressed = gzip.compress(body, mtime=0)
    files = PageFiles(tmp_path, budget=2**20)
    assert files.plain_body(body_digest(compressed), compressed) == body
    (written,) = tmp_path.iterdir()
    assert written.name == body_digest(compressed) + ".html"
    assert written.read_bytes() == body
    written.write_bytes(b"what the file holds")  # read, never made again
    assert files.plain_body(body_digest(compressed), compressed) == b"what the file holds"
    other = gzip.compress(b"<p>Une autre page</p>", mtime=0)
    assert body_digest(other) != body_digest(compressed)


def test_plain_bodies_count_in_the_budget_and_are_decompressed_when_not_kept(
    tmp_path: Path,
) -> None:
    budget = 40_000
    writer = PageFiles(tmp_path / "pages", budget=10 * budget)
    for _ in range(20):
        body = os.urandom(3_000)
        compressed = gzip.compress(body, compresslevel=1, mtime=0)
        assert writer.plain_body(body_digest(compressed), compressed) == body
    held = PageFiles(tmp_path / "pages", budget=budget).sweep()
    assert held <= budget * 0.75
    assert sum(entry.stat().st_size for entry in (tmp_path / "pages").iterdir()) == held
    compressed = gzip.compress(b"x" * 100, mtime=0)
    assert PageFiles(tmp_path / "off", budget=0).plain_body("d", compressed) == b"x" * 100
    assert not (tmp_path / "off").exists()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    assert PageFiles(blocked / "pages", budget=2**20).plain_body("d", compressed) == b"x" * 100


def test_a_process_records_each_stamp_it_keeps_pages_under_once(tmp_path: Path) -> None:
    """On PostgreSQL (wikicoop.server.record_for_a_start_after_a_crash): the record a
    start after a crash reads names the stamp of the pages kept last, written once a
    stamp; nothing before it is asked for, nothing for an unreadable stamp."""
    files = PageFiles(tmp_path, budget=1 << 20)
    record_file = tmp_path / STOP_RECORD
    files.put(KEY, "snapshot 1", RECORD)
    assert not record_file.exists()
    start = {"postgresql": True, "argv": ["run"]}
    files.record_each_stamp(start, object())  # a stamp that could not be read
    files.put(KEY, object(), RECORD)
    assert not record_file.exists()
    files.record_each_stamp(start, "snapshot 1")  # the stamp at the start
    record = read_stop_record(tmp_path)
    assert record is not None and record["stamps"] == ("snapshot 1",)
    assert record["database_state"] == b"" and record["start"] == start
    written = record_file.stat().st_ino, record_file.stat().st_mtime_ns
    files.put(("/wiki/Autre", "w", "http", "", ""), "snapshot 1", RECORD)
    assert (record_file.stat().st_ino, record_file.stat().st_mtime_ns) == written  # once
    files.put(KEY, "snapshot 2", RECORD)  # after a commit, a page made again
    assert read_stop_record(tmp_path)["stamps"] == ("snapshot 2",)
