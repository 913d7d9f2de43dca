"""Images, by Pillow (:mod:`.detect` decides what a file is): an uploaded image decoded,
checked, turned upright, stripped of its metadata and encoded again, and its thumbnails.

Imported by :func:`.detect.prepare` and by :mod:`.serving` when an image is first
handled: Pillow is not on a page view's path (a quicker start).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from .kinds import MIME_OF, PIL_FORMAT, Prepared, UploadError


def prepare_image(data: bytes, kind: str, max_pixels: int, widths: tuple[int, ...]) -> Prepared:
    """Decode, check, turn upright, strip metadata, encode again, make thumbnails."""
    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow's own guard, before any decoding
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != PIL_FORMAT[kind]:
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
        image.save(out, PIL_FORMAT[kind])
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


def stored_thumbnail(source: Path, kind: str, width: int) -> bytes:
    """A thumbnail ``width`` wide of the stored version at ``source`` (already checked
    and cleaned)."""
    with Image.open(source) as image:
        image.load()
        return thumbnails(image, kind, (width,))[width]
