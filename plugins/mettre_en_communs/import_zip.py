"""Restoring the pages of a checked archive (:mod:`.import_archive`) with their history:
one transaction per page, each revision with its original date, author name, summary
and licence.

What MediaWiki's Special:Import does, within our immutable, ordered histories:

- a page missing here is created with every imported revision;
- a page that exists here is never overwritten silently: MediaWiki adds the imported
  revisions it does not have, and the newest one becomes current only if it is newer
  than the local one. Our history cannot interleave revisions (it is ordered by id),
  so the revisions newer than the local current version, not already present (same
  date and text), are added after the local ones; the older ones are left out and the
  page is reported as skipped when nothing is newer. A page under another licence here,
  or deleted here, is skipped with that reason.

Authors: the archive carries names, not accounts. A name is never matched to a local
account (that would credit a local person with someone else's words): the revision is
stored without an account, the name kept as its author (the core's field for an edit
without an account, cut to its 45 characters), and the summary starts with « [import] ».
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.models import Page, Revision
from wikicoop.core.revisions import Author, LostRace
from wikicoop.text.titles import Title

from .import_archive import ImportedPage, ImportedRevision

#: the summary prefix of every imported revision
MARK = "[import]"
#: the core's column for a name without an account
AUTHOR_CHARS = 45


@dataclass
class ImportReport:
    """What an import did: pages created, completed, skipped (with the reason's key of
    :mod:`.reuse_texts` and its params) and revisions written."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    revisions: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": [{"title": t, "reason": key, **params} for t, key, params in self.skipped],
            "revisions": self.revisions,
        }


def imported_author(name: str) -> Author:
    """The author of an imported revision: the name, without a local account."""
    return Author(user=None, ip=name[:AUTHOR_CHARS])


def summary_of(record: ImportedRevision) -> str:
    """The imported summary, marked, within the core's 500 characters."""
    return f"{MARK} {record.summary}".strip()[:500]


def _present(session: Session, page: Page) -> set[tuple[str, str]]:
    """(date, text) of the page's revisions: an archive imported twice adds nothing."""
    rows = session.execute(
        select(Revision.created_at, Revision.text).where(Revision.page_id == page.id)
    ).all()
    return {(created.isoformat(), text) for created, text in rows}


def _add_history(
    ctx: writing.WriteContext, page: Page, latest: Revision | None, records: list[ImportedRevision]
) -> None:
    """Add ``records`` after ``latest``: the earlier ones stored as published revisions
    of the history, the last one published through the core's :func:`writing.publish`
    (rendered once, links, categories, the ``page_published`` hook). Flushes only."""
    session = ctx.session
    parent = latest
    for record in records:
        page.licence = record.licence  # a new revision carries the page's licence
        revision = rev.new_revision(
            page,
            parent=parent,
            author=imported_author(record.author),
            text=record.text,
            summary=summary_of(record),
            action=record.action,
            now=record.date,
            minor=record.minor,
        )
        revision.page_type = record.page_type
        revision.fields = record.fields  # type: ignore[assignment]
        if record is records[-1]:
            writing.publish(ctx, page, revision, latest=latest, actor=None, now=record.date)
        else:
            session.add(revision)
            session.flush()
        parent = revision


def import_page(ctx: writing.WriteContext, title: Title, imported: ImportedPage) -> tuple[str, int]:
    """Write one page's revisions (flushes only): (``created``, ``updated`` or the key
    of why it was skipped; the number of revisions written)."""
    session = ctx.session
    records = list(imported.revisions)
    page = rev.find_page(session, title, for_update=True)
    if page is None:
        first = records[0]
        page = Page(
            namespace=title.namespace,
            name=title.name,
            licence=first.licence,
            created_at=first.date,
            touched_at=first.date,
        )
        session.add(page)
        session.flush()
        _add_history(ctx, page, None, records)
        return "created", len(records)
    if page.is_deleted:
        return "deleted-here", 0
    latest = page.latest_revision
    present = _present(session, page)
    newer = [
        r
        for r in records
        if (latest is None or r.date > latest.created_at)
        and (r.date.isoformat(), r.text) not in present
    ]
    if not newer:
        return "exists-older", 0
    if any(r.licence != page.licence for r in newer):
        return "exists-licence", 0
    _add_history(ctx, page, latest, newer)
    return "updated", len(newer)


def import_pages(
    ctx: writing.WriteContext, pages: list[tuple[Title, ImportedPage]]
) -> ImportReport:
    """Restore every page, one transaction each (a page that fails is rolled back alone
    and reported)."""
    session = ctx.session
    report = ImportReport()
    for title, imported in pages:
        try:
            outcome, written = import_page(ctx, title, imported)
        except (IntegrityError, LostRace):  # someone wrote this page meanwhile
            session.rollback()
            report.skipped.append((title.full, "exists-older", {}))
            continue
        except BaseException:
            session.rollback()
            raise
        if outcome in ("created", "updated"):
            session.commit()
            (report.created if outcome == "created" else report.updated).append(title.full)
            report.revisions += written
        else:
            session.rollback()
            params = (
                {"local": _local_licence(session, title)} if outcome == "exists-licence" else {}
            )
            report.skipped.append((title.full, outcome, params))
    return report


def _local_licence(session: Session, title: Title) -> str:
    page = rev.find_page(session, title)
    return page.licence if page is not None else ""
