"""donner_a_voir: the magazine's subscribers and the editions each one received

Revision ID: donner_a_voir_0001
Revises: (none: the plugin's own branch)
Create Date: 2026-12-03 17:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "donner_a_voir_0001"
down_revision = None
branch_labels = ("donner_a_voir",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "donner_a_voir_subscribers",
        sa.Column("id", sa.Integer, primary_key=True),
        # stored lower-cased: one row per mailbox, whatever the spelling typed
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("language", sa.String(8), nullable=False, server_default="fr"),
        # confirmed (receives the letter) or unsubscribed (kept so a link stays valid)
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "donner_a_voir_deliveries",
        sa.Column(
            "subscriber_id",
            sa.Integer,
            sa.ForeignKey("donner_a_voir_subscribers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("edition", sa.String(10), primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("donner_a_voir_deliveries")
    op.drop_table("donner_a_voir_subscribers")
