"""A mark that the processes of one instance folder rewrite after each write they commit.

On PostgreSQL the change stamp (:mod:`wikicoop.core.change_stamp`) is the server's
current snapshot: a round trip a page view, which cost a quarter of the views a second
a worker serves (issue 14: 3,126 views/s against 4,151 without it, on this project's
two-core machine at 10,000 pages). Almost every write comes from a process of this
machine's wiki (its workers, its index writer, its commands and job workers), so they
can say so where every worker reads it for the price of a ``pread``: a file of the
instance folder holding 16 random bytes, rewritten with new ones once a connection that
wrote goes back to the engine's pool (a session does so at each commit, before its
caller answers anyone). A worker then reads the snapshot again only when the mark
changed, or when its last reading is older than ``CHANGE_CHECK_SECONDS`` (the writes
made elsewhere: another server on the same database, ``psql``).

No counter to keep consistent: a new mark only has to differ from the old one, and 16
random bytes do. A read caught while a write rewrites the file gives bytes that match
no mark: one more reading of the snapshot, never a page kept too long.

Several servers on one database (issue 13) must see each other's writes at once too.
So a worker trusts a reading only when it found no other instance present then: each
process of an instance holds a shared advisory lock keyed by its instance folder on
its stamp's connection, and the reading counts the others' in the same round trip
(:func:`wikicoop.postgres_stamp.presence_reader`). An instance that finds another
present before its first write waits ``CHANGE_CHECK_SECONDS``, so that the readings
the other trusted before it arrived have run out
(:meth:`wikicoop.core.change_stamp.ChangeStamp.announce`). Two servers thus read the
snapshot at each view, as before; one server alone does not. A command run from
another instance folder counts as another instance from its first write on.
"""

from __future__ import annotations

import os
import socket
import weakref
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

#: the mark's file, in the instance folder's ``cache``
WRITE_MARK_FILE = "write-mark"
#: bytes in a mark
MARK_SIZE = 16
#: the connection's ``info`` key: it ran a statement that may have written
_WROTE = "wikicoop.wrote"
#: statements that never write by themselves (their first word); anything else counts
_READ_ONLY = ("SELECT", "SHOW", "SET", "SAVEPOINT", "RELEASE", "ROLLBACK")


def may_write(statement: str) -> bool:
    """Whether a SQL statement may write (anything but a read, a savepoint or a
    setting)."""
    return not statement.lstrip()[:9].upper().startswith(_READ_ONLY)


class WriteMark:
    """The mark file at ``path`` (created when missing), opened once and kept open:
    reads and writes go through ``pread``/``pwrite``, so forked processes share the
    descriptor safely."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        # closed with the mark (an app dropped by a test or a script takes it along)
        self._closing = weakref.finalize(self, os.close, self._descriptor)
        self._key = zlib.crc32(f"{socket.gethostname()}:{path.resolve()}".encode()) & 0x7FFFFFFF
        if len(self.read()) != MARK_SIZE:
            self.touch()

    @property
    def key(self) -> int:
        """A number naming this instance folder on this machine (31 bits: the key of its
        presence lock on PostgreSQL)."""
        return self._key

    def read(self) -> bytes:
        """The mark now."""
        return os.pread(self._descriptor, MARK_SIZE, 0)

    def touch(self) -> None:
        """Write a new mark (a write was committed)."""
        os.pwrite(self._descriptor, os.urandom(MARK_SIZE), 0)

    def watch(self, engine: Engine) -> None:
        """Touch the mark whenever a connection of ``engine`` that ran a statement which
        may have written goes back to the pool (after its commit, or its rollback: a
        needless touch costs one reading of the snapshot)."""
        event.listen(engine, "after_cursor_execute", _note_write)
        event.listen(engine, "checkin", self._touch_if_written)

    def _touch_if_written(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_WROTE, False):
            self.touch()

    def close(self) -> None:
        """Close the descriptor now (else when the mark is collected; a server keeps it
        for its whole life)."""
        self._closing()


def _note_write(connection: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any) -> None:
    """Remember, on the pooled connection, a statement that may have written."""
    if may_write(statement):
        connection.info[_WROTE] = True
