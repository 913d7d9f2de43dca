"""Search backends for the backend-level tests: Whoosh in a folder, or PostgreSQL in a
schema of its own (skipped, saying why, unless WIKICOOP_DATABASE_URL is set).

The PostgreSQL schema is migrated like a wiki's, then the entries' foreign key to
``pages`` is dropped: these tests index documents without creating pages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import scratch_database
from sqlalchemy import Engine, event, text

from wikicoop.core.db import upgrade_schema
from wikicoop.search.pg_backend import PostgresBackend
from wikicoop.search.whoosh_backend import WhooshBackend

#: the backends every backend-level test runs on; Whoosh's cases do not depend on the
#: wiki's database, so CI's PostgreSQL pass leaves them to the SQLite pass
BACKENDS = (
    pytest.param("whoosh", id="whoosh", marks=pytest.mark.any_database),
    pytest.param("postgresql", id="postgresql"),
)


@contextmanager
def backend_of(
    kind: str, folder: Path, name: str, *, extra_fields: Mapping[str, str] = {}
) -> Iterator[WhooshBackend | PostgresBackend]:
    """An empty backend of ``kind`` ("whoosh" or "postgresql")."""
    if kind == "whoosh":
        yield WhooshBackend(folder / "index", extra_fields=extra_fields)
        return
    with pg_engine_of(folder, name) as engine:
        yield PostgresBackend(engine, extra_fields=extra_fields)


@contextmanager
def pg_engine_of(folder: Path, name: str) -> Iterator[Engine]:
    """An engine on a migrated schema of its own whose search entries need no pages
    (skipped unless WIKICOOP_DATABASE_URL is set)."""
    with scratch_database("postgresql", folder, name) as engine:
        upgrade_schema(engine)
        with engine.begin() as conn:
            conn.execute(
                text("ALTER TABLE search_entries DROP CONSTRAINT fk_search_entries_page_id_pages")
            )
        yield engine


@contextmanager
def plans_of(engine: Engine, marker: str) -> Iterator[list[str]]:
    """The plans (``EXPLAIN``, sequential scans off: on a few rows a scan is cheapest) of
    the statements holding ``marker`` that ``engine`` runs meanwhile."""
    plans: list[str] = []

    def explain(_conn, cursor, statement: str, parameters, _context, _many) -> None:
        if marker in statement and not statement.startswith("EXPLAIN"):
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append(" ".join(row[0] for row in cursor.fetchall()))
            cursor.execute("RESET enable_seqscan")

    event.listen(engine, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        event.remove(engine, "before_cursor_execute", explain)
