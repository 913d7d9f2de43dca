"""French and English text analysis for the Whoosh backend (wikicoop.search.analysis)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from wikicoop.search import analysis as A

pytestmark = pytest.mark.any_database


def terms(analyzer, text: str) -> list[str]:
    return [t.text for t in analyzer(text, mode="index")]


def positions(analyzer, text: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in analyzer(text, positions=True, mode="index")]


def matches(indexed: str, typed: str) -> bool:
    """Whether a page containing ``indexed`` is found by the query word ``typed``.

    The backend ORs the forms of a query word and adds the derivational variants.
    """
    fr = A.french_analyzer()
    index_terms = set(terms(fr, indexed))
    query_terms = set(terms(fr, typed))
    query_terms |= {v for t in list(query_terms) for v in A.french_query_variants(t)}
    return bool(index_terms & query_terms)


# -- the acceptance words of the brief ------------------------------------------------


@pytest.mark.parametrize(
    ("indexed", "typed"),
    [
        ("Écrit", "ecrit"),
        ("Écrit", "écrits"),
        ("Écrit", "écriture"),
        ("public", "publique"),
        ("université", "universite"),
        ("université", "UNIVERSITÉ"),
        ("universite", "université"),
        ("créé", "créées"),
        ("créées", "cree"),
        ("été", "été"),
        ("été", "ete"),
        ("atelier", "l'atelier"),
        ("l’atelier", "atelier"),
        ("œuvre", "oeuvre"),
        ("oeuvres", "Œuvre"),
        ("ex æquo", "aequo"),
        ("coopération", "cooperation"),
        ("Françaises", "francaise"),
        ("aujourd’hui", "aujourd'hui"),
        ("jusqu'à Brest", "brest"),
        ("qu'il écrive", "écrive"),
    ],
)
def test_accents_inflections_and_elisions_match(indexed: str, typed: str) -> None:
    assert matches(indexed, typed)


@pytest.mark.parametrize(
    ("indexed", "typed"),
    [("maison", "jardin"), ("banque", "banc"), ("chant", "chantier"), ("été", "être")],
)
def test_different_words_do_not_match(indexed: str, typed: str) -> None:
    assert not matches(indexed, typed)


def test_both_forms_share_one_position() -> None:
    fr = A.french_analyzer()
    # stop words are not counted: "maison de la culture" is a two-word phrase
    assert positions(fr, "la grande université") == [
        ("grand", 1),
        ("univers", 2),
        ("universit", 2),
    ]
    assert positions(fr, "maison de la culture") == [("maison", 0), ("cultur", 1)]


def test_forms_are_omitted_when_equal() -> None:
    assert A.french_forms("maison") == ("maison",)
    assert A.french_forms("université") == ("univers", "universit")


# -- stop words ---------------------------------------------------------------------------


def test_french_stop_list_is_short_and_keeps_nouns() -> None:
    assert 50 <= len(A.FRENCH_STOP_WORDS) <= 90
    for noun in ("été", "est", "or", "car", "son", "plus", "tout", "être"):
        assert noun not in A.FRENCH_STOP_WORDS
    for word in ("le", "la", "les", "un", "une", "des", "de", "du", "et", "à", "au", "aux"):
        assert word in A.FRENCH_STOP_WORDS
    # no English words in the French list
    assert not {"the", "and", "of", "with"} & A.FRENCH_STOP_WORDS


def test_stop_words_are_dropped_and_ete_is_kept() -> None:
    fr = A.french_analyzer()
    assert terms(fr, "Le jardin de la ville en été") == ["jardin", "vill", "ete"]
    assert terms(fr, "le la les de du") == []


def test_single_letters_and_digits_are_kept() -> None:
    fr = A.french_analyzer()
    assert terms(fr, "vitamine C, plan B, 2024") == ["vitamin", "c", "plan", "b", "2024"]


# -- elisions and words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("l'atelier", "atelier"),
        ("L’Atelier", "L'Atelier"),  # lowercase comes first in the analysers
        ("l’atelier", "atelier"),
        ("d'écriture", "écriture"),
        ("qu'il", "il"),
        ("jusqu'à", "à"),
        ("lorsqu'on", "on"),
        ("puisqu'elle", "elle"),
        ("j'écris", "écris"),
        ("n'est", "est"),
        ("s'inscrire", "inscrire"),
        ("c'est", "est"),
        ("m'a", "a"),
        ("t'a", "a"),
        ("aujourd'hui", "aujourd'hui"),
        ("presqu'île", "presqu'île"),
        ("atelier", "atelier"),
    ],
)
def test_strip_elision(word: str, expected: str) -> None:
    assert A.strip_elision(word) == expected


def test_elisions_in_the_analyser() -> None:
    fr = A.french_analyzer()
    assert terms(fr, "L'atelier d’écriture qu'il anime jusqu'à l'été") == [
        "ateli",
        "ecritur",
        "anim",
        "ete",
    ]


def test_apostrophes_are_normalised() -> None:
    fr = A.french_analyzer()
    assert terms(fr, "aujourd’hui") == terms(fr, "aujourd'hui") == terms(fr, "aujourdʼhui")


def test_fold() -> None:
    folded = A.fold("Œuvre créée à l’été, ex æquo, Straße")
    assert folded == "OEuvre creee a l'ete, ex aequo, Strasse"
    assert A.fold("plain ascii") == "plain ascii"
    assert A.fold("e\u0301te\u0301") == "ete"  # decomposed input


def test_normalize_key() -> None:
    assert A.normalize_key("  L’Œuvre   d'Été ") == "l'oeuvre d'ete"
    assert A.normalize_key("E\u0301COLE") == "ecole"


def test_query_variants() -> None:
    assert A.french_query_variants("ecritur") == ("ecrit",)
    assert A.french_query_variants("publiqu") == ("public",)
    assert A.french_query_variants("grecqu") == ("grec",)
    assert A.french_query_variants("maison") == ()
    assert A.french_query_variants("tur") == ()


# -- English --------------------------------------------------------------------------


def test_english_analyser_stems_and_folds() -> None:
    en = A.english_analyzer()
    assert terms(en, "The running Cafés of Brest") == ["run", "cafe", "brest"]
    assert terms(en, "writes") == terms(en, "writing") == ["write"]


# -- keyword values ---------------------------------------------------------------------


def test_values_keep_spaces_commas_and_case() -> None:
    joined = A.join_values(["Art, culture", " Jardins  partagés ", "", "a\x1fb"])
    assert A.split_values(joined) == ("Art, culture", "Jardins partagés", "a b")
    assert terms(A.values_analyzer(), joined) == ["Art, culture", "Jardins partagés", "a b"]
    assert A.split_values("") == ()
    assert A.split_values(None) == ()


def test_title_words() -> None:
    assert terms(A.title_words_analyzer(), "Aide:L'École de la mer") == [
        "aide",
        "ecole",
        "de",
        "la",
        "mer",
    ]


# -- pickling (Whoosh stores the analysers in the schema) ----------------------------


@pytest.mark.parametrize(
    "factory",
    [
        A.french_analyzer,
        A.french_pipeline,
        A.english_analyzer,
        A.title_words_analyzer,
        A.values_analyzer,
    ],
)
def test_analysers_pickle_cleanly(factory) -> None:
    analyzer = factory()
    clone = pickle.loads(pickle.dumps(analyzer))
    text = "L'université d’été\x1fÉcrits publics"
    assert terms(clone, text) == terms(analyzer, text)
    assert clone == analyzer
    # the pickle names module-level classes only, no functions or caches
    assert b"lru_cache" not in pickle.dumps(analyzer)


# -- the one-pass French analyser equals the chain of components ----------------------

TRICKY = [
    "L'atelier d’écriture qu'il n'a pas ouvert jusqu'à l'été 2012.",
    "le la les de du",
    "l' l'' 'quoted' aujourd'hui presqu'île S.N.C.F 3.14 www.example.org",
    "Œuvres créées ÉTÉ université UNIVERSITE e\u0301te\u0301",
    "",
    "   ",
    "a\x00b\x1fc",
]


@pytest.mark.parametrize("removestops", [True, False])
@pytest.mark.parametrize("mode", ["index", "query"])
@pytest.mark.parametrize(
    ("fused", "chain"),
    [(A.french_analyzer, A.french_pipeline), (A.english_analyzer, A.english_pipeline)],
    ids=["fr", "en"],
)
def test_one_pass_tokenizers_equal_their_pipelines(
    removestops: bool, mode: str, fused, chain
) -> None:
    path = (
        Path(__file__).resolve().parents[2].parent
        / "shared"
        / "context"
        / "territoires-et-cooperations.txt"
    )
    texts = [*TRICKY, path.read_text()] if path.exists() else TRICKY

    def run(analyzer, text):
        return [
            (t.text, t.pos, t.startchar, t.endchar, t.stopped)
            for t in analyzer(text, positions=True, chars=True, removestops=removestops, mode=mode)
        ]

    texts += ["The writers' workshops of Brest, it's open! Writing is fun."]
    for text in texts:
        assert run(fused(), text) == run(chain(), text)


def test_french_tokenizer_untokenized_value() -> None:
    (token,) = A.french_analyzer()("Écrit public", tokenize=False)
    assert token.text == "Écrit public"


def test_title_words_weigh_more() -> None:
    value = "Écrit public\n" + A.TITLE_MARK + "\nUn écrit"
    for analyzer in (A.french_analyzer(), A.english_analyzer()):
        boosts = [(t.text, t.boost) for t in analyzer(value, positions=True)]
        assert boosts[0][1] == boosts[1][1] == A.TITLE_BOOST
        assert boosts[-1][1] == 1.0
    assert all(t.boost == 1.0 for t in A.french_analyzer()("Écrit public"))


@pytest.mark.parametrize(
    ("text", "terms", "language", "expected"),
    [
        ("L'Atelier d’écriture, les ateliers.", {"ateli"}, "fr", ["L'Atelier", "ateliers"]),
        ("Université, universite.", {"universit"}, "fr", ["Université", "universite"]),
        ("le la les", {"le"}, "fr", []),
        ("Writing workshops; the writer writes.", {"write"}, "en", ["Writing", "writes"]),
        ("İstanbul et l'université", {"universit"}, "fr", ["l'université"]),
    ],
)
def test_find_terms(text: str, terms: set, language: str, expected: list[str]) -> None:
    spans = A.find_terms(text, frozenset(terms), language)
    assert [text[a:b] for a, b in spans] == expected
