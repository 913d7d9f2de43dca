"""mettre_en_communs (reuse): licence conflicts found when pages are published

Revision ID: mettre_en_communs_reuse_0001
Revises: (none: the reuse part's own branch)
Create Date: 2026-12-04 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "mettre_en_communs_reuse_0001"
down_revision = None
branch_labels = ("mettre_en_communs_reuse",)
depends_on = "0001"  # the core revision that creates pages (a fresh database)


def upgrade() -> None:
    op.create_table(
        "mettre_en_communs_licence_conflicts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"), nullable=False
        ),
        # what the page embeds: a file's name (kind "file") or a page's title (kind "text")
        sa.Column("item", sa.String(600), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_licence", sa.String(32), nullable=False),
        sa.Column("page_licence", sa.String(32), nullable=False),
        # a code of licence_rules.CONFLICT_CODES
        sa.Column("reason", sa.String(16), nullable=False),
        # the revision that brought it, and since when it stands
        sa.Column("revision_id", sa.Integer, nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("page_id", "item", name="uq_mettre_en_communs_licence_conflict"),
    )


def downgrade() -> None:
    op.drop_table("mettre_en_communs_licence_conflicts")
