"""Rendered HTML per revision: render once, store, serve from the table afterwards.

The cache is keyed by revision id; each stored HTML carries the fingerprint of the
renderer that made it (wikicoop's renderer version, the enabled plugins, their Markdown
plugins, the sanitizer allowlist: :attr:`Renderer.fingerprint`). A view compares it in
Python with the app's renderer, on the row it reads anyway (no extra query), and renders
again when they differ: enabling or disabling a plugin never serves stale HTML. The cache
is also dropped for the pages that link to a title whose existence changed (red links
turning blue and back).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..rendering.pipeline import RenderedPage, Renderer, TocEntry
from ..text.titles import Title
from .models import Page, PageLink, RenderCache, Revision, User, utcnow

#: bump when the markup output changes, so every cached page is rendered again
RENDERER_VERSION = 2
_IN_CHUNK = 400


@dataclass(frozen=True)
class CachedRender:
    """What a page view needs from a revision's rendering."""

    html: str
    toc: tuple[TocEntry, ...]
    categories: tuple[str, ...]
    #: who wrote the page up to this revision (for the licence attribution)
    authors: tuple[str, ...]
    #: when this rendering was made: changes whenever the cached HTML is replaced
    rendered_at: datetime


def existing_titles(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of ``keys`` name live pages (not deleted, with a published version).

    One query per namespace (and per 400 names): ``namespace = ? AND name IN (...)``
    uses the unique index, where a row-value ``IN`` made SQLite scan the whole table.
    """
    by_namespace: dict[str, list[str]] = defaultdict(list)
    for namespace, name in keys:
        by_namespace[namespace].append(name)
    found: set[tuple[str, str]] = set()
    for namespace, names in by_namespace.items():
        for start in range(0, len(names), _IN_CHUNK):
            rows = session.execute(
                select(Page.name).where(
                    Page.namespace == namespace,
                    Page.name.in_(names[start : start + _IN_CHUNK]),
                    Page.deleted_at.is_(None),
                    # a page whose only version waits for review does not exist yet
                    Page.latest_revision_id.is_not(None),
                )
            )
            found.update((namespace, name) for (name,) in rows)
    return found


def render_text(session: Session, renderer: Renderer, text: str) -> RenderedPage:
    """Render ``text`` with link colours looked up in one batch (used for previews too)."""
    return renderer.render(
        text, existing=lambda keys: existing_titles(session, keys), session=session
    )


def contributors_until(session: Session, page_id: int, revision_id: int) -> list[str]:
    """Everyone who wrote a published revision of the page up to ``revision_id``, first
    one first (pending, rejected and hidden revisions credit nobody)."""
    rows = session.execute(
        select(User.username, Revision.author_ip, func.min(Revision.id).label("first"))
        .select_from(Revision)
        .outerjoin(User, User.id == Revision.author_id)
        .where(
            Revision.page_id == page_id,
            Revision.id <= revision_id,
            Revision.status == "published",  # the authors of what readers see
        )
        .group_by(User.username, Revision.author_ip)
        .order_by("first")
    ).all()
    return [username or ip or "?" for username, ip, _first in rows]


def store_render(
    session: Session, revision: Revision, rendered: RenderedPage, *, first: bool = False
) -> CachedRender:
    """Put a fresh rendering of a revision in the cache (in the caller's transaction).

    The authors up to this revision are stored with it, so a page view needs no
    aggregate query. ``first``: the caller saw no row for this revision, so the row is
    inserted, never updated: when another worker stored one meanwhile, the commit fails
    on the key instead of replacing theirs (whose ``rendered_at`` keys the whole-page
    caches built on it).
    """
    session.flush()  # the revision must be visible to the authors query
    authors = contributors_until(session, revision.page_id, revision.id)
    meta = {
        "toc": [[e.level, e.anchor, e.text] for e in rendered.toc],
        "categories": list(rendered.categories),
        "authors": authors,
    }
    rendered_at = utcnow()
    row = RenderCache(
        revision_id=revision.id,
        renderer_version=RENDERER_VERSION,
        fingerprint=rendered.fingerprint or None,
        html=rendered.html,
        meta=meta,
        rendered_at=rendered_at,
    )
    if first:
        session.add(row)
    else:
        session.merge(row)
    return CachedRender(
        rendered.html, rendered.toc, rendered.categories, tuple(authors), rendered_at
    )


def render_stamp(session: Session, revision_id: int) -> datetime | None:
    """When the current cached rendering of a revision was made (None: not cached).

    A light query (no HTML transferred) for callers that cache whole pages on top.
    """
    return session.scalar(
        select(RenderCache.rendered_at).where(
            RenderCache.revision_id == revision_id,
            RenderCache.renderer_version == RENDERER_VERSION,
        )
    )


def _stored_render(session: Session, revision_id: int, fingerprint: str) -> CachedRender | None:
    """The cached rendering of a revision by a renderer of this fingerprint, if any."""
    return _usable_render(session.get(RenderCache, revision_id), fingerprint)


def _usable_render(row: RenderCache | None, fingerprint: str) -> CachedRender | None:
    """``row`` as a :class:`CachedRender` when it was made by this renderer, else None."""
    if row is None or row.renderer_version != RENDERER_VERSION:
        return None
    if (row.fingerprint or "") != fingerprint:  # made with other plugins: render again
        return None
    meta = row.meta
    toc = tuple(TocEntry(level, anchor, text) for level, anchor, text in meta["toc"])
    return CachedRender(
        row.html, toc, tuple(meta["categories"]), tuple(meta["authors"]), row.rendered_at
    )


def cached_render(session: Session, renderer: Renderer, revision: Revision) -> CachedRender:
    """The rendering of ``revision``: from the cache, or rendered now and stored."""
    revision_id = revision.id
    row = session.get(RenderCache, revision_id)
    stored = _usable_render(row, renderer.fingerprint)
    if stored is not None:
        return stored
    rendered = render_text(session, renderer, revision.text)
    result = store_render(session, revision, rendered, first=row is None)
    try:
        session.commit()
    except (IntegrityError, StaleDataError):
        # another worker stored this revision's rendering meanwhile (two first views
        # at once, or a view and the search indexer's thread): the same HTML, keep
        # theirs, so whole pages cached on its stamp stay valid; or another
        # process's save dropped the row this one was updating (its links changed
        # colour): the next view renders again
        session.rollback()
        return _stored_render(session, revision_id, renderer.fingerprint) or result
    return result


def cached_renders(
    session: Session, renderer: Renderer, revisions: Sequence[Revision]
) -> dict[int, CachedRender]:
    """The renderings of many revisions, by revision id: the stored ones read in one
    query, the others rendered now and stored with one commit (a full reindex renders
    thousands of pages: one commit per page was a tenth of its time).

    When another process stored some of them meanwhile, the batch falls back to
    :func:`cached_render` page by page (which keeps theirs).
    """
    ids = [revision.id for revision in revisions]
    rows = {
        row.revision_id: row
        for row in session.scalars(select(RenderCache).where(RenderCache.revision_id.in_(ids)))
    }
    renders: dict[int, CachedRender] = {}
    made = False
    try:
        for revision in revisions:
            row = rows.get(revision.id)
            stored = _usable_render(row, renderer.fingerprint)
            if stored is None:
                rendered = render_text(session, renderer, revision.text)
                stored = store_render(session, revision, rendered, first=row is None)
                made = True
            renders[revision.id] = stored
        if made:
            session.commit()
    except (IntegrityError, StaleDataError):
        session.rollback()
        return {revision.id: cached_render(session, renderer, revision) for revision in revisions}
    return renders


def invalidate_linking_to(session: Session, title: Title) -> None:
    """Drop cached renderings of every page that links to ``title`` (its colour changed)."""
    linking_pages = select(PageLink.source_page_id).where(
        PageLink.target_namespace == title.namespace, PageLink.target_name == title.name
    )
    revisions = select(Revision.id).where(Revision.page_id.in_(linking_pages))
    session.execute(delete(RenderCache).where(RenderCache.revision_id.in_(revisions)))


#: ``session.info`` key: the pages whose renderings :func:`forget_renders` dropped in
#: the transaction (the search index, which reads the rendering, follows them)
FORGOTTEN_RENDERS = "wikicoop.render_cache.forgotten"


def forget_renders(session: Session, page_ids: Iterable[int] | None = None) -> None:
    """Drop the cached renderings of these pages (every page when None): something their
    HTML depended on changed (an interwiki table, a portal's list, an included page).
    They are rendered again on their next view, and re-indexed for search after the
    commit when they are named (a drop of every page leaves the index to ``wikicoop
    reindex``). Does not commit."""
    if page_ids is None:
        session.execute(delete(RenderCache))
        return
    ids = sorted(set(page_ids))
    session.info.setdefault(FORGOTTEN_RENDERS, set()).update(ids)
    for start in range(0, len(ids), _IN_CHUNK):
        revisions = select(Revision.id).where(Revision.page_id.in_(ids[start : start + _IN_CHUNK]))
        session.execute(delete(RenderCache).where(RenderCache.revision_id.in_(revisions)))
