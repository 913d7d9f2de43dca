"""The generation of the finished pages kept on disk: what a page depends on besides
the database, as one value that is the same after a restart when nothing changed.

The page files (:mod:`wikicoop.page_files`) are tagged with the database's change
stamp, which tells whether anything was committed since a page was made. A page also
depends on what the database does not hold. The code, templates, translations and
themes are the files of wikicoop, of its plugins and of the installed libraries; the
rest is the settings. :func:`page_generation` digests them: the size and modification
time of every file of wikicoop's package, of the themes and of each enabled plugin's
folder, the modification time of every ``sys.path`` folder (installing or removing a
library changes it), Python's version, and the app's settings. A run started again with
the same code and settings gets the same generation and may serve the pages an earlier
run made, while the database stamp says nothing was committed since. Any other change
gives another generation, and the earlier files are never read.

A setting whose value is not plain data (a function, an object) counts by its kind
only: its printed form may hold a memory address, which would change at each start.
The files are read once per process (about a thousand ``stat`` calls); the settings
are digested for each app.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time, timedelta
from pathlib import PurePath
from typing import Any

from .pid_file import PID_FILE

#: folders skipped when walking code folders (bytecode: what Python writes, not code)
_SKIPPED = frozenset({"__pycache__", ".git", "node_modules"})

#: files of the instance folder that change while the wiki runs: the SQLite database
#: (and its -wal and -shm), the pid file
_INSTANCE_SKIPPED = ("wikicoop.db", PID_FILE, ".")

#: the digest of each tuple of folders, made once per process
_FILES_DIGESTS: dict[tuple[str, ...], bytes] = {}


def page_generation(settings: Mapping[str, Any], folders: Iterable[str | os.PathLike]) -> bytes:
    """The generation (16 bytes) of pages made with ``settings`` and the code in
    ``folders`` (with the libraries on ``sys.path`` and this Python)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    digest.update(files_digest(folders))
    for name in sorted(settings):
        digest.update(f"{name}={_plain(settings[name])}\n".encode())
    return digest.digest()


def start_inputs(
    instance: str | os.PathLike,
    folders: Iterable[str | os.PathLike],
    argv: Sequence[str] | None = None,
) -> bytes:
    """What a start of the wiki reads besides the database, digested as a process can
    before it builds the app (:mod:`wikicoop.early_answers`): the code
    (:func:`files_digest`), Python's version, the command line (``argv``, this
    process's own by default: ``sys.argv[1:]``), the ``WIKICOOP_*``
    environment and the instance folder's own files (its settings file, its secret
    key), the database's and the pid file excepted. The same inputs give the same app,
    hence the same :func:`page_generation`."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    digest.update(files_digest(folders))
    digest.update(repr(list(sys.argv[1:] if argv is None else argv)).encode())
    for name, value in sorted(os.environ.items()):
        if name.startswith("WIKICOOP_"):
            digest.update(f"{name}={value}\n".encode())
    try:
        entries = sorted(os.scandir(instance), key=lambda entry: entry.name)
    except OSError:
        entries = []
    for entry in entries:
        if entry.name.startswith(_INSTANCE_SKIPPED) or not entry.is_file():
            continue
        stat = entry.stat()
        digest.update(f"{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.digest()


def files_digest(folders: Iterable[str | os.PathLike]) -> bytes:
    """The size and modification time of every file under ``folders`` and of every
    ``sys.path`` folder, digested (once per process for the same folders)."""
    key = tuple(sorted({os.path.abspath(folder) for folder in folders}))
    known = _FILES_DIGESTS.get(key)
    if known is not None:
        return known
    digest = hashlib.blake2b(digest_size=16)
    for folder in key:
        for line in _file_lines(folder):
            digest.update(line)
    for entry in sys.path:
        digest.update(f"{entry}\0{_modified(entry)}\n".encode())
    made = _FILES_DIGESTS[key] = digest.digest()
    return made


def _file_lines(folder: str) -> list[bytes]:
    """``path size mtime`` of each file under ``folder`` (or of ``folder`` itself when
    it is a file: a plugin made of one module), in a stable order."""
    if os.path.isfile(folder):
        paths = [folder]
    else:
        paths = []
        for root, dirs, files in os.walk(folder):
            dirs[:] = [name for name in dirs if name not in _SKIPPED]
            paths.extend(os.path.join(root, name) for name in files)
    lines = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:  # removed meanwhile
            continue
        lines.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    # a folder missing or empty still counts, by its name
    return sorted(lines) or [f"{folder}\0-\n".encode()]


def _modified(path: str) -> int:
    """The modification time of ``path`` in nanoseconds, or -1 when it is missing."""
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return -1


def _plain(value: Any) -> str:
    """A printed form of a setting that is the same at each start."""
    if value is None or isinstance(value, str | bytes | bool | int | float):
        return repr(value)
    if isinstance(value, timedelta | date | time | PurePath):
        return repr(value)
    if isinstance(value, Mapping):
        items = sorted((str(key), _plain(item)) for key, item in value.items())
        return "{" + ", ".join(f"{key!r}: {item}" for key, item in items) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(_plain(item) for item in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_plain(item) for item in value) + "]"
    return f"<{type(value).__module__}.{type(value).__qualname__}>"
