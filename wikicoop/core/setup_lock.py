"""One setup at a time: servers started together on one PostgreSQL database.

``wikicoop run`` (and ``init``) upgrades the schema, creates the first admin and loads
the seed pages before serving. Two servers started at the same moment on a database
with work to do (a first deployment, an upgrade with a new migration) both ran it: the
second one's ``CREATE TABLE`` broke on the first one's (``UniqueViolation`` on
``pg_type``) and it exited. Under this lock the second waits, then finds nothing left
to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

#: the first half of the advisory lock's key ("wiki" in ASCII); the second half is the
#: schema's hash, so that wikis in other schemas of the same database do not wait
LOCK_CLASS = 0x77696B69


@contextmanager
def setup_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's setup lock for the block (PostgreSQL; nothing elsewhere).

    A session-level advisory lock on a connection of its own: the setup's own
    transactions commit as they like, and the lock goes with the connection if the
    process dies.
    """
    if engine.dialect.name != "postgresql":
        yield  # SQLite: one machine, and SQLite serialises writers itself
        return
    with engine.connect() as connection:
        connection.execute(_LOCK, {"cls": LOCK_CLASS})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(_UNLOCK, {"cls": LOCK_CLASS})
            connection.commit()


_LOCK = text("SELECT pg_advisory_lock(:cls, hashtext(current_schema()))")
_UNLOCK = text("SELECT pg_advisory_unlock(:cls, hashtext(current_schema()))")
