"""the words of the pages, for "did you mean" on PostgreSQL (issue 13, point 5)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:10:00.000000

"Did you mean" looked for a misspelt word among the words of pages that have a word
starting with its first letters: at 100,000 pages each such look-up read every page
matching the prefix in the GIN index (10–25 ms) and compared thousands of words in
Python. The distinct words are now kept in ``search_words``, and a trigram index on
their folded form finds the few that look like the typed one (PostgreSQL's own advice
for pg_trgm with full-text search). On SQLite the table exists, empty, with a plain
index of the same name (the model declares it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wikicoop.search.pg_entries import page_words, text_words, write_words

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_words",
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.Column("folded", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_words")),
    )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        op.create_index("ix_search_words_folded", "search_words", ["folded"])
        return
    trgm = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
            " ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    op.execute(
        "CREATE INDEX ix_search_words_folded ON search_words"
        f' USING gin (folded "{trgm}".gin_trgm_ops)'
    )
    _words_of_indexed_pages(bind)


def _words_of_indexed_pages(bind: sa.Connection, batch: int = 1_000) -> None:
    """The words of the entries already there (their stored text: the first 20,000
    characters of each page; ``wikicoop reindex`` adds the rest), read by page id."""
    written: set[str] = set()
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT page_id, title, fields_text, body FROM search_entries"
                " WHERE page_id > :last ORDER BY page_id LIMIT :batch"
            ),
            {"last": last, "batch": batch},
        ).all()
        if not rows:
            return
        words: dict[str, str] = {}
        for _, title, fields_text, body in rows:
            words.update(page_words(text_words(" ".join((title, fields_text, body)))))
        new = {word: folded for word, folded in words.items() if word not in written}
        write_words(bind, new)
        written.update(new)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("search_words")
