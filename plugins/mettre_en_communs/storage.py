"""The files on disk, under the media folder (setting ``MEDIA_DIR``, else
``<instance>/media``), named by the SHA-256 of their bytes:

- ``<ab>/<sha256>.<ext>``: a stored version (``ab``: the hash's first two digits);
- ``thumbs/<ab>/<sha256>-<width>.<ext>``: its thumbnails;
- ``tmp/``: uploads being written, renamed into place inside the database transaction
  that records them (a rename within one file system is atomic: a reader never sees half
  a file), removed when that transaction fails.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .detect import Prepared


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_storage(sha256: str, kind: str) -> str:
    """The path of a stored version, relative to the media folder."""
    return f"{sha256[:2]}/{sha256}.{kind}"


def thumbnail_storage(sha256: str, kind: str, width: int) -> str:
    """The path of a thumbnail, relative to the media folder."""
    return f"thumbs/{sha256[:2]}/{sha256}-{width}.{kind}"


@dataclass
class StagedFiles:
    """An upload written to temporary files, waiting to be moved into place."""

    root: Path
    sha256: str
    storage: str
    temps: dict[str, Path]  # final relative path -> temporary file
    placed: list[Path] = field(default_factory=list)  # files this upload created

    def place(self) -> None:
        """Move every temporary file to its final name (a file already there, same
        hash, is kept: its bytes are the same). Idempotent."""
        for relative, temp in list(self.temps.items()):
            final = self.root / relative
            if final.exists():
                temp.unlink(missing_ok=True)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, final)
                self.placed.append(final)
            del self.temps[relative]

    def discard(self, *, placed: bool) -> None:
        """Remove the temporary files, and with ``placed`` the files moved into place
        by this upload (its transaction failed: no row names them)."""
        for temp in self.temps.values():
            temp.unlink(missing_ok=True)
        self.temps.clear()
        if placed:
            for path in self.placed:
                path.unlink(missing_ok=True)
            self.placed.clear()


def stage(root: Path, prepared: Prepared) -> StagedFiles:
    """Write ``prepared`` (and its thumbnails) to temporary files under ``root/tmp``."""
    sha = sha256_of(prepared.data)
    storage = version_storage(sha, prepared.kind)
    contents = {storage: prepared.data}
    for width, data in prepared.thumbnails.items():
        contents[thumbnail_storage(sha, prepared.kind, width)] = data
    tmp = root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    staged = StagedFiles(root=root, sha256=sha, storage=storage, temps={})
    try:
        for relative, data in contents.items():
            handle, name = tempfile.mkstemp(dir=tmp, prefix="upload-")
            staged.temps[relative] = Path(name)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
    except OSError:
        staged.discard(placed=False)
        raise
    return staged
