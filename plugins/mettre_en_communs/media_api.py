"""What the rest of the plugin (licence checks, credits, exports) asks of the media
library: which files a text embeds, their licences, their stored versions.

File names are the names of file pages without their prefix, normalised like titles
(``[[fichier:photo du_port.jpg]]`` embeds ``"Photo du port.jpg"``, the page
``Fichier:Photo du port.jpg``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from wikicoop.core.models import Page, Revision, User
from wikicoop.text.titles import TitleError, parse_title

from .tables import file_versions as versions_table

__all__ = [
    "FileVersion",
    "embedded_files",
    "file_credits",
    "file_licences",
    "file_name_of",
    "file_versions",
    "latest_versions",
    "media_dir",
    "resolve_file_name",
    "stored_path",
]

#: ``[[Fichier:Nom.jpg]]``, ``[[File:Nom.jpg|vignette|légende]]`` (target before a ``|``)
_WIKI_EMBED_RE = re.compile(r"\[\[(?P<target>[^\[\]\|\n]+)(?:\|[^\[\]\n]*)?\]\]")
#: ``![texte](Fichier:Nom.jpg)``, ``![texte](<Fichier:Mon nom.jpg> "titre")``
_MD_EMBED_RE = re.compile(
    r"!\[[^\]\n]*\]\(\s*(?:<(?P<angled>[^>\n]+)>|(?P<bare>[^\s)]+))(?:\s+\"[^\"\n]*\")?\s*\)"
)
#: fenced code blocks and inline code spans: what they hold is not an embed
_CODE_RE = re.compile(r"^(```|~~~).*?^\1[^\n]*$|`[^`\n]+`", re.MULTILINE | re.DOTALL)


def file_name_of(target: str, *, capitalize_first: bool = True) -> str | None:
    """The file name a link target names (``"Fichier:photo.jpg"`` → ``"Photo.jpg"``), or
    None when it is not a valid title of the ``file`` namespace."""
    try:
        title = parse_title(target, capitalize_first=capitalize_first)
    except TitleError:
        return None
    return title.name if title.namespace == "file" else None


def embedded_files(text: str) -> list[str]:
    """The names of the files ``text`` embeds by wiki syntax (``[[Fichier:X]]``, with
    options or not) or Markdown image syntax (``![alt](Fichier:X)``), in order of first
    appearance, each once. A link with a leading colon (``[[:Fichier:X]]``) is a link to
    the file page, not an embed; code blocks and code spans are skipped."""
    text = _CODE_RE.sub(" ", text)
    found: list[tuple[int, str]] = []
    for match in _WIKI_EMBED_RE.finditer(text):
        if match.group("target").lstrip().startswith(":"):
            continue  # [[:Fichier:X]] links to the file page
        name = file_name_of(match.group("target"))
        if name:
            found.append((match.start(), name))
    for match in _MD_EMBED_RE.finditer(text):
        target = match.group("angled") or unquote(match.group("bare"))
        name = file_name_of(target)
        if name:
            found.append((match.start(), name))
    names: list[str] = []
    for _, name in sorted(found):
        if name not in names:
            names.append(name)
    return names


def resolve_file_name(session: Session, name: str) -> str:
    """``name``, or the file it redirects to when its page was renamed (one hop, as
    MediaWiki follows a file redirect)."""
    target = session.execute(
        select(Page.redirect_target).where(
            Page.namespace == "file", Page.name == name, Page.deleted_at.is_(None)
        )
    ).scalar()
    if not target:
        return name
    return file_name_of(target) or name


def file_licences(session: Session, names: Iterable[str]) -> dict[str, str]:
    """Name → licence code (``CC-BY-NC-4.0``…) of each named file's published revision,
    in one query. Files without a published, undeleted page are left out."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = session.execute(
        select(Page.name, Revision.licence)
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(Page.namespace == "file", Page.name.in_(wanted), Page.deleted_at.is_(None))
    )
    return {name: licence for name, licence in rows}


def file_credits(session: Session, names: Iterable[str]) -> dict[str, dict[str, str | None]]:
    """Name → ``{"licence", "author", "source", "description"}`` of each named file's
    published revision (its page's fields), in one query."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = session.execute(
        select(Page.name, Revision.licence, Revision.fields)
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(Page.namespace == "file", Page.name.in_(wanted), Page.deleted_at.is_(None))
    )
    return {
        name: {
            "licence": licence,
            "author": (fields or {}).get("auteur"),
            "source": (fields or {}).get("source"),
            "description": (fields or {}).get("description"),
        }
        for name, licence, fields in rows
    }


@dataclass(frozen=True)
class FileVersion:
    """One stored binary version of a file (numbers start at 1)."""

    id: int
    page_id: int
    name: str
    number: int
    sha256: str
    size: int
    mime: str
    width: int | None
    height: int | None
    storage: str  # path relative to the media folder
    uploader: str | None  # the account's name (None when the account is gone)
    created_at: datetime
    comment: str

    @property
    def extension(self) -> str:
        return Path(self.storage).suffix

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


def _select_versions():
    v = versions_table.c
    return (
        select(
            v.id,
            v.page_id,
            Page.name,
            v.number,
            v.sha256,
            v.size,
            v.mime,
            v.width,
            v.height,
            v.storage,
            User.username,
            v.created_at,
            v.comment,
        )
        .join(Page, Page.id == v.page_id)
        .outerjoin(User, User.id == v.uploader_id)
    )


def file_versions(session: Session, name: str) -> list[FileVersion]:
    """Every stored version of the file ``name`` (normalised like a title, with or
    without its ``Fichier:`` prefix), newest first; [] for an unknown file."""
    file_name = file_name_of(name) or file_name_of(f"Fichier:{name}")
    if file_name is None:
        return []
    rows = session.execute(
        _select_versions()
        .where(Page.namespace == "file", Page.name == file_name)
        .order_by(versions_table.c.number.desc())
    )
    return [FileVersion(*row) for row in rows]


def latest_versions(session: Session, names: Iterable[str]) -> dict[str, FileVersion]:
    """Name → newest stored version of each named, published file, in one query."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = session.execute(
        _select_versions()
        .where(
            Page.namespace == "file",
            Page.name.in_(wanted),
            Page.deleted_at.is_(None),
            Page.latest_revision_id.is_not(None),  # a file waiting for review is not shown
        )
        .order_by(versions_table.c.number)
    )
    return {version.name: version for version in (FileVersion(*row) for row in rows)}


def media_dir() -> Path:
    """The folder holding the files: setting ``MEDIA_DIR``, else ``<instance>/media``."""
    configured = current_app.config.get("MEDIA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"


def stored_path(version: FileVersion) -> Path:
    """Where the bytes of ``version`` are on disk (inside an app context)."""
    return media_dir() / version.storage
