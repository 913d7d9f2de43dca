"""One import from start to end, shared by the form, the API and the command: open and
check the archive, read every page's history, then restore the pages."""

from __future__ import annotations

from typing import IO, Any

from sqlalchemy.orm import Session

from wikicoop.core import writing
from wikicoop.core.models import User
from wikicoop.search import indexing_deferred
from wikicoop.text.titles import TitleError, parse_title

from .import_archive import (
    MAX_UNPACKED_BYTES,
    ArchiveRefused,
    open_archive,
    read_manifest,
    read_pages,
)
from .import_zip import ImportReport, author_name, import_pages
from .media_api import media_dir


def run_import(
    app: Any, session: Session, source: str | IO[bytes], *, actor: User, name: str = ""
) -> ImportReport:
    """Import the archive ``source`` (a path or a binary file, ``name`` for the audit
    log) into ``app``'s wiki, by ``actor`` (an administrator).

    Raises :class:`ArchiveRefused` before writing anything when the archive is not one
    of ours, unsafe or broken.
    """
    # loaded when first used (it needs Pillow): not on a page view's path (a quicker start)
    from .import_files import import_files

    limit = int(app.config.get("COMMONS_IMPORT_MAX_BYTES") or MAX_UNPACKED_BYTES)
    with open_archive(source, limit) as archive:
        manifest = read_manifest(archive)
        pages = read_pages(archive, manifest)
        titled = []
        for page in pages:
            try:
                title = parse_title(page.title, capitalize_first=app.config["CAPITALIZE_FIRST"])
            except TitleError:
                detail = f"title {page.title[:200]!r}"
                raise ArchiveRefused("bad-manifest", detail=detail) from None
            titled.append((title, page))
        session.rollback()  # start each page's transaction from a fresh read
        wiki = str(manifest.get("wiki") or "")[:60].replace(">", "")
        ctx = writing.context_for(app, session)
        origin = f"{name or 'archive'} ({wiki}, {manifest.get('date', '')})"[:500]
        # one transaction per page, and one index write for them all at the end
        with indexing_deferred(app):
            report = import_pages(ctx, titled, actor=actor, prefix=wiki, source=origin)
            # then the files the pages embed (the media library's part)
            files = import_files(
                ctx,
                archive,
                manifest,
                media_dir(),
                actor=actor,
                author_of=lambda author: author_name(wiki, author),
                source=origin,
            )
    report.files = files.restored
    report.files_failed = files.failed
    return report
