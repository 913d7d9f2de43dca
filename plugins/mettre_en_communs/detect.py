"""What an uploaded file really is, decided from its bytes (never its name nor the
Content-Type the client sent), and what is stored of it.

Images (JPEG, PNG, GIF, WebP) are decoded by Pillow (:mod:`.images`) and encoded again:
what is stored is pixels only, turned upright first (EXIF orientation), without EXIF,
GPS, XMP or comments. Thumbnails are made at the same time (never wider than the image).
PDF, OpenDocument files and plain UTF-8 text are checked and stored as they are. SVG is
refused: a browser runs the scripts it may hold.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from .kinds import EXTENSIONS, MIME_OF, PIL_FORMAT, THUMBNAIL_WIDTHS, Prepared, UploadError

_ODF_PREFIX = b"application/vnd.oasis.opendocument."


def extension_of(name: str) -> str:
    """The lower-cased extension of a file name, without its dot ("" when none)."""
    return PurePath(name).suffix.lower().lstrip(".")


def sniff(data: bytes) -> str | None:
    """The kind of ``data`` from its first bytes (and structure), or None if unknown.
    Raises :class:`UploadError` for SVG and HTML, refused as such."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _odf_kind(data)
    return _text_kind(data)


def _odf_kind(data: bytes) -> str | None:
    """odt/ods/odp for an OpenDocument zip (its first entry is ``mimetype``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if not names or names[0] != "mimetype":
                return None
            mimetype = archive.read("mimetype").strip()
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    if not mimetype.startswith(_ODF_PREFIX):
        return None
    for kind in ("odt", "ods", "odp"):
        if MIME_OF[kind].encode() == mimetype:
            return kind
    return None


def _text_kind(data: bytes) -> str | None:
    """ "txt" for UTF-8 text without control bytes; SVG and HTML are refused by name."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    if "<svg" in head:
        raise UploadError("svg-refused", 415)
    if head.startswith(("<!doctype html", "<html", "<?php", "<script", "<?xml")):
        raise UploadError("markup-refused", 415)
    if any(ch < " " and ch not in "\t\r\n\f" for ch in text):
        return None
    return "txt"


def prepare(
    data: bytes,
    filename: str,
    *,
    max_bytes: int,
    max_pixels: int,
    widths: tuple[int, ...] = THUMBNAIL_WIDTHS,
) -> Prepared:
    """Check ``data`` uploaded as ``filename`` and turn it into what is stored.

    Raises :class:`UploadError`: ``empty`` (0 bytes), ``too-big`` (over ``max_bytes``,
    413), ``unknown-type`` (415), ``wrong-extension`` (the name's extension does not fit
    the content, 415), ``bomb`` (more than ``max_pixels`` pixels), ``broken`` (a
    truncated or undecodable file, 422).
    """
    if not data:
        raise UploadError("empty", 422)
    if len(data) > max_bytes:
        raise UploadError("too-big", 413, limit=_megabytes(max_bytes))
    kind = sniff(data)
    if kind is None:
        raise UploadError("unknown-type", 415)
    extension = extension_of(filename)
    if extension not in EXTENSIONS[kind]:
        raise UploadError(
            "wrong-extension",
            415,
            extension=extension or "—",
            expected=", ".join("." + e for e in EXTENSIONS[kind]),
        )
    if kind in PIL_FORMAT:
        # loaded when first used: not on a page view's path (a quicker start)
        from .images import prepare_image

        return prepare_image(data, kind, max_pixels, widths)
    if kind == "pdf" and b"%%EOF" not in data[-2048:]:
        raise UploadError("broken", 422)
    return Prepared(kind=kind, mime=MIME_OF[kind], data=data)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} Mo"
