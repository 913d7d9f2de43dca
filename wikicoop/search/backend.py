"""The search backend interface: what the wiki asks of a search engine.

Nothing here names Whoosh or PostgreSQL: both backends implement the same Protocol.
Documents and queries are plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ..errors import ServiceError

#: fields every document has and every backend can facet on
CORE_FACETS = ("namespace", "category", "type", "licence")


@dataclass(frozen=True)
class SearchDocument:
    """One page as the index sees it: only the published revision, as plain text."""

    page_id: int
    revision_id: int
    title: str  # full display title, "Aide:Écrire une page"
    namespace: str  # namespace key: main, help, user, category, portal, talk
    text: str  # plain text of the rendered page (no markup)
    categories: tuple[str, ...] = ()
    licence: str = ""
    page_type: str = "page"
    language: str = "fr"  # "fr" or "en": which analyser the text goes through
    authors: tuple[str, ...] = ()
    updated: datetime | None = None
    #: structured fields declared by plugins (name -> value(s)); faceted when declared so
    fields: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchQuery:
    """What a visitor asked: words in the wiki's query syntax, filters, page, order."""

    text: str
    filters: Mapping[str, str] = field(default_factory=dict)  # facet name -> value
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"  # or "date" (newest first)


@dataclass(frozen=True)
class SearchHit:
    page_id: int
    title: str
    namespace: str
    page_type: str
    score: float
    #: HTML: the page's words escaped, matched words wrapped in <mark>; nothing else
    snippet_html: str
    updated: datetime | None = None


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: tuple[SearchHit, ...]
    #: facet name -> [(value, count)], most frequent first
    facets: Mapping[str, Sequence[tuple[str, int]]]
    #: a corrected query for misspelt words ("did you mean"), or None
    suggestion: str | None = None
    #: True when the total (and so the facet counts) is an estimate: a query matching a
    #: large part of a big wiki is not counted page by page
    estimated: bool = False


class QueryError(ServiceError, ValueError):
    """A query the backend cannot run (400): a code and its parameters, said by the web
    layer (``no-words``, ``only-exclusions``, ``too-common``, ``unknown-filter``)."""


class SearchIndexError(RuntimeError):
    """Base class of the Whoosh index's problems the wiki handles (log, retry, rebuild);
    defined here so that catching them does not load Whoosh."""


class IndexBusy(SearchIndexError):
    """Another process held the index's write lock for longer than ``writer_timeout``."""


class IndexNotReady(SearchIndexError):
    """The index is missing or was built with another schema: call ``rebuild()``."""


class SearchBackend(Protocol):
    """The operations the wiki needs from a search engine."""

    def index_pages(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace these pages (one commit for all)."""

    def remove_pages(self, page_ids: Iterable[int]) -> None:
        """Forget these pages (deleted, or no longer published)."""

    def search(self, query: SearchQuery) -> SearchResults:
        """Run a query; raises :class:`QueryError` for one that cannot be understood."""

    def suggest_titles(self, prefix: str, limit: int = 10) -> list[str]:
        """Titles starting with ``prefix`` (accents and case ignored), best first."""

    def indexed_revisions(self) -> dict[int, int]:
        """page id -> revision id of every indexed page (to detect a stale index)."""

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Replace the whole index with ``documents``; after each batch, ``progress(n)``
        with the number of documents written so far."""

    def needs_rebuild(self) -> bool:
        """True when the index is missing or was built with another schema version."""

    def close(self) -> None:
        """Let go of what the backend holds open (before a fork, at the end)."""

    def maintain(self, *, thorough: bool = False) -> None:
        """Housekeeping after writes (merging, compacting), run when nobody waits for it:
        a step of it during a burst of writes, all of it (``thorough``) once they are
        over.

        Cheap when there is nothing to do; never raises for a busy index.
        """


class IndexPart(Protocol):
    """What one worker process writes of a full rebuild (see :class:`RebuiltInParts`)."""

    def add(self, documents: Iterable[SearchDocument]) -> None:
        """Write these documents (distinct pages) into this part."""

    def finish(self) -> Any:
        """Close the part; returns what the rebuilding process needs to commit it
        (sent between processes, so picklable)."""

    def cancel(self) -> None:
        """Give up the part."""


@runtime_checkable
class RebuiltInParts(Protocol):
    """A backend whose full rebuild several processes write at once, each its own part
    (Whoosh, whose analysis runs in the writing process; PostgreSQL analyses in its own
    server process and needs no such thing)."""

    def rebuild_in_parts(self, write_parts: Callable[[], list[Any]]) -> None:
        """Replace the whole index, in one commit, with the parts that ``write_parts()``
        has other processes write and returns (what their :meth:`IndexPart.finish` gave)."""

    def part_writer(self) -> IndexPart:
        """A new part, in a worker process, while :meth:`rebuild_in_parts` runs."""
