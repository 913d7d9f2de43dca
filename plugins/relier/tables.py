"""The plugin's own tables (its Alembic branch, ``versions/``), as SQLAlchemy Core tables.

- ``relier_interwiki``: prefix → URL template with ``$1`` (``[[wikipedia:Brest]]``);
- ``relier_partners``: partner wikis and the cache of their feeds' latest entries;
- ``relier_macro_pages``: the pages whose text uses a ``{{pages …}}`` macro (their
  cached renders are dropped when the pages they could list change).

The core's test databases are migrated for the core only, and every hook of this plugin
also runs in the core's tests: :func:`installed` tells whether the tables are there, so a
hook without them does nothing instead of failing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from wikicoop.core.models import Page, UTCDateTime

metadata = sa.MetaData()

interwiki = sa.Table(
    "relier_interwiki",
    metadata,
    sa.Column("prefix", sa.String(32), primary_key=True),
    sa.Column("url_template", sa.String(500), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

partners = sa.Table(
    "relier_partners",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(120), nullable=False, unique=True),
    sa.Column("site_url", sa.String(500), nullable=False),
    sa.Column("feed_url", sa.String(500), nullable=False),
    # the last good entries: [{"title", "url", "updated"}], newest first
    sa.Column("entries", sa.JSON, nullable=False),
    sa.Column("fetched_at", UTCDateTime(), nullable=True),  # last attempt
    sa.Column("succeeded_at", UTCDateTime(), nullable=True),  # last good fetch
    sa.Column("last_error", sa.String(500), nullable=False, server_default=""),
)

macro_pages = sa.Table(
    "relier_macro_pages",
    metadata,
    sa.Column(
        "page_id",
        sa.Integer,
        sa.ForeignKey(Page.__table__.c.id, ondelete="CASCADE"),
        primary_key=True,
    ),
)


def installed(session: Session) -> bool:
    """Whether the plugin's tables exist in this database (its branch is upgraded)."""
    return inspect(session.connection()).has_table("relier_macro_pages")
