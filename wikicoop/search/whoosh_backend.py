"""The Whoosh search backend: one index directory, French-aware, safe with several processes.

The backend ties the pieces together: :mod:`~wikicoop.search.whoosh_schema` (the schema
and the fields of a page), :mod:`~wikicoop.search.query_syntax` (the wiki's query syntax)
and :mod:`~wikicoop.search.whoosh_query` (its Whoosh queries),
:mod:`~wikicoop.search.whoosh_results` (ranking, snippets, facets) and
:mod:`~wikicoop.search.whoosh_suggest` (titles, "did you mean"). It owns the index files.

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
  :class:`IndexBusy` and checks for drift. Only the first
  :data:`~wikicoop.search.whoosh_schema.MAX_INDEXED_CHARS` of a page are indexed, so
  that no page holds the lock for long.
- **Rebuilds.** A full rebuild holds the write lock and commits once; with several
  workers each writes a segment of its own (:mod:`~wikicoop.search.whoosh_parts`), so
  the analysis of 100,000 pages is shared by the cores instead of one writer's.
- **Readers.** Every call reads the latest commit; the searcher is kept between calls and
  reopened only when a commit made a new generation. Calls in one process take turns on
  it (see :meth:`WhooshBackend._reading`). Segments are written as separate files, not
  one compound file, which Whoosh copies into memory at every open (~50 ms and 60 MB
  per process on 10,000 pages).
- **Searching.** A query is built once per language and the two are OR-ed. When no page
  has all the words, the words are OR-ed instead (results still ranked by BM25F).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, FileIndex, LockError
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, MERGE_SMALL, NO_MERGE, SegmentWriter

from . import analysis
from .activity import give_way
from .backend import (  # the index's errors are defined there, without Whoosh
    IndexBusy,
    IndexNotReady,
    QueryError,
    SearchDocument,
    SearchQuery,
    SearchResults,
)
from .fields import CORE_FIELDS, FILTER_ONLY_FIELDS, check_extra_fields
from .query_syntax import clean_query_text, has_positive, parse_query_text, positive_count
from .whoosh_parts import WhooshPart, commit_parts
from .whoosh_query import QueryBuilder
from .whoosh_results import BM25F, FacetCounter, collect, hits
from .whoosh_schema import build_schema, document_fields
from .whoosh_suggest import TitleFinder, did_you_mean

#: bump whenever the schema or the analysers change: the index must then be rebuilt
SCHEMA_VERSION = 2
#: results per page are clamped to this; no page starts beyond MAX_RESULT_OFFSET
MAX_PER_PAGE = 100
MAX_RESULT_OFFSET = 10_000
#: "did you mean" is only proposed when the query found fewer pages than this
SUGGEST_BELOW = 5
#: most titles :meth:`WhooshBackend.suggest_titles` returns
MAX_TITLE_SUGGESTIONS = 10
#: small segments left by saves before :meth:`WhooshBackend.maintain` merges them
SMALL_SEGMENTS_KEPT = 4
#: seconds a thorough :meth:`WhooshBackend.maintain` goes on merging at most
MAINTAIN_SECONDS = 5.0
#: documents per progress report in :meth:`WhooshBackend.rebuild`
REBUILD_BATCH = 500

_INDEX_PREFIX = "wikicoop_v"


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
        self.extra_fields: dict[str, str] = check_extra_fields(extra_fields)
        fingerprint = json.dumps(self.extra_fields, sort_keys=True).encode()
        digest = hashlib.sha1(fingerprint).hexdigest()[:8]
        self.index_name = f"{_INDEX_PREFIX}{SCHEMA_VERSION}_{digest}"
        self.schema = build_schema(self.extra_fields)
        keyword_extra = [n for n, k in self.extra_fields.items() if k == "keyword"]
        # facet name -> schema field
        facet_fields = dict(CORE_FIELDS) | {n: f"x_{n}" for n in keyword_extra}
        self._queries = QueryBuilder(self.schema, facet_fields | FILTER_ONLY_FIELDS)
        self._facet_counter = FacetCounter(facet_fields)
        self._titles = TitleFinder()
        self._ix: FileIndex | None = None
        self._ix_lock = threading.Lock()
        #: the kept searcher, in a holder the finalizer can close without this object
        self._kept: dict[str, Any] = {"searcher": None, "generation": None}
        weakref.finalize(self, _close_kept, self._kept)
        self._read_lock = threading.RLock()

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
                        searcher = ix.searcher(weighting=BM25F())
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
        prepared = [document_fields(doc, self.extra_fields) for doc in latest.values()]
        writer = self._writer(self._open())
        try:
            for fields_ in prepared:
                give_way()  # between two pages (the analysis is the costly part)
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

    def maintain(self, *, thorough: bool = False) -> None:
        """Merge the small segments that saves left, once there are more than
        :data:`SMALL_SEGMENTS_KEPT` + 1 segments: one round during a burst of saves;
        ``thorough`` (once the burst is over, :mod:`.indexer`), rounds until no more
        remain, for at most :data:`MAINTAIN_SECONDS` (the next call goes on).

        Saves commit without merging (a merge inside a save took 100–370 ms on 10,000
        pages, measured in bench/bench_search.py); the wiki calls this after the response
        is sent. A round is one Whoosh ``MERGE_SMALL`` commit, which merges the few
        smallest segments (sizes that grow as a Fibonacci sequence: a document is merged
        again a logarithmic number of times). One round at a time left tens of segments
        after a burst of saves, and a search read each of them (3 times slower at 63
        segments than at one, measured at 2,000 pages). Skipped when another process
        holds the write lock: it will merge later.
        """
        if not self._exists():
            return
        deadline = time.monotonic() + MAINTAIN_SECONDS
        before: int | None = None  # segments before the last round
        while True:
            ix = self._open()
            count = len(ix._segments())
            if count <= SMALL_SEGMENTS_KEPT + 1 or (before is not None and count >= before):
                return  # few enough, or nothing small enough left to merge
            give_way()  # a merge holds the interpreter: when quiet, if it can be
            try:
                writer = ix.writer(timeout=0.0, compound=False)
            except LockError:
                return
            writer.commit(mergetype=MERGE_SMALL)
            if not thorough or time.monotonic() >= deadline:
                return
            before = count

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
        count = 0
        with self._rebuilding() as ix:
            writer = SegmentWriter(ix, _lk=False, limitmb=128, compound=False)
            seen: set[str] = set()
            try:
                for doc in documents:
                    fields_ = document_fields(doc, self.extra_fields)
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
        if progress is not None and (count == 0 or count % REBUILD_BATCH):
            progress(count)

    def rebuild_in_parts(self, write_parts: Callable[[], list[Any]]) -> None:
        """Replace the whole index with the segments that ``write_parts()`` has other
        processes write (each through :meth:`part_writer`), in one commit."""
        with self._rebuilding() as ix:
            commit_parts(ix, [part for part in write_parts() if part is not None])

    def part_writer(self) -> WhooshPart:
        """A writer of one part of a rebuild, for a worker process during
        :meth:`rebuild_in_parts` (whose caller holds the write lock)."""
        ix = FileIndex(FileStorage(str(self.index_dir)), indexname=self.index_name)
        return WhooshPart(ix, self.extra_fields)

    @contextlib.contextmanager
    def _rebuilding(self) -> Iterator[FileIndex]:
        """The index (created if missing) with its write lock held, for a rebuild; once
        the rebuild is committed, the indexes of other schema versions are deleted."""
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
            yield FileIndex(storage, indexname=self.index_name)
        finally:
            lock.release()
        with self._ix_lock:
            self._ix = None
        self._remove_other_indexes(storage)

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
        Read from sorted in-memory tables (see :class:`~.whoosh_suggest.TitleFinder`): a
        short prefix such as "pa" would otherwise expand to a posting list per title.
        """
        limit = max(0, min(int(limit), MAX_TITLE_SUGGESTIONS))
        key = analysis.normalize_key(clean_query_text(prefix))
        if not limit or not key:
            return []
        with self._reading() as searcher:
            return self._titles.find(searcher, key, limit)

    def search(self, query: SearchQuery) -> SearchResults:
        """Run a query in the wiki's syntax (see :mod:`~wikicoop.search.query_syntax`).

        Raises:
            QueryError: empty query, only excluded words, only very common words, or an
                unknown filter name.
            IndexNotReady: no index yet.
        """
        text, tree = parse_query_text(query.text)
        if tree is None:
            raise QueryError("no-words")
        if not has_positive(tree):
            raise QueryError("only-exclusions")
        filter_query = self._queries.filter_query(query.filters)
        per_page = max(1, min(int(query.per_page), MAX_PER_PAGE))
        page = max(1, min(int(query.page), max(1, MAX_RESULT_OFFSET // per_page)))

        with self._reading() as searcher:
            wq = self._queries.tree_query(tree, all_words=True)
            if wq is None:
                raise QueryError("too-common")
            limit = page * per_page
            ranked, docs = collect(searcher, wq, filter_query, limit, query.sort)
            fell_back = False
            if not docs and positive_count(tree) > 1:
                any_q = self._queries.tree_query(tree, all_words=False)
                if any_q is not None:
                    wq, fell_back = any_q, True
                    ranked, docs = collect(searcher, wq, filter_query, limit, query.sort)

            start = (page - 1) * per_page
            found = hits(searcher, wq, ranked[start:])
            facets = self._facet_counter.count(searcher, docs)
            suggestion = None
            if fell_back or len(docs) < SUGGEST_BELOW:
                allowed = None
                if filter_query is not None:
                    allowed = set(searcher.docs_for_query(filter_query))
                struggling = fell_back or not docs
                suggestion = did_you_mean(searcher, self._queries, text, tree, allowed, struggling)
        return SearchResults(
            total=len(docs), hits=tuple(found), facets=facets, suggestion=suggestion
        )
