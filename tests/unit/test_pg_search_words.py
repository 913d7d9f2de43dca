"""The words of the pages for "did you mean" on PostgreSQL (``search_words``, migration
0011): written with the entries, replaced by a rebuild, looked up through their trigram
index, and filled by the migration from the entries already there.

Skipped unless WIKICOOP_DATABASE_URL is a PostgreSQL database (see pg_search_support).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from pg_search_support import pg_engine_of, plans_of
from sqlalchemy import Engine, text

from wikicoop.core.db import alembic_config
from wikicoop.search.backend import SearchDocument, SearchQuery
from wikicoop.search.pg_backend import PostgresBackend
from wikicoop.search.pg_entries import page_words, text_words


def _doc(page_id: int, title: str, body: str, revision: int = 1) -> SearchDocument:
    return SearchDocument(
        page_id=page_id,
        revision_id=page_id * 10 + revision,
        title=title,
        namespace="main",
        text=body,
    )


PAGES = [
    _doc(1, "Atelier numérique", "Un atelier pour apprendre l'informatique au quartier."),
    _doc(2, "Jardin partagé", "Les tomates de l'été, les courgettes et la médiathèque."),
    _doc(3, "Fête du port", "Une fête en 2026 avec des crêpes."),
]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with pg_engine_of(tmp_path, "words") as engine:
        yield engine


def words_in(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT word, folded FROM search_words")).all())


def test_the_words_kept_are_lower_case_without_article_digits_or_short_ones() -> None:
    raw = text_words("L'Informatique à l’école en 2026, c'est OK : Œuvre, mp3")
    assert page_words(raw) == {
        "informatique": "informatique",
        "école": "ecole",
        "est": "est",
        "œuvre": "oeuvre",
    }


def test_a_page_written_adds_its_new_words_at_once(engine: Engine) -> None:
    backend = PostgresBackend(engine)
    backend.index_pages(PAGES[:1])
    assert words_in(engine)["informatique"] == "informatique"
    backend.index_pages([_doc(1, "Atelier numérique", "Des courgettes.", revision=2)])
    words = words_in(engine)
    assert words["courgettes"] == "courgettes"
    assert "informatique" in words  # kept until a rebuild (proposed only if it finds pages)


def test_a_rebuild_replaces_the_words(engine: Engine) -> None:
    backend = PostgresBackend(engine)
    backend.index_pages([_doc(9, "Ancienne page", "Un mot disparu : zygomatique.")])
    backend.rebuild(iter(PAGES))
    words = words_in(engine)
    assert "zygomatique" not in words
    assert {"informatique", "médiathèque", "courgettes", "crêpes"} <= set(words)
    assert words["médiathèque"] == "mediatheque"


def test_a_misspelt_word_of_the_text_is_corrected_through_the_trigram_index(
    engine: Engine,
) -> None:
    """« informatiqe » is in no title: the correction comes from the pages' words, read
    through ix_search_words_folded (seq scans off: on a few rows a scan is cheapest)."""
    backend = PostgresBackend(engine)
    backend.rebuild(iter(PAGES))
    with plans_of(engine, "FROM search_words") as plans:
        found = backend.search(SearchQuery("informatiqe"))
        accented = backend.search(SearchQuery("mediateque"))
    assert found.suggestion == "informatique"
    assert accented.suggestion == "médiathèque"
    assert plans and all("ix_search_words_folded" in plan for plan in plans), plans
    assert backend.search(SearchQuery("xqzwv")).suggestion is None


def test_the_migration_fills_the_words_of_the_entries_already_there(engine: Engine) -> None:
    PostgresBackend(engine).rebuild(iter(PAGES))
    config = alembic_config(engine)
    command.downgrade(config, "0010")
    command.upgrade(config, "0011")
    words = words_in(engine)
    assert {"informatique", "médiathèque", "courgettes", "crêpes", "fête"} <= set(words)
    assert words["crêpes"] == "crepes"
