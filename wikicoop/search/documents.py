"""Pages as search documents: the published revision's rendered text, as plain text."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..core.models import Page, Revision
from ..core.moderation import is_sandbox
from ..core.render_cache import CachedRender, cached_render, cached_renders
from ..rendering.pipeline import Renderer
from .backend import SearchDocument

#: ``app.extensions`` key: the function giving a page's structured fields' values
FIELDS_EXTENSION = "wikicoop.search.fields"

#: block elements after which a space is needed so that words do not stick together
_BLOCKS = {
    "p", "br", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "blockquote", "div", "section", "dd", "dt", "figcaption", "caption", "hr",
}  # fmt: skip


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")


def plain_text(html: str) -> str:
    """The words of sanitized HTML, without markup, whitespace collapsed."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def is_searchable(page: Page, settings: Mapping[str, Any]) -> bool:
    """Visitors find live pages that are not redirects and have a published revision;
    the sandbox pages (``SANDBOX_PAGES``) are never indexed."""
    revision = page.latest_revision
    return revision is not None and _searchable(
        page.deleted_at, page.redirect_target, revision.status, page.namespace, page.name, settings
    )


def _searchable(
    deleted_at: object,
    redirect_target: str | None,
    status: str,
    namespace: str,
    name: str,
    settings: Mapping[str, Any],
) -> bool:
    """:func:`is_searchable` on the columns it reads."""
    return (
        deleted_at is None
        and not redirect_target
        and status == "published"
        and not is_sandbox(settings, namespace, name)
    )


def index_states(
    session: Session, settings: Mapping[str, Any], page_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """page id -> the revision the index should hold, for the searchable pages among
    ``page_ids`` (all pages when None): a few columns a page, no ORM objects (it runs
    at every start)."""
    columns = select(
        Page.id,
        Page.latest_revision_id,
        Page.deleted_at,
        Page.redirect_target,
        Revision.status,
        Page.namespace,
        Page.name,
    ).join(Revision, Revision.id == Page.latest_revision_id)
    if page_ids is None:
        chunks: Iterable[Any] = [columns]
    else:
        ids = sorted(set(page_ids))
        chunks = (columns.where(Page.id.in_(ids[i : i + 500])) for i in range(0, len(ids), 500))
    return {
        page_id: revision_id
        for stmt in chunks
        for page_id, revision_id, *state in session.execute(stmt)
        if _searchable(*state, settings)
    }


def document_for(
    session: Session,
    renderer: Renderer,
    page: Page,
    *,
    fields: Callable[[Page, Revision], Mapping[str, Any]] | None = None,
) -> SearchDocument:
    """The search document of a searchable page (its published revision); ``fields``
    gives the values of its structured fields (:func:`.fields.document_fields`)."""
    revision = page.latest_revision
    assert revision is not None
    return _document(page, revision, cached_render(session, renderer, revision), fields)


def documents_for(
    session: Session,
    renderer: Renderer,
    pages: Sequence[Page],
    *,
    fields: Callable[[Page, Revision], Mapping[str, Any]] | None = None,
) -> list[SearchDocument]:
    """:func:`document_for` of many searchable pages, their missing renderings made and
    stored with one commit (:func:`~wikicoop.core.render_cache.cached_renders`)."""
    revisions = [page.latest_revision for page in pages]
    renders = cached_renders(session, renderer, [r for r in revisions if r is not None])
    return [
        _document(page, revision, renders[revision.id], fields)
        for page, revision in zip(pages, revisions, strict=True)
        if revision is not None
    ]


def _document(
    page: Page,
    revision: Revision,
    rendered: CachedRender,
    fields: Callable[[Page, Revision], Mapping[str, Any]] | None,
) -> SearchDocument:
    return SearchDocument(
        page_id=page.id,
        revision_id=revision.id,
        title=page.title.full,
        namespace=page.namespace,
        text=plain_text(rendered.html),
        categories=rendered.categories,
        licence=revision.licence,
        page_type=revision.page_type or "page",
        language=page.language if page.language in {"fr", "en"} else "fr",
        authors=rendered.authors,
        updated=revision.created_at,
        fields=dict(fields(page, revision)) if fields is not None else {},
    )


def searchable_pages(
    session: Session,
    page_ids: Iterable[int] | None = None,
    *,
    batch: int = 500,
    with_text: bool = True,
) -> Iterator[Page]:
    """Pages (all, or these ids) with their latest revision loaded, by id.

    Loaded ``batch`` at a time, so a rebuild of a large wiki stays in bounded memory and
    the caller may commit between pages (a missing render is stored on the way).
    ``with_text=False`` leaves the revisions' text unloaded (checking which revision the
    index should hold needs none of it).
    """
    for pages in page_batches(session, page_ids, batch=batch, with_text=with_text):
        yield from pages


def page_batches(
    session: Session,
    page_ids: Iterable[int] | None = None,
    *,
    batch: int = 500,
    with_text: bool = True,
) -> Iterator[list[Page]]:
    """:func:`searchable_pages` ``batch`` pages at a time (one query per batch)."""
    latest = joinedload(Page.latest_revision)
    if not with_text:
        latest = latest.defer(Revision.text)
    stmt = select(Page.id).order_by(Page.id)
    if page_ids is not None:
        stmt = stmt.where(Page.id.in_(list(page_ids)))
    ids = list(session.scalars(stmt))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        yield list(
            session.scalars(
                select(Page).options(latest).where(Page.id.in_(chunk)).order_by(Page.id)
            ).all()
        )
