"""search entries: the PostgreSQL full-text backend's rows, written with each revision

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR


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
        # the weighted words (title A, fields B, text C), written by the backend; a
        # plain unused text column on SQLite, where the Whoosh backend is used
        sa.Column('vector', sa.Text().with_variant(TSVECTOR(), 'postgresql'), nullable=True),
        # the title's and the fields' words alone (A, B): small, so kept in the row (never
        # TOASTed) and cheap to rank: the first ranking of a query matching many pages
        sa.Column('head', sa.Text().with_variant(TSVECTOR(), 'postgresql'), nullable=True),
        # the counted facets as "name<US>value" (a copy of the search_facets rows): read
        # with the matches themselves, so counting them costs no other read
        sa.Column(
            'facet_keys', sa.Text().with_variant(ARRAY(sa.Text()), 'postgresql'), nullable=True
        ),
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
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql_search()
    else:  # the same names, plain indexes (the model declares them)
        op.create_index('ix_search_entries_vector', 'search_entries', ['vector'])
        op.create_index('ix_search_entries_head', 'search_entries', ['head'])
        op.create_index('ix_search_entries_title_folded', 'search_entries', ['title_folded'])
    # a B-tree: the page whose whole title was typed, however many pages match
    op.create_index('ix_search_entries_title_key', 'search_entries', ['title_folded'])


#: one migration at a time creates the extensions (parallel test schemas, several servers)
_LOCK_KEY = 720_613_008


def _postgresql_search() -> None:
    """The extensions (in ``public``, shared by every schema of the database) and this
    schema's two text search configurations: French and English with accents removed
    before the stemmer."""
    op.execute(f'SELECT pg_advisory_xact_lock({_LOCK_KEY})')
    op.execute('CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public')
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public')
    bind = op.get_bind()
    schema_of = {
        name: schema
        for name, schema in bind.execute(
            sa.text(
                "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n"
                " ON n.oid = e.extnamespace WHERE e.extname IN ('unaccent', 'pg_trgm')"
            )
        )
    }
    unaccent, trgm = schema_of['unaccent'], schema_of['pg_trgm']
    for name, source, stemmer in (
        ('wikicoop_fr', 'french', 'french_stem'),
        ('wikicoop_en', 'english', 'english_stem'),
    ):
        # the stemmers' stop lists then see unaccented words: « été » (summer) stays a
        # word; queries drop the wiki's own stop words (wikicoop.search.pg_query)
        op.execute(f'DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}')
        op.execute(f'CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{source})')
        op.execute(
            f'ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word'
            f' WITH "{unaccent}".unaccent, pg_catalog.{stemmer}'
        )
    # fastupdate off: a save writes its words into the index at once, rather than into a
    # pending list that every search would read through until the next VACUUM
    op.execute(
        'CREATE INDEX ix_search_entries_vector ON search_entries USING gin (vector)'
        ' WITH (fastupdate = off)'
    )
    op.execute(
        'CREATE INDEX ix_search_entries_head ON search_entries USING gin (head)'
        ' WITH (fastupdate = off)'
    )
    # "did you mean" and title suggestions: titles with a word like the one typed
    op.execute(
        'CREATE INDEX ix_search_entries_title_folded ON search_entries'
        f' USING gin (title_folded "{trgm}".gin_trgm_ops)'
    )


def downgrade() -> None:
    op.drop_index('ix_search_entries_title_folded', table_name='search_entries')
    op.drop_index('ix_search_entries_title_key', table_name='search_entries')
    op.drop_index('ix_search_entries_head', table_name='search_entries')
    op.drop_index('ix_search_entries_vector', table_name='search_entries')
    op.drop_index('ix_search_facets_name_value', table_name='search_facets')
    op.drop_table('search_facets')
    op.drop_table('search_entries')
    if op.get_bind().dialect.name == 'postgresql':
        # the extensions stay: other schemas of the database may use them
        for name in ('wikicoop_en', 'wikicoop_fr'):
            op.execute(f'DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}')
