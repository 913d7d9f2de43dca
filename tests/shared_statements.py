"""Cheaper apps for the tests: SQL statements compiled once per test process, not once per
test.

SQLAlchemy keeps the statements it compiled in a cache of each engine, keyed by the
engine's dialect object among other things. Every test builds a fresh wiki, so a fresh
engine: each test compiled again every statement it ran (the select of a page, the
insert of a revision...), a tenth of a test process's time. Here every engine of the
process shares one cache, in which the dialect object is replaced by what decides the
SQL: its class and the server's version (same driver, same database server, same
settings in a test run). The ORM's own caches of the statements a flush writes (one per
mapped class, keyed the same way) are that shared cache too. A deployed wiki has one
engine a process and never uses this.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Mapper
from sqlalchemy.util import LRUCache

from wikicoop.core import db

_create_engine = db.create_engine
#: one cache for every engine of the process; SQLAlchemy's own default size is 500
_shared: LRUCache[Hashable, Any] = LRUCache(5000)


class _StatementsOfEveryEngine:
    """What SQLAlchemy asks of a compiled cache (``get`` and item assignment), over the
    shared cache, with the dialect object of each key replaced by its class and version."""

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:
        return _shared.get(_canonical(key), default)

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        _shared[_canonical(key)] = value


def _canonical(key: tuple[Any, ...]) -> tuple[Any, ...]:
    dialect = key[0]
    return (type(dialect), dialect.server_version_info, *key[1:])


def _engine_sharing_statements(*args: Any, **kwargs: Any) -> Engine:
    engine = _create_engine(*args, **kwargs)
    engine._compiled_cache = _StatementsOfEveryEngine()  # type: ignore[assignment]
    return engine


def install() -> None:
    """Give every engine that ``wikicoop.core.db.make_engine`` creates, and every mapped
    class's flush, the shared cache (idempotent; before the first flush of the process:
    a mapper keeps the cache it made)."""
    db.create_engine = _engine_sharing_statements  # type: ignore[assignment]
    Mapper._compiled_cache = _StatementsOfEveryEngine()  # type: ignore[assignment,method-assign]
