"""Pages brought from elsewhere with their history: the write path of an import.

An imported page keeps every revision as it was written: its date, its summary, its
licence and its author. An author with no account here is kept by name, as MediaWiki's
Special:Import does (``wiki-brest>Alice``: the caller chooses the prefix), in the
column that holds the name of account-less authors (``Revision.author_ip``). Like
Special:Import, a title that already exists here is refused: nothing is merged into a
page people are writing, and the caller reports the page as skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import ServiceError
from ..text.titles import Title
from . import revisions as rev
from .models import AuditEntry, Page, Revision, User
from .writing import WriteContext, publish

__all__ = ["ImportedRevision", "import_page"]

#: the longest account-less author name the column holds
MAX_AUTHOR_NAME = 255


@dataclass(frozen=True)
class ImportedRevision:
    """One revision of an imported page, as its source wiki stored it.

    ``author`` is a local account to credit, else ``author_name`` is kept as written;
    ``created_at`` carries its time zone.
    """

    text: str
    created_at: datetime
    licence: str
    author_name: str = ""
    author: User | None = None
    summary: str = ""
    minor: bool = False
    page_type: str | None = None
    fields: Mapping[str, Any] | None = field(default=None)


def import_page(
    ctx: WriteContext,
    title: Title,
    history: Sequence[ImportedRevision],
    *,
    actor: User,
    source: str = "",
) -> Page:
    """Create ``title`` with ``history`` (oldest first); the last revision is published
    through :func:`writing.publish` (rendered, linked, indexed, ``page_published``).

    Refuses (``ServiceError``, nothing written) an existing title (``import-exists``, 409),
    an empty history, a date without time zone, a bad licence or a text over
    ``MAX_PAGE_BYTES``. Writes an
    ``import`` audit entry naming ``actor`` and ``source``. Flushes, never commits: the
    caller commits each page (one transaction per page).
    """
    session = ctx.session
    if not history:
        raise ServiceError("import-empty", status=422, title=title.full)
    if rev.find_page(session, title, include_deleted=True) is not None:
        raise ServiceError("import-exists", status=409, title=title.full)
    if any(item.created_at.tzinfo is None for item in history):
        raise ServiceError("import-naive-date", status=422, title=title.full)
    max_bytes = int(ctx.settings["MAX_PAGE_BYTES"])
    ordered = sorted(history, key=lambda r: r.created_at)
    checked = [
        (
            item,
            rev.clean_text(item.text, max_bytes),
            rev.checked_licence(item.licence),
            rev.clean_summary(item.summary),
        )
        for item in ordered
    ]
    first, last = ordered[0], ordered[-1]
    page = Page(
        namespace=title.namespace,
        name=title.name,
        licence=checked[-1][2],
        created_at=first.created_at,
        touched_at=last.created_at,
    )
    session.add(page)
    session.flush()
    parent: Revision | None = None
    for number, (item, text, licence, summary) in enumerate(checked):
        author = rev.Author(
            user=item.author,
            ip=None if item.author else (item.author_name or "?")[:MAX_AUTHOR_NAME],
        )
        revision = rev.new_revision(
            page,
            parent=parent,
            author=author,
            text=text,
            summary=summary,
            action="import",
            now=item.created_at,
            minor=item.minor,
        )
        revision.licence = licence
        revision.page_type = item.page_type
        revision.fields = dict(item.fields) if item.fields is not None else None
        if number < len(checked) - 1:
            session.add(revision)
            session.flush()
            parent = revision
        else:
            publish(ctx, page, revision, latest=None, actor=actor, now=item.created_at)
    session.add(
        AuditEntry(
            actor_id=actor.id,
            action="import",
            target_type="page",
            target_id=page.id,
            page_id=page.id,
            reason=source[:500],
            details={"title": title.full, "revisions": len(checked)},
        )
    )
    return page
