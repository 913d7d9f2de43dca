"""One import from start to end, shared by the form, the API and the command: open and
check the archive, read every page's history, then restore the pages."""

from __future__ import annotations

from typing import IO, Any

from sqlalchemy.orm import Session

from wikicoop.core import writing
from wikicoop.core.models import User
from wikicoop.text.titles import TitleError, parse_title

from .import_archive import (
    MAX_UNPACKED_BYTES,
    ArchiveRefused,
    open_archive,
    read_manifest,
    read_pages,
)
from .import_zip import ImportReport, import_pages


def run_import(
    app: Any, session: Session, source: str | IO[bytes], *, actor: User, name: str = ""
) -> ImportReport:
    """Import the archive ``source`` (a path or a binary file, ``name`` for the audit
    log) into ``app``'s wiki, by ``actor`` (an administrator).

    Raises :class:`ArchiveRefused` before writing anything when the archive is not one
    of ours, unsafe or broken.
    """
    limit = int(app.config.get("COMMONS_IMPORT_MAX_BYTES") or MAX_UNPACKED_BYTES)
    with open_archive(source, limit) as archive:
        manifest = read_manifest(archive)
        pages = read_pages(archive, manifest)
    titled = []
    for page in pages:
        try:
            title = parse_title(page.title, capitalize_first=app.config["CAPITALIZE_FIRST"])
        except TitleError:
            raise ArchiveRefused("bad-manifest", detail=f"title {page.title[:200]!r}") from None
        titled.append((title, page))
    session.rollback()  # start each page's transaction from a fresh read
    wiki = str(manifest.get("wiki") or "")[:60].replace(">", "")
    return import_pages(
        writing.context_for(app, session),
        titled,
        actor=actor,
        prefix=wiki,
        source=f"{name or 'archive'} ({wiki}, {manifest.get('date', '')})"[:500],
    )
