"""revision page type and fields

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain nullable ADD COLUMNs (in place on SQLite too): a revision records the structured
    # page type it was saved with and its field values; NULL means a plain wiki page.
    op.add_column('revisions', sa.Column('page_type', sa.String(length=64), nullable=True))
    op.add_column('revisions', sa.Column('fields', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('revisions', 'fields')
    op.drop_column('revisions', 'page_type')
