"""The reuse part's own table (its Alembic branch ``mettre_en_communs_reuse`` in
``versions/``): the licence conflicts found at publication, described with their own
metadata (the core's tables never list them)."""

from __future__ import annotations

import weakref

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy import inspect as inspect_database
from sqlalchemy.orm import Session

from wikicoop.core.models import UTCDateTime

metadata = MetaData()
#: the plugin tables found in each engine's database
_FOUND: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()

#: one row per page and embedded item whose licence the page cannot carry
licence_conflicts = Table(
    "mettre_en_communs_licence_conflicts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="CASCADE"), nullable=False),
    Column("item", String(600), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item_licence", String(32), nullable=False),
    Column("page_licence", String(32), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("revision_id", Integer, nullable=True),
    Column("found_at", UTCDateTime, nullable=False),
    UniqueConstraint("page_id", "item", name="uq_mettre_en_communs_licence_conflict"),
)


def has_table(session: Session, name: str) -> bool:
    """Whether the database has this plugin table (an upgrade not run yet, or the core's
    tests, which migrate the core only: then the checks store nothing).

    A yes is remembered per engine: every save asks, and each look is a round trip to
    the database (two a save on PostgreSQL); a no is looked for again next time.
    """
    engine = session.get_bind()
    found = _FOUND.setdefault(engine, set()) if isinstance(engine, Engine) else set()
    if name in found:
        return True
    if inspect_database(session.connection()).has_table(name):
        found.add(name)
        return True
    return False
