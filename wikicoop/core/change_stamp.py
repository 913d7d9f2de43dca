"""A cheap answer to "has anything been committed to the wiki's database since then?".

A worker that keeps finished pages must know when they may be stale without asking the
database about each page (issue 14: no SQL on the path of a cached view when nothing
changed). :class:`ChangeStamp` gives a value that changes whenever any process commits a
write, costs next to nothing to read, and is **the same in every process** that reads it
between two commits, so that the workers of one machine can share what they keep
(:mod:`wikicoop.page_files`):

- **SQLite** (WAL mode): the header of the WAL index, the ``-shm`` file every connection
  maps (https://www.sqlite.org/walformat.html, "the WAL-index header"). SQLite rewrites
  it at each commit (its ``iChange`` counter, the last frame and their checksum) and
  at a checkpoint's reset; every SQLite version that opens the database must read it
  the same way, so its layout cannot change under us (``iVersion`` is checked). The
  stamp adds the database file's identity, size and modification time: a backup
  restored, or a write made while no server ran (checkpointed into the file, the WAL
  index then made anew), never gives an earlier stamp. One process keeps a read-only
  connection open, so the index stays. A ``pread`` of 96 bytes, no SQL.
- **PostgreSQL**: the current snapshot (``pg_current_snapshot()``), read on a connection
  of the process's own: it changes when a transaction that wrote commits or ends, or a
  new one starts writing (read-only transactions take no transaction id, so they leave
  it alone). One round trip, no table read. It is the whole server's: other databases'
  commits move it too (the pages are then only checked again). The server's system
  identifier and the database's oid come with it: another cluster's transaction ids
  could meet the same snapshot. The threads of a process share their reads: a caller
  gets the snapshot of a read that *started after it asked*, so it sees every commit
  made before; callers that come while a read is on its way wait for the next one,
  which answers them all (one round trip for several page views under load). With a
  :class:`~wikicoop.core.write_mark.WriteMark`, a reading is reused while the mark
  is the one read just before it and it is younger than ``check_seconds``: the wiki's
  own writes are seen at once, those made elsewhere within that time.

Nothing has to remember to bump a counter: every commit counts, including those that
do not change any page (a stored rendering, a login); the caller then checks its page
the usual way, which is cheap and correct. Read the stamp *before* reading what it
guards: a commit in between then only makes the next request check again.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
import threading
import time
import zlib
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError

from ..page_files import sqlite_file_state, sqlite_state
from ..postgres_stamp import (
    PRESENCE_LOCK_SQL,
    SERVER_SQL,
    presence_reader,
    snapshot_reader,
    stamp_text,
)
from .write_mark import WriteMark, may_write

#: connections a forked process inherited: kept, so that they are never closed there
_INHERITED: list[Any] = []
#: the descriptors of the ``-shm`` files opened: kept, never closed (see _open_shm)
_SHM_DESCRIPTORS: list[int] = []

#: where the app keeps its change stamp (``app.extensions``)
CHANGE_STAMP_KEY = "wikicoop.change_stamp"

#: the WAL index header: two copies of 48 bytes, the writer updates the second then the
#: first; a reader that finds them equal read a whole one
_WAL_HEADER_SIZE = 48
#: ``iVersion`` (the first field), ``isInit`` (the byte at 12) of the header layout read
_WAL_INDEX_VERSION = 3007000
#: reads of a header caught while a commit rewrites it, before giving up (a miss)
_HEADER_TRIES = 3
#: a SQLite stamp starts with the database file's state: device, inode, size, mtime
_FILE_STATE_SIZE = 32
#: where the WAL index header holds ``mxFrame``, the frames the WAL holds
_MX_FRAME_OFFSET = 16
#: seconds: more than the step of a file's modification time (a kernel tick)
_FILE_TIME_STEP = 0.02
#: seconds a stop waits for another process's transaction before giving up settling
_SETTLE_WAIT = 0.5


class ChangeStamp:
    """The change stamp of one database (see the module's docstring)."""

    def __init__(
        self, engine: Engine, *, mark: WriteMark | None = None, check_seconds: float = 0.0
    ) -> None:
        self._engine = engine
        self._sqlite_path = engine.url.database if engine.dialect.name == "sqlite" else None
        # a database in memory has no file to watch: every stamp differs
        self._in_memory = engine.dialect.name == "sqlite" and self._sqlite_path in ("", ":memory:")
        self._lock = threading.Lock()
        self._connection: Any = None  # sqlite3 or the DBAPI connection of PostgreSQL
        self._pid = 0
        self._file: tuple[int, int] | None = None  # (device, inode) the connection reads
        self._shm = -1  # a descriptor of the WAL index the connection maps (_open_shm)
        self._server = ""  # PostgreSQL: the cluster's system identifier and the database
        self._read_snapshot: Callable[[], str] = str  # PostgreSQL: see snapshot_reader
        # PostgreSQL: the reads shared by the process's threads (see _shared_snapshot)
        self._reads = threading.Condition(threading.Lock())
        self._reads_started = 0
        self._reads_done = 0
        self._reading = False
        self._last_read: Hashable = None
        self._last_value: bytes | str = b""  # the last stamp read (see _shared_value)
        # PostgreSQL: the write mark, and the last reading trusted until it changes:
        # (the mark read just before it, the moment it expires, the stamp)
        self._mark = mark if engine.dialect.name == "postgresql" and check_seconds > 0 else None
        self._check_seconds = check_seconds
        self._trusted: tuple[bytes, float, Hashable] | None = None
        self._read_presence: Callable[[], tuple[str, int]] | None = None
        self._announced = False  # this process (or its parent) is present: see announce
        if self._mark is not None:
            self._mark.watch(engine)
            event.listen(engine, "before_cursor_execute", self._before_statement)

    @property
    def sqlite_file(self) -> str | None:
        """The SQLite database file watched, or None (PostgreSQL, or in memory)."""
        return None if self._in_memory else self._sqlite_path

    def current(self) -> Hashable:
        """A value that differs from every earlier one, in any process, once a write has
        been committed since (and may differ without one): ``bytes`` on SQLite, ``str``
        on PostgreSQL, or a fresh ``object()`` equal to nothing when it cannot be read
        (an in-memory database, a file away, a server down)."""
        if self._in_memory:
            return object()
        if self._sqlite_path is None:
            return self._trusted_snapshot()
        with self._lock:
            try:
                file = self._watch_connection()
                header = _wal_index_header(self._shm)
            except (OSError, sqlite3.Error):
                # the file is gone or unreadable: no stamp (the view then reads the
                # database itself, and answers as it does when the database is away)
                self._forget()
                return object()
            if header is None:
                return object()
            return self._shared_value(file + header)  # file: _FILE_STATE_SIZE

    def settle(self) -> tuple[bytes | str, bytes] | None:
        """At a clean stop, on SQLite: the stamp now, then the whole WAL written into the
        database file (a ``TRUNCATE`` checkpoint); returns the stamp and the state the
        file was left in (its identity, size and modification time), which
        :meth:`unchanged_since` recognises at the next start. None when another process
        keeps the checkpoint from completing. On PostgreSQL, whose stamp is already the
        same from one run to the next while nothing is committed: the stamp now and an
        empty state (None when it cannot be read)."""
        if self._in_memory:
            return None
        if self._sqlite_path is None:
            stamp = self._shared_snapshot()  # read now, whatever the mark says
            return (stamp, b"") if isinstance(stamp, str) else None
        stamp = self.current()
        if not isinstance(stamp, bytes):
            return None
        try:
            connection = sqlite3.connect(self._sqlite_path, timeout=_SETTLE_WAIT)
            with contextlib.closing(connection):
                busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error:
            return None
        # the file's time moves in steps of a few milliseconds: read it a step later, so
        # that any write after this reading gives the file another time
        time.sleep(_FILE_TIME_STEP)
        settled = self.current()
        if busy or not isinstance(settled, bytes) or _frames_in_wal(settled):
            return None
        return stamp, settled[:_FILE_STATE_SIZE]

    def unchanged_since(self, database_state: bytes) -> bytes | None:
        """The stamp now if the database is exactly in ``database_state`` (its files', as
        :meth:`settle` or :meth:`quiet_state` gave it: nothing committed since), else
        None; always None on PostgreSQL, whose pages need no adoption: its stamp is the
        same. After a crash, the stamp now (the WAL index made again from the WAL) is
        not the one read before: the caller ties them."""
        if self._sqlite_path is None or self._in_memory:
            return None
        stamp = self.current()  # before the files: a commit in between changes them
        if (
            not isinstance(stamp, bytes)
            or stamp[:_FILE_STATE_SIZE] != database_state[:_FILE_STATE_SIZE]
        ):
            return None
        try:
            now = sqlite_state(self._sqlite_path)
        except OSError:
            return None
        return stamp if now == database_state else None

    def quiet_state(self, stamp: Hashable) -> bytes | None:
        """On SQLite, the state of the database's files (:func:`sqlite_state`) while
        ``stamp``, read before, still holds and neither file was written within a step
        of the file clock (a later commit then gives them another state): what a running
        wiki records of its quiet database, which a start after a crash recognises
        (:meth:`unchanged_since`). None otherwise, on PostgreSQL and in memory."""
        if self._sqlite_path is None or self._in_memory or not isinstance(stamp, bytes):
            return None
        try:
            before = sqlite_state(self._sqlite_path)
            still = self.current() == stamp
            after = sqlite_state(self._sqlite_path)
        except OSError:
            return None
        if not still or before != after:
            return None
        written = (_modified(after, start) for start in range(0, len(after), _FILE_STATE_SIZE))
        return after if time.time_ns() - max(written) > _FILE_TIME_STEP * 1e9 else None

    def announce(self) -> None:
        """On PostgreSQL with a write mark, before this process's first write (called
        then by itself; ``wikicoop run`` calls it in the master before forking): hold
        the presence lock, and if another instance holds one, wait ``check_seconds``.

        Why: another instance's workers trust their last reading while no other
        instance was present when they made it, for ``check_seconds`` at most; once this
        one is present, their next reading sees it and they trust nothing any more. The
        wait lets the readings made before run out, so that no write of this instance
        can hide behind them. The forked workers inherit the master's presence (its
        connection lives as long as they do)."""
        if self._mark is None or self._announced:
            return
        self._shared_snapshot()  # opens the connection (the lock), reads who is there
        alone = self._trusted is not None
        self._announced = True
        if not alone:
            time.sleep(self._check_seconds)

    def _before_statement(
        self, _connection: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if not self._announced and may_write(statement):
            self.announce()

    def _trusted_snapshot(self) -> Hashable:
        """The last reading of the snapshot while no write was marked since it began and
        it is younger than ``check_seconds``; else a new one (:meth:`_shared_snapshot`)."""
        trusted = self._trusted
        # (an unreadable mark reads as None, equal to no mark: PostgreSQL is read)
        if (
            trusted is not None
            and time.monotonic() < trusted[1]
            and self._read_mark() == trusted[0]
        ):
            return trusted[2]
        return self._shared_snapshot()

    def _shared_snapshot(self) -> Hashable:
        """The value of a snapshot read that started after this call began: this thread
        reads it, or waits for the read another thread starts next (one at a time)."""
        with self._reads:
            wanted = self._reads_started + 1  # a read started from now on will do
            while self._reads_done < wanted:
                if self._reading:  # it started before this call: wait for the next
                    self._reads.wait()
                    continue
                self._reading = True
                self._reads_started += 1
                number = self._reads_started
                self._reads.release()
                try:
                    value = self._snapshot()
                finally:
                    self._reads.acquire()
                    self._reading = False
                    self._reads.notify_all()
                self._reads_done, self._last_read = number, value
            return self._last_read

    def _snapshot(self) -> Hashable:
        """PostgreSQL's current snapshot, on a connection of this process's own, out of
        the pool (one round trip; no pool check-out, no pre-ping). A failure gives a stamp
        equal to none: the view then reads the database and answers as it does when it
        is away."""
        with self._lock:
            try:
                if self._connection is None or self._pid != os.getpid():
                    self._connect()
                if self._read_presence is None:
                    return self._shared_value(stamp_text(self._server, self._read_snapshot()))
                mark = self._read_mark()  # before the snapshot: a write after it shows
                started = time.monotonic()
                snapshot, others = self._read_presence()
                value = self._shared_value(stamp_text(self._server, snapshot))
                alone = mark is not None and others == 0
                self._trusted = (mark, started + self._check_seconds, value) if alone else None
                return value
            except (self._engine.dialect.loaded_dbapi.Error, SQLAlchemyError):
                # (a new connection's failure comes wrapped by SQLAlchemy)
                self._forget()
                self._trusted, self._announced = None, False  # present again before a write
                return object()

    def _connect(self) -> None:
        """Open this process's own connection (under ``self._lock``); with a write
        mark, hold the presence lock on it (:data:`PRESENCE_LOCK_SQL`)."""
        self._forget()
        pooled = self._engine.raw_connection()
        pooled.detach()  # this process's own from now on
        pooled.dbapi_connection.autocommit = True  # each read sees the latest
        cursor = pooled.cursor()
        cursor.execute(SERVER_SQL)
        self._server = cursor.fetchone()[0]
        self._read_snapshot = snapshot_reader(pooled.dbapi_connection)
        if self._mark is not None:
            cursor.execute("SELECT current_schema()")
            schema = zlib.crc32(cursor.fetchone()[0].encode()) & 0x7FFFFFFF
            cursor.execute(PRESENCE_LOCK_SQL.format(schema=schema, instance=self._mark.key))
            self._read_presence = presence_reader(pooled.dbapi_connection, schema, self._mark.key)
        self._connection, self._pid = pooled, os.getpid()

    def _read_mark(self) -> bytes | None:
        """The write mark now, or None (no mark, or it cannot be read)."""
        if self._mark is None:
            return None
        try:
            return self._mark.read()
        except OSError:
            return None

    def _shared_value(self, value: bytes | str) -> bytes | str:
        """``value``, or the equal one read before: while nothing is committed, the
        pages kept under this stamp share one object (under ``self._lock``)."""
        if value != self._last_value:
            self._last_value = value
        return self._last_value

    def _watch_connection(self) -> bytes:
        """Keep this process's own read-only connection open on the file there now (a
        forked worker, or a database file replaced, opens a new one): while it is open,
        the WAL index stays. Returns the file's identity, size and modification time."""
        state = sqlite_file_state(self._sqlite_path or "")
        file = struct.unpack_from("<QQ", state)
        if self._connection is None or self._pid != os.getpid() or self._file != file:
            self._forget()
            uri = f"file:{self._sqlite_path}?mode=ro"
            self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self._shm = _open_shm(self._sqlite_path + "-shm")
            self._pid, self._file = os.getpid(), file
        return state

    def _forget(self) -> None:
        """Drop the connection: closed if it is this process's own; a parent's is kept
        referenced, never closed nor collected here (closing it would end the parent's
        session on PostgreSQL, or drop the parent's locks on the SQLite file)."""
        if self._connection is not None:
            if self._pid == os.getpid():
                with contextlib.suppress(Exception):  # a connection already broken
                    self._connection.close()
            else:
                _INHERITED.append(self._connection)
        self._connection, self._file = None, None

    def close(self) -> None:
        """Close this process's connection (a new one opens on the next call)."""
        with self._lock:
            self._forget()


def _modified(state: bytes, start: int) -> int:
    """The modification time (ns) of the file whose state starts at ``start`` of a
    database's state (:func:`~wikicoop.page_files.sqlite_state`)."""
    return struct.unpack_from("<Q", state, start + 24)[0]


def _frames_in_wal(stamp: bytes) -> int:
    """The WAL frames a SQLite stamp's WAL index header counts (``mxFrame``)."""
    return struct.unpack_from("=I", stamp, _FILE_STATE_SIZE + _MX_FRAME_OFFSET)[0]


def _wal_index_header(descriptor: int) -> bytes | None:
    """The WAL index header of a SQLite database in WAL mode (read on a descriptor of
    its ``-shm`` file), or None when no whole one could be read (a commit rewriting it
    each time, an index of another layout)."""
    for _ in range(_HEADER_TRIES):
        both = os.pread(descriptor, 2 * _WAL_HEADER_SIZE, 0)
        first, second = both[:_WAL_HEADER_SIZE], both[_WAL_HEADER_SIZE:]
        if first == second and len(first) == _WAL_HEADER_SIZE:
            version = struct.unpack_from("=I", first)[0]
            return first if version == _WAL_INDEX_VERSION and first[12] == 1 else None
    return None


def _open_shm(shm_path: str) -> int:
    """A descriptor of the ``-shm`` file, opened with a new connection and **never
    closed**.

    Closing any descriptor of a file drops every POSIX lock the process holds on it,
    and SQLite's connections lock the ``-shm`` file: its readers' marks, which keep a
    checkpoint from overwriting the WAL frames they still read, and the lock that tells
    the last connection to close that it is the last. Opening and closing it at each
    reading dropped them (https://www.sqlite.org/howtocorrupt.html, section 2.2). While
    the connection it came with is open, that lock keeps the file from being deleted
    and made anew, so the descriptor stays the file's; a connection opened again (a
    forked process, a database file replaced) opens another.
    """
    descriptor = os.open(shm_path, os.O_RDONLY)
    _SHM_DESCRIPTORS.append(descriptor)
    return descriptor
