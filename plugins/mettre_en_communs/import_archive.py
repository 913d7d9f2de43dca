"""Reading an export archive safely: a zip, with a manifest of our format, no unsafe
path, no bomb (sizes are checked from the directory before anything is unpacked, and
again while reading), and every page's history well-formed. Nothing is written here:
:mod:`.import_zip` restores what this module has checked.

Each refusal is an :class:`ArchiveRefused` naming a text of :mod:`.reuse_texts` and an
HTTP status: 400 not a zip, 413 too big once unpacked, 422 otherwise.
"""

from __future__ import annotations

import itertools
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import IO, Any

from wikicoop.text.licences import LICENCES

from .export_zip import FORMAT, FORMAT_VERSION

#: largest archive once unpacked (setting ``COMMONS_IMPORT_MAX_BYTES``)
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
#: a member unpacking more than this many times its packed size is a bomb…
MAX_RATIO = 200
#: …when it is larger than this (small, very repetitive files are fine)
RATIO_FLOOR = 1024 * 1024


class ArchiveRefused(Exception):
    """An archive that cannot be imported: ``key`` of the texts, ``status``, ``params``."""

    def __init__(self, key: str, status: int = 422, **params: Any) -> None:
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


@dataclass(frozen=True)
class ImportedRevision:
    """One published revision of the archive, checked."""

    date: datetime
    author: str
    summary: str
    licence: str
    text: str
    minor: bool
    action: str
    page_type: str | None
    fields: dict[str, Any] | None


@dataclass(frozen=True)
class ImportedPage:
    """A page of the archive with its history, oldest first."""

    title: str
    revisions: tuple[ImportedRevision, ...]


def _safe_name(name: str) -> bool:
    """A member name that stays inside the folder it is unpacked to."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    path = PurePosixPath(name)
    return ".." not in path.parts and not (path.parts and path.parts[0].endswith(":"))


def check_members(archive: zipfile.ZipFile, max_bytes: int) -> None:
    """Refuse unsafe paths and bombs from the zip's directory, before any unpacking."""
    total = 0
    for info in archive.infolist():
        if not _safe_name(info.filename):
            raise ArchiveRefused("unsafe-path", path=info.filename[:200])
        total += info.file_size
        if total > max_bytes:
            raise ArchiveRefused("too-big", 413, limit=max_bytes // (1024 * 1024))
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and info.file_size / packed > MAX_RATIO:
            raise ArchiveRefused("bomb", path=info.filename[:200])


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, never more than its directory entry announced (a lying entry
    is a bomb)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ArchiveRefused("bad-manifest", detail=f"{name[:200]} absent") from None
    with archive.open(info) as member:
        data = member.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ArchiveRefused("bomb", path=name[:200])
    return data


def open_archive(source: str | IO[bytes], max_bytes: int = MAX_UNPACKED_BYTES) -> zipfile.ZipFile:
    """The zip of ``source`` (a path or a binary file), its directory checked."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ArchiveRefused("bad-zip", 400) from None
    try:
        check_members(archive, max_bytes)
    except ArchiveRefused:
        archive.close()
        raise
    return archive


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """manifest.json, of our format and a version this wiki reads."""
    if "manifest.json" not in archive.namelist():
        raise ArchiveRefused("no-manifest")
    try:
        manifest = json.loads(read_member(archive, "manifest.json").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ArchiveRefused("bad-manifest", detail=str(err)[:200]) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveRefused("bad-manifest", detail="format")
    version = manifest.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise ArchiveRefused("bad-manifest", detail=f"format_version {version!r}")
    pages = manifest.get("pages")
    if not isinstance(pages, list) or not all(
        isinstance(p, dict)
        and isinstance(p.get("title"), str)
        and isinstance(p.get("history"), str)
        for p in pages
    ):
        raise ArchiveRefused("bad-manifest", detail="pages")
    return manifest


def _revision(title: str, line: str) -> ImportedRevision:
    """One line of a history file, checked (a ValueError says what is wrong)."""
    record = json.loads(line)
    if not isinstance(record, dict):
        raise ValueError("not an object")
    text, author, summary = record.get("text"), record.get("author"), record.get("summary", "")
    if not isinstance(text, str) or not isinstance(author, str) or not isinstance(summary, str):
        raise ValueError("text, author and summary must be strings")
    if record.get("title", title) != title:
        raise ValueError("another page's revision")
    licence = record.get("licence")
    if licence not in LICENCES:
        raise ValueError(f"unknown licence {licence!r}")
    date = datetime.fromisoformat(str(record.get("date")))
    date = date.replace(tzinfo=UTC) if date.tzinfo is None else date.astimezone(UTC)
    fields = record.get("fields")
    page_type = record.get("type")
    if fields is not None and not isinstance(fields, dict):
        raise ValueError("fields must be an object")
    if page_type is not None and not isinstance(page_type, str):
        raise ValueError("type must be a string")
    action = (
        record.get("action")
        if record.get("action") in {"create", "edit", "restore", "move", "merge"}
        else "edit"
    )
    return ImportedRevision(
        date=date,
        author=author.strip() or "?",
        summary=summary,
        licence=licence,
        text=text,
        minor=bool(record.get("minor")),
        action=str(action),
        page_type=page_type or None,
        fields=fields or None,
    )


def read_pages(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> list[ImportedPage]:
    """Every page of the manifest with its checked history (all read before any write,
    so a broken page refuses the whole archive)."""
    pages: list[ImportedPage] = []
    for entry in manifest["pages"]:
        title = entry["title"]
        try:
            raw = read_member(archive, entry["history"]).decode("utf-8")
            revisions = tuple(_revision(title, line) for line in raw.splitlines() if line.strip())
            if not revisions:
                raise ValueError("no revision")
            if any(b.date < a.date for a, b in itertools.pairwise(revisions)):
                raise ValueError("revisions out of order")
        except ArchiveRefused:
            raise
        except (UnicodeDecodeError, ValueError, TypeError) as err:
            raise ArchiveRefused("bad-history", title=title[:200], detail=str(err)[:200]) from None
        pages.append(ImportedPage(title, revisions))
    return pages
