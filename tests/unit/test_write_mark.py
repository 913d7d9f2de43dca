"""The write mark (wikicoop.core.write_mark) and PostgreSQL's change stamp built on it:
the wiki's own writes are seen at once, those made elsewhere within CHANGE_CHECK_SECONDS,
and no reading of the snapshot is made in between."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import scratch_database
from sqlalchemy import Engine, text

from wikicoop.core.change_stamp import ChangeStamp
from wikicoop.core.db import make_engine
from wikicoop.core.write_mark import MARK_SIZE, WriteMark
from wikicoop.postgres_stamp import libpq_uri


@pytest.mark.any_database
def test_a_write_touches_the_mark_once_its_connection_is_back(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    mark = WriteMark(tmp_path / "cache" / "write-mark")
    mark.watch(sqlite_engine)
    first = mark.read()
    assert len(first) == MARK_SIZE
    with sqlite_engine.connect() as conn:  # reads, a savepoint: no write
        conn.execute(text("SELECT * FROM notes")).all()
        with conn.begin_nested():
            conn.execute(text("SELECT count(*) FROM notes")).scalar()
        conn.rollback()
    assert mark.read() == first
    with sqlite_engine.connect() as conn:
        conn.execute(text("INSERT INTO notes VALUES ('x')"))
        conn.commit()
        assert mark.read() == first  # not before the connection goes back to the pool
    touched = mark.read()
    assert touched != first
    with sqlite_engine.connect() as conn:  # the connection's note was cleared
        conn.execute(text("SELECT * FROM notes")).all()
    assert mark.read() == touched
    sqlite_engine.dispose(close=False)  # as in a forked worker: the pool made anew
    with sqlite_engine.begin() as conn:
        conn.execute(text("INSERT INTO notes VALUES ('y')"))
    assert mark.read() != touched
    mark.close()


@pytest.mark.any_database
def test_the_mark_outlives_its_processes(tmp_path: Path) -> None:
    """Another process (a command, the next run) opens the same mark, unchanged; a fork
    writes through the descriptor it inherited."""
    path = tmp_path / "write-mark"
    mark = WriteMark(path)
    again = WriteMark(path)
    assert again.read() == mark.read()
    before = mark.read()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's exit status says it
        mark.touch()
        os._exit(0)
    assert os.waitpid(child, 0)[1] == 0
    assert mark.read() != before
    assert again.read() == mark.read()
    mark.close()
    again.close()


def write_elsewhere(engine: Engine) -> None:
    """A write made by a process that knows nothing of the mark (psql, another server)."""
    import psycopg

    uri = libpq_uri(engine.url.render_as_string(hide_password=False))
    assert uri is not None
    with psycopg.connect(uri, autocommit=True) as connection:
        connection.execute("INSERT INTO notes VALUES ('elsewhere')")


def counted_reads(stamp: ChangeStamp) -> list[int]:
    """Count the stamp's readings of PostgreSQL's snapshot (one item each)."""
    reads: list[int] = []
    read = stamp._snapshot

    def counting() -> object:
        reads.append(1)
        return read()

    stamp._snapshot = counting  # type: ignore[method-assign]
    return reads


@contextmanager
def postgres_notes(tmp_path: Path, name: str) -> Iterator[Engine]:
    """A PostgreSQL schema of its own with a table ``notes`` (skipped without one)."""
    with scratch_database("postgresql", tmp_path, name) as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        yield engine


@contextmanager
def marked_stamp(
    engine: Engine, mark_path: Path, check_seconds: float
) -> Iterator[tuple[ChangeStamp, WriteMark]]:
    """A stamp with its write mark, both closed afterwards, whatever happens."""
    mark = WriteMark(mark_path)
    stamp = ChangeStamp(engine, mark=mark, check_seconds=check_seconds)
    try:
        yield stamp, mark
    finally:
        stamp.close()
        mark.close()


def test_postgresql_own_writes_at_once_others_within_the_check(tmp_path: Path) -> None:
    with (
        postgres_notes(tmp_path, "mark") as engine,
        marked_stamp(engine, tmp_path / "write-mark", 60) as (stamp, mark),
    ):
        reads = counted_reads(stamp)
        first = stamp.current()
        assert [stamp.current() for _ in range(50)] == [first] * 50
        assert len(reads) == 1  # one reading, then the mark alone
        with engine.begin() as conn:  # the wiki's own write: seen at once
            conn.execute(text("INSERT INTO notes VALUES ('here')"))
        second = stamp.current()
        assert second != first
        assert len(reads) == 3  # one before its first write (announce), one after it
        write_elsewhere(engine)
        assert stamp.current() == second  # not seen before the check is due…
        mark.touch()  # …or another process of the instance wrote
        assert stamp.current() != second and len(reads) == 4


def test_postgresql_a_write_elsewhere_is_seen_once_the_check_is_due(tmp_path: Path) -> None:
    with (
        postgres_notes(tmp_path, "check") as engine,
        marked_stamp(engine, tmp_path / "write-mark", 0.2) as (stamp, _mark),
    ):
        first = stamp.current()
        write_elsewhere(engine)
        time.sleep(0.25)
        assert stamp.current() != first


def test_postgresql_without_a_mark_every_call_reads(tmp_path: Path) -> None:
    """CHANGE_CHECK_SECONDS = 0 (or no mark): the snapshot read at each call, as before."""
    with (
        scratch_database("postgresql", tmp_path, "nomark") as engine,
        marked_stamp(engine, tmp_path / "write-mark", 0) as (zero, _mark),
    ):
        for stamp in (ChangeStamp(engine), zero):
            reads = counted_reads(stamp)
            for _ in range(3):
                stamp.current()
            assert len(reads) == 3
            stamp.close()


#: CHANGE_CHECK_SECONDS of the two instances below: long enough to tell a wait apart
#: from a busy machine's slow write
CHECK = 1.0


def test_postgresql_another_instance_present_means_no_trust(tmp_path: Path) -> None:
    """Two instance folders on one database (two servers): each reads PostgreSQL at
    every call while the other is present, then trusts its readings again once alone;
    the first write of an instance that finds another present waits out their trust."""
    with (
        postgres_notes(tmp_path, "presence") as engine,
        marked_stamp(engine, tmp_path / "a" / "mark", CHECK) as (a, mark_a),
    ):
        a_reads = counted_reads(a)
        a.current()
        a.current()
        assert len(a_reads) == 1  # alone: trusted
        other = make_engine(engine.url.render_as_string(hide_password=False))
        try:
            with marked_stamp(other, tmp_path / "b" / "mark", CHECK) as (b, mark_b):
                assert mark_a.key != mark_b.key
                started = time.monotonic()
                with other.begin() as conn:  # b's first write: a is there, b waits
                    conn.execute(text("INSERT INTO notes VALUES ('b')"))
                assert time.monotonic() - started >= CHECK
                b_reads = counted_reads(b)
                for _ in range(3):
                    a.current()
                    b.current()
                assert len(b_reads) == 3  # a is present: b trusts nothing
                assert len(a_reads) == 1 + 3  # its trust ran out: b seen, then every call
        finally:
            other.dispose()
        # b gone (its server process ends a moment after its connection closes): a
        # trusts its readings again
        deadline = time.monotonic() + 10
        while True:
            before = len(a_reads)
            a.current()
            a.current()
            if len(a_reads) - before <= 1:
                break
            assert time.monotonic() < deadline, "the other instance's lock outlived it"
            time.sleep(0.05)
        started = time.monotonic()
        with engine.begin() as conn:  # alone: a's first write waits for no one
            conn.execute(text("INSERT INTO notes VALUES ('a')"))
        assert time.monotonic() - started < CHECK
