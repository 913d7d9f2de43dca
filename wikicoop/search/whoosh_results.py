"""The results of a Whoosh search: ranking, collecting, snippets and facet counts.

- **Ranking.** BM25F, Whoosh's formula, with the field lengths read once per segment
  (:class:`BM25F`); ``sort="date"`` orders by the ``updated_sort`` column instead.
- **Collecting.** One pass gives the top N and every matching page (:func:`collect`): the
  total and the facets do not depend on the results page asked for.
- **Snippets.** Up to two fragments of the stored page start around the matched words,
  escaped, the words in ``<mark>`` (:func:`hits`); the page start when nothing matched.
- **Facets.** Counted by intersecting the matched pages with each value's pages, read
  from the posting lists once per segment and kept (:class:`FacetCounter`).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Mapping
from typing import Any

from whoosh import collectors, columns, query, scoring, sorting
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from . import analysis
from .backend import SearchHit

#: length of a snippet fragment, and of the page start shown when nothing is highlighted
SNIPPET_CHARS = 200


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


class BM25F(scoring.BM25F):
    """BM25F (Whoosh's defaults) with the faster scorer above."""

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: float = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        B = self._field_B.get(fieldname, self.B)
        return _BM25FScorer(searcher, fieldname, text, B, self.K1, qf=qf)


def collect(
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
        order = sorting.MultiFacet([sorting.FieldFacet("updated_sort", reverse=True), "title_sort"])
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


def hits(searcher: Searcher, q: query.Query, ranked: list[tuple[int, float]]) -> list[SearchHit]:
    """Hits with snippets: the matched words of the page text, escaped, in ``<mark>``."""
    if not ranked:
        return []
    words = _snippet_terms(searcher, q)
    out = []
    for docnum, score in ranked:
        stored = searcher.stored_fields(docnum)
        body = stored.get("body") or ""
        language = "en" if stored.get("language") == "en" else "fr"
        terms = words.get("content_en" if language == "en" else "content", frozenset())
        spans = analysis.find_terms(body, terms, language) if terms else []
        out.append(
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
    return out


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


class FacetCounter:
    """Counts the facet values of matched pages, with each segment's table kept.

    Args:
        facet_fields: facet name -> schema field, the facets counted.
    """

    def __init__(self, facet_fields: Mapping[str, str]) -> None:
        self.facet_fields = dict(facet_fields)
        self._cache: dict[tuple, dict[str, dict[str, frozenset[int]]]] = {}
        self._lock = threading.Lock()

    def count(self, searcher: Searcher, docs: set[int]) -> dict[str, list[tuple[str, int]]]:
        """facet -> [(value, count)] over ``docs``, most frequent first, then by value.

        Counted by intersecting the matched documents with each value's documents, read
        from the posting lists once per segment (see :meth:`_tables`).
        """
        tables = self._tables(searcher) if docs else []
        out: dict[str, list[tuple[str, int]]] = {}
        for name in self.facet_fields:
            counts: dict[str, int] = {}
            for table in tables:
                for value, ids in table[name].items():
                    n = len(docs & ids) if len(ids) < len(docs) else len(ids & docs)
                    if n:
                        counts[value] = counts.get(value, 0) + n
            out[name] = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))
        return out

    def _tables(self, searcher: Searcher) -> list[dict[str, dict[str, frozenset[int]]]]:
        """For each segment: facet -> value -> its documents (global docnums).

        Cached by segment: a commit adds a small segment, whose table is the only one
        read again (~40 ms for 10,000 pages otherwise). Deletions need no update: deleted
        documents are never among the matched ones.
        """
        tables = []
        cache: dict[tuple, dict[str, dict[str, frozenset[int]]]] = {}
        with self._lock:
            old = self._cache
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
                    for name, fieldname in self.facet_fields.items()
                }
            cache[key] = table
            tables.append(table)
        with self._lock:
            self._cache = cache
        return tables


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
