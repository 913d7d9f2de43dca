"""What an uploaded file really is, decided from its bytes (never its name nor the
Content-Type the client sent), and what is stored of it.

Images (JPEG, PNG, GIF, WebP) are decoded by Pillow and encoded again: what is stored
is pixels only, turned upright first (EXIF orientation), without EXIF, GPS, XMP or
comments. Thumbnails are made at the same time (never wider than the image). PDF,
OpenDocument files and plain UTF-8 text are checked and stored as they are. SVG is
refused: a browser runs the scripts it may hold.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from PIL import Image, ImageOps, UnidentifiedImageError

#: canonical extension -> MIME type of each accepted kind
MIME_OF = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "txt": "text/plain",
}
#: the extensions a name may have for each kind (the first is the canonical one)
EXTENSIONS = {
    "jpg": ("jpg", "jpeg", "jpe"),
    "png": ("png",),
    "gif": ("gif",),
    "webp": ("webp",),
    "pdf": ("pdf",),
    "odt": ("odt",),
    "ods": ("ods",),
    "odp": ("odp",),
    "txt": ("txt",),
}
_PIL_FORMAT = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
_ODF_PREFIX = b"application/vnd.oasis.opendocument."
#: default thumbnail widths (setting ``COMMONS_THUMBNAIL_WIDTHS``)
THUMBNAIL_WIDTHS = (320, 800)


class UploadError(Exception):
    """An upload refused: ``key`` names its sentence in texts.TEXTS, ``status`` the HTTP
    status, ``params`` the sentence's values."""

    def __init__(self, key: str, status: int = 422, **params: object) -> None:
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


@dataclass
class Prepared:
    """An accepted upload, ready to store."""

    kind: str  # canonical extension: jpg, png, pdf…
    mime: str
    data: bytes  # the bytes stored (re-encoded for images)
    width: int | None = None
    height: int | None = None
    thumbnails: dict[int, bytes] = field(default_factory=dict)  # width -> bytes

    @property
    def is_image(self) -> bool:
        return self.kind in _PIL_FORMAT


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
    if kind in _PIL_FORMAT:
        return _prepare_image(data, kind, max_pixels, widths)
    if kind == "pdf" and b"%%EOF" not in data[-2048:]:
        raise UploadError("broken", 422)
    return Prepared(kind=kind, mime=MIME_OF[kind], data=data)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} Mo"


def _prepare_image(data: bytes, kind: str, max_pixels: int, widths: tuple[int, ...]) -> Prepared:
    """Decode, check, turn upright, strip metadata, encode again, make thumbnails."""
    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow's own guard, before any decoding
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != _PIL_FORMAT[kind]:
                    raise UploadError("broken", 422)
                if probe.width * probe.height > max_pixels:
                    raise UploadError("bomb", 422, pixels=_millions(max_pixels))
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                stored, frames = _upright_clean(image, kind)
                out = _encode(stored, kind, frames)
                thumbs = thumbnails(stored, kind, widths)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError("bomb", 422, pixels=_millions(max_pixels)) from None
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise UploadError("broken", 422) from None
    return Prepared(
        kind=kind,
        mime=MIME_OF[kind],
        data=out,
        width=stored.width,
        height=stored.height,
        thumbnails=thumbs,
    )


def _millions(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def _upright_clean(image: Image.Image, kind: str) -> tuple[Image.Image, list[Image.Image]]:
    """The image upright, with no metadata left in ``info`` but what drawing needs; for
    an animated GIF, its frames too."""
    frames: list[Image.Image] = []
    if kind == "gif" and getattr(image, "n_frames", 1) > 1:
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(image.copy())
        image.seek(0)
        upright = frames[0]
    else:
        upright = ImageOps.exif_transpose(image)  # a new image, upright
    keep = {"transparency", "duration", "loop", "background", "icc_profile"}
    for picture in [upright, *frames]:
        picture.info = {k: v for k, v in image.info.items() if k in keep}
    return upright, frames[1:]


def _encode(image: Image.Image, kind: str, frames: list[Image.Image]) -> bytes:
    """``image`` encoded in its own format, without EXIF/XMP (Pillow writes only what
    it is given)."""
    out = io.BytesIO()
    if kind == "jpg":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, icc_profile=image.info.get("icc_profile"))
    elif kind == "gif" and frames:
        image.save(out, "GIF", save_all=True, append_images=frames, loop=image.info.get("loop", 0))
    elif kind == "webp":
        image.save(out, "WEBP", quality=90)
    else:
        image.save(out, _PIL_FORMAT[kind])
    return out.getvalue()


def thumbnails(image: Image.Image, kind: str, widths: tuple[int, ...]) -> dict[int, bytes]:
    """One picture per width, never wider than ``image`` (a narrower image is kept at its
    own size), in the image's format (a GIF's first frame). The widest is made first and
    each narrower one from the previous one: one resize of the full picture only."""
    thumbs: dict[int, bytes] = {}
    source = image
    for width in sorted(set(widths), reverse=True):
        if width >= source.width:
            copy = source
        else:
            height = max(1, round(image.height * width / image.width))
            copy = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            copy.info = dict(image.info)
            source = copy
        thumbs[width] = _encode(copy, kind, [])
    return dict(sorted(thumbs.items()))
