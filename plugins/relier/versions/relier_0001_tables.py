"""relier: interwiki prefixes (with the default table), partner wikis and their feed
cache, the pages using macros

Revision ID: relier_0001
Revises: (none: the plugin's own branch)
Create Date: 2026-12-04 15:55:00.000000
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "relier_0001"
down_revision = None
branch_labels = ("relier",)
depends_on = None

# the default table (a copy: a migration never imports the code it migrates for)
DEFAULT_INTERWIKI = {
    "wikipedia": "https://fr.wikipedia.org/wiki/$1",
    "wikipedia-en": "https://en.wikipedia.org/wiki/$1",
    "wiktionnaire": "https://fr.wiktionary.org/wiki/$1",
    "wikibrest": "https://www.wiki-brest.net/index.php/$1",
    "commons": "https://commons.wikimedia.org/wiki/$1",
    "wikidata": "https://www.wikidata.org/wiki/$1",
    "osm": "https://www.openstreetmap.org/$1",
}


def upgrade() -> None:
    interwiki = op.create_table(
        "relier_interwiki",
        sa.Column("prefix", sa.String(32), primary_key=True),
        sa.Column("url_template", sa.String(500), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "relier_partners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("site_url", sa.String(500), nullable=False),
        sa.Column("feed_url", sa.String(500), nullable=False),
        sa.Column("entries", sa.JSON, nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=False, server_default=""),
    )
    op.create_table(
        "relier_macro_pages",
        sa.Column(
            "page_id",
            sa.Integer,
            sa.ForeignKey("pages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        interwiki,
        [
            {"prefix": prefix, "url_template": url, "updated_at": now}
            for prefix, url in DEFAULT_INTERWIKI.items()
        ],
    )


def downgrade() -> None:
    op.drop_table("relier_macro_pages")
    op.drop_table("relier_partners")
    op.drop_table("relier_interwiki")
