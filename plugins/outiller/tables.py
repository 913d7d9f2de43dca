"""The plugin's own tables (its Alembic branch in ``versions/``), described with their own
metadata: the core's tables never list them.

- ``outiller_occurrences``: one row per occurrence of a workshop someone signed up to,
  keyed by the workshop page and its local start (made at the first sign-up; the
  occurrences themselves come from the page's fields).
- ``outiller_registrations``: who signed up to which occurrence, registered or waiting
  (with a position), cancelled rows kept as history.
- ``outiller_visits``: the first time a learner looked at a history or a diff (the
  exercises that cannot be read from revisions).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from wikicoop.core.models import UTCDateTime

metadata = MetaData()

#: the core's tables the foreign keys name (declared bare: only their ids matter here)
_pages = Table("pages", metadata, Column("id", Integer, primary_key=True))
_users = Table("users", metadata, Column("id", Integer, primary_key=True))

occurrences = Table(
    "outiller_occurrences",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="CASCADE"), nullable=False),
    Column("starts_at", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("page_id", "starts_at", name="uq_outiller_occurrence"),
)

registrations = Table(
    "outiller_registrations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "occurrence_id",
        Integer,
        ForeignKey("outiller_occurrences.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("position", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("cancelled_at", UTCDateTime, nullable=True),
    # partial (WHERE cancelled_at IS NULL), as the migration makes it; its dialect
    # options are left out here: validating them loads PostgreSQL's dialect on SQLite
    # (25 ms of every start, issue 14), and the tables are only ever made by migrations
    Index("uq_outiller_active_registration", "occurrence_id", "user_id", unique=True),
    Index("ix_outiller_registrations_user", "user_id"),
)

visits = Table(
    "outiller_visits",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("first_at", UTCDateTime, nullable=False),
)

#: the plugin's tables, children first (what a test drops at teardown)
OWN_TABLES = (visits, registrations, occurrences)

REGISTERED = "registered"
WAITING = "waiting"
