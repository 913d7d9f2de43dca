"""Restoring the pages of a checked archive (:mod:`.import_archive`) with their history,
through the core's import path (:func:`wikicoop.core.importing.import_page`): one
transaction per page, each revision with its original date, summary, licence and
author.

A title that already exists here (even deleted) is not touched and is reported as
skipped. MediaWiki's Special:Import would add the missing revisions to the existing
history, interleaved by date; our histories are immutable and in writing order, and the
core's import path refuses an existing title: nothing is merged into a page people are
writing here.

Authors: the archive carries names, not accounts. A name is never matched to a local
account (that would credit a local person with someone else's words): it is kept as
written, prefixed by the source wiki's name as MediaWiki does (``wikicoop>Alice``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from wikicoop.core import importing, writing
from wikicoop.core.models import User
from wikicoop.errors import ServiceError
from wikicoop.text.titles import Title

from .import_archive import ImportedPage


@dataclass
class ImportReport:
    """What an import did: pages created, skipped (with the reason's key of
    :mod:`.reuse_texts`) and revisions written."""

    created: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    revisions: int = 0
    files: list[str] = field(default_factory=list)  # files restored (their versions)
    files_failed: list[tuple[str, str]] = field(default_factory=list)  # (name, code)

    def as_json(self) -> dict[str, object]:
        return {
            "created": self.created,
            "skipped": [{"title": title, "reason": key} for title, key in self.skipped],
            "revisions": self.revisions,
            "files": self.files,
            "files_failed": [{"name": name, "reason": key} for name, key in self.files_failed],
        }


def author_name(prefix: str, name: str) -> str:
    """An imported author: ``<source wiki>><name>`` (MediaWiki's interwiki form); a name
    already prefixed is kept."""
    name = name.strip() or "?"
    if not prefix or ">" in name:
        return name
    return f"{prefix}>{name}"


def history_of(prefix: str, page: ImportedPage) -> list[importing.ImportedRevision]:
    """The core's revisions of an archive's page."""
    return [
        importing.ImportedRevision(
            text=record.text,
            created_at=record.date,
            licence=record.licence,
            author_name=author_name(prefix, record.author),
            summary=record.summary,
            minor=record.minor,
            page_type=record.page_type,
            fields=record.fields,
        )
        for record in page.revisions
    ]


def import_pages(
    ctx: writing.WriteContext,
    pages: list[tuple[Title, ImportedPage]],
    *,
    actor: User,
    prefix: str,
    source: str,
) -> ImportReport:
    """Restore every page, each in its own transaction (a page that exists is skipped;
    any other refusal rolls that page back and is reported)."""
    session = ctx.session
    report = ImportReport()
    for title, imported in pages:
        try:
            importing.import_page(
                ctx, title, history_of(prefix, imported), actor=actor, source=source
            )
            session.commit()
        except ServiceError as err:
            session.rollback()
            report.skipped.append(
                (title.full, "exists" if err.code == "import-exists" else err.code)
            )
            continue
        except IntegrityError:  # created by someone else meanwhile
            session.rollback()
            report.skipped.append((title.full, "exists"))
            continue
        except BaseException:
            session.rollback()
            raise
        report.created.append(title.full)
        report.revisions += len(imported.revisions)
    return report
