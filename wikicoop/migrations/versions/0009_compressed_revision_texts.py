"""compressed revision texts (issue 13, point 4): revisions.text becomes bytes, and a
history's covering index

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:51:00.000000

The column keeps its name: a new column is added, filled in batches (a progress bar on
stderr when there are rows), the old one dropped and the new one renamed. Plain ADD /
DROP / RENAME COLUMN work in place on SQLite (>= 3.35) and PostgreSQL: rebuilding
`revisions` on SQLite would fight the foreign keys that point at it (as 0003/0007 say).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from alembic import op

from wikicoop.core.compressed_text import compress_text, decompress_text

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: a batch holds at most this many rows and about this many bytes of text
BATCH_ROWS = 500
BATCH_BYTES = 16 * 1024 * 1024

_revisions = sa.table("revisions", sa.column("id", sa.Integer), sa.column("size", sa.Integer))


#: the columns of a history's covering index (see Revision in wikicoop.core.models)
LISTING = ["page_id", "id", "status", "hidden_from", "author_id", "author_ip"]


def upgrade() -> None:
    # a history counts, pages and credits from this index alone, never reading rows:
    # it replaces (page_id, id), which it starts with
    op.create_index("ix_revisions_page_listing", "revisions", LISTING)
    op.drop_index("ix_revisions_page_id_id", table_name="revisions")
    _convert(
        "text_z",
        sa.Text(),
        sa.LargeBinary(),
        "X''",
        lambda value: compress_text(value or ""),
        "Compression des textes des révisions",
    )


def downgrade() -> None:
    op.create_index("ix_revisions_page_id_id", "revisions", ["page_id", "id"])
    op.drop_index("ix_revisions_page_listing", table_name="revisions")
    _convert(
        "text_plain",
        sa.LargeBinary(),
        sa.Text(),
        "''",
        lambda value: decompress_text(value) if value is not None else "",
        "Décompression des textes des révisions",
    )


def _convert(
    new: str,
    old_type: sa.types.TypeEngine,
    type_: sa.types.TypeEngine,
    sqlite_default: str,
    change: Callable,
    label: str,
) -> None:
    """Replace revisions.text (of ``old_type``) by a column ``new`` of ``type_`` holding
    ``change(old value)``, under the same name."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # SQLite adds a NOT NULL column only with a default (it cannot ALTER nullability in
    # place); PostgreSQL adds it nullable and sets NOT NULL once every row is filled
    op.add_column(
        "revisions",
        sa.Column(
            new,
            type_,
            nullable=not sqlite,
            server_default=sa.text(sqlite_default) if sqlite else None,
        ),
    )
    table = sa.table(
        "revisions",
        sa.column("id", sa.Integer),
        sa.column("text", old_type),
        sa.column(new, type_),
    )
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values({new: sa.bindparam("value", type_=type_)})
    )
    total = bind.execute(sa.select(sa.func.count()).select_from(_revisions)).scalar_one()
    done = 0
    for ids in _batches(bind):
        rows = bind.execute(sa.select(table.c.id, table.c.text).where(table.c.id.in_(ids))).all()
        bind.execute(update, [{"row_id": i, "value": change(v)} for i, v in rows])
        done += len(rows)
        _progress(label, done, total)
    if total:
        sys.stderr.write("\n")
    op.drop_column("revisions", "text")
    op.alter_column("revisions", new, new_column_name="text")
    if not sqlite:
        op.alter_column("revisions", "text", existing_type=type_, nullable=False)


def _batches(bind: sa.Connection, page: int = 10_000) -> Iterator[list[int]]:
    """Revision ids in batches of at most BATCH_ROWS rows and about BATCH_BYTES of text
    (2 MB texts do not all sit in memory at once), read ``page`` ids at a time (a wiki of
    a million revisions does not hold all its ids either)."""
    batch: list[int] = []
    weight, last = 0, 0
    while True:
        rows = bind.execute(
            sa.select(_revisions.c.id, _revisions.c.size)
            .where(_revisions.c.id > last)
            .order_by(_revisions.c.id)
            .limit(page)
        ).all()
        if not rows:
            break
        for row_id, size in rows:
            if batch and (len(batch) >= BATCH_ROWS or weight + (size or 0) > BATCH_BYTES):
                yield batch
                batch, weight = [], 0
            batch.append(row_id)
            weight += size or 0
        last = rows[-1][0]
    if batch:
        yield batch


def _progress(label: str, done: int, total: int, width: int = 30) -> None:
    """A one-line progress bar on stderr, redrawn in place."""
    filled = width * done // total
    sys.stderr.write(
        f"\r{label} : [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        f" ({100 * done // total} %)"
    )
    sys.stderr.flush()
