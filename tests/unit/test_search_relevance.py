"""Judged relevance of the search: queries residents type, and the page they expect.

The index is built once for this module from ``tests/search_corpus.py`` (about 300
French pages: Papi of neighbourhoods, initiatives, workshops, magazine articles, help,
categories, a few English pages). Each judged query names the page that must come
``first``, be in the ``top3``, or be ``absent`` (an excluded word). A failing query
says the rank it got and what came first.

The summary test computes, over the whole set, the mean reciprocal rank and the share of
queries whose page came first, with floors measured on the current backend: retuning
the analysis or the scoring must not make the set quietly worse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from pg_search_support import BACKENDS, backend_of
from search_corpus import NEWEST_TITLE, generate_corpus

from wikicoop.search.analysis import fold
from wikicoop.search.backend import SearchDocument, SearchQuery, SearchResults
from wikicoop.search.whoosh_backend import WhooshBackend

FIRST, TOP3, ABSENT = "first", "top3", "absent"
#: how deep a rank is looked for (a page below this counts as not found, reciprocal rank 0)
DEPTH = 50
CORPUS_PAGES = 300

#: floors of the summary metrics, measured on the backend (see the module docstring)
# Measured on the final backend of 2026-11-30: MRR 0.941, 40 of 45 first (88.9 %). An
# earlier backend with a separate title field measured 0.956 / 41 of 45: moving the
# title into the content field (for speed) lost one near tie ("mediatheque", 9.52 vs
# 9.47) and lets short category pages outrank titles on OR queries; see the issue notes.
MRR_FLOOR = 0.94
FIRST_SHARE_FLOOR = 0.88


@dataclass(frozen=True)
class Judged:
    """One judged query: what is typed, the page expected and where."""

    query: str
    expected: str
    rank: str  # FIRST, TOP3 or ABSENT
    why: str  # what the query checks
    filters: tuple[tuple[str, str], ...] = ()
    sort: str = "relevance"
    #: a typo: the "did you mean" suggestion must contain this word (accents ignored),
    #: unless the backend finds the page from the typo directly (fuzzy matching)
    corrected: str | None = None
    #: no hit may contain a word starting with this (accents ignored): an exclusion
    excluded_word: str | None = None

    @property
    def id(self) -> str:
        extra = "".join(f" {k}={v}" for k, v in self.filters)
        extra += f" sort={self.sort}" if self.sort != "relevance" else ""
        return f"{self.query}{extra} -> {self.expected} ({self.rank})"


# fmt: off
JUDGED: tuple[Judged, ...] = (
    # accents left out
    Judged("ecrit public", "Écrit public", FIRST, "no accents"),
    Judged("mediatheque saint-martin", "Médiathèque de Saint-Martin", FIRST,
           "no accents, compound place name"),
    Judged("mediatheque", "Médiathèque de Saint-Martin", TOP3,
           "no accents; two médiathèques and a Papi hosted in one"),
    Judged("universite populaire", "Université populaire", FIRST, "no accents"),
    Judged("papi pontanezen", "Papi Pontanézen", FIRST, "no accents in a place name"),
    # plurals and singulars
    Judged("écrits publics", "Écrit public", FIRST, "plural of the title"),
    Judged("médiathèques", "Médiathèque de Saint-Martin", TOP3, "plural"),
    Judged("ateliers d'ecriture", "Atelier d'écriture de Recouvrance", FIRST,
           "plural, elision, no accents"),
    Judged("jardin partage", "Jardins partagés de Kerourien", FIRST,
           "singular of a plural title, no accents"),
    Judged("universités populaires", "Université populaire", FIRST, "plural"),
    Judged("œuvre collective", "Œuvres collectives", FIRST, "singular, œ"),
    # elisions
    Judged("l'universite populaire", "Université populaire", FIRST, "elided article"),
    Judged("l'universite", "Université populaire", TOP3,
           "elided article; « Université d'été » competes"),
    Judged("d'ecriture", "Atelier d'écriture de Recouvrance", TOP3, "elided preposition"),
    Judged("l'atelier wiki", "Atelier wiki", FIRST, "elided article"),
    Judged("atelier d’écriture", "Atelier d'écriture de Recouvrance", FIRST,
           "typographic apostrophe"),
    # typos: the suggestion, or fuzzy matching
    Judged("mediatheqe saint-martin", "Médiathèque de Saint-Martin", FIRST, "typo",
           corrected="mediatheque"),
    Judged("mediatheqe", "Médiathèque de Saint-Martin", TOP3, "typo, no accents",
           corrected="mediatheque"),
    Judged("papi recouvrence", "Papi Recouvrance", FIRST, "typo in a place name",
           corrected="recouvrance"),
    Judged("univresité populaire", "Université populaire", FIRST, "swapped letters",
           corrected="universite"),
    # several words
    Judged("papi bellevue", "Papi Bellevue", FIRST, "two words, distractors share each"),
    Judged("papi kerourien", "Papi Kerourien", FIRST,
           "the exact title; « Papi Kerourien-Est » is longer"),
    Judged("atelier wiki", "Atelier wiki", FIRST, "two common words"),
    Judged("kerourien jardins", "Jardins partagés de Kerourien", FIRST, "words out of order"),
    Judged("coeur recouvrance", "Au cœur de Recouvrance", FIRST, "œ typed oe"),
    Judged("appel a projets 2019", "Appel à projets 2019", FIRST,
           "a year among 18 yearly pages"),
    Judged("point d'acces public internet", "Point d'accès public à internet", FIRST,
           "a long query, elision, stop word left out"),
    Judged("écrivain public", "Écrit public", TOP3, "a word of the text, not of the title"),
    Judged("animacoop", "Animacoop", FIRST, "a rare word"),
    Judged("bureau libre", "Bureau libre", FIRST, "two common words"),
    # œ / oe
    Judged("oeuvres collectives", "Œuvres collectives", FIRST,
           "œ typed oe; « mettre en œuvre » is everywhere"),
    # case
    Judged("PAPI BELLEVUE", "Papi Bellevue", FIRST, "capitals"),
    Judged("PAPI Lambezellec", "Papi Lambézellec", FIRST, "capitals, no accents"),
    # query syntax
    Judged('"jardins partagés"', "Jardins partagés de Kerourien", FIRST,
           "phrase; « Fête des jardins » has both words apart"),
    Judged("atelier -vidéo", "Atelier vidéo", ABSENT, "exclusion", excluded_word="video"),
    Judged("atelier photo -vidéo", "Atelier photo", FIRST, "exclusion",
           excluded_word="video"),
    Judged("atelier photo OR vidéo", "Atelier photo", TOP3, "OR"),
    Judged("atelier photo OR vidéo", "Atelier vidéo", TOP3, "OR"),
    Judged("numéri*", "Médiation numérique", TOP3, "prefix"),
    Judged("Aide:Écrire une page", "Aide:Écrire une page", FIRST, "a title pasted whole"),
    # English pages
    Judged("internet access points", "Public internet access points in Brest", FIRST,
           "English query, English page"),
    Judged("writing workshops", "Wiki writing workshop", FIRST, "English plural"),
    # filters and sort
    Judged("écrire une page", "Aide:Écrire une page", FIRST, "namespace filter",
           filters=(("namespace", "help"),)),
    Judged("licence", "Aide:Choisir une licence", FIRST, "namespace filter",
           filters=(("namespace", "help"),)),
    Judged("papi", "Catégorie:Papi", FIRST, "namespace filter",
           filters=(("namespace", "category"),)),
    Judged("appel à projets", NEWEST_TITLE, FIRST, "newest first", sort="date"),
)
# fmt: on


def judged_params() -> list:
    """The judged set as pytest params, each named after its query and expectation."""
    return [pytest.param(judged, id=judged.id) for judged in JUDGED]


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    """What the backend did with one judged query."""

    judged: Judged
    rank: int | None  # 1-based rank of the expected page (None: not in the first DEPTH)
    titles: list[str]  # the first hits
    total: int
    suggestion: str | None = None
    via: str = ""  # "" (the query itself) or "suggestion '…'" (a typo corrected)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        if self.problems:
            return False
        if self.judged.rank == ABSENT:
            return self.rank is None
        limit = 1 if self.judged.rank == FIRST else 3
        return self.rank is not None and self.rank <= limit

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0

    def describe(self) -> str:
        got = f"rank {self.rank}" if self.rank else f"not in the first {DEPTH}"
        via = f" via {self.via}" if self.via else ""
        top = "; ".join(self.titles[:5]) or "no hit"
        text = (
            f"{self.judged.query!r} ({self.judged.why}): expected {self.judged.expected!r} "
            f"{self.judged.rank}, got {got}{via} of {self.total}; first hits: {top}"
        )
        if self.suggestion is not None:
            text += f"; suggestion {self.suggestion!r}"
        return text + "".join(f"; {p}" for p in self.problems)


def run_query(
    backend: WhooshBackend, judged: Judged, text: str, *, every_page: bool = False
) -> tuple[list[SearchResults], list[str]]:
    """The results of ``text`` with the judged filters and sort, and the hit titles.

    ``every_page``: all the results (pages of 100, until a page is not full: the total
    is not relied on), for exclusions; else the first DEPTH.
    """
    per_page = 100 if every_page else DEPTH
    pages: list[SearchResults] = []
    titles: list[str] = []
    for page in range(1, 21):  # at most 2,000 results: the corpus has 300 pages
        results = backend.search(
            SearchQuery(
                text=text,
                filters=dict(judged.filters),
                sort=judged.sort,
                per_page=per_page,
                page=page,
            )
        )
        pages.append(results)
        titles += [hit.title for hit in results.hits]
        if not every_page or len(results.hits) < per_page:
            break
    return pages, titles


def rank_of(titles: list[str], expected: str) -> int | None:
    return titles.index(expected) + 1 if expected in titles else None


def contains_word_starting(text: str, start: str) -> bool:
    return re.search(r"\b" + re.escape(start), fold(text).lower()) is not None


def evaluate(backend: WhooshBackend, judged: Judged, corpus: dict[str, SearchDocument]) -> Outcome:
    """Run one judged query and every check that goes with it."""
    pages, titles = run_query(backend, judged, judged.query, every_page=judged.rank == ABSENT)
    first = pages[0]
    outcome = Outcome(judged, rank_of(titles, judged.expected), titles, first.total)
    outcome.suggestion = first.suggestion
    hits = [hit for results in pages for hit in results.hits]

    if judged.corrected is not None:
        # a typo: the suggestion must fix it and find the page; without a suggestion,
        # the backend must find the page from the typo itself (fuzzy matching)
        if first.suggestion is None:
            if not outcome.passed:
                outcome.problems.append("no suggestion for the typo")
        elif judged.corrected not in fold(first.suggestion).lower():
            outcome.problems.append(f"the suggestion does not contain {judged.corrected!r}")
        else:
            pages, titles = run_query(backend, judged, first.suggestion)
            hits = list(pages[0].hits)
            outcome.rank, outcome.titles = rank_of(titles, judged.expected), titles
            outcome.total = pages[0].total
            outcome.via = f"suggestion {first.suggestion!r}"

    for name, value in judged.filters:
        if name == "namespace":
            wrong = [hit.title for hit in hits if hit.namespace != value]
            if wrong:
                outcome.problems.append(f"outside namespace {value}: {wrong[:3]}")
    if judged.sort == "date":
        dates = [hit.updated for hit in hits]
        if None in dates or dates != sorted(dates, reverse=True):
            outcome.problems.append("hits not sorted newest first")
    if judged.excluded_word is not None:
        with_word = [
            hit.title
            for hit in hits
            if contains_word_starting(corpus[hit.title].title, judged.excluded_word)
            or contains_word_starting(corpus[hit.title].text, judged.excluded_word)
        ]
        if with_word:
            outcome.problems.append(f"hits with the excluded word: {with_word[:3]}")
    return outcome


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def corpus() -> dict[str, SearchDocument]:
    return {doc.title: doc for doc in generate_corpus(CORPUS_PAGES)}


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, tmp_path_factory: pytest.TempPathFactory, corpus):
    """The corpus indexed by each backend (the same judged set and floors for both)."""
    folder = tmp_path_factory.mktemp("relevance-index")
    with backend_of(request.param, folder, "relevance") as backend:
        backend.rebuild(corpus.values(), total=len(corpus))
        yield backend


@pytest.fixture(scope="module")
def outcomes(backend, corpus) -> dict[str, Outcome]:
    return {judged.id: evaluate(backend, judged, corpus) for judged in JUDGED}


# --------------------------------------------------------------------------- tests


def test_the_corpus_is_reproducible_and_holds_every_expected_page(corpus):
    again = generate_corpus(CORPUS_PAGES)
    assert [d.title for d in again] == list(corpus)
    assert again == list(corpus.values())
    assert len(corpus) == CORPUS_PAGES
    missing = sorted({j.expected for j in JUDGED} - set(corpus))
    assert not missing, f"expected pages missing from the corpus: {missing}"
    newest = max(corpus.values(), key=lambda d: d.updated)
    assert newest.title == NEWEST_TITLE
    languages = {d.language for d in corpus.values()}
    namespaces = {d.namespace for d in corpus.values()}
    assert languages == {"fr", "en"}
    assert namespaces >= {"main", "help", "category", "user", "talk", "portal"}
    text = " ".join(d.text for d in corpus.values())
    for word in ("œuvre", "cœur", "l'atelier", "d'écriture", "qu'il"):
        assert word in text, word


def test_the_judged_set_is_large_and_varied():
    assert len(JUDGED) >= 30
    assert len({j.id for j in JUDGED}) == len(JUDGED)
    assert {j.rank for j in JUDGED} == {FIRST, TOP3, ABSENT}


@pytest.mark.parametrize("judged", judged_params())
def test_judged_query(outcomes, judged):
    outcome = outcomes[judged.id]
    assert outcome.passed, outcome.describe()


@pytest.mark.parametrize("word", ["quartier", "atelier", "papi"])
def test_the_total_counts_every_matching_page_whatever_the_page_size(backend, corpus, word):
    """A rank means little if the count beside it is wrong: "atelier -vidéo" is checked
    on every page of results, and "did you mean" is offered below a total of 5."""
    expected = sum(
        1 for d in corpus.values() if contains_word_starting(f"{d.title} {d.text}", word)
    )
    totals = {
        (per_page, page): backend.search(SearchQuery(word, per_page=per_page, page=page)).total
        for per_page, page in ((1, 1), (20, 1), (20, 2), (100, 1))
    }
    assert set(totals.values()) == {expected}, f"{word!r}: {expected} pages, totals {totals}"


def test_summary_metrics_do_not_degrade(outcomes):
    ranked = [o for o in outcomes.values() if o.judged.rank != ABSENT]
    mrr = sum(o.reciprocal_rank for o in ranked) / len(ranked)
    first_share = sum(1 for o in ranked if o.rank == 1) / len(ranked)
    passed = sum(1 for o in outcomes.values() if o.passed)
    lines = [
        f"{'ok' if o.passed else 'FAIL':4} {o.rank or '-':>3}  {o.judged.id}"
        + (f"  [via {o.via}]" if o.via else "")
        for o in outcomes.values()
    ]
    summary = (
        f"{passed}/{len(outcomes)} judged queries pass; over {len(ranked)} ranked queries: "
        f"MRR {mrr:.3f} (floor {MRR_FLOOR}), first {first_share:.1%} "
        f"(floor {FIRST_SHARE_FLOOR:.1%})"
    )
    print("\n".join(["", *lines, summary]))
    assert mrr >= MRR_FLOOR, summary
    assert first_share >= FIRST_SHARE_FLOOR, summary
