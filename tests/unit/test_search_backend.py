"""The search backends on real indexes: Whoosh in tmp_path, PostgreSQL in a schema of its own."""

from __future__ import annotations

import fcntl
import inspect
import json
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from helpers import soup
from pg_search_support import BACKENDS, backend_of, pg_engine_of
from search_corpus import made_up_words
from sqlalchemy import Engine

from wikicoop.error_messages import sentence_in
from wikicoop.search import pg_backend, query_syntax, whoosh_results, whoosh_schema
from wikicoop.search import whoosh_backend as wb
from wikicoop.search.backend import (
    CORE_FACETS,
    QueryError,
    SearchBackend,
    SearchDocument,
    SearchQuery,
    SearchResults,
)
from wikicoop.search.pg_backend import PostgresBackend
from wikicoop.search.whoosh_backend import IndexBusy, IndexNotReady, WhooshBackend

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def doc(page_id: int, title: str, text: str = "", **kw) -> SearchDocument:
    kw.setdefault("revision_id", page_id * 10)
    kw.setdefault("namespace", "main")
    return SearchDocument(page_id=page_id, title=title, text=text, **kw)


DOCS = [
    doc(
        1,
        "Écrit public",
        "L'écrivain public aide à rédiger des lettres administratives.",
        categories=("Services", "Art, culture"),
        licence="CC-BY-SA-4.0",
        authors=("anne", "bob"),
        updated=T0 + timedelta(days=3),
        fields={"quartier": "Bellevue"},
    ),
    doc(
        2,
        "Papi Bellevue",
        "Point d'accès public à internet. L'atelier d'initiation a lieu en été.",
        categories=("PAPI", "Services"),
        licence="CC-BY-SA-4.0",
        updated=T0 + timedelta(days=5),
        fields={"quartier": "Bellevue", "adresse": "rue de Quimper"},
    ),
    doc(
        3,
        "École de la mer",
        "Les œuvres créées par les enfants de l'université populaire.",
        categories=("Culture",),
        licence="CC0-1.0",
        page_type="article",
        updated=T0 + timedelta(days=1),
        fields={"quartier": "Recouvrance"},
    ),
    doc(
        4,
        "Aide:Écrire une page",
        "How to write a page: click edit, then save. Writing is easy.",
        namespace="help",
        language="en",
        page_type="help",
        licence="CC0-1.0",
    ),
    doc(
        5,
        "Maison du vélo",
        "Atelier de réparation de vélos à Saint-Étienne et à Brest. Thé vert offert.",
        categories=("Services", "Mobilité"),
        licence="CC-BY-4.0",
        updated=T0 + timedelta(days=4),
    ),
    doc(
        6,
        "Créé en 2012",
        "Le wiki a été créé par la ville de Brest, avec une licence libre.",
        categories=("Histoire",),
        licence="CC-BY-SA-4.0",
        updated=T0 + timedelta(days=2),
    ),
    doc(
        7,
        "Jardin partagé de Kerangoff",
        "Un jardin partagé où l'on cultive des légumes. Ouvert à tous, le samedi matin.",
        categories=("Jardins",),
        licence="CC-BY-SA-4.0",
    ),
]


EXTRA_FIELDS = {"quartier": "keyword", "adresse": "text"}


@pytest.fixture(scope="module")
def pg_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated PostgreSQL schema for this module (skipped without WIKICOOP_DATABASE_URL)."""
    with pg_engine_of(tmp_path_factory.mktemp("pg"), "search_backend") as engine:
        yield engine


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> WhooshBackend | PostgresBackend:
    """DOCS indexed by each backend (PostgreSQL: rebuild empties the module's entries)."""
    b: WhooshBackend | PostgresBackend
    if request.param == "whoosh":
        b = WhooshBackend(tmp_path / "index", extra_fields=EXTRA_FIELDS)
    else:
        b = PostgresBackend(request.getfixturevalue("pg_engine"), extra_fields=EXTRA_FIELDS)
    b.rebuild(DOCS)
    return b


@pytest.fixture
def whoosh_only(tmp_path: Path) -> WhooshBackend:
    """DOCS in Whoosh, for what only Whoosh has (segments, locks, BM25F)."""
    b = WhooshBackend(tmp_path / "index", extra_fields=EXTRA_FIELDS)
    b.rebuild(DOCS)
    return b


def titles(results: SearchResults) -> list[str]:
    return [h.title for h in results.hits]


def search(b: WhooshBackend, text: str, **kw) -> SearchResults:
    return b.search(SearchQuery(text, **kw))


# -- the interface ------------------------------------------------------------------------


def test_implements_the_protocol(backend: WhooshBackend) -> None:
    def takes(b: SearchBackend) -> SearchBackend:
        return b

    assert takes(backend) is backend
    for name, member in vars(SearchBackend).items():
        if not name.startswith("_") and callable(member):
            wanted = inspect.signature(member).parameters
            got = inspect.signature(getattr(WhooshBackend, name)).parameters
            assert list(got) == list(wanted), name  # same names: keyword calls work
    assert backend.search(query=SearchQuery("écrit")).total == 1


@pytest.mark.parametrize(
    ("name", "kind"),
    [("Quartier", "keyword"), ("category", "keyword"), ("page_id", "text"), ("x", "number")],
)
def test_invalid_extra_fields_are_refused(tmp_path: Path, name: str, kind: str) -> None:
    with pytest.raises(ValueError):
        WhooshBackend(tmp_path, extra_fields={name: kind})


# -- the acceptance queries -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("ecrit", "Écrit public"),
        ("écrits", "Écrit public"),
        ("écriture publique", "Écrit public"),
        ("ECRIT PUBLIC", "Écrit public"),
        ("universite", "École de la mer"),
        ("université", "École de la mer"),
        ("créées", "Créé en 2012"),
        ("créé", "École de la mer"),
        ("cree", "Créé en 2012"),
        ("été", "Papi Bellevue"),
        ("ete", "Papi Bellevue"),
        ("l'atelier", "Papi Bellevue"),
        ("l’atelier", "Maison du vélo"),
        ("oeuvre", "École de la mer"),
        ("œuvres", "École de la mer"),
        ("eco", None),  # a prefix is not a word: see test_prefix
        ("ecole", "École de la mer"),
        ("writing", "Aide:Écrire une page"),
        ("quimper", "Papi Bellevue"),  # a plugin text field
        ("saint-etienne", "Maison du vélo"),
        ("thé vert", "Maison du vélo"),  # "the" is an English stop word only
    ],
)
def test_acceptance_queries(backend: WhooshBackend, query: str, title: str | None) -> None:
    found = titles(search(backend, query))
    if title is None:
        assert found == []
    else:
        assert title in found


def test_title_matches_rank_first(backend: WhooshBackend) -> None:
    assert titles(search(backend, "écrit"))[0] == "Écrit public"
    assert titles(search(backend, "jardin"))[0] == "Jardin partagé de Kerangoff"


def test_stop_words_do_not_have_to_be_in_the_page(backend: WhooshBackend) -> None:
    assert titles(search(backend, "la ville de Brest")) == ["Créé en 2012"]
    assert "Jardin partagé de Kerangoff" in titles(search(backend, "le jardin des légumes"))


def test_only_stop_words(backend: WhooshBackend) -> None:
    with pytest.raises(QueryError) as info:
        search(backend, "a on")  # stop words in French and in English
    assert "courants" in info.value.message
    # French stop words are words in English pages
    assert search(backend, "le la de").total == 0


# -- AND, OR, NOT, phrases, prefixes, groups -----------------------------------------


def test_all_words_are_required(backend: WhooshBackend) -> None:
    assert set(titles(search(backend, "atelier vélo"))) == {"Maison du vélo"}
    assert set(titles(search(backend, "atelier été"))) == {"Papi Bellevue"}


def test_or_fallback_when_no_page_has_every_word(backend: WhooshBackend) -> None:
    results = search(backend, "vélo kerangoff")
    assert set(titles(results)) == {"Maison du vélo", "Jardin partagé de Kerangoff"}
    assert results.total == 2


def test_or_fallback_ranks_pages_with_more_words_first(backend: WhooshBackend) -> None:
    results = search(backend, "atelier vélo kerangoff")  # no page has all three
    assert titles(results)[0] == "Maison du vélo"
    assert {"Papi Bellevue", "Jardin partagé de Kerangoff"} <= set(titles(results))


@pytest.mark.parametrize("op", ["OR", "OU"])
def test_or(backend: WhooshBackend, op: str) -> None:
    assert set(titles(search(backend, f"kerangoff {op} quimper"))) == {
        "Jardin partagé de Kerangoff",
        "Papi Bellevue",
    }


def test_or_binds_tighter_than_the_implicit_and(backend: WhooshBackend) -> None:
    assert set(titles(search(backend, "atelier vélo OR été"))) == {
        "Maison du vélo",
        "Papi Bellevue",
    }
    assert titles(search(backend, "(atelier vélo) OR jardin")) != []


@pytest.mark.parametrize("query", ["atelier -vélo", "atelier NOT vélo", "atelier SAUF vélos"])
def test_exclusion(backend: WhooshBackend, query: str) -> None:
    assert set(titles(search(backend, query))) == {"Papi Bellevue"}


def test_hyphenated_words_are_not_exclusions(backend: WhooshBackend) -> None:
    assert titles(search(backend, "Saint-Étienne")) == ["Maison du vélo"]
    assert titles(search(backend, "saint -étienne")) == []


def test_phrases(backend: WhooshBackend) -> None:
    assert titles(search(backend, '"jardin partagé"')) == ["Jardin partagé de Kerangoff"]
    assert titles(search(backend, '"partagé jardin"')) == []
    assert titles(search(backend, "« écrivain public »")) == ["Écrit public"]
    assert titles(search(backend, '"ecrivains publics"')) == ["Écrit public"]
    # stop words inside a phrase do not count
    assert titles(search(backend, '"réparation des vélos"')) == ["Maison du vélo"]


def test_prefix(backend: WhooshBackend) -> None:
    assert set(titles(search(backend, "ecri*"))) == {"Écrit public", "Aide:Écrire une page"}
    assert titles(search(backend, "universit*")) == ["École de la mer"]
    assert titles(search(backend, "Kerang*")) == ["Jardin partagé de Kerangoff"]
    assert titles(search(backend, "jard* partag*")) == ["Jardin partagé de Kerangoff"]


def test_short_prefix_is_a_word(backend: WhooshBackend) -> None:
    # "ec*" would match half the vocabulary: it is searched as the word "ec"
    assert search(backend, "ec*").total == 0


def test_parentheses(backend: WhooshBackend) -> None:
    assert set(titles(search(backend, "atelier (vélo OR quimper)"))) == {
        "Maison du vélo",
        "Papi Bellevue",
    }
    assert set(titles(search(backend, "public -(internet OR quimper)"))) == {"Écrit public"}
    assert set(titles(search(backend, "(public (internet OR (vélo)))"))) == {"Papi Bellevue"}


# -- bad input ----------------------------------------------------------------------------

BAD_INPUTS = [
    "",
    " ",
    "\t\n\r",
    "AND",
    "OR",
    "NOT",
    "OR OR",
    "AND OR NOT",
    "-",
    "--",
    "+",
    "*",
    "**",
    "?",
    "(",
    ")",
    "()",
    ")(",
    '"',
    '""',
    '" "',
    "\x00",
    "\x00\x01\x1f\x7f",
    "\u200b\u200e\ufeff",
    "\ud800",
    "‮",
    "^",
    "~",
    "\\",
    "[a TO z]",
    "{a TO z}",
    "a^5",
    "a~2",
    "title:foo",
    "page_id:1",
    "*:*",
    "ecrit AND",
    "AND ecrit",
    "ecrit OR",
    "OR ecrit",
    "ecrit NOT",
    "NOT NOT ecrit",
    "ecrit OR OR public",
    "ecrit -",
    "((ecrit",
    "ecrit))",
    ")ecrit(",
    '"ecrit public',
    'ecrit "',
    '"""ecrit"""',
    "ecr*t",
    "e*",
    "*crit",
    "ecrit\x00public",
    "écrit\ud800public",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%00%27",
    "ecrit " * 2000,
    "a" * 10_000,
    "x" * 10_001 + " ecrit",
    " ".join(f"w{i}" for i in range(1000)),
    "(" * 500 + "ecrit" + ")" * 500,
    '"' * 999,
    "-" * 999,
    "NOT " * 300 + "ecrit",
    "💥 🚲 écrit",
    "e\u0301crit",  # decomposed é
    "ÉCRIT",
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_never_raises_anything_but_query_error(backend: WhooshBackend, text: str) -> None:
    started = time.perf_counter()
    try:
        results = search(backend, text)
    except QueryError as exc:
        assert exc.message and sentence_in(exc, "en") != exc.message  # both languages
    else:
        assert isinstance(results, SearchResults)
        assert results.total >= len(results.hits)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "text",
    [
        "ecrit AND",
        "OR ecrit",
        "((ecrit",
        "ecrit))",
        '"ecrit public',
        "ecrit\x00",
        "ecrit OR OR",
        "NOT NOT ecrit",
        "e\u0301crit",
        "ÉCRIT",
        "x" * 10_001 + " ecrit",
    ],
)
def test_bad_input_still_searches_the_words(backend: WhooshBackend, text: str) -> None:
    assert "Écrit public" in titles(search(backend, text))


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "-", "*", "AND", "OR OR", "()"])
def test_no_word_asks_for_a_word(backend: WhooshBackend, text: str) -> None:
    with pytest.raises(QueryError) as info:
        search(backend, text)
    assert "Tapez au moins un mot" in info.value.message
    assert sentence_in(info.value, "en") == "Type at least one word."


def test_exclusions_only_is_a_query_error(backend: WhooshBackend) -> None:
    with pytest.raises(QueryError) as info:
        search(backend, "-vélo NOT jardin")
    assert "exclure" in info.value.message


def test_long_queries_are_truncated(backend: WhooshBackend) -> None:
    cleaned, tree = query_syntax.parse_query_text("mot " * 5000)
    assert len(cleaned) <= query_syntax.MAX_QUERY_CHARS
    words = []

    def walk(node):
        if isinstance(node, query_syntax.Word):
            words.append(node)
        elif hasattr(node, "children"):
            for c in node.children:
                walk(c)

    walk(tree)
    assert len(words) == query_syntax.MAX_QUERY_TERMS


# -- filters and facets ----------------------------------------------------------------

#: one word of each page: every page matches
ALL = "lettres OR internet OR enfants OR write OR vélo OR wiki OR légumes"


def test_facets_count_the_whole_result_set(backend: WhooshBackend) -> None:
    results = search(backend, ALL, per_page=1)
    assert results.total == 7
    assert len(results.hits) == 1
    facets = results.facets
    assert set(facets) == {*CORE_FACETS, "quartier"}
    assert facets["namespace"] == [("main", 6), ("help", 1)]
    assert facets["licence"] == [("CC-BY-SA-4.0", 4), ("CC0-1.0", 2), ("CC-BY-4.0", 1)]
    assert facets["category"][0] == ("Services", 3)
    assert ("Art, culture", 1) in facets["category"]
    assert facets["type"] == [("page", 5), ("article", 1), ("help", 1)]
    assert facets["quartier"] == [("Bellevue", 2), ("Recouvrance", 1)]


def test_facets_follow_the_query(backend: WhooshBackend) -> None:
    facets = search(backend, "atelier").facets
    assert facets["category"] == [("Services", 2), ("Mobilité", 1), ("PAPI", 1)]
    assert facets["namespace"] == [("main", 2)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "Services"}, {"Écrit public", "Papi Bellevue", "Maison du vélo"}),
        ({"category": "Art, culture"}, {"Écrit public"}),
        ({"category": "services"}, set()),  # values are exact
        ({"licence": "CC0-1.0"}, {"École de la mer", "Aide:Écrire une page"}),
        ({"namespace": "help"}, {"Aide:Écrire une page"}),
        ({"type": "article"}, {"École de la mer"}),
        ({"quartier": "Bellevue"}, {"Écrit public", "Papi Bellevue"}),
        ({"quartier": "Bellevue", "category": "PAPI"}, {"Papi Bellevue"}),
        ({"authors": "bob"}, {"Écrit public"}),
        ({"language": "en"}, {"Aide:Écrire une page"}),
        ({"category": ""}, None),  # empty filters are ignored
    ],
)
def test_filters(backend: WhooshBackend, filters: dict, expected: set | None) -> None:
    everything = set(titles(search(backend, ALL, per_page=50)))
    assert len(everything) == 7
    results = search(backend, ALL, filters=filters, per_page=50)
    assert set(titles(results)) == (everything if expected is None else expected)
    assert results.total == len(results.hits)
    if expected:
        assert results.facets["namespace"]  # facets are counted within the filter


def test_unknown_filter_is_a_query_error(backend: WhooshBackend) -> None:
    with pytest.raises(QueryError) as info:
        search(backend, "ecrit", filters={"page_id": "1"})
    assert "Filtre inconnu" in info.value.message


# -- order and pages -------------------------------------------------------------------


def test_sort_by_date_newest_first(backend: WhooshBackend) -> None:
    results = search(backend, ALL + " -write", sort="date")
    assert titles(results) == [
        "Papi Bellevue",  # day 5
        "Maison du vélo",  # day 4
        "Écrit public",  # day 3
        "Créé en 2012",  # day 2
        "École de la mer",  # day 1
        "Jardin partagé de Kerangoff",  # no date: last
    ]
    assert results.hits[0].updated == T0 + timedelta(days=5)
    assert results.hits[0].updated.tzinfo is not None
    assert results.hits[-1].updated is None


def test_relevance_scores(backend: WhooshBackend) -> None:
    results = search(backend, "atelier")
    scores = [h.score for h in results.hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_pagination(backend: WhooshBackend) -> None:
    query = ALL
    everything = titles(search(backend, query, per_page=50))
    assert len(everything) == 7
    pages = [titles(search(backend, query, page=p, per_page=3)) for p in (1, 2, 3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [t for p in pages for t in p] == everything
    beyond = search(backend, query, page=4, per_page=3)
    assert beyond.hits == () and beyond.total == 7


@pytest.mark.parametrize(
    ("page", "per_page", "expected"),
    [(0, 3, 3), (-5, 3, 3), (1, 0, 1), (1, -1, 1), (1, 10_000, 7), (10**9, 1, 0)],
)
def test_pagination_is_clamped(
    backend: WhooshBackend, page: int, per_page: int, expected: int
) -> None:
    results = search(backend, ALL, page=page, per_page=per_page)
    assert len(results.hits) == expected
    assert results.total == 7


# -- snippets ----------------------------------------------------------------------------


def only_marks(snippet: str) -> None:
    """The snippet has no markup but <mark>…</mark>, and the text is escaped."""
    for tag in soup(snippet).find_all(True):
        assert tag.name == "mark" and not tag.attrs, snippet
    bare = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare, snippet
    assert not re.search(r'"', bare), snippet


def test_snippets_mark_the_matched_words(backend: WhooshBackend) -> None:
    hit = search(backend, "atelier").hits
    snippets = {h.title: h.snippet_html for h in hit}
    assert "<mark>L&#x27;atelier</mark>" in snippets["Papi Bellevue"]
    assert "<mark>Atelier</mark>" in snippets["Maison du vélo"]
    for s in snippets.values():
        only_marks(s)


def test_snippet_marks_each_word_once(backend: WhooshBackend) -> None:
    # both forms of "université" are at the same place in the text
    (hit,) = search(backend, "universite").hits
    assert hit.snippet_html.count("<mark>") == 1
    assert "<mark>l&#x27;université</mark>" in hit.snippet_html


def test_snippet_without_highlight_is_the_page_start(tmp_path: Path) -> None:
    b = WhooshBackend(tmp_path)
    text = "Début <b>gras</b> & « citation ». " + "mot " * 200
    b.rebuild([doc(1, "Kerhallet", text)])
    (hit,) = search(b, "kerhallet").hits  # matches the title only
    assert hit.snippet_html.startswith("Début &lt;b&gt;gras&lt;/b&gt; &amp; « citation »")
    assert hit.snippet_html.endswith("…")
    assert len(unescape(hit.snippet_html)) <= whoosh_results.SNIPPET_CHARS + 2
    only_marks(hit.snippet_html)


def xss_payloads() -> list[str]:
    path = SHARED / "testdata" / "xss-vectors" / "all-payloads.json"
    if not path.exists():
        pytest.skip(f"../shared/testdata is absent ({path} not found)")
    return [item["payload"] for item in json.loads(path.read_text())]


@pytest.fixture(scope="module", params=BACKENDS)
def xss_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    payloads = xss_payloads()
    with backend_of(request.param, tmp_path_factory.mktemp("xss"), "xss") as b:
        b.rebuild(
            doc(i, f"Charge {i} " + p[:80], "zorglub " + p + " zorglub")
            for i, p in enumerate(payloads, 1)
        )
        yield b


@pytest.mark.parametrize(
    "query",
    [
        "zorglub",  # every payload, highlighted around the marker word
        "alert",
        "script",
        "javascript",
        "onerror",
        "img src",
        "svg onload",
        "iframe",
        "style",
        "charge",  # the title only: snippets are the page start
        "x*",
        '"alert 1"',
    ],
)
def test_xss_payloads_in_snippets_are_inert(xss_backend: WhooshBackend, query: str) -> None:
    page, seen = 1, 0
    while True:
        results = search(xss_backend, query, page=page, per_page=100)
        for hit in results.hits:
            only_marks(hit.snippet_html)
            seen += 1
        if not results.hits or page * 100 >= results.total:
            break
        page += 1
    assert seen == min(results.total, wb.MAX_RESULT_OFFSET) and seen > 0


def test_every_payload_snippet_is_escaped_text(xss_backend: WhooshBackend) -> None:
    payloads = xss_payloads()
    results = search(xss_backend, "zorglub", per_page=100)
    assert results.total == len(payloads)
    for hit in results.hits:
        text = unescape(hit.snippet_html.replace("<mark>", "").replace("</mark>", ""))
        source = _words("zorglub " + payloads[hit.page_id - 1] + " zorglub")
        for fragment in text.split(" … "):
            assert _words(fragment).strip(" …") in source


def _words(text: str) -> str:
    """``text`` with its control characters as spaces (the PostgreSQL backend stores
    them so) and its runs of spaces as one."""
    return " ".join(re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text).split())


# -- did you mean -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("atelir", "atelier"),
        ("L'atelir", "L'atelier"),
        ("jardin kerangof", "jardin kerangoff"),
        ("unversité", "université"),
        ("Ecrivian", "Écrivain"),
    ],
)
def test_did_you_mean(backend: WhooshBackend, typed: str, expected: str) -> None:
    results = search(backend, typed)
    assert results.suggestion is not None
    assert results.suggestion.lower() == expected.lower()
    assert search(backend, results.suggestion).total > 0


@pytest.mark.parametrize("typed", ["atelier", "zzzzzz", "jardin", "xq"])
def test_no_suggestion_when_not_needed_or_not_found(backend: WhooshBackend, typed: str) -> None:
    assert search(backend, typed).suggestion is None


# -- title suggestions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("eco", ["École de la mer"]),
        ("ÉCO", ["École de la mer"]),
        ("bell", ["Papi Bellevue"]),
        ("papi b", ["Papi Bellevue"]),
        ("écrire", ["Aide:Écrire une page"]),  # the name after the namespace
        ("aide:e", ["Aide:Écrire une page"]),
        ("e", ["Écrit public", "École de la mer", "Aide:Écrire une page", "Créé en 2012"]),
        ("créé", ["Créé en 2012"]),
        ("zz", []),
        ("", []),
        ("   ", []),
        ("\x00", []),
    ],
)
def test_suggest_titles(backend: WhooshBackend, prefix: str, expected: list[str]) -> None:
    assert backend.suggest_titles(prefix) == expected


def test_suggest_titles_order_and_limit(tmp_path: Path) -> None:
    b = WhooshBackend(tmp_path)
    names = ["Jardin"] + [f"Jardin {'x' * i}" for i in range(1, 15)]
    b.rebuild(doc(i, name) for i, name in enumerate([*names, "Le grand jardin", "Jardinage"], 1))
    found = b.suggest_titles("jard")
    assert len(found) == 10
    # shorter first; equal lengths in alphabetical order (space before letters)
    assert found[:4] == ["Jardin", "Jardin x", "Jardin xx", "Jardinage"]
    assert "Le grand jardin" not in found  # title starts come first
    lengths = [len(t) for t in found]
    assert lengths == sorted(lengths)
    assert b.suggest_titles("grand") == ["Le grand jardin"]
    assert len(b.suggest_titles("jard", limit=3)) == 3
    assert len(b.suggest_titles("jard", limit=50)) == 10
    assert b.suggest_titles("jard", limit=0) == []
    # word starts come after title starts
    assert b.suggest_titles("jardin x", limit=10)[0] == "Jardin x"


# -- writing ------------------------------------------------------------------------------


def test_indexed_revisions(backend: WhooshBackend) -> None:
    assert backend.indexed_revisions() == {d.page_id: d.revision_id for d in DOCS}


def test_index_pages_replaces_and_adds(backend: WhooshBackend) -> None:
    backend.index_pages(
        [
            doc(1, "Écrit public", "Permanence le mardi à la médiathèque.", revision_id=11),
            doc(8, "Nouvelle page", "Une médiathèque toute neuve.", revision_id=80),
            doc(8, "Nouvelle page", "Une médiathèque rénovée.", revision_id=81),  # last wins
        ]
    )
    revisions = backend.indexed_revisions()
    assert revisions[1] == 11 and revisions[8] == 81
    assert len(revisions) == len(DOCS) + 1
    assert set(titles(search(backend, "médiathèque"))) == {"Écrit public", "Nouvelle page"}
    assert search(backend, "lettres administratives").total == 0
    assert search(backend, "rénovée").total == 1 and search(backend, "neuve").total == 0


def test_suggest_titles_follow_renames_and_removals(backend: WhooshBackend) -> None:
    backend.index_pages([doc(3, "École du port", "Même page, nouveau nom.", revision_id=31)])
    assert backend.suggest_titles("eco") == ["École du port"]  # the old title is gone
    backend.remove_pages([3])
    assert backend.suggest_titles("eco") == []
    backend.index_pages([doc(3, "École de la mer", "De retour.", revision_id=32)])
    assert backend.suggest_titles("ecole d") == ["École de la mer"]


def segment_count(b: WhooshBackend) -> int:
    return len(b._open()._segments())


def test_saves_do_not_merge_and_maintain_does(whoosh_only: WhooshBackend) -> None:
    backend = whoosh_only
    backend.maintain()  # nothing to merge: nothing happens
    before = search(backend, "atelier")
    for n in range(wb.SMALL_SEGMENTS_KEPT + 4):
        backend.index_pages([doc(100 + n, f"Page {n}", "Une page de plus.", revision_id=n + 1)])
    assert segment_count(backend) == wb.SMALL_SEGMENTS_KEPT + 5  # one per save
    backend.maintain()
    assert segment_count(backend) < wb.SMALL_SEGMENTS_KEPT + 5
    after = search(backend, "atelier")
    assert titles(after) == titles(before) and after.total == before.total
    assert search(backend, "page de plus").total == wb.SMALL_SEGMENTS_KEPT + 4
    assert backend.suggest_titles("page 3") == ["Page 3"]
    added = {f"Page {n}" for n in range(wb.SMALL_SEGMENTS_KEPT + 4)}
    assert added <= set(backend.suggest_titles("page"))


def test_maintain_skips_a_locked_index(whoosh_only: WhooshBackend) -> None:
    backend = whoosh_only
    for n in range(wb.SMALL_SEGMENTS_KEPT + 2):
        backend.index_pages([doc(100 + n, f"Page {n}", "texte")])
    count = segment_count(backend)
    writer = backend._open().writer()  # another process's writer holds the lock
    try:
        backend.maintain()  # returns at once instead of waiting
    finally:
        writer.cancel()
    assert segment_count(backend) == count


def test_scores_are_whoosh_bm25f(whoosh_only: WhooshBackend) -> None:
    backend = whoosh_only
    """The faster scorer gives exactly Whoosh's BM25F scores."""
    from whoosh import scoring

    backend.index_pages([doc(9, "Atelier couture", "Un atelier, un autre atelier.")])
    _, tree = query_syntax.parse_query_text("atelier numérique")
    q = backend._queries.tree_query(tree, all_words=False)
    with backend._reading() as searcher:
        ours = {h.docnum: h.score for h in searcher.search(q, limit=None)}
    with backend._open().searcher(weighting=scoring.BM25F()) as reference:
        theirs = {h.docnum: h.score for h in reference.search(q, limit=None)}
    assert ours and ours == pytest.approx(theirs)


def test_remove_pages(backend: WhooshBackend) -> None:
    backend.remove_pages([2, 5, 999])
    assert set(backend.indexed_revisions()) == {1, 3, 4, 6, 7}
    assert search(backend, "atelier").total == 0
    backend.remove_pages([])
    backend.index_pages([])


def test_rebuild_replaces_everything_and_reports_progress(
    backend: WhooshBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wb, "REBUILD_BATCH", 2)
    monkeypatch.setattr(pg_backend, "REBUILD_BATCH", 2)
    seen: list[int] = []
    backend.rebuild(
        [doc(i, f"Page {i}", "texte") for i in (1, 2, 3, 3, 4, 5)],
        total=5,
        progress=seen.append,
    )
    assert seen == [2, 4, 5]
    assert backend.indexed_revisions() == {i: i * 10 for i in (1, 2, 3, 4, 5)}
    assert search(backend, "atelier").total == 0


def test_rebuild_of_nothing(tmp_path: Path) -> None:
    b = WhooshBackend(tmp_path / "a" / "b")
    seen: list[int] = []
    b.rebuild([], progress=seen.append)
    assert seen == [0]
    assert not b.needs_rebuild()
    assert b.indexed_revisions() == {}
    assert search(b, "rien").total == 0
    assert b.suggest_titles("rien") == []


def test_a_failed_rebuild_keeps_the_old_index(backend: WhooshBackend) -> None:
    def broken() -> Iterator[SearchDocument]:
        yield doc(100, "Nouvelle", "texte")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(broken())
    assert backend.indexed_revisions() == {d.page_id: d.revision_id for d in DOCS}
    backend.index_pages([doc(9, "Après", "toujours inscriptible")])  # lock released
    assert 9 in backend.indexed_revisions()


def test_dates_naive_or_aware(tmp_path: Path) -> None:
    b = WhooshBackend(tmp_path)
    paris = datetime(2025, 6, 1, 12, 0, tzinfo=UTC).astimezone()
    b.rebuild(
        [
            doc(1, "Aware", "mot", updated=paris),
            doc(2, "Naive", "mot", updated=datetime(2025, 6, 2, 12, 0)),
        ]
    )
    hits = search(b, "mot", sort="date").hits
    assert [h.title for h in hits] == ["Naive", "Aware"]
    assert hits[1].updated == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


# -- schema version and readiness -----------------------------------------------------


def test_needs_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "index"
    b = WhooshBackend(directory)
    assert b.needs_rebuild()  # missing
    directory.mkdir()
    assert b.needs_rebuild()  # empty
    (directory / "stray.txt").write_text("not an index")
    assert b.needs_rebuild()
    b.rebuild([doc(1, "Une page", "texte")])
    assert not b.needs_rebuild()
    assert not WhooshBackend(directory).needs_rebuild()  # another process, same code

    # plugin fields change the schema
    assert WhooshBackend(directory, extra_fields={"quartier": "keyword"}).needs_rebuild()

    # a new schema version: the old index is not used, then deleted by the rebuild
    monkeypatch.setattr(wb, "SCHEMA_VERSION", wb.SCHEMA_VERSION + 1)
    newer = WhooshBackend(directory)
    assert newer.needs_rebuild()
    with pytest.raises(IndexNotReady):
        search(newer, "page")
    assert search(b, "page").total == 1  # the running old code still works
    newer.rebuild([doc(1, "Une page", "texte"), doc(2, "Une autre page", "texte")])
    assert not newer.needs_rebuild()
    assert search(newer, "page").total == 2
    assert (directory / "stray.txt").exists()
    leftovers = [p.name for p in directory.iterdir() if b.index_name in p.name]
    assert leftovers == []


def test_not_ready_before_the_first_rebuild(tmp_path: Path) -> None:
    b = WhooshBackend(tmp_path / "index")
    for call in (
        lambda: search(b, "mot"),
        lambda: b.index_pages([doc(1, "Page", "mot")]),
        lambda: b.remove_pages([1]),
        lambda: b.suggest_titles("pa"),
    ):
        with pytest.raises(IndexNotReady):
            call()
    assert b.indexed_revisions() == {}
    assert not (tmp_path / "index").exists()  # nothing was created by the attempts


# -- locking and processes -------------------------------------------------------------


@contextmanager
def hold_write_lock(b: WhooshBackend) -> Iterator[None]:
    """Hold the index's write lock the way another Whoosh writer would (flock)."""
    path = b.index_dir / f"{b.index_name}_WRITELOCK"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def test_index_busy_when_the_lock_is_held_too_long(tmp_path: Path) -> None:
    b = WhooshBackend(tmp_path, writer_timeout=0.3)
    b.rebuild(DOCS)
    with hold_write_lock(b):
        started = time.monotonic()
        with pytest.raises(IndexBusy):
            b.index_pages([doc(1, "Écrit public", "nouveau", revision_id=99)])
        assert 0.25 <= time.monotonic() - started < 3
        with pytest.raises(IndexBusy):
            b.remove_pages([1])
        with pytest.raises(IndexBusy):
            b.rebuild([])
        assert search(b, "atelier").total == 2  # reading is never blocked
    b.index_pages([doc(1, "Écrit public", "nouveau", revision_id=99)])
    assert b.indexed_revisions()[1] == 99


def test_a_writer_waits_for_the_lock(tmp_path: Path) -> None:
    b = WhooshBackend(tmp_path, writer_timeout=10)
    b.rebuild(DOCS)
    with hold_write_lock(b):
        thread = threading.Thread(
            target=b.index_pages, args=([doc(1, "Écrit public", "nouveau", revision_id=99)],)
        )
        thread.start()
        time.sleep(0.5)
        assert b.indexed_revisions()[1] == 10
    thread.join(10)
    assert b.indexed_revisions()[1] == 99


def _write_pages(directory: str, first: int, start, ready) -> None:
    """Child process: index 20 pages, one commit each, as a web worker would."""
    b = WhooshBackend(directory, writer_timeout=60)
    ready.set()
    start.wait(30)
    for page_id in range(first, first + 20):
        b.index_pages([doc(page_id, f"Page {page_id}", f"texte numéro {page_id} été")])
        # also move a page both processes share: the last revision must win
        b.index_pages([doc(1000, "Partagée", "texte", revision_id=page_id)])


def _rebuild_in_child(directory: str) -> None:
    WhooshBackend(directory).rebuild(DOCS)


def test_two_processes_writing_lose_no_update(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    b = WhooshBackend(tmp_path, writer_timeout=60)
    b.rebuild([])
    start = ctx.Event()
    readies = [ctx.Event(), ctx.Event()]
    procs = [
        ctx.Process(target=_write_pages, args=(str(tmp_path), first, start, ready))
        for first, ready in zip((100, 200), readies, strict=True)
    ]
    for p in procs:
        p.start()
    for ready in readies:
        assert ready.wait(60)
    with hold_write_lock(b):  # both start while the writer is held elsewhere
        start.set()
        time.sleep(0.5)
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    revisions = b.indexed_revisions()
    expected = {i: i * 10 for i in [*range(100, 120), *range(200, 220)]}
    assert {k: v for k, v in revisions.items() if k != 1000} == expected
    assert revisions[1000] in (119, 219)
    assert search(b, "ete", per_page=100).total == 40


def test_index_built_in_another_process_opens_here(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=_rebuild_in_child, args=(str(tmp_path),))
    child.start()
    child.join(120)
    assert child.exitcode == 0
    b = WhooshBackend(tmp_path)  # analysers unpickled from the schema in the index
    assert not b.needs_rebuild()
    assert titles(search(b, "écrits"))[0] == "Écrit public"
    assert "Papi Bellevue" in titles(search(b, "l’atelier"))
    b.index_pages([doc(1, "Écrit public", "Rédaction de courriers.", revision_id=12)])
    assert titles(search(b, "courrier")) == ["Écrit public"]


def test_threads_search_while_writing(backend: WhooshBackend) -> None:
    def reader(_: int) -> int:
        return search(backend, "atelier OR jardin").total

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(reader, i) for i in range(40)]
        for i in range(10):
            backend.index_pages([doc(50 + i, f"Atelier {i}", "atelier")])
        totals = [f.result() for f in futures]
    assert all(3 <= t <= 13 for t in totals)
    assert search(backend, "atelier OR jardin").total == 13


def test_totals_and_facets_do_not_depend_on_the_page(tmp_path: Path) -> None:
    # many pages with one word, a few with a rarer second word that scores higher:
    # a pruning top-N collector would drop the low-scoring branch once the top is full
    b = WhooshBackend(tmp_path)
    docs = [
        doc(i, f"Page {i}", "atelier " * (1 + i % 7), categories=(f"C{i % 3}",))
        for i in range(1, 120)
    ]
    docs += [doc(500 + i, f"Kerhallet {i}", "kerhallet kerhallet kerhallet") for i in range(5)]
    b.rebuild(docs)
    seen = set()
    for per_page, page in ((1, 1), (3, 2), (20, 1), (20, 5), (100, 1), (100, 2)):
        results = search(b, "atelier OR kerhallet", per_page=per_page, page=page)
        seen.add((results.total, tuple(map(tuple, results.facets["category"]))))
    assert len(seen) == 1
    ((total, _),) = seen
    assert total == 124


def test_english_pages_have_english_snippets(backend: WhooshBackend) -> None:
    (hit,) = search(backend, "writing").hits
    assert hit.title == "Aide:Écrire une page"
    assert "<mark>write</mark>" in hit.snippet_html
    assert "<mark>Writing</mark>" in hit.snippet_html
    only_marks(hit.snippet_html)


def test_facets_stay_right_across_commits(backend: WhooshBackend) -> None:
    assert ("Mobilité", 1) in search(backend, ALL).facets["category"]
    backend.index_pages([doc(8, "Vélo-école", "apprendre le vélo", categories=("Mobilité",))])
    backend.index_pages([doc(5, "Maison du vélo", "réparation de vélos", categories=("Ateliers",))])
    facets = search(backend, ALL).facets["category"]
    assert ("Mobilité", 1) in facets and ("Ateliers", 1) in facets
    backend.remove_pages([8])
    facets = search(backend, ALL).facets["category"]
    assert "Mobilité" not in dict(facets)
    assert dict(facets)["Services"] == 2


# -- huge pages (issue 8, point 16) --------------------------------------------------------


def test_only_the_start_of_a_huge_page_is_indexed(tmp_path: Path) -> None:
    # a 2 MB page of 250,000 distinct words held the write lock for 11 s: only its first
    # MAX_INDEXED_CHARS characters are indexed, so other pages' updates never wait long
    b = WhooshBackend(tmp_path)
    b.rebuild([])
    words = made_up_words(whoosh_schema.MAX_INDEXED_CHARS // 6 + 1000, letters=4)
    text = " ".join(words)
    assert len(text) > whoosh_schema.MAX_INDEXED_CHARS
    b.index_pages([doc(1, "Très grande page", text)])
    indexed = len(text[: whoosh_schema.MAX_INDEXED_CHARS].split())
    assert titles(search(b, words[0])) == ["Très grande page"]
    assert titles(search(b, words[indexed - 2])) == ["Très grande page"]
    assert search(b, words[indexed + 1]).total == 0  # past the cap
    assert search(b, words[-1]).total == 0
    assert titles(search(b, "grande")) == ["Très grande page"]  # the title is always indexed
