"""user theme: each account remembers the look it chose

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:45:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable, no default: NULL means "the site's theme" (ADD COLUMN works on both
    # SQLite and PostgreSQL without rebuilding the table)
    op.add_column('users', sa.Column('theme', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN, in place on SQLite >= 3.35 too (as 0003 does): rebuilding
    # `users` would break the foreign keys that point to it
    op.drop_column('users', 'theme')
