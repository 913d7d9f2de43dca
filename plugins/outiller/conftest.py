"""The plugin's own test fixtures (the wiki's, such as ``app``, ``client``, ``auth`` and
``make_page``, come from ``tests/wiki_fixtures.py``, loaded by the root ``conftest.py``):
the plugin's tables, and workshops written through the real write path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.search import wait_for_index

from .outiller_testing import VERSIONS, drop_own_tables, in_days, local_iso


@pytest.fixture
def ateliers(app: Flask) -> Iterator[Flask]:
    """``app`` with the plugin's tables (its Alembic branch upgraded, as ``wikicoop
    upgrade`` does). Dropped at teardown, version row included: a PostgreSQL schema is
    shared by the run's tests."""
    engine = engine_of(app)
    upgrade_schema(engine, [str(VERSIONS)])
    yield app
    wait_for_index(app)  # nothing of the app's still reads while the tables go
    engine.dispose()
    drop_own_tables(engine)


@pytest.fixture
def make_workshop(ateliers: Flask, make_page: Callable[..., int]) -> Callable[..., int]:
    """``make_workshop(title, start=in_days(7), hours=2, capacity=12, **fields)``: a
    workshop saved through the write path by a trusted account; its revision id.
    ``weekly_until`` (a date) makes it weekly."""

    def make(
        title: str,
        start: datetime | None = None,
        *,
        hours: float = 2,
        capacity: int = 12,
        place: str = "Centre social de Kerourien",
        topics: tuple[str, ...] = ("wiki",),
        facilitators: str = "Anim",
        weekly_until: Any = None,
        **fields: Any,
    ) -> int:
        start = start or in_days(7)
        values: dict[str, Any] = {
            "debut": local_iso(start),
            "fin": local_iso(start + timedelta(hours=hours)),
            "lieu": place,
            "places": capacity,
            "themes": list(topics),
            "animateurs": facilitators,
            "niveau": "débutant",
            **fields,
        }
        if weekly_until is not None:
            values["repetition"] = "chaque semaine"
            values["jusqu_au"] = weekly_until.isoformat()
        text_ = f"L'atelier {title}.\n"
        return make_page(title, text_, author="Modo", page_type="atelier", fields=values)

    return make


@pytest.fixture
def statements_of(ateliers: Flask) -> Callable[..., int]:
    """``statements_of(client, path)``: how many SQL statements ``GET path`` sends (200
    expected), the indexing thread's work done first (its statements are not the view's)."""

    def count(client: Any, path: str) -> int:
        seen: list[str] = []

        def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        engine = engine_of(ateliers)
        wait_for_index(ateliers)
        event.listen(engine, "before_cursor_execute", note)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return len(seen)

    return count
