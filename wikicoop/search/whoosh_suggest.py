"""Suggestions: titles for a typed prefix, and "did you mean" for a query with typos.

- **Titles** (:class:`TitleFinder`): whose start, or the start of one of their words, is
  the prefix typed, accents and case ignored. Read from sorted in-memory tables built
  from the ``title_keys`` and ``title_len`` columns, one per segment, kept: a short
  prefix such as "pa" would otherwise expand to a posting list per title.
- **Did you mean** (:func:`did_you_mean`): the query with its unknown words replaced by
  the closest indexed words, proposed only if it finds pages. There is no separate
  spelling field (it doubled the indexing time): the index's own terms are used.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import fields, query
from whoosh.searching import Searcher

from . import analysis
from .corrections import corrected_text, edit_distance
from .query_syntax import WORD_RE, Node, parse_query_text
from .whoosh_query import QueryBuilder
from .whoosh_schema import LANG_FIELDS, SNIPPET_SOURCE_CHARS


def _title_key_words(key: str) -> list[str]:
    """The words of a title key, as the ``title_words`` field holds them (elisions gone)."""
    return [analysis.strip_elision(w) for w in WORD_RE.findall(key)]


@dataclass(frozen=True)
class _SegmentTitles:
    """The titles of one segment, sorted for prefix look-ups (segments never change).

    ``keys`` holds (title key, docnum) for the whole title and for the name without
    its namespace; ``words`` holds (word, docnum) for each word of a title; ``order``
    is each docnum's sort key for suggestions (title length, title key).
    """

    keys: list[tuple[str, int]]
    words: list[tuple[str, int]]
    words_of: dict[int, frozenset[str]]
    order: dict[int, tuple[int, str]]

    @classmethod
    def read(cls, leaf: Any) -> _SegmentTitles:
        """Read from the ``title_keys`` and ``title_len`` columns (~100 ms per 10,000 pages)."""
        keys_column = leaf.column_reader("title_keys")
        lengths = leaf.column_reader("title_len")
        keys, words, words_of, order = [], [], {}, {}
        for docnum in range(leaf.doc_count_all()):
            title_keys = keys_column[docnum].decode("utf-8").split("\n")
            keys.extend((k, docnum) for k in title_keys if k)
            own = frozenset(_title_key_words(title_keys[0]))
            words.extend((w, docnum) for w in own)
            words_of[docnum] = own
            order[docnum] = (lengths[docnum], title_keys[0])
        keys.sort()
        words.sort()
        return cls(keys, words, words_of, order)

    @staticmethod
    def _prefixed(pairs: list[tuple[str, int]], prefix: str) -> Iterator[int]:
        start = bisect.bisect_left(pairs, (prefix, -1))
        for text, docnum in itertools.islice(pairs, start, None):
            if not text.startswith(prefix):
                break
            yield docnum

    def starting_with(self, key: str) -> set[int]:
        """Docnums whose title (or name without namespace) starts with ``key``."""
        return set(self._prefixed(self.keys, key))

    def with_words(self, whole: list[str], last_prefix: str) -> set[int]:
        """Docnums whose title has every word of ``whole`` and a word starting with
        ``last_prefix``."""
        needed = frozenset(whole)
        return {
            docnum
            for docnum in self._prefixed(self.words, last_prefix)
            if needed <= self.words_of[docnum]
        }


class TitleFinder:
    """Finds titles by prefix, with each segment's title table kept between calls."""

    def __init__(self) -> None:
        self._cache: dict[tuple, _SegmentTitles] = {}
        self._lock = threading.Lock()

    def find(self, searcher: Searcher, key: str, limit: int) -> list[str]:
        """At most ``limit`` titles whose start, or a word's start, is ``key`` (a title key).

        Titles that start with the key come first, then titles with a word that does;
        shorter titles first within each group.
        """
        words = _title_key_words(key)
        starts: dict[int, tuple[int, str]] = {}  # global docnum -> sort key
        inside: dict[int, tuple[int, str]] = {}
        for leaf, offset, table in self._tables(searcher):
            for docnum in table.starting_with(key):
                if not leaf.is_deleted(docnum):
                    starts[offset + docnum] = table.order[docnum]
            if words:
                for docnum in table.with_words(words[:-1], words[-1]):
                    if offset + docnum not in starts and not leaf.is_deleted(docnum):
                        inside[offset + docnum] = table.order[docnum]
        chosen = sorted(starts, key=starts.__getitem__)[:limit]
        chosen += sorted(inside, key=inside.__getitem__)[: limit - len(chosen)]
        return [searcher.stored_fields(d)["display_title"] for d in chosen]

    def _tables(self, searcher: Searcher) -> list[tuple[Any, int, _SegmentTitles]]:
        """(leaf reader, docnum offset, title table) of each segment, cached by segment."""
        out = []
        cache: dict[tuple, _SegmentTitles] = {}
        with self._lock:
            old = self._cache
        for leaf, offset in searcher.reader().leaf_readers():
            segment = getattr(leaf, "segment", lambda: None)()
            if segment is None or not leaf.doc_count_all():
                continue
            key = (segment.segment_id(), leaf.doc_count_all())
            table = old.get(key) or _SegmentTitles.read(leaf)
            cache[key] = table
            out.append((leaf, offset, table))
        with self._lock:
            self._cache = cache
        return out


# --------------------------------------------------------------------------------------
# Did you mean


def did_you_mean(
    searcher: Searcher,
    queries: QueryBuilder,
    text: str,
    tree: Node,
    allowed: set[int] | None,
    struggling: bool,
) -> str | None:
    """The query with unknown words replaced by the closest indexed word, if it finds pages.

    A word is unknown when no page has it; when the query found nothing with all its
    words (``struggling``), a word only English pages have (often a French typo that
    the English stemmer happens to cut down to a known stem) is corrected too.
    """
    languages = ("fr",) if struggling else ("fr", "en")
    corrected = corrected_text(
        text,
        tree,
        lambda raw: _word_known(searcher, queries.schema, raw, languages),
        lambda core: _correct_word(searcher, queries.schema, core),
    )
    if corrected is None:
        return None
    _, new_tree = parse_query_text(corrected)
    if new_tree is None:
        return None
    for all_words in (True, False):
        q = queries.tree_query(new_tree, all_words=all_words)
        if q is not None and _matching(searcher, q, allowed):
            return corrected
    return None


def _word_known(
    searcher: Searcher, schema: fields.Schema, word: str, languages: tuple[str, ...]
) -> bool:
    """Whether some form of ``word`` is indexed (stop words count as known)."""
    reader = searcher.reader()
    for lang in languages:
        for fieldname in (LANG_FIELDS[lang],):
            forms = [t.text for t in schema[fieldname].analyzer(word, mode="query")]
            if not forms:
                return True
            if lang == "fr":
                forms += [v for f in forms for v in analysis.french_query_variants(f)]
            if any(reader.doc_frequency(fieldname, f) for f in forms):
                return True
    return False


def _correct_word(searcher: Searcher, schema: fields.Schema, word: str) -> str | None:
    """The indexed word closest to ``word`` (lowercase, elision removed), or None.

    There is no separate spelling field (it doubled the indexing time). The index's
    corrector proposes the nearest indexed terms of the title words (whole words,
    folded) and of the page text (stems); the word a term came from is read back
    from a page that has it, and the closest word to what was typed wins.
    """
    best: tuple[int, int, str] | None = None  # (distance to word, -frequency, word)
    reader = searcher.reader()
    maxdist = 1 if len(word) <= 5 else 2
    folded = analysis.fold(word)
    # title words are indexed whole (folded): typos in endings are found there;
    # page text is indexed as stems, where a typo may change the stem
    for fieldname in ("title_words", "content", "content_en"):
        analyzer = schema[fieldname].analyzer
        forms = [t.text for t in analyzer(word, mode="query")]
        if not forms:
            return None
        corrector = searcher.corrector(fieldname)
        for form in dict.fromkeys(forms):
            for candidate in corrector.suggest(form, limit=3, maxdist=maxdist, prefix=1):
                surface = _surface_word(searcher, schema, fieldname, candidate)
                if surface is None or surface == word:
                    continue
                distance = edit_distance(folded, analysis.fold(surface))
                if distance > maxdist:
                    continue
                key = (distance, -reader.doc_frequency(fieldname, candidate), surface)
                if best is None or key < best:
                    best = key
    return best[2] if best else None


def _surface_word(
    searcher: Searcher, schema: fields.Schema, fieldname: str, term: str
) -> str | None:
    """A word of the pages that the analyser of ``fieldname`` turns into ``term``."""
    analyzer = schema[fieldname].analyzer
    stored_name = "display_title" if fieldname == "title_words" else "body"
    counts: dict[str, int] = {}
    postings = searcher.reader().postings(fieldname, term)
    for _, docnum in zip(range(3), postings.all_ids(), strict=False):
        text = searcher.stored_fields(docnum).get(stored_name) or ""
        for token in analyzer(text[:SNIPPET_SOURCE_CHARS], chars=True, mode="index"):
            if token.text == term:
                original = text[token.startchar : token.endchar].lower()
                surface = analysis.strip_elision(original)
                counts[surface] = counts.get(surface, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda w: (counts[w], -len(w)))


def _matching(searcher: Searcher, q: query.Query, allowed: set[int] | None) -> set[int]:
    """The pages ``q`` finds, among ``allowed`` (all when ``None``)."""
    docs = set(searcher.docs_for_query(q))
    return docs & allowed if allowed is not None else docs
