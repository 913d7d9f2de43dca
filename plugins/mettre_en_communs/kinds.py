"""The kinds of file the media library accepts, what an accepted upload becomes
(:class:`Prepared`) and why one is refused (:class:`UploadError`): shared by
:mod:`.detect` (which names them to the rest of the plugin) and :mod:`.images`."""

from __future__ import annotations

from dataclasses import dataclass, field

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
#: Pillow's format of each image kind (images are handled by :mod:`.images`)
PIL_FORMAT = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
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
        return self.kind in PIL_FORMAT
