"""Query plans under the statistics of a big wiki, for tests that a query stays on its
indexes at scale (SQLite only: its planner follows ``sqlite_stat1``; PostgreSQL plans are
measured on a real big wiki, see bench/README.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

#: ``sqlite_stat1`` of the 100,000-page / 1,000,000-revision wiki of bench/make_big_wiki.py
BIG_WIKI_STATISTICS = [
    ("users", "sqlite_autoindex_users_1", "12 1"),
    ("pages", "sqlite_autoindex_pages_1", "100000 50000 1"),
    ("pages", None, "100000"),
    ("page_links", "ix_page_links_target", "696487 696487 8"),
    ("page_links", "sqlite_autoindex_page_links_1", "696487 7 7 1"),
    ("category_memberships", "ix_category_memberships_category", "154992 7381"),
    ("category_memberships", "sqlite_autoindex_category_memberships_1", "154992 2 1"),
    ("revisions", "ix_revisions_status_id", "1000000 1000000 1"),
    ("revisions", "ix_revisions_page_listing", "1000000 10 1 1 1 1 1"),
    ("revisions", "ix_revisions_author_id", "1000000 83334"),
]


def pretend_big(engine: Engine) -> None:
    """Give the SQLite database the statistics of a 100,000-page wiki (new connections
    plan with them)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("DELETE FROM sqlite_stat1")
        for row in BIG_WIKI_STATISTICS:
            connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", row)
    engine.dispose()


@contextmanager
def plans(engine: Engine) -> Iterator[list[str]]:
    """The EXPLAIN QUERY PLAN lines of every SELECT run inside the block, in one list."""
    seen: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement: str, parameters: Any, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    lines: list[str] = []
    try:
        yield lines
    finally:
        event.remove(engine, "before_cursor_execute", record)
    with engine.connect() as connection:
        for statement, parameters in seen:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            lines.extend(row[-1] for row in rows)


def sqlite_only(engine: Engine, skip: Callable[[str], Any]) -> None:
    """Skip the test unless the wiki runs on SQLite."""
    if engine.dialect.name != "sqlite":
        skip("SQLite's plans; PostgreSQL's are measured on a big wiki")
