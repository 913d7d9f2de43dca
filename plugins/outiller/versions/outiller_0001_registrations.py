"""outiller: workshop occurrences, their registrations and the learners' page visits

Revision ID: outiller_0001
Revises: (none: the plugin's own branch)
Create Date: 2026-12-04 15:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "outiller_0001"
down_revision = None
branch_labels = ("outiller",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outiller_occurrences",
        sa.Column("id", sa.Integer, primary_key=True),
        # the workshop page (its id survives a rename) and the local start, ISO
        sa.Column(
            "page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("starts_at", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("page_id", "starts_at", name="uq_outiller_occurrence"),
    )
    op.create_table(
        "outiller_registrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "occurrence_id",
            sa.Integer,
            sa.ForeignKey("outiller_occurrences.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        # registered or waiting; a cancelled row keeps its last status
        sa.Column("status", sa.String(16), nullable=False),
        # the place in the waiting list (1 is next), null for a registered person
        sa.Column("position", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    )
    # one active registration per person and occurrence (cancelled rows are history)
    op.create_index(
        "uq_outiller_active_registration",
        "outiller_registrations",
        ["occurrence_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("cancelled_at IS NULL"),
        postgresql_where=sa.text("cancelled_at IS NULL"),
    )
    op.create_index("ix_outiller_registrations_user", "outiller_registrations", ["user_id"])
    op.create_table(
        "outiller_visits",
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        # what the learner looked at: "history" or "diff"
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outiller_visits")
    op.drop_index("ix_outiller_registrations_user", table_name="outiller_registrations")
    op.drop_index("uq_outiller_active_registration", table_name="outiller_registrations")
    op.drop_table("outiller_registrations")
    op.drop_table("outiller_occurrences")
