"""mettre_en_communs (reuse): which pages transclude which (``{{:Titre}}``)

Revision ID: mettre_en_communs_reuse_0002
Revises: mettre_en_communs_reuse_0001
Create Date: 2026-12-04 16:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "mettre_en_communs_reuse_0002"
down_revision = "mettre_en_communs_reuse_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mettre_en_communs_transclusions",
        # the host: the page whose published version has the ``{{:Titre}}`` line
        sa.Column(
            "page_id",
            sa.Integer,
            sa.ForeignKey("pages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # the transcluded title as written (a redirect is followed when rendering)
        sa.Column("namespace", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
    )
    op.create_index(
        "ix_mettre_en_communs_transclusions_target",
        "mettre_en_communs_transclusions",
        ["namespace", "name"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_mettre_en_communs_transclusions_target", table_name="mettre_en_communs_transclusions"
    )
    op.drop_table("mettre_en_communs_transclusions")
