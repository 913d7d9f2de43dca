"""Rendered HTML per revision: render once, store, serve from the table afterwards.

The cache is keyed by revision id and the renderer version. It is dropped for the
pages that link to a title whose existence changed (red links turning blue and back).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from .models import Page, PageLink, RenderCache, Revision
from .rendering.pipeline import RenderedPage, Renderer, TocEntry
from .titles import Title

#: bump when the markup output changes, so every cached page is rendered again
RENDERER_VERSION = 1
_IN_CHUNK = 400


@dataclass(frozen=True)
class CachedRender:
    """What a page view needs from a revision's rendering."""

    html: str
    toc: tuple[TocEntry, ...]
    categories: tuple[str, ...]


def existing_titles(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of ``keys`` name live (not deleted) pages: one query per 400 keys."""
    wanted = list(keys)
    found: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        rows = session.execute(
            select(Page.namespace, Page.name).where(
                tuple_(Page.namespace, Page.name).in_(chunk), Page.deleted_at.is_(None)
            )
        )
        found.update((ns, name) for ns, name in rows)
    return found


def render_text(session: Session, renderer: Renderer, text: str) -> RenderedPage:
    """Render ``text`` with link colours looked up in one batch (used for previews too)."""
    return renderer.render(text, existing=lambda keys: existing_titles(session, keys))


def store_render(session: Session, revision_id: int, rendered: RenderedPage) -> CachedRender:
    """Put a fresh rendering of a revision in the cache (in the caller's transaction)."""
    meta = {
        "toc": [[e.level, e.anchor, e.text] for e in rendered.toc],
        "categories": list(rendered.categories),
    }
    session.merge(
        RenderCache(
            revision_id=revision_id,
            renderer_version=RENDERER_VERSION,
            html=rendered.html,
            meta=meta,
        )
    )
    return CachedRender(rendered.html, rendered.toc, rendered.categories)


def cached_render(session: Session, renderer: Renderer, revision: Revision) -> CachedRender:
    """The rendering of ``revision``: from the cache, or rendered now and stored."""
    row = session.get(RenderCache, revision.id)
    if row is not None and row.renderer_version == RENDERER_VERSION:
        toc = tuple(TocEntry(level, anchor, text) for level, anchor, text in row.meta["toc"])
        return CachedRender(row.html, toc, tuple(row.meta["categories"]))
    rendered = render_text(session, renderer, revision.text)
    result = store_render(session, revision.id, rendered)
    session.commit()
    return result


def invalidate_linking_to(session: Session, title: Title) -> None:
    """Drop cached renderings of every page that links to ``title`` (its colour changed)."""
    linking_pages = select(PageLink.source_page_id).where(
        PageLink.target_namespace == title.namespace, PageLink.target_name == title.name
    )
    revisions = select(Revision.id).where(Revision.page_id.in_(linking_pages))
    session.execute(delete(RenderCache).where(RenderCache.revision_id.in_(revisions)))
