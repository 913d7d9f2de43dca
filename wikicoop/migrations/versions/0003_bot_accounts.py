"""bot accounts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (in place on SQLite too): accounts flagged as bots are exempt from
    # the edit rate limits, like MediaWiki's "noratelimit" right.
    op.add_column('users', sa.Column('bot', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column('users', 'bot')
