"""The change stamp (wikicoop.core.change_stamp): the same while nothing is committed,
different after any commit, by this process or another, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import scratch_database
from sqlalchemy import Engine, text

from wikicoop.core.change_stamp import ChangeStamp


def write(engine: Engine, body: str = "x") -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO notes VALUES (:b)"), {"b": body})


@pytest.mark.any_database
def test_sqlite_the_stamp_moves_with_commits_only(sqlite_engine: Engine) -> None:
    stamp = ChangeStamp(sqlite_engine)
    first = stamp.current()
    with sqlite_engine.connect() as conn:
        conn.execute(text("SELECT * FROM notes")).all()
    assert stamp.current() == first  # a read commits nothing
    assert stamp.current() is first  # one object while unchanged (shared by kept pages)
    write(sqlite_engine)
    second = stamp.current()
    assert second != first
    path = sqlite_engine.url.database
    other = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO notes VALUES ('y')\"); c.commit()"  # noqa: E501
    subprocess.run([sys.executable, "-c", other, path], check=True)
    assert stamp.current() not in (first, second)  # another process's commit
    stamp.close()


@pytest.mark.any_database
def test_sqlite_a_replaced_or_missing_file_is_never_unchanged(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    stamp = ChangeStamp(sqlite_engine)
    path = Path(sqlite_engine.url.database)
    before = stamp.current()
    sqlite_engine.dispose()
    shutil.copy(path, tmp_path / "backup.db")
    (tmp_path / "backup.db").replace(path)  # a backup restored: another file, same name
    assert stamp.current() != before
    path.rename(tmp_path / "away.db")
    assert stamp.current() != stamp.current()  # no file: no stamp ever equal
    stamp.close()


def test_postgresql_the_stamp_moves_with_commits(tmp_path: Path) -> None:
    with scratch_database("postgresql", tmp_path, "stamp") as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        stamp = ChangeStamp(engine)
        for _ in range(100):  # other test processes commit on the same server meanwhile
            first = stamp.current()
            with engine.connect() as conn:
                conn.execute(text("SELECT * FROM notes")).all()
            again = stamp.current()
            if again == first:
                assert again is first  # one object while unchanged
                break
        else:
            pytest.fail("the stamp moved around every read")
        write(engine)
        assert stamp.current() != first
        stamp.close()


STAMP_IN_ANOTHER_PROCESS = """
import sys
from wikicoop.core.change_stamp import ChangeStamp
from wikicoop.core.db import make_engine
stamp = ChangeStamp(make_engine(sys.argv[1]))
for _ in sys.stdin:
    print(repr(stamp.current()), flush=True)
"""


class AnotherWorker:
    """A process that reads the stamp each time it is asked (another worker)."""

    def __init__(self, url: str) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", STAMP_IN_ANOTHER_PROCESS, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def stamp(self) -> object:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write("\n")
        self._process.stdin.flush()
        return eval(self._process.stdout.readline())

    def close(self) -> None:
        self._process.kill()
        self._process.communicate()  # reaped, its pipes closed


@pytest.mark.any_database
def test_sqlite_every_process_reads_the_same_stamp_between_commits(
    sqlite_engine: Engine,
) -> None:
    stamp = ChangeStamp(sqlite_engine)
    other = AnotherWorker(str(sqlite_engine.url))
    # a process's first connection may rewrite the WAL index (its commit counter):
    # the stamp then moves for all, as after a commit
    other.stamp()
    here = stamp.current()
    assert isinstance(here, bytes)
    assert other.stamp() == here  # what the workers share their pages by
    write(sqlite_engine)
    after = stamp.current()
    assert after != here
    assert other.stamp() == after == stamp.current()
    other.close()
    stamp.close()


@pytest.mark.any_database
def test_sqlite_a_write_made_while_no_server_ran_gives_a_new_stamp(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """The WAL index is made anew when the last connection closes: a write made then
    (an import run alone, in place) must not meet the stamp of the pages kept before,
    read on an index made anew too (only the database file itself tells them apart)."""
    path = sqlite_engine.url.database
    write(sqlite_engine, "a")
    sqlite_engine.dispose()
    assert not Path(f"{path}-shm").exists()  # every connection closed: the index is gone
    stamp = ChangeStamp(sqlite_engine)
    before = stamp.current()  # on an index made anew, its WAL empty
    stamp.close()
    alone = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE notes SET body = 'b'\"); c.commit(); c.close()"  # noqa: E501
    subprocess.run([sys.executable, "-c", alone, path], check=True)  # same size, in place
    again = ChangeStamp(sqlite_engine)
    assert again.current() != before
    again.close()


def test_postgresql_every_process_reads_the_same_stamp_between_commits(tmp_path: Path) -> None:
    with scratch_database("postgresql", tmp_path, "stamp") as engine:
        stamp = ChangeStamp(engine)
        other = AnotherWorker(engine.url.render_as_string(hide_password=False))
        for _ in range(100):  # other test processes commit on the same server meanwhile
            here = stamp.current()
            if other.stamp() == here == stamp.current():
                break
        else:
            pytest.fail("two processes never read the same stamp")
        assert isinstance(here, str)
        other.close()
        stamp.close()


CHECKPOINT = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0);"
    " print(c.execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchone()[0])"
)


@contextmanager
def reading(path: str) -> Iterator[None]:
    """A read transaction open on the SQLite database at ``path`` meanwhile."""
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM notes").fetchone()
        yield
        reader.execute("COMMIT")
    finally:
        reader.close()


@pytest.mark.any_database
def test_sqlite_reading_the_stamp_keeps_this_process_s_locks(sqlite_engine: Engine) -> None:
    """A reader's mark in the WAL index is a POSIX lock on the ``-shm`` file, which the
    process loses when it closes any descriptor of that file: reading the stamp must not
    close one, or another process's checkpoint overwrites the frames a reader of this
    process still reads."""
    path = sqlite_engine.url.database
    write(sqlite_engine, "a")
    stamp = ChangeStamp(sqlite_engine)
    stamp.current()
    with reading(path):
        write(sqlite_engine, "b")  # frames after the reader's snapshot
        for _ in range(3):
            stamp.current()
        busy = subprocess.run(
            [sys.executable, "-c", CHECKPOINT, path], capture_output=True, text=True, check=True
        )
        assert busy.stdout.strip() == "1"  # the reader's mark still held here
    stamp.close()


@pytest.mark.any_database
def test_sqlite_a_settled_database_is_recognised_until_the_next_write(
    sqlite_engine: Engine,
) -> None:
    """At a clean stop the WAL is written into the file and the file's state recorded:
    the next run, on an index made anew, knows the data are the same; any write since,
    by any process, says otherwise."""
    write(sqlite_engine, "a")
    stamp = ChangeStamp(sqlite_engine)
    before = stamp.current()
    settled = stamp.settle()
    assert settled is not None
    kept_stamp, state = settled
    assert kept_stamp == before
    assert stamp.unchanged_since(state) is not None  # nothing written since
    sqlite_engine.dispose()
    stamp.close()

    next_run = ChangeStamp(sqlite_engine)
    now = next_run.unchanged_since(state)
    assert isinstance(now, bytes) and now == next_run.current()
    write(sqlite_engine, "b")  # in the WAL: the file has not changed yet
    assert next_run.unchanged_since(state) is None
    sqlite_engine.dispose()
    next_run.close()
    assert ChangeStamp(sqlite_engine).unchanged_since(state) is None  # written into the file


#: a process that commits, then dies without closing its connection (as in a crash):
#: its WAL is left with the frames, not written into the database file
CRASHING_WRITER = (
    "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
    " c.execute(\"INSERT INTO notes VALUES ('crash')\"); c.commit(); os._exit(0)"
)


@pytest.mark.any_database
def test_sqlite_a_quiet_state_is_recognised_after_a_crash_until_the_next_write(
    sqlite_engine: Engine,
) -> None:
    """A running wiki records the state of its quiet database (its file and a WAL
    holding frames); after a crash, the next run knows the data are the same while
    neither file changed, and a write since says otherwise."""
    path = sqlite_engine.url.database
    write(sqlite_engine, "a")
    sqlite_engine.dispose()
    subprocess.run([sys.executable, "-c", CRASHING_WRITER, path], check=True)
    stamp = ChangeStamp(sqlite_engine)
    quiet = stamp.current()
    assert stamp.quiet_state(quiet) is None  # the WAL was written a moment ago
    time.sleep(0.05)
    state = stamp.quiet_state(quiet)
    assert state is not None and len(state) == 64  # the file's, then the WAL's
    assert stamp.quiet_state(object()) is None  # another stamp than the one now
    stamp.close()

    after_crash = ChangeStamp(sqlite_engine)  # reads the WAL index made again
    now = after_crash.unchanged_since(state)
    assert isinstance(now, bytes) and now == after_crash.current()
    write(sqlite_engine, "b")  # frames appended to the WAL
    assert after_crash.unchanged_since(state) is None
    after_crash.close()


@pytest.mark.any_database
def test_sqlite_settling_waits_for_no_one(sqlite_engine: Engine) -> None:
    """Another process reading keeps the WAL from being written whole: nothing is
    recorded, and the next run makes its pages again."""
    write(sqlite_engine, "a")
    stamp = ChangeStamp(sqlite_engine)
    with reading(sqlite_engine.url.database):
        write(sqlite_engine, "b")
        assert stamp.settle() is None
    stamp.close()


def test_postgresql_settles_to_its_stamp_alone(tmp_path: Path) -> None:
    """PostgreSQL's stamp is the same from one run to the next while nothing commits:
    a stop records it as it is, with no file state, and a start adopts nothing."""
    with scratch_database("postgresql", tmp_path, "settle") as engine:
        stamp = ChangeStamp(engine)
        for _ in range(100):  # other test processes commit on the same server meanwhile
            before, settled, after = stamp.current(), stamp.settle(), stamp.current()
            if before == after:
                assert settled == (before, b"")
                break
        else:
            pytest.fail("the stamp moved around every read")
        assert stamp.unchanged_since(b"") is None
        stamp.close()


class HeldFirstRead:
    """Wraps a stamp's PostgreSQL read: the first read is held, once made, until
    :attr:`release` is set; every read is counted."""

    def __init__(self, stamp: ChangeStamp) -> None:
        self.reads = 0
        self.release = threading.Event()
        self.first_made = threading.Event()
        self._read = stamp._snapshot
        stamp._snapshot = self  # type: ignore[method-assign]

    def __call__(self) -> object:
        self.reads += 1
        value = self._read()
        if self.reads == 1:
            self.first_made.set()
            self.release.wait(10)
        return value


def waiting_callers(stamp: ChangeStamp, count: int) -> None:
    """Wait until ``count`` threads wait for the next read of ``stamp``."""
    deadline = time.monotonic() + 10
    while len(stamp._reads._waiters) < count:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the callers never waited"
        time.sleep(0.005)


def test_postgresql_a_caller_never_gets_a_read_that_started_before_it_asked(
    tmp_path: Path,
) -> None:
    """Threads share their reads of the snapshot, but only reads that started after
    they asked: a commit made before a page view is always seen by it."""
    with scratch_database("postgresql", tmp_path, "stamp") as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        stamp = ChangeStamp(engine)
        held = HeldFirstRead(stamp)
        with ThreadPoolExecutor(2) as pool:
            before = pool.submit(stamp.current)  # its read is made, then held
            assert held.first_made.wait(10)
            write(engine)  # committed after that read, before the next caller asks
            after = pool.submit(stamp.current)
            waiting_callers(stamp, 1)
            held.release.set()
            assert after.result(10) != before.result(10)
        assert held.reads == 2
        stamp.close()


def test_postgresql_callers_that_come_during_a_read_share_the_next(tmp_path: Path) -> None:
    with scratch_database("postgresql", tmp_path, "stamp") as engine:
        stamp = ChangeStamp(engine)
        held = HeldFirstRead(stamp)
        with ThreadPoolExecutor(6) as pool:
            first = pool.submit(stamp.current)
            assert held.first_made.wait(10)
            later = [pool.submit(stamp.current) for _ in range(5)]
            waiting_callers(stamp, 5)
            held.release.set()
            first.result(10)
            assert len({repr(caller.result(10)) for caller in later}) == 1
        assert held.reads == 2  # the held read, then one for the five
        stamp.close()


def test_postgresql_a_broken_connection_gives_no_stamp_then_a_new_one(tmp_path: Path) -> None:
    """The stamp's own connection ended by the server (a restart, an administrator):
    the read fails as "no stamp" (equal to none: the view asks the database), and the
    next one reconnects."""
    with scratch_database("postgresql", tmp_path, "stamp") as engine:
        stamp = ChangeStamp(engine)
        assert isinstance(stamp.current(), str)
        backend = stamp._connection.dbapi_connection.pgconn.backend_pid
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend}).scalar()
        broken = stamp.current()
        assert not isinstance(broken, str) and broken != stamp.current()
        again = stamp.current()
        assert isinstance(again, str) and again.count("/") == 2
        stamp.close()
