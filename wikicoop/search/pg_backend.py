"""The PostgreSQL full-text search backend (``SEARCH_BACKEND=postgresql``).

The entries live in the wiki's own database (``search_entries``, ``search_facets``,
migration 0008), written in the transaction of the revision they show (see
:mod:`wikicoop.search`): search is always in step with the pages, with nothing to
queue, retry or repair, and every server of a multi-server install sees the same.

- **Words.** Each page's ``tsvector`` goes through the configuration of its language
  (``wikicoop_fr`` / ``wikicoop_en``: PostgreSQL's French and English stemmers after
  ``unaccent``), title weighted A, the plugins' text fields B, the text C; a GIN index
  finds them. A query is translated per language (:mod:`.pg_query`) and a page is
  matched by its own language's query.
- **Ranking.** ``ts_rank`` (weights D 0.1, C 0.2, B 0.4, A 1.0, rank divided by
  1 + log of the length) plus a bonus when the whole title was typed; ``sort="date"``
  orders by date. When no page has all the words, the words are OR-ed instead.
- **Snippets.** ``ts_headline`` is asked for up to two fragments marked with sentinel
  characters that cannot occur in the stored text (control characters are removed from
  it, and ``<``, ``>``, ``&`` are swapped for others first, so the parser sees no tag);
  the fragments are then escaped in Python and only the sentinels become ``<mark>``.
- **Facets and filters** are rows of ``search_facets``: filters are ``EXISTS``
  clauses, counts a ``GROUP BY`` over the matched pages.
- **Suggestions** use pg_trgm (:mod:`.pg_suggest`).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, text

from . import analysis
from .backend import QueryError, SearchDocument, SearchHit, SearchQuery, SearchResults
from .fields import check_extra_fields
from .pg_entries import (
    COUNTED_FACETS,
    FACET_KEY_SEPARATOR,
    FILTER_ONLY,
    remove_entries,
    write_entries,
)
from .pg_query import TreeQueries
from .pg_suggest import NAME_KEY_SQL, did_you_mean, suggest_titles
from .query_syntax import (
    clean_query_text,
    has_positive,
    parse_query_text,
    plain_words_text,
    positive_count,
)

#: as in the Whoosh backend: results per page, deepest result, "did you mean" threshold
MAX_PER_PAGE = 100
MAX_RESULT_OFFSET = 10_000
SUGGEST_BELOW = 5
MAX_TITLE_SUGGESTIONS = 10
#: documents per batch (and per progress report) in :meth:`PostgresBackend.rebuild`
REBUILD_BATCH = 500
#: a query matching at most this many pages ranks them all (the exact order); above, only
#: candidates are fully ranked (see :meth:`PostgresBackend._hits`)
RANK_ALL = 400
#: candidates of each kind (best titles and fields; newest pages) when ranking is capped
CANDIDATES = 60
#: pages with a word in their title or fields whose small ``head`` vector is ranked, at
#: most, to choose the candidates among them (the first found)
HEAD_POOL = 2000
#: a table of at most this many blocks (8 kB: about 10,000 pages) has every match counted
COUNT_ALL_BLOCKS = 2_500
#: matches counted one by one (each read in the table); above, the total is PostgreSQL's
#: estimate (its statistics of the words, see :meth:`PostgresBackend._count`)
COUNT_EXACT = 500
#: score added to a page whose whole title (or name without namespace) was typed
EXACT_TITLE_BONUS = 1.0
#: score added when the words typed appear as such in the title ("d'ecriture")
TITLE_PHRASE_BONUS = 0.05
#: weight of the title's own rank (ts_rank of the title's words, divided by their number)
TITLE_FACTOR = 2.0
#: weight of the rank with the French derivational variants (écriture -> écrit)
VARIANT_WEIGHT = 0.5
#: length of a snippet fragment, as in the Whoosh backend (about 200 characters)
SNIPPET_CHARS = 200
#: sentinels of ts_headline (never in the stored text: see pg_entries.clean)
_START, _STOP, _FRAGMENTS = "\x02", "\x03", "\x01"
_HEADLINE_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, FragmentDelimiter={_FRAGMENTS},"
    " MaxFragments=2, MaxWords=32, MinWords=12, ShortWord=2"
)
#: what the parser would read as markup, swapped for characters the text cannot hold
_HIDE_MARKUP = "translate(e.body, '<>&', chr(4) || chr(5) || chr(6))"
_SHOW_MARKUP = str.maketrans({"\x04": "<", "\x05": ">", "\x06": "&"})


#: set for the search's own transaction only (see :meth:`PostgresBackend.search`)
_SEARCH_SETTINGS = {"jit": "off", "enable_seqscan": "off"}


class PostgresBackend:
    """A :class:`~wikicoop.search.backend.SearchBackend` on the wiki's PostgreSQL database.

    Args:
        engine: the wiki's engine (each call uses its own connection).
        extra_fields: the plugins' fields, name -> ``"keyword"`` or ``"text"``.
    """

    def __init__(self, engine: Engine, *, extra_fields: Mapping[str, str] = {}) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("SEARCH_BACKEND=postgresql needs a PostgreSQL DATABASE_URL")
        self.engine = engine
        self.extra_fields: dict[str, str] = check_extra_fields(extra_fields)
        keyword = [name for name, kind in self.extra_fields.items() if kind == "keyword"]
        self.facet_names: tuple[str, ...] = (*COUNTED_FACETS, *keyword)
        self.filter_names = frozenset((*self.facet_names, *FILTER_ONLY))

    # -- writing -------------------------------------------------------------------------

    def write(
        self,
        connection: Connection,
        documents: Iterable[SearchDocument],
        *,
        words_written: set[str] | None = None,
    ) -> int:
        """Upsert entries with ``connection`` (the caller's transaction); see
        :func:`~wikicoop.search.pg_entries.write_entries`."""
        return write_entries(connection, documents, self.extra_fields, words_written=words_written)

    def index_pages(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace these pages (one transaction)."""
        with self.engine.begin() as connection:
            self.write(connection, documents)

    def remove_pages(self, page_ids: Iterable[int]) -> None:
        """Forget these pages."""
        with self.engine.begin() as connection:
            remove_entries(connection, page_ids)

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Replace every entry, and the words, with those of ``documents`` in one
        transaction (searches see the old ones until it commits); ``progress(n)`` after
        each batch."""
        count = 0
        seen: set[int] = set()
        words: set[str] = set()  # each word is written once
        with self.engine.begin() as connection:
            connection.execute(text("DELETE FROM search_entries"))
            connection.execute(text("DELETE FROM search_words"))
            batch: list[SearchDocument] = []
            for doc in documents:
                if doc.page_id in seen:  # the first document of a page wins, as in Whoosh
                    continue
                seen.add(doc.page_id)
                batch.append(doc)
                count += 1
                if count % REBUILD_BATCH == 0:
                    self.write(connection, batch, words_written=words)
                    batch = []
                    if progress is not None:
                        progress(count)
            self.write(connection, batch, words_written=words)
            # every row is new: the planner's statistics are the old rows' until
            # autovacuum comes by (right after a rebuild of 100,000 pages, search p95
            # through the API was 60 ms; after VACUUM ANALYZE, 29 ms)
            connection.execute(text("ANALYZE search_entries, search_facets, search_words"))
        if progress is not None and (count == 0 or count % REBUILD_BATCH):
            progress(count)

    def needs_rebuild(self) -> bool:
        """Never: the entries are written with the pages (the migration made the table)."""
        return False

    def maintain(self, *, thorough: bool = False) -> None:
        """Nothing to do: PostgreSQL maintains its indexes (autovacuum)."""

    def close(self) -> None:
        """Nothing held open: the connections belong to the wiki's engine."""

    # -- reading -------------------------------------------------------------------------

    def indexed_revisions(self) -> dict[int, int]:
        """page id -> revision id of every entry."""
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT page_id, revision_id FROM search_entries"))
            return {int(page_id): int(revision_id) for page_id, revision_id in rows}

    def suggest_titles(self, prefix: str, limit: int = 10) -> list[str]:
        """Titles whose start, or the start of one of their words, is ``prefix``."""
        limit = max(0, min(int(limit), MAX_TITLE_SUGGESTIONS))
        key = analysis.normalize_key(clean_query_text(prefix))
        if not limit or not key:
            return []
        with self.engine.connect() as connection:
            return suggest_titles(connection, key, limit)

    def _filters(self, filters: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
        """The filters as SQL ``AND EXISTS (…)`` clauses and their parameters."""
        clauses, params = [], {}
        for i, (name, value) in enumerate(filters.items()):
            if name not in self.filter_names:
                raise QueryError("unknown-filter", name=name)
            value = clean_query_text(value)
            if value:
                clauses.append(
                    " AND EXISTS (SELECT 1 FROM search_facets f WHERE f.page_id = e.page_id"
                    f" AND f.name = :fn{i} AND f.value = :fv{i})"
                )
                params[f"fn{i}"], params[f"fv{i}"] = name, value
        return "".join(clauses), params

    @staticmethod
    def _match(
        queries: TreeQueries, all_words: bool, column: str = "vector"
    ) -> tuple[str, dict[str, Any]] | None:
        """The SQL condition matching a page's ``column`` by its language's query, or
        None. The same query in both languages is one condition: an exact GIN bitmap
        then needs no second look at each row (a language test, a vector detoasted)."""
        parts, params = [], {}
        for lang in ("fr", "en"):
            q = queries.tsquery(lang, all_words=all_words)
            params[f"q_{lang}"] = q or ""
            params[f"s_{lang}"] = queries.tsquery(lang, all_words=all_words, variants=False) or ""
            if q:
                parts.append(
                    f"(e.language = '{lang}' AND e.{column} @@ CAST(:q_{lang} AS tsquery))"
                )
        if not parts:
            return None
        if len(parts) == 2 and params["q_fr"] == params["q_en"]:
            return f"e.{column} @@ CAST(:q_fr AS tsquery)", params
        return "(" + " OR ".join(parts) + ")", params

    def search(self, query: SearchQuery) -> SearchResults:
        """Run a query in the wiki's syntax (see :mod:`~wikicoop.search.query_syntax`).

        Raises:
            QueryError: empty query, only excluded words, only very common words, or an
                unknown filter name.
        """
        text_, tree = parse_query_text(query.text)
        if tree is None:
            raise QueryError("no-words")
        if not has_positive(tree):
            raise QueryError("only-exclusions")
        filter_sql, filter_params = self._filters(query.filters)
        per_page = max(1, min(int(query.per_page), MAX_PER_PAGE))
        page = max(1, min(int(query.page), max(1, MAX_RESULT_OFFSET // per_page)))
        with self.engine.connect() as connection:
            # for this read-only transaction: no JIT (compiling costs more than these
            # statements run), and the GIN indexes rather than a scan reading every
            # page's vector (the planner does not count the detoasting of each one)
            queries = TreeQueries(connection, tree, settings=_SEARCH_SETTINGS)
            match = self._match(queries, True)
            if match is None:
                raise QueryError("too-common")
            all_words = True
            where, params = match[0] + filter_sql, {**match[1], **filter_params}
            ids, keys, total, estimated = self._matches(connection, where, params)
            fell_back = False
            if not total and positive_count(tree) > 1:
                any_match = self._match(queries, False)
                if any_match is not None:
                    where, params = any_match[0] + filter_sql, {**any_match[1], **filter_params}
                    ids, keys, total, estimated = self._matches(connection, where, params)
                    fell_back, all_words = True, False
            # the pages with every word in their title or fields (candidates when capped);
            # an excluded word may be in the text: then the whole condition too
            head = self._match(queries, all_words, "head")
            head_where = (head[0] if head else "FALSE") + filter_sql
            if "!" in params["q_fr"] + params["q_en"]:
                head_where += f" AND {where}"
            key = _exact_title_key(tree)
            found = self._hits(
                connection, where, params, key, query.sort, page, per_page, ids, total, head_where
            )
            facets = self._facets(keys, len(ids), total) if total else {}
            suggestion = None
            if fell_back or total < SUGGEST_BELOW:

                def finds(corrected: TreeQueries, all_words: bool) -> bool:
                    m = self._match(corrected, all_words)
                    if m is None:
                        return False
                    sql = f"SELECT EXISTS (SELECT 1 FROM search_entries e WHERE {m[0]}{filter_sql})"
                    return bool(connection.execute(text(sql), {**m[1], **filter_params}).scalar())

                suggestion = did_you_mean(connection, text_, tree, finds, fell_back or not total)
            connection.rollback()
        facets = {name: facets.get(name, []) for name in self.facet_names}
        return SearchResults(
            total=total,
            hits=tuple(found),
            facets=facets,
            suggestion=suggestion,
            estimated=estimated,
        )

    @staticmethod
    def _matches(
        connection: Connection, where: str, params: dict[str, Any]
    ) -> tuple[list[int], Counter[str], int, bool]:
        """The first matches found (page ids, at most :data:`COUNT_EXACT` + 1), their
        facets' counts (``facet_keys``), the number of matches (exact up to
        :data:`COUNT_EXACT` or on a small table, else estimated) and whether it is an
        estimate.

        Counting reads each match in the table (the GIN index cannot tell whether a row
        is visible), so 70,000 matches would cost more than a whole search should; above
        the cap, the total is the planner's estimate (from the words' statistics that
        ANALYZE keeps: within a few % for common words), never below the cap.
        """
        sql = (
            "SELECT e.page_id, e.facet_keys, (SELECT pg_relation_size('search_entries')"
            f" / current_setting('block_size')::integer) FROM search_entries e WHERE {where}"
            " LIMIT :sample"
        )
        ids, keys, blocks = [], Counter[str](), 0
        for page_id, facet_keys, size in connection.execute(
            text(sql), {**params, "sample": COUNT_EXACT + 1}
        ):
            ids.append(int(page_id))
            keys.update(facet_keys or ())
            blocks = int(size)
        if len(ids) <= COUNT_EXACT:
            return ids, keys, len(ids), False
        if blocks <= COUNT_ALL_BLOCKS:  # a small table: counting all costs little
            count = f"SELECT count(*) FROM search_entries e WHERE {where}"
            total = int(connection.execute(text(count), params).scalar() or 0)
            return ids, keys, total, False
        # (extrapolating from the share of the table read is wrong on a bloated table)
        plan = connection.execute(
            text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_entries e WHERE {where}"), params
        ).scalar()
        estimate = int(plan[0]["Plan"]["Plan Rows"]) if plan else 0
        return ids, keys, max(estimate, len(ids)), True

    def _facets(
        self, keys: Counter[str], found: int, total: int
    ) -> dict[str, list[tuple[str, int]]]:
        """facet -> [(value, count)] over the ``found`` matches read, most frequent first.

        When they are only the first matches found (the total is an estimate), their
        counts are scaled to ``total``: estimates too.
        """
        scale = total / found if total > found else 1.0
        out: dict[str, list[tuple[str, int]]] = {}
        for key, count in keys.items():
            name, _, value = key.partition(FACET_KEY_SEPARATOR)
            if name not in self.facet_names:
                continue
            out.setdefault(name, []).append((value, max(1, round(int(count) * scale))))
        return {name: sorted(vc, key=lambda v: (-v[1], v[0])) for name, vc in out.items()}

    def _hits(
        self,
        connection: Connection,
        where: str,
        params: dict[str, Any],
        key: str | None,
        sort: str,
        page: int,
        per_page: int,
        ids: list[int],
        total: int,
        head_where: str,
    ) -> list[SearchHit]:
        """The hits of the results page asked for, with their snippets.

        ``ids`` are the first matches found, all of them when ``total`` is exact. Above
        :data:`RANK_ALL` matches only candidates are fully ranked (each rank reads the
        page's whole vector): the page whose title was typed, the best of the first
        :data:`HEAD_POOL` pages with every word in their title or fields
        (``head_where``, ranked on their small ``head`` vector), and the first matches
        found; at least :data:`CANDIDATES` of each kind, or as many as the results page
        reaches (beyond the first matches found, every match is ranked).
        """
        # the words as typed count fully, with their derivational variants at
        # VARIANT_WEIGHT (without variants, the same rank once, scaled: half the work)
        if params["s_fr"] == params["q_fr"] and params["s_en"] == params["q_en"]:
            weighted = (("s", f"{1 + VARIANT_WEIGHT} * "),)
        else:
            weighted = (("s", ""), ("q", f"{VARIANT_WEIGHT} * "))
        rank = " + ".join(
            f"CASE WHEN e.language = 'en' THEN {weight}{part.replace('QUERY', f':{q}_en')}"
            f" ELSE {weight}{part.replace('QUERY', f':{q}_fr')} END"
            for q, weight in weighted
            for part in (
                "ts_rank(e.vector, CAST(QUERY AS tsquery), 1)",
                # the title's own words: the shorter the title matched, the better
                f"{TITLE_FACTOR} * ts_rank(ts_filter(e.head, '{{a}}'), CAST(QUERY AS tsquery), 2)",
            )
        )
        if key:
            rank += (
                f" + CASE WHEN e.title_folded = :title_key THEN {EXACT_TITLE_BONUS}"
                f" WHEN ({NAME_KEY_SQL}) = :title_key THEN {EXACT_TITLE_BONUS / 2}"
                f" WHEN strpos(e.title_folded, :title_key) > 0 THEN {TITLE_PHRASE_BONUS}"
                " ELSE 0 END"
            )
        if sort == "date":
            order = "e.updated DESC NULLS LAST, e.title_folded, e.page_id"
        else:
            order = "rank DESC, length(e.title), e.page_id"
        cap = max(CANDIDATES, page * per_page)
        if sort == "date" or total <= RANK_ALL or cap > len(ids):
            # every match ordered: those read when they are all of them
            if total <= len(ids):
                source = "search_entries e WHERE e.page_id = ANY(:ids)"
            else:
                source = f"search_entries e WHERE {where}"
        else:
            head_rank = (
                "CASE WHEN e.language = 'en' THEN ts_rank(e.head, CAST(:q_en AS tsquery), 2)"
                " ELSE ts_rank(e.head, CAST(:q_fr AS tsquery), 2) END"
            )
            # each branch reads a bounded number of rows, whatever the number of matches
            branches = [
                f"(SELECT h.page_id FROM (SELECT e.page_id, {head_rank} AS rank"
                f" FROM search_entries e WHERE {head_where} LIMIT :head_pool) h"
                " ORDER BY h.rank DESC, h.page_id LIMIT :cap)",
                "(SELECT unnest(CAST(:first AS integer[])))",
            ]
            if key:
                branches.append(
                    f"(SELECT e.page_id FROM search_entries e WHERE e.title_folded = :title_key"
                    f" AND {where})"
                )
            source = (
                f"({' UNION '.join(branches)}) c(page_id)"
                " JOIN search_entries e ON e.page_id = c.page_id"
            )
        headline = (
            "CASE WHEN e.language = 'en'"
            f" THEN ts_headline('wikicoop_en', {_HIDE_MARKUP}, CAST(:q_en AS tsquery), :options)"
            f" ELSE ts_headline('wikicoop_fr', {_HIDE_MARKUP}, CAST(:q_fr AS tsquery), :options)"
            " END"
        )
        sql = (
            "SELECT e.page_id, e.title, e.namespace, e.page_type, e.updated, top.rank,"
            f" e.body, {headline} FROM (SELECT e.page_id, {rank} AS rank"
            f" FROM {source} ORDER BY {order}"
            " LIMIT :limit OFFSET :offset) top"
            " JOIN search_entries e ON e.page_id = top.page_id"
            f" ORDER BY {order.replace('rank DESC', 'top.rank DESC')}"
        )
        rows = connection.execute(
            text(sql),
            {
                **params,
                "title_key": key,
                "options": _HEADLINE_OPTIONS,
                "limit": per_page,
                "offset": (page - 1) * per_page,
                "ids": ids,
                "first": ids[:cap],
                "cap": cap,
                "head_pool": max(HEAD_POOL, cap),
            },
        )
        return [
            SearchHit(
                page_id=int(page_id),
                title=title,
                namespace=namespace,
                page_type=page_type,
                score=float(score) if sort != "date" else 0.0,
                snippet_html=snippet_html(body or "", headline_text or ""),
                updated=updated,
            )
            for page_id, title, namespace, page_type, updated, score, body, headline_text in rows
        ]


def _exact_title_key(tree: Any) -> str | None:
    """The folded words typed, when the query is only plain words (the title bonus)."""
    typed = plain_words_text(tree)
    return None if typed is None else analysis.normalize_key(typed)


def snippet_html(body: str, headline: str) -> str:
    """The snippet of a hit from ts_headline's fragments: escaped, only the sentinels
    turned into ``<mark>``; the page start when nothing was marked."""
    headline = headline.translate(_SHOW_MARKUP)
    if _START not in headline:
        return lead_snippet(body)
    fragments = []
    for fragment in headline.split(_FRAGMENTS):
        plain = " ".join(fragment.replace(_START, "").replace(_STOP, "").split())
        if not plain:
            continue
        marked = html.escape(" ".join(fragment.split()), quote=True)
        marked = marked.replace(_START, "<mark>").replace(_STOP, "</mark>")
        if not body.startswith(plain):
            marked = "… " + marked
        if not body.endswith(plain):
            marked += " …"
        fragments.append(_ELIDED_MARK.sub(r"<mark>\1", marked))
    return " ".join(fragments).replace("… …", "…")


#: an elided article or preposition just before a mark joins it (« <mark>l'atelier</mark> »,
#: as the Whoosh backend marks the whole word)
_ELIDED_MARK = re.compile(
    r"(?<![\w&#])((?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)(?:&#x27;|’|ʼ))<mark>",
    re.IGNORECASE,
)


def lead_snippet(text_: str) -> str:
    """The first ~SNIPPET_CHARS characters of ``text_``, cut at a word end, escaped."""
    text_ = " ".join(text_[: SNIPPET_CHARS * 2].split())
    if len(text_) > SNIPPET_CHARS:
        cut = text_.rfind(" ", 0, SNIPPET_CHARS)
        text_ = text_[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS] + " …"
    return html.escape(text_, quote=True)
