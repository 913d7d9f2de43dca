"""Restoring the files of an export archive: after its pages, each embedded file's
versions (``files/<stem>/<n><ext>``, listed in the manifest's ``files``) are recorded in
the media library, oldest first, without being encoded again (an export holds the bytes
this wiki stored: already cleaned), their type still checked from the content and their
SHA-256 compared with the manifest's.

One transaction per file: its page when it did not travel in the archive (a category's
export carries the files its pages embed, not their pages), every version row and the
bytes moved into place. A file whose version is missing, corrupted or of a lying type is
left out whole and reported; the pages stay imported. A file that has versions here
already is not touched.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import insert, select

from wikicoop.core import importing, render_cache, writing
from wikicoop.core import revisions as rev
from wikicoop.core.models import User
from wikicoop.errors import ServiceError
from wikicoop.text.licences import LICENCES

from .detect import EXTENSIONS, MIME_OF, Prepared, UploadError, extension_of, sniff
from .embed import tables_ready
from .fichier import TYPE_NAME
from .import_archive import ArchiveRefused, read_member
from .storage import StagedFiles, stage
from .tables import file_usage, file_versions
from .uploads import DEFAULT_TEXT, file_title

_IMAGES = {"jpg", "png", "gif", "webp"}


@dataclass
class FilesReport:
    """The files restored, and those left out with the reason's code."""

    restored: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def import_files(
    ctx: writing.WriteContext,
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    media_root: Path,
    *,
    actor: User,
    author_of: Any,
    source: str,
) -> FilesReport:
    """Restore the manifest's files (``author_of(name)`` makes an imported author name)."""
    report = FilesReport()
    session = ctx.session
    if not tables_ready(session):
        return report
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in manifest.get("files") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            grouped[item["name"]].append(item)
    for name, items in grouped.items():
        try:
            _import_file(ctx, archive, name, items, media_root, actor, author_of, source)
        except _Refused as refused:
            session.rollback()
            report.failed.append((name, refused.code))
            continue
        report.restored.append(name)
    return report


def _import_file(
    ctx: writing.WriteContext,
    archive: zipfile.ZipFile,
    name: str,
    items: list[dict[str, Any]],
    media_root: Path,
    actor: User,
    author_of: Any,
    source: str,
) -> None:
    """One file: checked whole before anything is written, then one transaction."""
    session = ctx.session
    try:
        title = file_title(name)
    except UploadError:
        raise _Refused("file-bad-name") from None
    items = sorted(items, key=lambda item: int(item.get("version") or 0))
    checked = [_checked(archive, title.name, item) for item in items]
    page = rev.find_page(session, title)
    if (
        page is not None
        and session.execute(
            select(file_versions.c.id).where(file_versions.c.page_id == page.id).limit(1)
        ).first()
    ):
        raise _Refused("file-exists")
    staged: list[StagedFiles] = []
    try:
        if page is None:
            page = _create_page(ctx, title, items[0], actor, author_of, source)
        for number, (item, prepared) in enumerate(checked, start=1):
            files = stage(media_root, prepared)
            staged.append(files)
            session.execute(
                insert(file_versions).values(
                    page_id=page.id,
                    number=number,
                    sha256=files.sha256,
                    size=len(prepared.data),
                    mime=prepared.mime,
                    width=prepared.width,
                    height=prepared.height,
                    storage=files.storage,
                    uploader_id=actor.id,
                    created_at=_date(item),
                    comment="import",
                )
            )
        # the pages showing it were rendered (imported) before it had a version
        users = select(file_usage.c.page_id).where(file_usage.c.file_name == title.name)
        render_cache.forget_renders(session, list(session.execute(users).scalars()))
        for files in staged:
            files.place()
        session.commit()
    except ServiceError as err:
        session.rollback()
        for files in staged:
            files.discard(placed=True)
        raise _Refused("file-exists" if err.code == "import-exists" else "file-failed") from None
    except BaseException:
        session.rollback()
        for files in staged:
            files.discard(placed=True)
        raise
    finally:
        for files in staged:
            files.discard(placed=False)


def _checked(archive: zipfile.ZipFile, name: str, item: dict[str, Any]) -> tuple[dict, Prepared]:
    """A version's bytes, their SHA-256 and their type checked (not encoded again)."""
    try:
        data = read_member(archive, str(item.get("path") or ""))
    except ArchiveRefused:
        raise _Refused("file-missing") from None
    expected = item.get("sha256")
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise _Refused("file-corrupt")
    try:
        kind = sniff(data)
    except UploadError:
        kind = None
    if kind is None or extension_of(name) not in EXTENSIONS[kind]:
        raise _Refused("file-type")
    width = height = None
    if kind in _IMAGES:
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > Image.MAX_IMAGE_PIXELS:
                    raise _Refused("file-type")
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _Refused("file-corrupt") from None
    return item, Prepared(kind=kind, mime=MIME_OF[kind], data=data, width=width, height=height)


def _date(item: dict[str, Any]) -> datetime:
    try:
        date = datetime.fromisoformat(str(item.get("date")))
    except ValueError:
        return datetime.now(UTC)
    return date.replace(tzinfo=UTC) if date.tzinfo is None else date.astimezone(UTC)


def _create_page(
    ctx: writing.WriteContext,
    title: Any,
    first: dict[str, Any],
    actor: User,
    author_of: Any,
    source: str,
) -> Any:
    """The file page, when it did not travel in the archive: one imported revision under
    the file's licence, with its author and source."""
    licence = first.get("licence") if first.get("licence") in LICENCES else None
    fields = {
        key: str(first[src])[:500]
        for key, src in (("auteur", "author"), ("source", "source"))
        if first.get(src)
    }
    revision = importing.ImportedRevision(
        text=DEFAULT_TEXT,
        created_at=_date(first),
        licence=licence or str(ctx.settings["DEFAULT_LICENCE"]),
        author_name=author_of(str(first.get("uploader") or first.get("author") or "?")),
        summary="import",
        page_type=TYPE_NAME,
        fields=fields or None,
    )
    return importing.import_page(ctx, title, [revision], actor=actor, source=source)
