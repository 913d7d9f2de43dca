"""render cache fingerprint

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:50:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain nullable ADD COLUMN: the fingerprint of the renderer (its version, the enabled
    # plugins and their Markdown extensions, the sanitizer allowlist) that made the cached
    # HTML; NULL on rows cached before it, which then never match and render again.
    op.add_column('render_cache', sa.Column('fingerprint', sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('render_cache', 'fingerprint')
