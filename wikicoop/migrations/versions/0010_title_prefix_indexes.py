"""title suggestions served by B-trees on PostgreSQL (issue 13, point 5)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 01:50:00.000000

The suggestions of a typed prefix read ``title_folded LIKE 'pa%'`` or the same on the
title without its namespace. The trigram index cannot serve a prefix of one or two
letters, and a LIKE on a plain B-tree needs the C collation: at 100,000 pages the
query scanned the whole table (45 ms). Two B-trees with ``text_pattern_ops`` (the
title, and the title without its namespace, the expression of
``wikicoop.search.pg_suggest.NAME_KEY_SQL``) read only the titles that match. SQLite
has no search entries (Whoosh keeps its own index): nothing to do there.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: the title without its namespace ("aide:ecrire une page" -> "ecrire une page"), as
#: pg_suggest.NAME_KEY_SQL writes it (without the table's alias, which the planner
#: resolves to the same columns)
NAME_KEY = (
    "CASE WHEN namespace <> 'main' AND strpos(title_folded, ':') > 0"
    " THEN substr(title_folded, strpos(title_folded, ':') + 1) ELSE title_folded END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_search_entries_title_prefix ON search_entries"
        " (title_folded text_pattern_ops)"
    )
    op.execute(
        f"CREATE INDEX ix_search_entries_name_prefix ON search_entries (({NAME_KEY}) text_pattern_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_search_entries_name_prefix")
    op.execute("DROP INDEX ix_search_entries_title_prefix")
