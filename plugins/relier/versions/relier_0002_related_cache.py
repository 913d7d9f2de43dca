"""relier: the stored "Pages cousines" of each page, and the generation that tells when
they are stale

Revision ID: relier_0002
Revises: relier_0001
Create Date: 2026-12-04 16:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "relier_0002"
down_revision = "relier_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "relier_state",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.create_table(
        "relier_related",
        sa.Column(
            "page_id",
            sa.Integer,
            sa.ForeignKey("pages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # the generation it was computed at: older than relier_state's, it is stale
        sa.Column("generation", sa.Integer, nullable=False),
        # [{"ns", "name", "kinds": [...]}], best first
        sa.Column("items", sa.JSON, nullable=False),
    )
    op.bulk_insert(state, [{"name": "generation", "value": 1}])


def downgrade() -> None:
    op.drop_table("relier_related")
    op.drop_table("relier_state")
