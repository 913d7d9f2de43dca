"""The Whoosh search backend: one index directory, French-aware, safe with several processes.

Design notes (the measurements behind them are in shared/LIBRARIES.md):

- **Schema version.** The index is named ``wikicoop_v<SCHEMA_VERSION>_<hash of the plugin
  fields>`` inside the index directory, so the version is part of the index itself: a
  new version (or new plugin fields) is simply an index that does not exist yet, and
  :meth:`WhooshBackend.needs_rebuild` is ``True`` until :meth:`WhooshBackend.rebuild`
  has written it. Processes still running the old code keep reading the old index
  until the rebuild is committed; the rebuild then deletes the old files.
- **Writers.** One writer per batch, ``ix.writer(timeout=..., delay=0.05)``: a second
  process waits for the lock instead of failing, and :class:`IndexBusy` is raised when
  the lock cannot be had in time. ``AsyncWriter`` is not used (its thread dies with a
  killed worker and the index drifts silently): the wiki writes from its own indexing
  thread (:mod:`wikicoop.search.indexer`), never in a request, retries on
  :class:`IndexBusy` and checks for drift. Only the first :data:`MAX_INDEXED_CHARS` of a
  page are indexed, so that no page holds the lock for long.
- **Readers.** Every call reads the latest commit; the searcher is kept between calls and
  reopened only when a commit made a new generation. Calls in one process take turns on
  it (see :meth:`WhooshBackend._reading`). Segments are written as separate files, not
  one compound file, which Whoosh copies into memory at every open (~50 ms and 60 MB
  per process on 10,000 pages).
- **Languages.** French pages go to ``content`` (French analyser), English pages to
  ``content_en``; the title is indexed at the start of that field, its words weighing
  three times more. A query is built once per language and the two are OR-ed, so a word
  that is a stop word in one language is not required in the other.
- **Query syntax** (parsed here, not by Whoosh's parser, so that no input can raise
  anything but :class:`~wikicoop.search.backend.QueryError`): words (all required),
  ``"a phrase"`` (also « … » and “ … ”), ``-word`` / ``NOT word`` / ``SAUF word``,
  ``a OR b`` / ``a OU b`` (binds tighter than the implicit AND, as in web search
  engines), ``AND`` / ``ET`` (the default anyway), ``pref*`` (trailing star only, 3+
  letters), parentheses. Unbalanced quotes and parentheses are closed at the end, lone
  operators are ignored. When no page has all the words, the words are OR-ed instead
  (results still ranked by BM25F).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import html
import itertools
import json
import os
import re
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from whoosh import collectors, columns, fields, index, query, scoring, sorting
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, FileIndex, LockError
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length
from whoosh.writing import CLEAR, MERGE_SMALL, NO_MERGE, SegmentWriter

from . import analysis
from .backend import CORE_FACETS, QueryError, SearchDocument, SearchHit, SearchQuery, SearchResults

#: bump whenever the schema or the analysers change: the index must then be rebuilt
SCHEMA_VERSION = 2

#: longest query text kept (characters) and most words (and phrase words) kept
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
#: longer "words" are dropped from queries; deeper parentheses are ignored
MAX_WORD_CHARS = 100
MAX_QUERY_DEPTH = 8
#: results per page are clamped to this; no page starts beyond MAX_RESULT_OFFSET
MAX_PER_PAGE = 100
MAX_RESULT_OFFSET = 10_000
#: characters of a page stored for snippets (matched words are looked for in them)
SNIPPET_SOURCE_CHARS = 20_000
#: characters of a page's text that are indexed (cut at a space); the rest is not found.
#: Indexing costs about one stemming and one posting block per distinct word, under the
#: write lock: a 2 MB page of 250,000 distinct words held it for 11 s, stalling every other
#: page's update. 100,000 characters (about 40 printed pages) keep the worst case under a
#: second and leave ordinary pages whole (MediaWiki's CirrusSearch caps documents too).
MAX_INDEXED_CHARS = 100_000
#: length of a snippet fragment, and of the page start shown when nothing is highlighted
SNIPPET_CHARS = 200
#: a prefix query needs this many letters (``ec*`` would expand to half the vocabulary)
MIN_PREFIX_CHARS = 3
#: "did you mean" is only proposed when the query found fewer pages than this
SUGGEST_BELOW = 5
#: most titles :meth:`WhooshBackend.suggest_titles` returns
MAX_TITLE_SUGGESTIONS = 10
#: small segments left by saves before :meth:`WhooshBackend.maintain` merges them
SMALL_SEGMENTS_KEPT = 4
#: documents per progress report in :meth:`WhooshBackend.rebuild`
REBUILD_BATCH = 500
#: score added to a page whose whole title (or name without namespace) was typed
EXACT_TITLE_BONUS = 5.0
#: boost of the query-side derivational variants (écriture -> écrit)
VARIANT_BOOST = 0.5

_INDEX_PREFIX = "wikicoop_v"
#: sort key of pages without a date (last when newest come first)
_NO_DATE = -(2**62)
_FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_EXTRA_KINDS = ("keyword", "text")

#: facet/filter name -> schema field, for the core fields (same names)
_CORE_FIELDS = {name: name for name in CORE_FACETS}
#: names that can be filtered on but are not counted as facets
_FILTER_ONLY_FIELDS = {"authors": "authors", "language": "language"}
_RESERVED_NAMES = frozenset(
    {
        *_CORE_FIELDS,
        *_FILTER_ONLY_FIELDS,
        "page_id",
        "revision_id",
        "title",
        "content",
        "text",
        "updated",
        "author",
        "categories",
        "page_type",
    }
)


class SearchIndexError(RuntimeError):
    """Base class of the index problems the wiki should handle (log, retry, rebuild)."""


class IndexBusy(SearchIndexError):
    """Another process held the index's write lock for longer than ``writer_timeout``."""


class IndexNotReady(SearchIndexError):
    """The index is missing or was built with another schema: call ``rebuild()``."""


# --------------------------------------------------------------------------------------
# Query syntax: text -> a small tree (no Whoosh here)


@dataclass(frozen=True)
class _Word:
    text: str
    start: int  # offsets in the cleaned query text
    end: int
    prefix: bool = False


@dataclass(frozen=True)
class _Phrase:
    text: str


@dataclass(frozen=True)
class _Not:
    child: _Node


@dataclass(frozen=True)
class _Or:
    children: tuple[_Node, ...]


@dataclass(frozen=True)
class _And:
    children: tuple[_Node, ...]


_Node = _Word | _Phrase | _Not | _Or | _And

_AND_WORDS = frozenset({"AND", "ET"})
_OR_WORDS = frozenset({"OR", "OU"})
_NOT_WORDS = frozenset({"NOT", "SAUF"})
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"'})
_WORD_RE = re.compile(analysis.WORD_PATTERN)
_SPECIAL = '()"'


@dataclass
class _Lexer:
    """Splits cleaned query text into tokens: words, phrases, parentheses and operators."""

    text: str
    tokens: list[tuple[str, Any]] = field(default_factory=list)

    def run(self) -> list[tuple[str, Any]]:
        text, n, i, words = self.text, len(self.text), 0, 0
        while i < n and words < MAX_QUERY_TERMS:
            c = text[i]
            if c.isspace():
                i += 1
            elif c == '"':
                end = text.find('"', i + 1)
                end = n if end < 0 else end
                phrase = text[i + 1 : end]
                count = len(_WORD_RE.findall(phrase))
                if count:
                    if words + count > MAX_QUERY_TERMS:
                        kept = _WORD_RE.findall(phrase)[: MAX_QUERY_TERMS - words]
                        phrase, count = " ".join(kept), len(kept)
                    self.tokens.append(("phrase", _Phrase(phrase)))
                    words += count
                i = end + 1
            elif c in "()":
                self.tokens.append((c, None))
                i += 1
            elif c in "-+" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "-+)":
                if c == "-":
                    self.tokens.append(("not", None))
                i += 1
            else:
                j = i
                while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                    j += 1
                raw = text[i:j]
                if raw in _AND_WORDS:
                    self.tokens.append(("and", None))
                elif raw in _OR_WORDS:
                    self.tokens.append(("or", None))
                elif raw in _NOT_WORDS:
                    self.tokens.append(("not", None))
                elif _WORD_RE.search(raw):
                    prefix = raw.endswith("*")
                    self.tokens.append(("word", _Word(raw, i, j, prefix)))
                    words += 1
                i = max(j, i + 1)
        return self.tokens


class _Parser:
    """Recursive descent over the tokens; never fails (stray operators are dropped).

    Grammar: ``all := any*`` (implicit AND, ``AND`` ignored), ``any := unary (OR unary)*``,
    ``unary := (NOT | -) unary | "(" all ")" | word | phrase``.
    """

    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens = tokens
        self.i = 0

    def _kind(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def parse(self) -> _Node | None:
        return self._all(depth=0)

    def _all(self, depth: int) -> _Node | None:
        items: list[_Node] = []
        while (kind := self._kind()) is not None:
            if kind == ")":
                if depth:
                    break
                self.i += 1  # unbalanced ")": ignore it
            elif kind in ("and", "or"):
                self.i += 1  # operator without a left operand
            else:
                node = self._any(depth)
                if node is not None:
                    items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else _And(tuple(items))

    def _any(self, depth: int) -> _Node | None:
        items = []
        first = self._unary(depth)
        if first is not None:
            items.append(first)
        while self._kind() == "or":
            self.i += 1
            if self._kind() in ("or", "and", ")", None):
                continue
            node = self._unary(depth)
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else _Or(tuple(items))

    def _unary(self, depth: int) -> _Node | None:
        negations = 0
        while self._kind() == "not":  # NOT NOT x is x
            self.i += 1
            negations += 1
        while depth >= MAX_QUERY_DEPTH and self._kind() == "(":
            self.i += 1  # deeper parentheses are ignored
        kind = self._kind()
        if negations and kind in ("or", "and", ")", None):
            return None
        node: _Node | None = None
        if kind == "(":
            self.i += 1
            node = self._all(depth + 1)
            if self._kind() == ")":
                self.i += 1
        elif kind in ("word", "phrase"):
            node = self.tokens[self.i][1]
            self.i += 1
        if node is None or negations % 2 == 0:
            return node
        return _Not(node)


def _clean_query_text(text: object) -> str:
    """NFC, no control/format characters or lone surrogates, one space between words, capped."""
    if not isinstance(text, str):
        return ""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") else c for c in text)
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = " ".join(w for w in text.split() if len(w) <= MAX_WORD_CHARS)
    if len(text) > MAX_QUERY_CHARS:
        cut = text.rfind(" ", 0, MAX_QUERY_CHARS + 1)
        text = text[: cut if cut > MAX_QUERY_CHARS // 2 else MAX_QUERY_CHARS]
    return text


def parse_query_text(text: object) -> tuple[str, _Node | None]:
    """The cleaned text and its query tree (``None`` when there is nothing to search)."""
    cleaned = _clean_query_text(text)
    return cleaned, _Parser(_Lexer(cleaned).run()).parse()


def _has_positive(node: _Node | None) -> bool:
    """Whether the tree asks for at least one word (not only exclusions)."""
    if node is None or isinstance(node, _Not):
        return False
    if isinstance(node, (_Word, _Phrase)):
        return True
    return any(_has_positive(c) for c in node.children)


def _positive_words(node: _Node | None) -> Iterator[_Word]:
    """Plain words that are not excluded (the candidates for "did you mean")."""
    if isinstance(node, _Word):
        if not node.prefix:
            yield node
    elif isinstance(node, (_And, _Or)):
        for child in node.children:
            yield from _positive_words(child)


def _positive_count(node: _Node | None) -> int:
    if isinstance(node, _And):
        return sum(1 for c in node.children if not isinstance(c, _Not))
    return 1 if node is not None and not isinstance(node, _Not) else 0


# --------------------------------------------------------------------------------------
# Snippets


class _TopAndAllCollector(collectors.TopCollector):
    """The top N by score, and every matching docnum, in one pass.

    Whoosh's top-N collector prunes: it skips blocks whose best score cannot enter the
    top N, and every 10 matches it replaces the matcher by one without the branches
    that cannot reach the N-th score (``matcher.replace(minscore)``), so the count of
    matches (the total, the facets) would depend on the page asked for. Both are off
    here: the minimum score stays 0, so replacing only drops exhausted branches.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False)

    def _collect(self, global_docnum: int, score: float) -> float:
        self.docset.add(global_docnum)
        key = super()._collect(global_docnum, score)
        self.minscore = 0
        return key

    def all_ids(self) -> set[int]:
        return self.docset

    def count(self) -> int:
        return len(self.docset)


#: byte stored by Whoosh for a field length -> the (approximate) length it stands for
_LENGTH_OF_BYTE = tuple(byte_to_length(b) for b in range(256))


def _field_lengths(reader: Any, fieldname: str) -> list[int]:
    """Every document's length of ``fieldname`` in one leaf reader, read once and kept.

    Whoosh's scorer reads one length per matched posting through three layers of
    calls (a fifth of the time of a query matching most pages); a list indexed by
    docnum costs one lookup. Kept on the reader, so it lives as long as the searcher.
    """
    kept = reader.__dict__.setdefault("_wikicoop_lengths", {})
    lengths = kept.get(fieldname)
    if lengths is None:
        count = reader.doc_count_all()
        column = f"_{fieldname}_len"  # Whoosh 3 codec: one byte per document
        perdoc = getattr(reader, "_perdoc", None)  # the codec's reader of a segment
        cached_reader = getattr(perdoc, "_cached_reader", None)
        raw = cached_reader(column, LENGTHS_COLUMN) if cached_reader else None
        if isinstance(raw, columns.FixedBytesColumn.Reader) and raw._fixedlen == 1:
            # the whole column in one read (private attributes: whoosh-reloaded is pinned)
            data = raw._dbfile.get(raw._basepos, raw._count)
            lengths = [_LENGTH_OF_BYTE[b] or 1 for b in data]
            lengths += [1] * (count - len(lengths))
        else:
            lengths = [reader.doc_field_length(d, fieldname, 1) for d in range(count)]
        kept[fieldname] = lengths
    return lengths


class _BM25FScorer(scoring.BM25FScorer):
    """Whoosh's BM25F with the field lengths read from :func:`_field_lengths`."""

    def __init__(
        self, searcher: Searcher, fieldname: str, text: bytes, B: float, K1: float, qf: float = 1
    ) -> None:
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self._lengths = _field_lengths(searcher.reader(), fieldname)

    def score(self, matcher: Any) -> float:
        return self._score(matcher.weight(), self._lengths[matcher.id()])


class _BM25F(scoring.BM25F):
    """BM25F (Whoosh's defaults) with the faster scorer above."""

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: float = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        B = self._field_B.get(fieldname, self.B)
        return _BM25FScorer(searcher, fieldname, text, B, self.K1, qf=qf)


def _close_kept(kept: dict[str, Any]) -> None:
    """Close a backend's kept searcher, if any."""
    searcher, kept["searcher"], kept["generation"] = kept["searcher"], None, None
    if searcher is not None:
        searcher.close()


#: the columns searches read (opened with the searcher, see _open_lazy_files)
_COLUMNS = ("page_id", "revision_id", "updated_sort", "title_sort", "title_len", "title_keys")


def _open_lazy_files(searcher: Searcher) -> None:
    """Open the files Whoosh would open on first use: stored fields, lengths, columns.

    Segments are written as separate files (a compound file is copied into memory on
    every open: ~50 ms on 10,000 pages). Terms and postings are opened with the reader;
    the rest lazily, which a merge in another process could delete first. Open, they
    stay readable after deletion. Raises FileNotFoundError when one is already gone.
    """
    for leaf, _ in searcher.reader().leaf_readers():
        if not leaf.doc_count_all():
            continue
        try:
            leaf.stored_fields(0)
        except TypeError as exc:  # Whoosh finds no stored-fields file
            raise FileNotFoundError("stored fields of a merged segment") from exc
        for fieldname in ("content", "content_en"):
            leaf.doc_field_length(0, fieldname)
        for name in _COLUMNS:
            if leaf.has_column(name):
                leaf.column_reader(name)


def _indexed_part(text: str) -> str:
    """The first :data:`MAX_INDEXED_CHARS` characters of ``text``, not cutting a word."""
    if len(text) <= MAX_INDEXED_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_INDEXED_CHARS + 1)
    return text[: cut if cut > 0 else MAX_INDEXED_CHARS]


def _snippet(text: str, spans: list[tuple[int, int]]) -> str:
    """Up to two fragments of ~SNIPPET_CHARS around the matched words, escaped, words in <mark>.

    The fragments with the most different matched words win; they are shown in page order.
    """
    if not spans:
        return ""
    windows: list[tuple[int, int]] = []  # indexes of the first and last span of a window
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= SNIPPET_CHARS * 3 // 4:
            j += 1
        windows.append((i, j))
        i = j + 1

    def score(window: tuple[int, int]) -> tuple[int, int, int]:
        words = {text[a:b].lower() for a, b in spans[window[0] : window[1] + 1]}
        return (-len(words), -(window[1] - window[0]), window[0])

    chosen = sorted(sorted(windows, key=score)[:2])
    fragments = []
    for first, last in chosen:
        begin, end = spans[first][0], spans[last][1]
        room = max(0, SNIPPET_CHARS - (end - begin))
        start = max(0, begin - room // 2)
        if start > 0:
            cut = text.find(" ", start, begin)
            start = cut + 1 if cut >= 0 else begin
        stop = min(len(text), end + room - (begin - start))
        if stop < len(text):
            cut = text.rfind(" ", end, stop)
            stop = cut if cut >= 0 else end
        pieces, index = [], start
        for a, b in spans[first : last + 1]:
            pieces.append(html.escape(text[index:a], quote=True))
            pieces.append(f"<mark>{html.escape(text[a:b], quote=True)}</mark>")
            index = b
        pieces.append(html.escape(text[index:stop], quote=True))
        fragment = " ".join("".join(pieces).split())
        if start > 0:
            fragment = "… " + fragment
        if stop < len(text):
            fragment += " …"
        fragments.append(fragment)
    return " ".join(fragments).replace("… …", "…")


def _lead_snippet(text: str) -> str:
    """The first ~SNIPPET_CHARS characters of ``text``, cut at a word end, escaped."""
    text = " ".join(text[: SNIPPET_CHARS * 2].split())
    if len(text) > SNIPPET_CHARS:
        cut = text.rfind(" ", 0, SNIPPET_CHARS)
        text = text[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS] + " …"
    return html.escape(text, quote=True)


def _title_key_words(key: str) -> list[str]:
    """The words of a title key, as the ``title_words`` field holds them (elisions gone)."""
    return [analysis.strip_elision(w) for w in _WORD_RE.findall(key)]


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


# --------------------------------------------------------------------------------------
# The backend


class WhooshBackend:
    """A :class:`~wikicoop.search.backend.SearchBackend` on a Whoosh index directory.

    Args:
        index_dir: folder of the index (created by :meth:`rebuild`); keep it on a local disk.
        extra_fields: fields declared by plugins, name -> ``"keyword"`` (exact values,
            filterable, counted as a facet) or ``"text"`` (searched like page text).
        writer_timeout: seconds to wait for the write lock before :class:`IndexBusy`.

    One instance serves all the threads of a process: every write opens and commits its
    own writer; reads share one searcher, reopened after each commit, one call at a time.
    Nothing is read or written by the constructor. Methods other than
    :meth:`needs_rebuild`, :meth:`rebuild` and :meth:`indexed_revisions` raise
    :class:`IndexNotReady` while the index is missing or was built with another schema.
    """

    def __init__(
        self,
        index_dir: str | Path,
        *,
        extra_fields: Mapping[str, str] = {},
        writer_timeout: float = 10.0,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.writer_timeout = float(writer_timeout)
        for name, kind in extra_fields.items():
            if not _FIELD_NAME_RE.match(name) or name in _RESERVED_NAMES:
                raise ValueError(f"invalid search field name {name!r}")
            if kind not in _EXTRA_KINDS:
                raise ValueError(f"search field {name!r}: kind must be 'keyword' or 'text'")
        self.extra_fields: dict[str, str] = dict(sorted(extra_fields.items()))
        fingerprint = json.dumps(self.extra_fields, sort_keys=True).encode()
        digest = hashlib.sha1(fingerprint).hexdigest()[:8]
        self.index_name = f"{_INDEX_PREFIX}{SCHEMA_VERSION}_{digest}"
        self.schema = self._build_schema()
        self._keyword_extra = [n for n, k in self.extra_fields.items() if k == "keyword"]
        #: facet name -> schema field
        self._facet_fields = dict(_CORE_FIELDS) | {n: f"x_{n}" for n in self._keyword_extra}
        self._filter_fields = self._facet_fields | _FILTER_ONLY_FIELDS
        #: language -> the field that holds the title and text of the pages in it
        self._lang_fields = {"fr": "content", "en": "content_en"}
        self._ix: FileIndex | None = None
        self._ix_lock = threading.Lock()
        #: the kept searcher, in a holder the finalizer can close without this object
        self._kept: dict[str, Any] = {"searcher": None, "generation": None}
        weakref.finalize(self, _close_kept, self._kept)
        self._read_lock = threading.RLock()
        self._facet_cache: dict[tuple, dict[str, dict[str, frozenset[int]]]] = {}
        self._facet_lock = threading.Lock()
        self._title_cache: dict[tuple, _SegmentTitles] = {}

    # -- schema and documents ----------------------------------------------------------

    def _build_schema(self) -> fields.Schema:
        fr, en = analysis.french_analyzer(), analysis.english_analyzer()

        def values(stored: bool = True) -> fields.KEYWORD:
            return fields.KEYWORD(stored=stored, analyzer=analysis.values_analyzer())

        schema = fields.Schema(
            page_id=fields.ID(unique=True, stored=True, sortable=True),
            revision_id=fields.COLUMN(columns.NumericColumn("q")),
            language=fields.ID(stored=True),
            display_title=fields.STORED(),
            content=fields.TEXT(analyzer=fr, multitoken_query="or"),
            content_en=fields.TEXT(analyzer=en, multitoken_query="or"),
            body=fields.STORED(),
            namespace=values(),
            category=values(),
            type=values(),
            licence=values(),
            authors=values(),
            updated=fields.STORED(),
            updated_sort=fields.COLUMN(columns.NumericColumn("q", default=_NO_DATE)),
            title_sort=fields.COLUMN(columns.VarBytesColumn()),
            title_len=fields.COLUMN(columns.NumericColumn("i")),
            title_keys=fields.COLUMN(columns.VarBytesColumn()),
            title_start=values(stored=False),
            title_words=fields.KEYWORD(analyzer=analysis.title_words_analyzer()),
        )
        for name, kind in self.extra_fields.items():
            if kind == "keyword":
                schema.add(f"x_{name}", values())
            # "text" fields are indexed with the page text (see _document_fields)
        return schema

    def _document_fields(self, doc: SearchDocument) -> dict[str, Any]:
        """The Whoosh fields of one document."""
        title = unicodedata.normalize("NFC", doc.title)
        text = _indexed_part(unicodedata.normalize("NFC", doc.text))
        language = "en" if doc.language == "en" else "fr"
        suffix = "_en" if language == "en" else ""
        values_of = {
            name: [value] if isinstance(value, str) else [str(v) for v in value]
            for name, value in doc.fields.items()
            if name in self.extra_fields and value is not None
        }
        extra_text = [
            unicodedata.normalize("NFC", v)
            for name, kind in self.extra_fields.items()
            if kind == "text"
            for v in values_of.get(name, ())
        ]

        def clean(value: str) -> str:
            return value.replace(analysis.TITLE_MARK, " ")

        keys = [analysis.normalize_key(title)]
        if ":" in title and doc.namespace != "main":
            keys.append(analysis.normalize_key(title.split(":", 1)[1]))
        out: dict[str, Any] = {
            "page_id": str(int(doc.page_id)),
            "revision_id": int(doc.revision_id),
            "language": language,
            "display_title": title,
            # the title leads the text, its words weighing TITLE_BOOST times more
            "content" + suffix: "\n".join(
                [clean(title), analysis.TITLE_MARK, clean(text), *map(clean, extra_text)]
            ),
            "body": text[:SNIPPET_SOURCE_CHARS],
            "namespace": analysis.join_values([doc.namespace]),
            "category": analysis.join_values(doc.categories),
            "type": analysis.join_values([doc.page_type]),
            "licence": analysis.join_values([doc.licence]),
            "authors": analysis.join_values(doc.authors),
            "title_sort": keys[0].encode("utf-8"),
            "title_len": len(title),
            "title_keys": "\n".join(keys).encode("utf-8"),
            "title_start": analysis.join_values(keys),
            "title_words": title,
        }
        if doc.updated is not None:
            updated = doc.updated if doc.updated.tzinfo else doc.updated.replace(tzinfo=UTC)
            out["updated"] = updated.astimezone(UTC)
            out["updated_sort"] = int(updated.timestamp())
        for name in self._keyword_extra:
            if name in values_of:
                out[f"x_{name}"] = analysis.join_values(values_of[name])
        return out

    # -- opening -------------------------------------------------------------------------

    def _exists(self) -> bool:
        """Whether a commit of this index exists (a TOC file; nothing is opened or read)."""
        toc = re.compile(rf"^_{re.escape(self.index_name)}_\d+\.toc$")
        try:
            return any(toc.match(name) for name in os.listdir(self.index_dir))
        except OSError:
            return False

    def _open(self) -> FileIndex:
        """The index, or :class:`IndexNotReady`."""
        with self._ix_lock:
            if self._ix is not None and self._exists():
                return self._ix
            self._ix = None
            for attempt in range(10):
                try:
                    self._ix = index.open_dir(str(self.index_dir), indexname=self.index_name)
                    return self._ix
                except FileNotFoundError:
                    # a commit replaced the generation being read: read again
                    if not self._exists():
                        break
                    time.sleep(0.005 * (attempt + 1))
                except EmptyIndexError:
                    break
            raise IndexNotReady(
                f"no search index {self.index_name} in {self.index_dir}: run a rebuild"
            )

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Searcher]:
        """A searcher on the latest commit, for the duration of one call.

        The searcher is kept and reopened only when a commit has made a new generation:
        every call still reads the latest snapshot. Whoosh searchers are not
        thread-safe: calls take turns (searching is CPU-bound Python, so threads would not
        run in parallel anyway). A new searcher opens at once every file it will read
        (:func:`_open_lazy_files`), so a commit that merges segments and deletes their
        files cannot pull them from under it; if a commit deleted them first, the newer
        generation is opened instead.
        """
        with self._read_lock:
            ix = self._open()
            for attempt in range(10):
                try:
                    generation = ix.latest_generation()
                    kept = self._kept
                    if kept["searcher"] is None or kept["generation"] != generation:
                        _close_kept(kept)
                        searcher = ix.searcher(weighting=_BM25F())
                        try:
                            _open_lazy_files(searcher)
                        except BaseException:
                            searcher.close()
                            raise
                        kept["searcher"] = searcher
                        kept["generation"] = searcher.reader().generation()
                    break
                except FileNotFoundError:
                    # a commit replaced the generation being opened: open the new one
                    if attempt == 9:
                        raise
                    time.sleep(0.005 * (attempt + 1))
            yield self._kept["searcher"]

    def close(self) -> None:
        """Close the files of the kept searcher (also done when the object is collected)."""
        with self._read_lock:
            _close_kept(self._kept)

    def _writer(self, ix: FileIndex) -> SegmentWriter:
        try:
            return ix.writer(timeout=self.writer_timeout, delay=0.05, compound=False)
        except LockError as exc:
            raise IndexBusy(
                f"the search index is locked by another writer (waited {self.writer_timeout} s)"
            ) from exc

    def needs_rebuild(self) -> bool:
        """True when the index directory is missing or empty, or holds another schema version."""
        return not self._exists()

    # -- writing -------------------------------------------------------------------------

    def index_pages(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace these pages in one commit (the last document of a page wins)."""
        latest = {int(doc.page_id): doc for doc in documents}
        if not latest:
            return
        prepared = [self._document_fields(doc) for doc in latest.values()]
        writer = self._writer(self._open())
        try:
            for fields_ in prepared:
                writer.update_document(**fields_)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=NO_MERGE)  # merging is left to maintain()

    def remove_pages(self, page_ids: Iterable[int]) -> None:
        """Forget these pages (one commit)."""
        ids = sorted({int(p) for p in page_ids})
        if not ids:
            return
        writer = self._writer(self._open())
        try:
            for page_id in ids:
                writer.delete_by_term("page_id", str(page_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=NO_MERGE)

    def maintain(self) -> None:
        """Merge the small segments that saves left, once there are more than
        :data:`SMALL_SEGMENTS_KEPT` of them.

        Saves commit without merging (a merge inside a save took 100–370 ms on 10,000
        pages, measured in bench/bench_search.py); the wiki calls this after the response
        is sent. Skipped when another process holds the write lock: it will merge later.
        """
        if not self._exists():
            return
        ix = self._open()
        if len(ix._segments()) <= SMALL_SEGMENTS_KEPT + 1:
            return
        try:
            writer = ix.writer(timeout=0.0, compound=False)
        except LockError:
            return
        writer.commit(mergetype=MERGE_SMALL)

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Replace the whole index with ``documents`` in one commit.

        Searches keep seeing the previous index until the commit (the new segment then
        replaces every old one at once). The write lock is held throughout, so page saves
        meanwhile wait and may get :class:`IndexBusy`: their pages are in ``documents``
        only if the caller read them after the save. ``progress(n)`` is called every
        :data:`REBUILD_BATCH` documents and once at the end.
        """
        self.index_dir.mkdir(parents=True, exist_ok=True)
        storage = FileStorage(str(self.index_dir))
        lock = storage.lock(self.index_name + "_WRITELOCK")
        deadline = time.monotonic() + self.writer_timeout
        while not lock.acquire():
            if time.monotonic() >= deadline:
                raise IndexBusy("the search index is locked by another writer")
            time.sleep(0.05)
        try:
            if not self._exists():
                FileIndex.create(storage, self.schema, self.index_name)
            ix = FileIndex(storage, indexname=self.index_name)
            writer = SegmentWriter(ix, _lk=False, limitmb=128, compound=False)
            count = 0
            seen: set[str] = set()
            try:
                for doc in documents:
                    fields_ = self._document_fields(doc)
                    if fields_["page_id"] in seen:
                        continue
                    seen.add(fields_["page_id"])
                    writer.add_document(**fields_)
                    count += 1
                    if progress is not None and count % REBUILD_BATCH == 0:
                        progress(count)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=CLEAR)
        finally:
            lock.release()
        with self._ix_lock:
            self._ix = None
        self._remove_other_indexes(storage)
        if progress is not None and (count == 0 or count % REBUILD_BATCH):
            progress(count)

    def _remove_other_indexes(self, storage: FileStorage) -> None:
        """Delete the files of indexes of other schema versions (best effort)."""
        own = (f"_{self.index_name}_", f"{self.index_name}_")
        for name in list(storage.list()):
            stripped = name.lstrip("_")
            if stripped.startswith(_INDEX_PREFIX) and not name.startswith(own):
                with contextlib.suppress(OSError):
                    storage.delete_file(name)

    # -- reading -------------------------------------------------------------------------

    def indexed_revisions(self) -> dict[int, int]:
        """page id -> revision id of every indexed page (``{}`` when there is no index)."""
        if not self._exists():
            return {}
        with self._reading() as searcher:
            reader = searcher.reader()
            if reader.doc_count() == 0:
                return {}
            pages = reader.column_reader("page_id")
            revisions = reader.column_reader("revision_id")
            return {int(pages[d]): int(revisions[d]) for d in reader.all_doc_ids()}

    def suggest_titles(self, prefix: str, limit: int = 10) -> list[str]:
        """Titles whose start, or the start of one of their words, is ``prefix``.

        Accents and case are ignored ("eco" finds "École", "bell" finds "Papi Bellevue").
        Titles that start with the prefix come first, then titles with a word that does;
        shorter titles first within each group; at most :data:`MAX_TITLE_SUGGESTIONS`.
        Read from sorted in-memory tables (see :class:`_SegmentTitles`): a short prefix
        such as "pa" would otherwise expand to a posting list per title.
        """
        limit = max(0, min(int(limit), MAX_TITLE_SUGGESTIONS))
        key = analysis.normalize_key(_clean_query_text(prefix))
        if not limit or not key:
            return []
        words = _title_key_words(key)
        starts: dict[int, tuple[int, str]] = {}  # global docnum -> sort key
        inside: dict[int, tuple[int, str]] = {}
        with self._reading() as searcher:
            for leaf, offset, table in self._title_tables(searcher):
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

    def _title_tables(self, searcher: Searcher) -> list[tuple[Any, int, _SegmentTitles]]:
        """(leaf reader, docnum offset, title table) of each segment, cached by segment."""
        out = []
        cache: dict[tuple, _SegmentTitles] = {}
        with self._facet_lock:
            old = self._title_cache
        for leaf, offset in searcher.reader().leaf_readers():
            segment = getattr(leaf, "segment", lambda: None)()
            if segment is None or not leaf.doc_count_all():
                continue
            key = (segment.segment_id(), leaf.doc_count_all())
            table = old.get(key) or _SegmentTitles.read(leaf)
            cache[key] = table
            out.append((leaf, offset, table))
        with self._facet_lock:
            self._title_cache = cache
        return out

    def search(self, query: SearchQuery) -> SearchResults:
        """Run a query in the wiki's syntax (see the module docstring).

        Raises:
            QueryError: empty query, only excluded words, only very common words, or an
                unknown filter name.
            IndexNotReady: no index yet.
        """
        text, tree = parse_query_text(query.text)
        if tree is None:
            raise QueryError("no-words")
        if not _has_positive(tree):
            raise QueryError("only-exclusions")
        filter_query = self._filter_query(query.filters)
        per_page = max(1, min(int(query.per_page), MAX_PER_PAGE))
        page = max(1, min(int(query.page), max(1, MAX_RESULT_OFFSET // per_page)))

        with self._reading() as searcher:
            wq = self._tree_query(tree, all_words=True)
            if wq is None:
                raise QueryError("too-common")
            limit = page * per_page
            ranked, docs = self._collect(searcher, wq, filter_query, limit, query.sort)
            fell_back = False
            if not docs and _positive_count(tree) > 1:
                any_q = self._tree_query(tree, all_words=False)
                if any_q is not None:
                    wq, fell_back = any_q, True
                    ranked, docs = self._collect(searcher, wq, filter_query, limit, query.sort)

            start = (page - 1) * per_page
            hits = self._hits(searcher, wq, ranked[start:])
            facets = self._facets(searcher, docs)
            suggestion = None
            if fell_back or len(docs) < SUGGEST_BELOW:
                allowed = None
                if filter_query is not None:
                    allowed = set(searcher.docs_for_query(filter_query))
                struggling = fell_back or not docs
                suggestion = self._did_you_mean(searcher, text, tree, allowed, struggling)
        return SearchResults(
            total=len(docs), hits=tuple(hits), facets=facets, suggestion=suggestion
        )

    # -- search helpers ------------------------------------------------------------------

    def _filter_query(self, filters: Mapping[str, str]) -> query.Query | None:
        terms = []
        for name, value in filters.items():
            if name not in self._filter_fields:
                raise QueryError("unknown-filter", name=name)
            value = _clean_query_text(value)
            if value:
                terms.append(query.Term(self._filter_fields[name], value))
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else query.And(terms)

    @staticmethod
    def _matching(searcher: Searcher, q: query.Query, allowed: set[int] | None) -> set[int]:
        docs = set(searcher.docs_for_query(q))
        return docs & allowed if allowed is not None else docs

    @staticmethod
    def _collect(
        searcher: Searcher,
        q: query.Query,
        filter_query: query.Query | None,
        limit: int,
        sort: str,
    ) -> tuple[list[tuple[int, float]], set[int]]:
        """One pass over the matches: the first ``limit`` (docnum, score) in order, and every
        matching docnum (scores are 0 when sorted by date)."""
        collector: collectors.Collector
        if sort == "date":
            order = sorting.MultiFacet(
                [sorting.FieldFacet("updated_sort", reverse=True), "title_sort"]
            )
            collector = collectors.SortingCollector(order, limit=limit)
        else:
            collector = _TopAndAllCollector(limit)
        if filter_query is not None:
            collector = collectors.FilterCollector(collector, allow=filter_query)
        searcher.search_with_collector(q, collector)
        top = collector.results().top_n
        if sort == "date":
            ranked = [(docnum, 0.0) for _, docnum in top]
        else:
            ranked = [(docnum, float(score)) for score, docnum in top]
        return ranked, set(collector.all_ids())

    def _hits(
        self, searcher: Searcher, q: query.Query, ranked: list[tuple[int, float]]
    ) -> list[SearchHit]:
        """Hits with snippets: the matched words of the page text, escaped, in ``<mark>``."""
        if not ranked:
            return []
        words = self._snippet_terms(searcher, q)
        hits = []
        for docnum, score in ranked:
            stored = searcher.stored_fields(docnum)
            body = stored.get("body") or ""
            language = "en" if stored.get("language") == "en" else "fr"
            terms = words.get("content_en" if language == "en" else "content", frozenset())
            spans = analysis.find_terms(body, terms, language) if terms else []
            hits.append(
                SearchHit(
                    page_id=int(stored["page_id"]),
                    title=stored.get("display_title", ""),
                    namespace=next(iter(analysis.split_values(stored.get("namespace"))), ""),
                    page_type=next(iter(analysis.split_values(stored.get("type"))), ""),
                    score=score,
                    snippet_html=_snippet(body, spans) or _lead_snippet(body),
                    updated=stored.get("updated"),
                )
            )
        return hits

    @staticmethod
    def _snippet_terms(searcher: Searcher, q: query.Query) -> dict[str, frozenset[str]]:
        """The page-text terms of the query, prefixes expanded: field -> terms."""
        reader = searcher.reader()
        words: dict[str, set[str]] = {"content": set(), "content_en": set()}
        for leaf in q.leaves():
            fieldname = leaf.field()
            if fieldname not in words:
                continue
            if isinstance(leaf, query.Prefix):
                expansions = reader.expand_prefix(fieldname, leaf.text)
                for _, term in zip(range(1000), expansions, strict=False):
                    words[fieldname].add(term.decode("utf-8"))
            elif isinstance(leaf, query.Term):
                words[fieldname].add(leaf.text)
        return {name: frozenset(terms) for name, terms in words.items()}

    def _facets(self, searcher: Searcher, docs: set[int]) -> dict[str, list[tuple[str, int]]]:
        """facet -> [(value, count)] over ``docs``, most frequent first, then by value.

        Counted by intersecting the matched documents with each value's documents, read
        from the posting lists once per segment (see :meth:`_facet_tables`).
        """
        tables = self._facet_tables(searcher) if docs else []
        out: dict[str, list[tuple[str, int]]] = {}
        for name in self._facet_fields:
            counts: dict[str, int] = {}
            for table in tables:
                for value, ids in table[name].items():
                    n = len(docs & ids) if len(ids) < len(docs) else len(ids & docs)
                    if n:
                        counts[value] = counts.get(value, 0) + n
            out[name] = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))
        return out

    def _facet_tables(self, searcher: Searcher) -> list[dict[str, dict[str, frozenset[int]]]]:
        """For each segment: facet -> value -> its documents (global docnums).

        Cached by segment: a commit adds a small segment, whose table is the only one
        read again (~40 ms for 10,000 pages otherwise). Deletions need no update: deleted
        documents are never among the matched ones.
        """
        tables = []
        cache: dict[tuple, dict[str, dict[str, frozenset[int]]]] = {}
        with self._facet_lock:
            old = self._facet_cache
        for leaf, offset in searcher.reader().leaf_readers():
            segment = getattr(leaf, "segment", lambda: None)()
            if segment is None:
                continue
            key = (segment.segment_id(), offset, leaf.doc_count_all())
            table = old.get(key)
            if table is None:
                table = {
                    name: {
                        value: frozenset(
                            offset + d for d in leaf.postings(fieldname, value).all_ids()
                        )
                        for value in leaf.field_terms(fieldname)
                    }
                    for name, fieldname in self._facet_fields.items()
                }
            cache[key] = table
            tables.append(table)
        with self._facet_lock:
            self._facet_cache = cache
        return tables

    # query trees -> Whoosh queries

    def _tree_query(self, tree: _Node, *, all_words: bool) -> query.Query | None:
        """One query per language, OR-ed (a page has one language).

        Every word is looked for in the language's content field, which holds the title
        (its words weigh more) and the text: one clause per word keeps the matching fast.
        The whole title typed exactly adds a bonus (an optional clause).
        """
        exact = self._exact_title_term(tree)
        parts = []
        for lang in ("fr", "en"):
            core = self._node_query(tree, self._lang_fields[lang], all_words)
            if core is None:
                continue
            parts.append(query.AndMaybe(core, exact) if exact is not None else core)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.Or(parts)

    @staticmethod
    def _exact_title_term(tree: _Node) -> query.Query | None:
        """A bonus for the page whose whole title (or name) was typed: "papi kerourien"
        ranks « Papi Kerourien » above « Papi Kerourien-Est »."""
        if isinstance(tree, _Word):
            words = [tree]
        elif isinstance(tree, _And) and all(isinstance(c, _Word) for c in tree.children):
            words = list(tree.children)
        else:
            return None
        if any(w.prefix for w in words):
            return None
        key = analysis.normalize_key(" ".join(w.text for w in words))
        return query.Term("title_start", key, boost=EXACT_TITLE_BONUS)

    def _node_query(self, node: _Node, fieldname: str, all_words: bool) -> query.Query | None:
        if isinstance(node, _Word):
            return self._word_query(node, fieldname)
        if isinstance(node, _Phrase):
            return self._fields_query(node.text, fieldname, phrase=True)
        if isinstance(node, _Not):
            child = self._node_query(node.child, fieldname, all_words)
            return query.Not(child) if child is not None else None
        children = [self._node_query(c, fieldname, all_words) for c in node.children]
        if isinstance(node, _Or):
            subs = [c for c in children if c is not None and not isinstance(c, query.Not)]
            if not subs:
                return None
            return subs[0] if len(subs) == 1 else query.Or(subs)
        positive = [c for c in children if c is not None and not isinstance(c, query.Not)]
        negative = [c for c in children if isinstance(c, query.Not)]
        if not positive:
            return None
        if all_words:
            core: query.Query = positive[0] if len(positive) == 1 else query.And(positive)
        else:
            core = positive[0] if len(positive) == 1 else query.Or(positive)
        return query.And([core, *negative]) if negative else core

    def _word_query(self, word: _Word, fieldname: str) -> query.Query | None:
        if word.prefix:
            stem = word.text.rstrip("*")
            core = analysis.fold(analysis.strip_elision(stem.lower()))
            pieces = re.findall(r"\w+", core)
            if pieces and len(pieces[-1]) >= MIN_PREFIX_CHARS:
                head = [self._fields_query(p, fieldname) for p in pieces[:-1]]
                tail = self._prefix_query(pieces[-1], fieldname)
                parts = [q for q in (*head, tail) if q is not None]
                return parts[0] if len(parts) == 1 else query.And(parts)
            return self._fields_query(stem, fieldname)
        return self._fields_query(word.text, fieldname)

    @staticmethod
    def _prefix_query(prefix: str, fieldname: str) -> query.Query:
        """Terms starting with the prefix, or with its stem (``universite*`` -> ``universit``)."""
        english = fieldname.endswith("_en")
        stem = analysis.english_stem(prefix) if english else analysis.french_stem(prefix)
        forms = [f for f in dict.fromkeys((prefix, stem)) if len(f) >= MIN_PREFIX_CHARS - 1]
        subs = [query.Prefix(fieldname, form) for form in forms or [prefix]]
        return subs[0] if len(subs) == 1 else query.Or(subs)

    def _fields_query(self, text: str, fieldname: str, phrase: bool = False) -> query.Query | None:
        """``text`` analysed by the field's analyser.

        Forms at the same position are OR-ed; several positions (a phrase, or a word
        like "Saint-Étienne") must follow each other. French terms also match their
        derivational variants, with a lower weight.
        """
        analyzer = self.schema[fieldname].analyzer
        french = not fieldname.endswith("_en")
        groups: dict[int, list[str]] = {}
        for token in analyzer(text, positions=True, mode="query"):
            groups.setdefault(token.pos, [])
            if token.text not in groups[token.pos]:
                groups[token.pos].append(token.text)
        if not groups:
            return None
        positions = []
        for forms in groups.values():
            terms = [query.Term(fieldname, f) for f in forms]
            if french and not phrase:
                extra = {v for f in forms for v in analysis.french_query_variants(f)}
                terms += [
                    query.Term(fieldname, v, boost=VARIANT_BOOST)
                    for v in sorted(extra - set(forms))
                ]
            positions.append(terms[0] if len(terms) == 1 else query.Or(terms))
        return positions[0] if len(positions) == 1 else query.Sequence(positions)

    # did you mean

    def _word_known(self, searcher: Searcher, word: str, languages: tuple[str, ...]) -> bool:
        """Whether some form of ``word`` is indexed (stop words count as known)."""
        reader = searcher.reader()
        for lang in languages:
            for fieldname in (self._lang_fields[lang],):
                forms = [t.text for t in self.schema[fieldname].analyzer(word, mode="query")]
                if not forms:
                    return True
                if lang == "fr":
                    forms += [v for f in forms for v in analysis.french_query_variants(f)]
                if any(reader.doc_frequency(fieldname, f) for f in forms):
                    return True
        return False

    def _correct_word(self, searcher: Searcher, word: str) -> str | None:
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
            analyzer = self.schema[fieldname].analyzer
            forms = [t.text for t in analyzer(word, mode="query")]
            if not forms:
                return None
            corrector = searcher.corrector(fieldname)
            for form in dict.fromkeys(forms):
                for candidate in corrector.suggest(form, limit=3, maxdist=maxdist, prefix=1):
                    surface = self._surface_word(searcher, fieldname, candidate)
                    if surface is None or surface == word:
                        continue
                    distance = _edit_distance(folded, analysis.fold(surface))
                    if distance > maxdist:
                        continue
                    key = (distance, -reader.doc_frequency(fieldname, candidate), surface)
                    if best is None or key < best:
                        best = key
        return best[2] if best else None

    def _surface_word(self, searcher: Searcher, fieldname: str, term: str) -> str | None:
        """A word of the pages that the analyser of ``fieldname`` turns into ``term``."""
        analyzer = self.schema[fieldname].analyzer
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

    def _did_you_mean(
        self,
        searcher: Searcher,
        text: str,
        tree: _Node,
        allowed: set[int] | None,
        struggling: bool,
    ) -> str | None:
        """The query with unknown words replaced by the closest indexed word, if it finds pages.

        A word is unknown when no page has it; when the query found nothing with all its
        words (``struggling``), a word only English pages have (often a French typo that
        the English stemmer happens to cut down to a known stem) is corrected too.
        """
        languages = ("fr",) if struggling else ("fr", "en")
        replacements: list[tuple[int, int, str]] = []
        for word in _positive_words(tree):
            for match in _WORD_RE.finditer(word.text):
                raw = match.group(0)
                if self._word_known(searcher, raw, languages):
                    continue
                core = analysis.strip_elision(raw.lower())
                if len(core) < 3:
                    continue
                replacement = self._correct_word(searcher, core)
                if not replacement:
                    continue
                head = raw[: len(raw) - len(core)]
                if raw[len(head) : len(head) + 1].isupper():
                    replacement = replacement[:1].upper() + replacement[1:]
                start = word.start + match.start()
                replacements.append((start + len(head), word.start + match.end(), replacement))
        if not replacements:
            return None
        corrected = text
        for start, end, replacement in sorted(replacements, reverse=True):
            corrected = corrected[:start] + replacement + corrected[end:]
        if corrected == text:
            return None
        _, new_tree = parse_query_text(corrected)
        if new_tree is None:
            return None
        for all_words in (True, False):
            q = self._tree_query(new_tree, all_words=all_words)
            if q is not None and self._matching(searcher, q, allowed):
                return corrected
        return None


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (small words only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
