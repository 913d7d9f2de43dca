"""The plugin's own tables (its Alembic branch, ``versions/``), as SQLAlchemy Core tables.

- ``relier_interwiki``: prefix → URL template with ``$1`` (``[[wikipedia:Brest]]``);
- ``relier_partners``: partner wikis and the cache of their feeds' latest entries;
- ``relier_macro_pages``: the pages whose text uses a ``{{pages …}}`` macro (their
  cached renders are dropped when the pages they could list change);
- ``relier_related`` and ``relier_state``: each page's stored "Pages cousines", and the
  generation number (bumped whenever a page is published, deleted or renamed) that
  tells a stored list is stale.

The core's test databases are migrated for the core only, and every hook of this plugin
also runs in the core's tests: :func:`installed` tells whether the tables are there, so a
hook without them does nothing instead of failing.
"""

from __future__ import annotations

import time
import weakref

import sqlalchemy as sa
from sqlalchemy import Engine, inspect
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


state = sa.Table(
    "relier_state",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

related = sa.Table(
    "relier_related",
    metadata,
    sa.Column(
        "page_id",
        sa.Integer,
        sa.ForeignKey(Page.__table__.c.id, ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("items", sa.JSON, nullable=False),
)

#: what each engine's database was found to hold: ``{engine: (installed, when)}``. A
#: page view must not pay a catalog query: the tables, once seen, are taken as there for
#: the engine's life; their absence is looked for again after :data:`ABSENT_RECHECK`
#: seconds (``wikicoop upgrade`` may create them while a server runs).
_SEEN: weakref.WeakKeyDictionary[Engine, tuple[bool, float]] = weakref.WeakKeyDictionary()
ABSENT_RECHECK = 30.0


def installed(session: Session) -> bool:
    """Whether the plugin's tables exist in this database (its branch is upgraded)."""
    engine = session.get_bind()
    if not isinstance(engine, Engine):  # a session bound to a connection: ask each time
        return inspect(session.connection()).has_table("relier_related")
    known = _SEEN.get(engine)
    if known is not None and (known[0] or time.monotonic() - known[1] < ABSENT_RECHECK):
        return known[0]
    found = inspect(session.connection()).has_table("relier_related")
    _SEEN[engine] = (found, time.monotonic())
    return found


def forget_installed(engine: Engine) -> None:
    """The tables were created or dropped (tests, upgrades): look for them again."""
    _SEEN.pop(engine, None)
