"""A cheap answer to "has anything been committed to the wiki's database since then?".

A worker that keeps finished pages in memory must know when they may be stale without
asking the database about each page (issue 14: no SQL on the path of a cached view
when nothing changed). :class:`ChangeStamp` gives a value that changes whenever any
process commits a write, and costs next to nothing to read:

- **SQLite**: ``PRAGMA data_version`` on one connection of its own per process, which
  never writes: its value changes when any other connection, in this process or
  another, has committed (SQLite reads it from the shared WAL index, no page is read).
- **PostgreSQL**: the current snapshot (``pg_current_snapshot()``), read on a connection
  of the process's own: it changes when a transaction that wrote commits or ends, or a
  new one starts writing (read-only transactions take no transaction id, so they leave
  it alone). One round trip, no table read. It is the whole server's: other databases'
  commits move it too (the pages are then only checked again).

Nothing has to remember to bump a counter: every commit counts, including those that
do not change any page (a stored rendering, a login); the caller then checks its page
the usual way, which is cheap and correct. Read the stamp *before* reading what it
guards: a commit in between then only makes the next request check again.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

#: connections a forked process inherited: kept, so that they are never closed there
_INHERITED: list[Any] = []

#: where the app keeps its change stamp (``app.extensions``)
CHANGE_STAMP_KEY = "wikicoop.change_stamp"


class ChangeStamp:
    """The change stamp of one database (see the module's docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite_path = engine.url.database if engine.dialect.name == "sqlite" else None
        # a database in memory has no file to watch: every stamp differs
        self._in_memory = engine.dialect.name == "sqlite" and self._sqlite_path in ("", ":memory:")
        self._lock = threading.Lock()
        self._connection: Any = None  # sqlite3 or the DBAPI connection of PostgreSQL
        self._pid = 0
        self._file: tuple[int, int] | None = None  # (device, inode) the connection reads
        self._generation = 0  # one a connection: values of two connections never compare

    def current(self) -> Hashable:
        """A value that differs from every earlier one of this process once a write has
        been committed since (and may differ without one)."""
        if self._in_memory:
            return object()
        if self._sqlite_path is None:
            return self._snapshot()
        with self._lock:
            try:
                connection = self._watch_connection()
                version = connection.execute("PRAGMA data_version").fetchone()[0]
            except (OSError, sqlite3.Error):
                # the file is gone or unreadable: no stamp (the view then reads the
                # database itself, and answers as it does when the database is away)
                self._forget()
                return object()
            return (self._generation, version)

    def _snapshot(self) -> Hashable:
        """PostgreSQL's current snapshot, on a connection of this process's own, out of
        the pool (one round trip; no pool check-out, no pre-ping). A failure gives a stamp
        equal to none: the view then reads the database and answers as it does when it
        is away."""
        with self._lock:
            try:
                if self._connection is None or self._pid != os.getpid():
                    self._forget()
                    pooled = self._engine.raw_connection()
                    pooled.detach()  # this process's own from now on
                    pooled.dbapi_connection.autocommit = True  # each read sees the latest
                    self._connection, self._pid = pooled, os.getpid()
                cursor = self._connection.cursor()
                cursor.execute("SELECT pg_current_snapshot()::text")
                return cursor.fetchone()[0]
            except (self._engine.dialect.loaded_dbapi.Error, SQLAlchemyError):
                # (a new connection's failure comes wrapped by SQLAlchemy)
                self._forget()
                return object()

    def _watch_connection(self) -> sqlite3.Connection:
        """This process's own read-only connection on the file there now: a forked
        worker, or a database file replaced (a backup restored), opens a new one."""
        stat = os.stat(self._sqlite_path or "")
        file = (stat.st_dev, stat.st_ino)
        if self._connection is None or self._pid != os.getpid() or self._file != file:
            self._forget()
            uri = f"file:{self._sqlite_path}?mode=ro"
            self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid, self._file = os.getpid(), file
            self._generation += 1
        return self._connection

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
