"""mettre_en_communs: the binary versions of uploaded files and which pages embed them

Revision ID: mettre_en_communs_0001
Revises: (none: the plugin's own branch)
Create Date: 2026-12-04 15:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "mettre_en_communs_0001"
down_revision = None
branch_labels = ("mettre_en_communs",)
# after the core made the tables this one points to (pages, users): on an empty
# database `wikicoop init` upgrades every branch at once, in no given order
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "mettre_en_communs_file_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        # the file page (namespace "file"): its history, licence and fields are the page's
        sa.Column(
            "page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("width", sa.Integer, nullable=True),
        sa.Column("height", sa.Integer, nullable=True),
        # relative to MEDIA_DIR
        sa.Column("storage", sa.String(200), nullable=False),
        sa.Column("uploader_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.String(500), nullable=False, server_default=""),
        sa.UniqueConstraint("page_id", "number", name="uq_mettre_en_communs_file_version"),
    )
    op.create_table(
        "mettre_en_communs_file_usage",
        sa.Column(
            "page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
        ),
        # the embedded file's name (without "Fichier:"), normalised like titles
        sa.Column("file_name", sa.String(255), primary_key=True, index=True),
    )


def downgrade() -> None:
    op.drop_table("mettre_en_communs_file_usage")
    op.drop_table("mettre_en_communs_file_versions")
