"""search entries: the PostgreSQL full-text backend's rows, written with each revision

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:50:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_entries',
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('title_folded', sa.Text(), nullable=False),
        sa.Column('namespace', sa.String(length=32), nullable=False),
        sa.Column('page_type', sa.String(length=64), nullable=False),
        sa.Column('licence', sa.String(length=32), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('fields_text', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['page_id'], ['pages.id'],
            name=op.f('fk_search_entries_page_id_pages'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('page_id', name=op.f('pk_search_entries')),
    )
    op.create_table(
        'search_facets',
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ['page_id'], ['search_entries.page_id'],
            name=op.f('fk_search_facets_page_id_search_entries'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('page_id', 'name', 'value', name=op.f('pk_search_facets')),
    )
    op.create_index('ix_search_facets_name_value', 'search_facets', ['name', 'value'])
    # PostgreSQL only: the weighted tsvector, its GIN index and the trigram index are
    # added here by the search backend's work (issue 13, point 1)


def downgrade() -> None:
    op.drop_index('ix_search_facets_name_value', table_name='search_facets')
    op.drop_table('search_facets')
    op.drop_table('search_entries')
