"""revision author name without account: author_ip widened to 255

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # author_ip holds the name of an author without a local account: an IP address for
    # anonymous edits, and now the attributed name of an imported revision
    # ("wiki-brest>Alice", as MediaWiki's actor names), which needs more than 45 characters.
    # SQLite does not enforce VARCHAR lengths, and rebuilding `revisions` there (the only
    # way to change a column) breaks the foreign keys that point to it: nothing to do.
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.alter_column(
        'revisions', 'author_ip', existing_type=sa.String(length=45), type_=sa.String(length=255)
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    # names longer than an address are cut, as the narrower column must
    op.execute("UPDATE revisions SET author_ip = LEFT(author_ip, 45) WHERE LENGTH(author_ip) > 45")
    op.alter_column(
        'revisions', 'author_ip', existing_type=sa.String(length=255), type_=sa.String(length=45)
    )
