"""Text analysis for the Whoosh backend: French first, English for pages marked "en".

Whoosh pickles the analysers into the index schema, so every filter here is a
module-level class whose state is plain data (no functions, no caches): the stemmers and
caches live in module globals and are looked up at call time.

French pipeline (:func:`french_pipeline`; :func:`french_analyzer` gives the same terms in
one pass, :class:`FrenchTokenizer`)::

    words (apostrophes kept inside a word) -> lowercase -> elisions (l', d', qu', jusqu'...)
    -> short stop list -> two forms at the same position:
       "stem then fold accents" and "fold then stem"

Measured in shared/LIBRARIES.md: stemming first keeps the inflection merges (créé, créées
-> ``cre``) but misses words typed without accents (université -> ``univers``, universite
-> ``universit``); folding first is accent-proof but loses some merges. Indexing both
forms at the same position, and OR-ing the forms of a query word, is accent-insensitive
and keeps every merge. Query-side derivational variants (:func:`french_query_variants`)
add a few merges the Snowball stemmer does not make (écriture -> écrit, publique ->
public).

Stop list: deliberately short (articles, prepositions, pronouns, conjunctions). Words that
are also nouns or names stay searchable: ``été`` (summer), ``est`` (east), ``or`` (gold),
``car`` (coach), ``son`` (sound), ``plus``, ``tout``.

Nothing in this module is specific to the wiki: it only turns text into terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

#: words: runs of letters/digits, joined by an apostrophe (l'atelier, aujourd'hui) or a
#: dot between two word characters (s.n.c.f, 3.14, www.example.org)
WORD_PATTERN = r"\w+(?:[.'’ʼ]\w+)*"

#: elided articles and pronouns removed from the start of a word (both apostrophes)
ELISIONS = ("l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu")

#: a short French stop list (no "été", no words that are also common nouns)
FRENCH_STOP_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "l",
        "un",
        "une",
        "des",
        "de",
        "du",
        "d",
        "et",
        "à",
        "au",
        "aux",
        "en",
        "dans",
        "par",
        "pour",
        "sur",
        "avec",
        "sans",
        "sous",
        "chez",
        "entre",
        "vers",
        "ce",
        "cet",
        "cette",
        "ces",
        "ça",
        "se",
        "sa",
        "ses",
        "ma",
        "mon",
        "mes",
        "ta",
        "ton",
        "tes",
        "leur",
        "leurs",
        "notre",
        "nos",
        "votre",
        "vos",
        "qui",
        "que",
        "qu",
        "quoi",
        "dont",
        "où",
        "ou",
        "mais",
        "donc",
        "ni",
        "ne",
        "pas",
        "il",
        "ils",
        "elle",
        "elles",
        "on",
        "nous",
        "vous",
        "je",
        "j",
        "tu",
        "y",
        "si",
        "a",
        "lui",
        "eux",
        "me",
        "te",
        "moi",
        "toi",
    ]
)

#: the English stop list of Whoosh (the usual small one)
ENGLISH_STOP_WORDS = frozenset(stoplists["en"])

#: letters that do not decompose under NFKD
_SPECIAL_FOLDS = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "’": "'",
        "ʼ": "'",
    }
)

_WORD_RE = re.compile(WORD_PATTERN)
_ELISION_RE = re.compile(
    r"^(?:{})'(?=\w)".format("|".join(sorted(ELISIONS, key=len, reverse=True)))
)

#: ends the title at the start of a content value (ASCII record separator): words before it
#: weigh TITLE_BOOST times a word of the text
TITLE_MARK = "\x1e"
TITLE_BOOST = 3.0

_FRENCH_STEM = stemmer_for_language("fr")
_ENGLISH_STEM = stemmer_for_language("en")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Remove accents and fold ligatures: ``"Œuvre créée"`` -> ``"Oeuvre creee"``.

    Case is kept; typographic apostrophes become ``'``.
    """
    if text.isascii():
        return text
    text = text.translate(_SPECIAL_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_key(text: str) -> str:
    """A case-, accent- and space-insensitive key: ``" L’Œuvre  d'Été "`` -> ``l'oeuvre d'ete``."""
    return " ".join(fold(unicodedata.normalize("NFC", text)).lower().split())


def strip_elision(word: str) -> str:
    """``"l'atelier"`` -> ``"atelier"``; ``"jusqu’à"`` -> ``"à"``; other words unchanged."""
    word = word.replace("’", "'").replace("ʼ", "'")
    if "'" not in word:
        return word
    return _ELISION_RE.sub("", word, count=1)


@lru_cache(maxsize=200_000)
def french_forms(word: str) -> tuple[str, ...]:
    """The index forms of a lowercased French word: stem-then-fold, then fold-then-stem.

    The second form is omitted when it equals the first.
    """
    first = fold(_FRENCH_STEM(word))
    second = _FRENCH_STEM(fold(word))
    return (first,) if first == second else (first, second)


@lru_cache(maxsize=100_000)
def english_form(word: str) -> str:
    """The index form of a lowercased English word: accents folded, then stemmed."""
    return _ENGLISH_STEM(fold(word))


def french_query_variants(form: str) -> tuple[str, ...]:
    """Extra, lower-weight forms a query term also matches (derivations Snowball keeps apart).

    - ``...tur`` (écriture, peinture, ouverture) also matches ``...t`` (écrit, peint, ouvert);
    - ``...qu`` (publique, turque, grecque) also matches ``...c`` (public, turc, grec).

    Only applied to query terms, never at indexing time, so a page that has the exact
    word still ranks above one that has the derived word.
    """
    variants: list[str] = []
    if form.endswith("tur") and len(form) >= 6:
        variants.append(form[:-2])
    if form.endswith("cqu") and len(form) >= 5:
        variants.append(form[:-2])
    elif form.endswith("qu") and len(form) >= 5:
        variants.append(form[:-2] + "c")
    return tuple(variants)


def french_stem(word: str) -> str:
    """The fold-then-stem form of a word (used to widen prefix queries)."""
    return _FRENCH_STEM(fold(word.lower()))


def english_stem(word: str) -> str:
    """The English index form of a word (used to widen prefix queries)."""
    return english_form(word.lower())


class ElisionFilter(Filter):
    """Removes elided articles and pronouns: ``l'atelier`` -> ``atelier``, ``qu'il`` -> ``il``.

    Typographic apostrophes (’, ʼ) are normalised to ``'`` first, so ``aujourd’hui`` and
    ``aujourd'hui`` give the same term.
    """

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if "'" in text or "’" in text or "ʼ" in text:
                t.text = strip_elision(text)
            yield t


class FoldFilter(Filter):
    """Folds accents and ligatures (é -> e, œ -> oe, æ -> ae, ß -> ss)."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


class FrenchStemFoldFilter(Filter):
    """Emits both French forms of each word at the same position (see the module docstring)."""

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.stopped:
                yield t
                continue
            forms = french_forms(t.text)
            t.text = forms[0]
            yield t
            if len(forms) > 1:
                t.text = forms[1]
                yield t


class EnglishStemFoldFilter(Filter):
    """Folds accents then stems with Snowball English (porter2)."""

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = english_form(t.text)
            yield t


@lru_cache(maxsize=200_000)
def _french_index_forms(lowered: str) -> tuple[str, ...]:
    """The index forms of a lowercased word as written (elision first); () for a stop word."""
    word = strip_elision(lowered)
    if word in FRENCH_STOP_WORDS:
        return ()
    return french_forms(word)


@lru_cache(maxsize=100_000)
def _english_index_forms(lowered: str) -> tuple[str, ...]:
    """The index form of a lowercased English word as written; () for a stop word."""
    word = strip_elision(lowered)
    if word in ENGLISH_STOP_WORDS:
        return ()
    return (english_form(word),)


def find_terms(
    text: str, terms: frozenset[str], language: str, limit: int = 50_000
) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose index forms are in ``terms``.

    The same analysis as the French (or English) fields, in one cached lookup per word:
    what snippets use to find the matched words (much faster than re-running the
    analyser's token stream for each hit). Only the first ``limit`` characters are read.
    """
    forms_of = _english_index_forms if language == "en" else _french_index_forms
    disjoint = terms.isdisjoint
    text = text[:limit]
    lowered = text.lower()
    # lowercase once for the whole text, unless a letter's lowercase is longer (İ)
    same_offsets = len(lowered) == len(text)
    spans = []
    for match in _WORD_RE.finditer(lowered if same_offsets else text):
        word = match.group(0) if same_offsets else match.group(0).lower()
        forms = forms_of(word)
        if forms and not disjoint(forms):
            spans.append(match.span())
    return spans


class _WordsTokenizer(Tokenizer):
    """A whole analysis chain in one pass: words, lowercase, elision, stop list, forms.

    Subclasses name the function giving the index forms of a lowercased word (``()``
    for a stop word). One cached lookup per word instead of a generator per filter is
    about three times faster, which matters twice: when indexing, and when snippets
    re-read the text of each hit.

    Words before a :data:`TITLE_MARK` in the value (the page title, put in front of
    the text by the backend) weigh :data:`TITLE_BOOST` times a word of the text, so one
    field carries both and a query needs one clause per word.
    """

    is_morph = True

    @staticmethod
    def forms(lowered: str) -> tuple[str, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        if not tokenize:
            t.original = t.text = value
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        forms_of = self.forms
        title_end = value.find(TITLE_MARK)
        pos: int | None = None
        for index, match in enumerate(_WORD_RE.finditer(value)):
            text = match.group(0)
            lowered = text.lower()
            forms = forms_of(lowered)
            if keeporiginal:
                t.original = text
            if chars:
                t.startchar, t.endchar = start_char + match.start(), start_char + match.end()
            t.boost = TITLE_BOOST if match.start() < title_end else 1.0
            if not forms:
                if not removestops:
                    t.stopped = True
                    t.text = strip_elision(lowered)
                    if positions:
                        t.pos = start_pos + index
                    yield t
                continue
            # positions as StopFilter(renumber=True) gives them
            pos = start_pos + index if pos is None else pos + 1
            t.stopped = False
            if positions:
                t.pos = pos
            for form in forms:
                t.text = form
                yield t


class FrenchTokenizer(_WordsTokenizer):
    """The French analyser: same terms as :func:`french_pipeline`, in one pass."""

    forms = staticmethod(_french_index_forms)


class EnglishTokenizer(_WordsTokenizer):
    """The English analyser: same terms as :func:`english_pipeline`, in one pass."""

    forms = staticmethod(_english_index_forms)


class ValuesTokenizer(Tokenizer):
    """Splits keyword values joined with :data:`VALUE_SEPARATOR`, keeping each value whole.

    Used for facet fields: a category may contain spaces and commas ("Art, culture").
    """

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        parts = value.split(VALUE_SEPARATOR) if tokenize else [value]
        pos = start_pos
        char = start_char
        for part in parts:
            text = part.strip()
            if text:
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = text
                if positions:
                    t.pos = pos
                    pos += 1
                if chars:
                    t.startchar = char
                    t.endchar = char + len(part)
                yield t
            char += len(part) + len(VALUE_SEPARATOR)


#: joins the values of a multi-valued keyword field (ASCII unit separator)
VALUE_SEPARATOR = "\x1f"


def join_values(values: Iterable[str]) -> str:
    """Join keyword values for a :class:`ValuesTokenizer` field (separators removed from values)."""
    cleaned = (" ".join(v.replace(VALUE_SEPARATOR, " ").split()) for v in values)
    return VALUE_SEPARATOR.join(v for v in cleaned if v)


def split_values(stored: str | None) -> tuple[str, ...]:
    """The values of a stored keyword field (inverse of :func:`join_values`)."""
    if not stored:
        return ()
    return tuple(v for v in stored.split(VALUE_SEPARATOR) if v)


def _words() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


def french_pipeline() -> CompositeAnalyzer:
    """The French analysis as a chain of Whoosh components (reference for FrenchTokenizer)."""
    return (
        _words()
        | LowercaseFilter()
        | ElisionFilter()
        | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=1)
        | FrenchStemFoldFilter()
    )


def french_analyzer() -> FrenchTokenizer:
    """Words, lowercase, elisions, short stop list, both stem/fold forms at one position."""
    return FrenchTokenizer()


def english_pipeline() -> CompositeAnalyzer:
    """The English analysis as a chain of Whoosh components (reference for EnglishTokenizer)."""
    return (
        _words()
        | LowercaseFilter()
        | ElisionFilter()
        | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=1)
        | EnglishStemFoldFilter()
    )


def english_analyzer() -> EnglishTokenizer:
    """Words, lowercase, English stop list, accents folded, Snowball English stemmer."""
    return EnglishTokenizer()


def title_words_analyzer() -> CompositeAnalyzer:
    """Every word of a title, lowercase and folded, no stemming: prefix suggestions."""
    return _words() | LowercaseFilter() | ElisionFilter() | FoldFilter()


def values_analyzer() -> ValuesTokenizer:
    """Exact keyword values, case kept (facets and filters)."""
    return ValuesTokenizer()


def analyze(analyzer: CompositeAnalyzer | Tokenizer, text: str) -> list[str]:
    """The terms an analyser makes of ``text`` (query mode; handy in tests and tools)."""
    return [t.text for t in analyzer(text, mode="query")]
