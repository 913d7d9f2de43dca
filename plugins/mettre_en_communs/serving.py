"""Serving stored files: the raw file, its thumbnails and its old versions.

A URL naming a version (``/version/<n>``) or carrying the version's hash (``?v=…``, as
embedded images do) never changes: it is cached for a year. The others follow the
newest version: cached for five minutes, with an ETag (the hash). Every answer has the
Content-Type of the checked content, ``nosniff`` and a sandboxing policy; documents
other than images, PDF and text are downloads.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Response, abort, request, send_file
from flask_login import current_user

from wikicoop.core import visibility
from wikicoop.errors import ServiceError
from wikicoop.web.db import get_session

from .detect import UploadError
from .media_api import FileVersion, file_versions, media_dir, resolve_file_name
from .storage import thumbnail_storage
from .uploads import file_title

YEAR = 365 * 24 * 3600
SHORT = 300
_INLINE = ("image/", "application/pdf", "text/plain")


def versions_or_404(name: str) -> list[FileVersion]:
    """The versions of a file the reader may see (its page exists for them), newest
    first; 404 otherwise."""
    try:
        title = file_title(name)
        visibility.readable_page(get_session(), title, current_user)  # or its redirect
    except (UploadError, ServiceError):
        abort(404)
    found = file_versions(get_session(), resolve_file_name(get_session(), title.name))
    if not found:
        abort(404)
    return found


def send_version(version: FileVersion, path: Path, *, fixed: bool) -> Response:
    """Answer with the file at ``path`` (a version or one of its thumbnails)."""
    if not path.is_file():
        abort(404)
    inline = version.mime.startswith(_INLINE)
    mimetype = version.mime  # Flask adds "; charset=utf-8" to text/plain
    download = version.name if not inline else None
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=download or path.name,
        etag=version.sha256 + path.suffix + str(path.stat().st_size),
        max_age=YEAR if fixed else SHORT,
        conditional=True,
    )
    if inline:
        response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = (
        f"public, max-age={YEAR}, immutable" if fixed else f"public, max-age={SHORT}"
    )
    return response


def _fixed() -> bool:
    return bool(request.args.get("v"))


def raw(name: str) -> Response:
    """The newest version's bytes."""
    version = versions_or_404(name)[0]
    return send_version(version, media_dir() / version.storage, fixed=_fixed())


def thumbnail(name: str, width: int, widths: tuple[int, ...]) -> Response:
    """A thumbnail of the newest version (404 for a width not made, or a document)."""
    version = versions_or_404(name)[0]
    if width not in widths or not version.is_image:
        abort(404)
    kind = version.extension.lstrip(".")
    path = media_dir() / thumbnail_storage(version.sha256, kind, width)
    if not path.is_file():  # a width added to the setting after the upload: made now
        make_thumbnail(media_dir() / version.storage, path, kind, width)
    return send_version(version, path, fixed=_fixed())


def make_thumbnail(source: Path, target: Path, kind: str, width: int) -> None:
    """Make one missing thumbnail from a stored version (already checked and cleaned),
    written to a temporary file and renamed into place."""
    if not source.is_file():
        abort(404)
    # loaded when first used: not on a page view's path (a quicker start)
    from .images import stored_thumbnail

    data = stored_thumbnail(source, kind, width)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".thumb-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(name, target)


def old_version(name: str, number: int) -> Response:
    """Version ``number`` of a file (it never changes)."""
    for version in versions_or_404(name):
        if version.number == number:
            return send_version(version, media_dir() / version.storage, fixed=True)
    abort(404)
