"""PostgreSQL's change stamp, as its text and as read on a connection of one's own.

The stamp (:mod:`wikicoop.core.change_stamp`) is the server's system identifier, the
database's oid and the current snapshot: the same text in every process, and from one
run to the next, while nothing is committed. Two readers need it: the app's
:class:`~wikicoop.core.change_stamp.ChangeStamp`, on a connection taken from its
engine, and :mod:`wikicoop.early_answers`, before the app (and SQLAlchemy) is loaded,
on a connection it opens with psycopg from the database's URL
(:class:`PostgresStamp`). Both read it here, so that they cannot disagree.

Standard library only at import time; psycopg is imported by the functions that need
it (it is an optional dependency, and costs a tenth of a second to import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

#: the server's identity: another cluster's transaction ids could meet the same snapshot
SERVER_SQL = (
    "SELECT system_identifier::text || '/' || d.oid::text FROM"
    " pg_control_system(), pg_database d WHERE d.datname = current_database()"
)
#: the query of the stamp's moving part, and the name it is prepared under
SNAPSHOT_SQL = "SELECT pg_current_snapshot()::text"
_SNAPSHOT_STATEMENT = b"wikicoop_change_stamp"
#: the presence of an instance folder's processes on the database (see
#: :mod:`wikicoop.core.write_mark`): a shared advisory lock each holds on its own
#: connection, keyed by the schema (so that wikis in other schemas do not count) and
#: the instance
PRESENCE_LOCK_SQL = "SELECT pg_advisory_lock_shared({schema}, {instance})"
_PRESENCE_STATEMENT = b"wikicoop_change_stamp_presence"
#: seconds :class:`PostgresStamp` waits for the server to accept a connection
CONNECT_WAIT = 2


def stamp_text(server: str, snapshot: str) -> str:
    """The stamp of the server ``server`` (as :data:`SERVER_SQL` reads it) at
    ``snapshot``."""
    return f"{server}/{snapshot}"


def snapshot_reader(connection: Any) -> Callable[[], str]:
    """What reads PostgreSQL's current snapshot on ``connection`` (a DBAPI connection in
    autocommit). With psycopg 3, a statement prepared once and run through libpq
    itself: 25 µs of the worker's time a read instead of 39 through a cursor, and no
    parsing on the server (a read a page view). Another driver reads through a cursor."""
    read = row_reader(connection, _SNAPSHOT_STATEMENT, SNAPSHOT_SQL)
    return lambda: read()[0]


def row_reader(connection: Any, name: bytes, sql: str) -> Callable[[], tuple[str, ...]]:
    """What runs ``sql`` (no parameters, one row) on ``connection`` and returns the
    row's values as text: prepared once as ``name`` with psycopg 3 (see
    :func:`snapshot_reader`), through a cursor with another driver."""
    pgconn = getattr(connection, "pgconn", None)
    if pgconn is None:

        def read_with_cursor() -> tuple[str, ...]:
            cursor = connection.cursor()
            cursor.execute(sql)
            return tuple(str(value) for value in cursor.fetchone())

        return read_with_cursor

    import psycopg
    from psycopg import pq

    def checked(result: Any, status: pq.ExecStatus) -> Any:
        if result.status != status:  # the connection broke, the server went away…
            message = (result.error_message or b"").decode(errors="replace")
            raise psycopg.OperationalError(f"change stamp: {message.strip()}")
        return result

    checked(pgconn.prepare(name, sql.encode()), pq.ExecStatus.COMMAND_OK)

    def read_prepared() -> tuple[str, ...]:
        result = checked(pgconn.exec_prepared(name, []), pq.ExecStatus.TUPLES_OK)
        return tuple(result.get_value(0, column).decode() for column in range(result.nfields))

    return read_prepared


def presence_reader(connection: Any, schema: int, instance: int) -> Callable[[], tuple[str, int]]:
    """What reads, in one round trip on ``connection``, the current snapshot and how
    many other instances hold the presence lock of ``schema`` (:data:`PRESENCE_LOCK_SQL`)
    on this database."""
    sql = (
        "SELECT pg_current_snapshot()::text, (SELECT count(DISTINCT objid) FROM pg_locks"
        f" WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND classid = {schema}"
        f" AND objid <> {instance} AND database ="
        " (SELECT oid FROM pg_database WHERE datname = current_database()))"
    )
    read = row_reader(connection, _PRESENCE_STATEMENT, sql)

    def read_presence() -> tuple[str, int]:
        snapshot, others = read()
        return snapshot, int(others)

    return read_presence


def libpq_uri(database_url: str) -> str | None:
    """The libpq connection URI of a SQLAlchemy database URL of PostgreSQL
    (``postgresql+psycopg://user:secret@host:5432/wiki?sslmode=require`` gives
    ``postgresql://user:secret@host:5432/wiki?sslmode=require``: the two share RFC
    3986's form), or None for another database."""
    parts = urlsplit(database_url)
    scheme, _, driver = parts.scheme.partition("+")
    if scheme not in ("postgresql", "postgres") or driver not in ("", "psycopg"):
        return None
    return "postgresql" + database_url[len(parts.scheme) :]  # the rest as it is written


class PostgresStamp:
    """The stamp read on a psycopg connection of its own, opened from a SQLAlchemy
    database URL at the first :meth:`read`. Not shared between threads."""

    def __init__(self, database_url: str) -> None:
        self._uri = libpq_uri(database_url)
        self._connection: Any = None
        self._server = ""
        self._read_snapshot: Callable[[], str] = str

    def read(self) -> str:
        """The stamp now (one round trip once connected).

        Raises:
            ValueError: the URL is not one of PostgreSQL through psycopg.
            ImportError: psycopg is not installed.
            psycopg.Error: the server could not be reached or answer.
        """
        if self._connection is None:
            if self._uri is None:
                raise ValueError("not a PostgreSQL database reached through psycopg")
            import psycopg

            connection = psycopg.connect(self._uri, autocommit=True, connect_timeout=CONNECT_WAIT)
            try:
                self._server = connection.execute(SERVER_SQL).fetchone()[0]
                self._read_snapshot = snapshot_reader(connection)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return stamp_text(self._server, self._read_snapshot())

    def close(self) -> None:
        """Close the connection, if one was opened (the next read opens another)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
