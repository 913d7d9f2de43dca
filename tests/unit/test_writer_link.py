"""The pipe from the web workers to the index writer (wikicoop.search.writer_link), on
real pipes: what is sent arrives whole and once, lines never exceed what the system
writes atomically, and a full or abandoned pipe sends the pages back to the caller."""

from __future__ import annotations

import os
import threading

import pytest

from wikicoop.search.writer_link import LINE_BYTES, WriterLink, decode, encode, read_page_ids

pytestmark = pytest.mark.any_database


def test_lines_stay_within_an_atomic_write_and_carry_every_id() -> None:
    ids = set(range(1, 5000)) | {10**12}
    lines = encode(ids)
    assert len(lines) > 1
    assert all(len(line) <= LINE_BYTES and line.endswith(b"\n") for line in lines)
    assert decode(b"".join(lines)) == ids
    assert encode([]) == []


def test_what_is_not_an_id_is_skipped() -> None:
    assert decode(b"3,x,,-4,5\n\n7") == {3, 5, 7}


def test_the_reader_gets_each_send_until_every_end_is_closed() -> None:
    reading, writing = os.pipe()
    link = WriterLink(writing)
    received: list[set[int]] = []
    reader = threading.Thread(target=lambda: received.extend(read_page_ids(reading, chunk=7)))
    reader.start()
    assert link.send([1, 2, 3])
    assert link.send(range(100, 900))
    link.close()
    reader.join(10)
    assert not reader.is_alive()
    os.close(reading)
    assert set().union(*received) == {1, 2, 3} | set(range(100, 900))
    assert not link.send([4])  # closed: the caller indexes


def test_a_full_pipe_sends_the_pages_back_without_blocking() -> None:
    reading, writing = os.pipe()
    link = WriterLink(writing)
    try:
        sent = 0
        while link.send(range(sent, sent + 500)):  # nobody reads: the pipe fills up
            sent += 500
            assert sent < 10**7
        assert not link.gone  # full is not gone: the next send tries again
        os.read(reading, 1 << 20)
        assert link.send([1])
    finally:
        link.close()
        os.close(reading)


def test_a_pipe_whose_reader_died_marks_the_writer_gone() -> None:
    reading, writing = os.pipe()
    link = WriterLink(writing)
    os.close(reading)  # as the writer's death closes its end
    try:
        assert not link.send([1, 2])
        assert link.gone
        assert not link.send([3])
    finally:
        link.close()
