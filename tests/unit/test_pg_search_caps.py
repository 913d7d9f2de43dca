"""The PostgreSQL search backend's bounds (issue 13, point 5), on a small wiki with the
caps lowered: candidates-only ranking, estimated totals and scaled facet counts above
the caps, exact ones below, and the facet keys kept in step with the facet rows.

Skipped unless WIKICOOP_DATABASE_URL is a PostgreSQL database (see pg_search_support).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pg_search_support import pg_engine_of, plans_of
from sqlalchemy import text

from wikicoop.search import pg_backend
from wikicoop.search.backend import SearchDocument, SearchQuery
from wikicoop.search.pg_backend import PostgresBackend

PAGES = 60
CATEGORIES = ("Ateliers", "Quartiers", "Projets")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _doc(page_id: int) -> SearchDocument:
    # every page has "zorglub" in its text; page 60's title is the word alone, and
    # the pages 50-59 have it in their titles too (longer titles)
    if page_id == PAGES:
        title = "Zorglub"
    elif page_id >= 50:
        title = f"Zorglub et le quartier numéro {page_id}"
    else:
        title = f"Page {page_id}"
    return SearchDocument(
        page_id=page_id,
        revision_id=page_id * 10,
        title=title,
        namespace="main" if page_id % 4 else "Aide",
        text=f"Un texte sur zorglub, page {page_id}. " + "Des mots pour remplir. " * 20,
        categories=(CATEGORIES[page_id % 3],),
        licence="CC-BY-SA-4.0",
        updated=T0 + timedelta(days=(page_id * 7) % PAGES),
    )


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresBackend]:
    with pg_engine_of(tmp_path_factory.mktemp("caps"), "caps") as engine:
        backend = PostgresBackend(engine)
        backend.rebuild(_doc(i) for i in range(1, PAGES + 1))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE search_entries"))
        yield backend


@pytest.fixture
def capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Caps far below the 60 matches: a big wiki's behaviour on a small one."""
    monkeypatch.setattr(pg_backend, "RANK_ALL", 5)
    monkeypatch.setattr(pg_backend, "CANDIDATES", 4)
    monkeypatch.setattr(pg_backend, "COUNT_EXACT", 10)
    monkeypatch.setattr(pg_backend, "COUNT_ALL_BLOCKS", 0)


def _expected_facets() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {"namespace": {}, "category": {}}
    for i in range(1, PAGES + 1):
        d = _doc(i)
        out["namespace"][d.namespace] = out["namespace"].get(d.namespace, 0) + 1
        for c in d.categories:
            out["category"][c] = out["category"].get(c, 0) + 1
    return out


def test_below_the_caps_the_total_and_facets_are_exact(backend: PostgresBackend) -> None:
    found = backend.search(SearchQuery("zorglub"))
    assert found.total == PAGES and not found.estimated
    expected = _expected_facets()
    for name in ("namespace", "category"):
        assert dict(found.facets[name]) == expected[name]
    assert found.hits[0].title == "Zorglub"


def test_a_small_table_is_counted_exactly_above_the_match_cap(
    backend: PostgresBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_backend, "COUNT_EXACT", 10)  # the table is far below 2,500 blocks
    assert backend.search(SearchQuery("zorglub")).total == PAGES


@pytest.mark.usefixtures("capped")
def test_above_the_caps_the_exact_title_still_comes_first(backend: PostgresBackend) -> None:
    found = backend.search(SearchQuery("zorglub", per_page=5))
    titles = [hit.title for hit in found.hits]
    assert titles[0] == "Zorglub"
    # then the other pages with the word in their title (the head candidates)
    assert all(t.startswith("Zorglub et le quartier") for t in titles[1:]), titles


@pytest.mark.usefixtures("capped")
def test_above_the_caps_the_total_and_facets_are_estimates(backend: PostgresBackend) -> None:
    found = backend.search(SearchQuery("zorglub"))
    assert found.estimated
    # the planner's estimate after ANALYZE (never below the matches read)
    assert 11 <= found.total <= 2 * PAGES
    assert abs(found.total - PAGES) <= PAGES // 4, found.total
    # counts of the 11 matches read, scaled to the total: their sum is about the total
    namespaces = dict(found.facets["namespace"])
    assert set(namespaces) <= {"main", "Aide"}
    assert abs(sum(namespaces.values()) - found.total) <= 2
    assert len(found.hits) == 20


@pytest.mark.usefixtures("capped")
def test_above_the_caps_every_results_page_is_full_until_the_matches_end(
    backend: PostgresBackend,
) -> None:
    seen: list[int] = []
    for page in range(1, 7):
        found = backend.search(SearchQuery("zorglub", per_page=10, page=page))
        seen += [hit.page_id for hit in found.hits]
    assert len(seen) == PAGES
    assert set(seen) <= set(range(1, PAGES + 1))


@pytest.mark.usefixtures("capped")
def test_date_sort_above_the_caps_is_newest_first(backend: PostgresBackend) -> None:
    found = backend.search(SearchQuery("zorglub", sort="date", per_page=10))
    newest = sorted((_doc(i) for i in range(1, PAGES + 1)), key=lambda d: d.updated)[::-1]
    assert [hit.page_id for hit in found.hits] == [d.page_id for d in newest[:10]]


def test_facet_keys_follow_the_counted_facet_rows(backend: PostgresBackend) -> None:
    backend.index_pages([_doc(7)])
    with backend.engine.connect() as conn:
        keys = conn.execute(
            text("SELECT facet_keys FROM search_entries WHERE page_id = 7")
        ).scalar_one()
        rows = conn.execute(
            text(
                "SELECT name || chr(31) || value FROM search_facets WHERE page_id = 7"
                " AND name IN ('namespace', 'category', 'type', 'licence')"
            )
        ).scalars()
        assert sorted(keys) == sorted(rows)


def test_title_suggestions_read_only_the_titles_with_the_prefix(backend) -> None:
    """A prefix of any length is served by the two B-trees of migration 0010 (the title,
    and the title without its namespace): no scan of every entry (45 ms at 100,000
    pages). Seq scans are switched off for the plan: on 60 rows a scan is cheapest."""
    with plans_of(backend.engine, "LIKE") as plans:
        assert backend.suggest_titles("zo", 3) == [
            "Zorglub",
            "Zorglub et le quartier numéro 50",
            "Zorglub et le quartier numéro 51",
        ]
    assert len(plans) == 1, plans
    assert "ix_search_entries_title_prefix" in plans[0], plans[0]
    assert "ix_search_entries_name_prefix" in plans[0], plans[0]
    assert "Seq Scan" not in plans[0], plans[0]
