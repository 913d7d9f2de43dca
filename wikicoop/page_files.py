"""Visitors' finished pages on disk, shared by the workers of one machine.

Each worker's front cache (:mod:`wikicoop.web.front_cache`) keeps the answers it made
in memory; a page another worker made is then made again, and with 10,000 pages the
workers' memory holds only part of them. This second tier keeps every answer in a file
of the instance folder (``cache/pages``), named after its request key and tagged with
the database's change stamp when it was made: the stamp is the same in every process
between two commits (:mod:`wikicoop.core.change_stamp`), so a file made by one worker
serves all of them, without SQL, while nothing was committed. The operating system's
page cache keeps the files in memory that no worker counts as its own.

Pages also depend on what the database does not hold: the settings, the templates, the
code. So a generation is part of the files' names and of their records: the app's is a
digest of its code and settings (:mod:`wikicoop.page_generation`), the same in the
workers forked from it and in every process started with the same code and settings (a
restart, the workers of ``gunicorn`` without ``--preload``); another version or other
settings never read these files. Without a generation given, one is drawn at random:
the files then belong to that one object.

A restart reads another change stamp on SQLite for the same data (its WAL index is made
anew). So a clean stop records the stamp the pages were made under with the state it
left the database file in (:meth:`PageFiles.keep_state_at_stop`,
:meth:`wikicoop.core.change_stamp.ChangeStamp.settle`). The next run finds the database
still in that state and serves those pages under its own stamp
(:meth:`PageFiles.adopt`, :func:`wikicoop.server.adopt_pages_of_the_last_run`).

A file is written whole to a temporary name, then renamed over the old one: a reader
sees the old answer or the new, never half of one. One file an address: a page made
again replaces its file. The folder is kept within a byte budget
(``PAGE_CACHE_DISK_MB``): once a worker has written a tenth of it, a thread of its own
removes the files least recently written until the folder holds three quarters (so it
never holds more than the budget).

A client that does not take gzip (a script, a bench; every browser takes it) gets the
uncompressed body from a file of its own, named after the gzip bytes it holds
(:meth:`PageFiles.plain_body`): written at the first such view, then read instead of
decompressed at each view. It counts in the same budget.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import itertools
import marshal
import os
import struct
import threading
import time
import zlib
from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

#: the records' layout; a file of another one (an older wikicoop) is a miss
_FORMAT = 2
#: a file's name: the blake2b of its key, and this ending
_SUFFIX = ".page"
#: the uncompressed body of a kept answer: the blake2b of its gzip bytes, and this ending
_PLAIN_SUFFIX = ".html"
#: what a sweep leaves of the budget
_SWEPT_TO = 0.75
#: bytes a worker writes before it sweeps, as a share of the budget
_SWEEP_EVERY = 0.1
#: seconds after which a temporary file is a crashed writer's, removed by a sweep
_TEMPORARY_SECONDS = 60
#: earlier stamps a stamp may stand for (runs started again with nothing committed)
_ADOPTED_MAX = 8
#: the record of the database's state at the last clean stop (:meth:`keep_state_at_stop`)
STOP_RECORD = "state-at-stop"

Record = tuple[Any, ...]
#: a request's key: path, host, scheme, Accept-Language, cookies
RequestKey = tuple[str, str, str, str, str]

#: where the app keeps its page files (``app.extensions``)
PAGE_FILES_KEY = "wikicoop.page_files"


def pages_folder(instance: Path) -> Path:
    """The folder of the page files of the instance folder ``instance``."""
    return instance / "cache" / "pages"


class PageFiles:
    """Answers on disk under a key, each with the change stamp it was made under.

    Args:
        folder: where the files go (made when missing).
        budget: bytes the folder may hold (0: the tier is off).
        generation: the code and settings the files were made with (a random draw by
            default: files of this object only).
    """

    def __init__(self, folder: Path, budget: int, generation: bytes | None = None) -> None:
        self.folder = folder
        self._budget = max(0, budget)
        self._generation = generation if generation is not None else os.urandom(16)
        self._written = 0  # bytes written by this process since its last sweep
        self._sweeping = threading.Lock()
        self._names = itertools.count()
        self._made = False
        # stamp -> the earlier ones it equals (the same data, read by earlier runs)
        self._adopted: dict[Hashable, tuple[Hashable, ...]] = {}
        # what record_each_stamp records with each stamp, and the last one recorded
        self._start: Mapping[str, Any] | None = None
        self._recorded: Hashable = None

    @property
    def generation(self) -> bytes:
        """The code and settings the files belong to (shared by every process made
        with the same)."""
        return self._generation

    @property
    def enabled(self) -> bool:
        """Whether answers are kept on disk at all."""
        return self._budget > 0

    def adopt(self, stamp: Hashable, earlier: tuple[Hashable, ...]) -> None:
        """Serve under ``stamp`` the files made under the ``earlier`` stamps: the database
        is in the same state under all (a run started again on the database the last one
        left, see :meth:`keep_state_at_stop`)."""
        if _shareable(stamp):
            kept = tuple(e for e in earlier if _shareable(e) and e != stamp)
            self._adopted[stamp] = kept[:_ADOPTED_MAX]

    def keep_state_at_stop(
        self, stamp: Hashable, database_state: bytes, start: Mapping[str, Any] | None = None
    ) -> bool:
        """Record, at a clean stop, that the files made under ``stamp`` show the database
        left in ``database_state`` (:meth:`ChangeStamp.settle`), for the next run of the
        same generation (:meth:`state_at_last_stop`); ``start`` is what a start checks
        before the app is built (:mod:`wikicoop.early_answers`). Returns whether it
        did."""
        if not self._budget or not _shareable(stamp):
            return False
        record = {
            "format": _FORMAT,
            "generation": self._generation,
            # with the earlier stamps it stands for: pages still kept under those too
            "stamps": (stamp, *self._adopted.get(stamp, ())),
            "database_state": database_state,
            "start": dict(start or {}),
        }
        path = self.folder / STOP_RECORD
        # (a name of this thread's own: a process's threads record their stamps)
        temporary = path.with_name(f".{os.getpid()}.{threading.get_ident()}.stop.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps(record))
            os.replace(temporary, path)
        except OSError:  # the next run simply makes its pages again
            with contextlib.suppress(OSError):
                temporary.unlink()
            return False
        return True

    def state_at_last_stop(self) -> tuple[tuple[Hashable, ...], bytes] | None:
        """The stamps and the database's state recorded at the last clean stop of a run
        of this generation, or None (none recorded, or by other code or settings)."""
        kept = read_stop_record(self.folder)
        if kept is None or kept["generation"] != self._generation:
            return None
        return kept["stamps"], kept["database_state"]

    def get(self, key: Hashable, stamp: Hashable) -> Record | None:
        """The record kept under ``key`` when it was made under ``stamp``, or None (also
        for a stamp that could not be read: see :func:`_shareable`)."""
        if not _shareable(stamp):
            return None
        kept = _load(self._path(key))
        if kept is None:
            return None
        _, generation, kept_key, kept_stamp, record = kept
        if generation != self._generation or kept_key != key:
            return None
        if kept_stamp != stamp and kept_stamp not in self._adopted.get(stamp, ()):
            return None
        return record

    def put(self, key: Hashable, stamp: Hashable, record: Record) -> None:
        """Keep ``record`` under ``key`` (replacing the one there), made under ``stamp``.
        ``key`` and ``record`` hold only what :mod:`marshal` writes (str, bytes, numbers,
        tuples, None)."""
        if not self._budget or not _shareable(stamp):
            return
        data = marshal.dumps((_FORMAT, self._generation, key, stamp, record))
        if len(data) > self._budget * (1 - _SWEPT_TO):
            return
        self._write(self._path(key), data)
        if self._start is not None and stamp != self._recorded:
            self._recorded = stamp
            self.keep_state_at_stop(stamp, b"", start=self._start)

    def record_each_stamp(self, start: Mapping[str, Any], now: Hashable) -> None:
        """Record, with ``start``, the stamp ``now``, then each stamp this process puts
        a file under (once a stamp), as a clean stop records its stamp
        (:meth:`keep_state_at_stop`): for a database whose stamp alone proves the data
        the same when it is read again (PostgreSQL's), so that a start after a crash
        answers the pages kept under the last one (:mod:`wikicoop.early_answers`). The
        pages kept before, and served from files since, are kept under ``now`` as long
        as nothing is committed. Two processes' records race: the last written wins,
        and a start that finds an older stamp there answers nothing early."""
        self._start = dict(start)
        self._recorded = now
        self.keep_state_at_stop(now, b"", start=self._start)

    def _count_written(self, size: int) -> None:
        """Count ``size`` bytes written; sweep in a thread when a sweep is due."""
        self._written += size
        if self._written > self._budget * _SWEEP_EVERY and self._sweeping.acquire(False):
            self._written = 0
            threading.Thread(target=self._sweep_then_release, daemon=True).start()

    def plain_body(self, digest: str, compressed: bytes) -> bytes:
        """The uncompressed body of a kept answer, for a client that does not take gzip:
        read from a file of its own, named after the gzip bytes ``compressed``
        (``digest``: :func:`body_digest`), which the first such view writes. A read of a
        file the system keeps in memory costs a fifth of a decompression a view."""
        if not self._budget:
            return gunzipped(compressed)
        path = self.folder / (digest + _PLAIN_SUFFIX)
        with contextlib.suppress(OSError):  # not written yet, or the folder is away
            return _read(path)
        body = gunzipped(compressed)
        if len(body) <= self._budget * (1 - _SWEPT_TO):
            self._write(path, body)
        return body

    def _write(self, path: Path, data: bytes) -> None:
        """Write ``data`` at ``path``: whole under a temporary name, then renamed over
        the file there (a reader sees the old file or the new, never half of one). When
        the disk refuses (full, read-only), nothing is kept: the next reader makes it."""
        temporary = path.with_name(f".{os.getpid()}.{next(self._names)}.tmp")
        try:
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()
            return
        self._count_written(len(data))

    def sweep(self) -> int:
        """Remove the files least recently written while the folder holds more than
        three quarters of the budget, and the temporary files a crashed writer left;
        returns the bytes it holds then."""
        files = []
        total = 0
        old = time.time() - _TEMPORARY_SECONDS
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    with contextlib.suppress(OSError):  # removed meanwhile
                        stat = entry.stat()
                        if entry.name.endswith((_SUFFIX, _PLAIN_SUFFIX)):
                            files.append((stat.st_mtime_ns, stat.st_size, entry.path))
                            total += stat.st_size
                        elif entry.name.endswith(".tmp") and stat.st_mtime < old:
                            os.unlink(entry.path)
        except OSError:
            return 0
        if total <= self._budget * _SWEPT_TO:
            return total
        files.sort()
        for _, size, path in files:
            if total <= self._budget * _SWEPT_TO:
                break
            with contextlib.suppress(OSError):
                os.unlink(path)
            total -= size
        return total

    def _sweep_then_release(self) -> None:
        """Sweep, and again while the writes made meanwhile reached the next sweep's due
        (they could not start one: this one held the lock)."""
        try:
            self.sweep()
            while self._written > self._budget * _SWEEP_EVERY:
                self._written = 0
                self.sweep()
        finally:
            self._sweeping.release()

    def _path(self, key: Hashable) -> Path:
        # repr, not marshal: marshal's bytes for equal values depend on reference counts
        name = hashlib.blake2b(repr((self._generation, key)).encode(), digest_size=16).hexdigest()
        return self.folder / (name + _SUFFIX)


def gzipped(body: bytes) -> bytes:
    """``body`` compressed as a gzip stream (no time stamp: the same bytes every time)."""
    return gzip.compress(body, compresslevel=6, mtime=0)


def gunzipped(data: bytes) -> bytes:
    """The bytes a gzip stream made by :func:`gzipped` holds."""
    return zlib.decompress(data, wbits=31)


def body_digest(compressed: bytes) -> str:
    """The name of the gzip bytes ``compressed`` (:meth:`PageFiles.plain_body`)."""
    return hashlib.blake2b(compressed, digest_size=16).hexdigest()


def read_stop_record(folder: Path) -> dict[str, Any] | None:
    """The record :meth:`PageFiles.keep_state_at_stop` wrote in ``folder``, whatever its
    generation (keys ``generation``, ``stamps``, ``database_state``, ``start``), or None."""
    try:
        kept = marshal.loads(_read(folder / STOP_RECORD))
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(kept, dict) or kept.get("format") != _FORMAT:
        return None
    if not {"generation", "stamps", "database_state", "start"} <= kept.keys():
        return None
    return kept


def keys_of_generation(folder: Path, generation: bytes, limit: int) -> list[Hashable]:
    """The keys of the pages kept in ``folder`` for ``generation`` (under any stamp),
    the most recently written first, at most ``limit`` of them."""
    written = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(_SUFFIX):
                    with contextlib.suppress(OSError):  # removed meanwhile
                        written.append((entry.stat().st_mtime_ns, entry.path))
    except OSError:
        return []
    written.sort(reverse=True)
    keys: list[Hashable] = []
    for _, path in written:
        if len(keys) >= limit:
            break
        kept = _load(Path(path))
        if kept is not None and kept[1] == generation:
            keys.append(kept[2])
    return keys


def _load(path: Path) -> tuple[Any, ...] | None:
    """The page file at ``path`` as :meth:`PageFiles.put` wrote it (format, generation,
    key, stamp, record), or None: no such file, the folder away, not a file of ours."""
    try:
        kept = marshal.loads(_read(path))
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(kept, tuple) or len(kept) != 5 or kept[0] != _FORMAT:
        return None
    return kept


def sqlite_file_state(path: str) -> bytes:
    """The state of a SQLite database file as its change stamp starts with: device,
    inode, size and modification time (:mod:`wikicoop.core.change_stamp`)."""
    return _file_state(os.stat(path))


def sqlite_state(path: str) -> bytes:
    """The state of a SQLite database in WAL mode on disk: its file's
    (:func:`sqlite_file_state`), then its WAL's in the same form unless the WAL is
    empty or absent (as a clean stop leaves it, see ``ChangeStamp.settle``).

    A commit appends frames to the WAL (or writes them again from its start): the WAL's
    size or time changes, provided the state was read a tick of the file clock after
    its last write. Opening the database after a crash reads the WAL left, without
    writing either file; a checkpoint writes the database file."""
    state = sqlite_file_state(path)
    try:
        wal = os.stat(path + "-wal")
    except FileNotFoundError:
        return state
    return state + _file_state(wal) if wal.st_size else state


def _file_state(stat: os.stat_result) -> bytes:
    return struct.pack("<QQQQ", stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def request_key(environ: Mapping[str, Any], private_cookies: tuple[str, ...]) -> RequestKey | None:
    """The key of a visitor's page view that kept pages may answer, or None: a plain
    ``GET /wiki/…`` (a WSGI environ) without query string, ``Authorization`` or a
    cookie of ``private_cookies`` (``"name="`` each). The key is what the page can
    depend on besides the database: the path, the host and scheme, the
    ``Accept-Language`` header and the cookies (language, theme)."""
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    path = environ.get("PATH_INFO", "")
    if not path.startswith("/wiki/") or environ.get("QUERY_STRING"):
        return None
    if "HTTP_AUTHORIZATION" in environ:
        return None
    cookies = environ.get("HTTP_COOKIE", "")
    if cookies and any(name in cookies for name in private_cookies):
        return None
    return (
        path,
        environ.get("HTTP_HOST", ""),
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        cookies,
    )


@lru_cache(maxsize=64)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header lets a kept answer go gzip-compressed:
    gzip's own quality, else that of ``*``, above 0 (RFC 9110, section 12.5.3)."""
    qualities: dict[str, float] = {}
    for part in accept_encoding.split(","):
        coding, _, parameters = part.partition(";")
        _, _, quality = parameters.strip().lower().partition("q=")
        try:
            qualities.setdefault(coding.strip().lower(), float(quality) if quality else 1.0)
        except ValueError:  # not a quality: the coding refused, to be safe
            qualities.setdefault(coding.strip().lower(), 0.0)
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def weak_etags(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` with a weak ``ETag``: a gzip-compressed answer is another
    representation of the page (as nginx marks it)."""
    return [
        (name, f"W/{value}" if name.lower() == "etag" and not value.startswith("W/") else value)
        for name, value in headers
    ]


def _shareable(stamp: Hashable) -> bool:
    """Whether ``stamp`` names a state of the database in every process: ``bytes`` or
    ``str`` (an unreadable stamp is a fresh ``object()``, equal to nothing)."""
    return isinstance(stamp, (bytes, str))


def _read(path: Path) -> bytes:
    """The whole file at ``path`` (a few system calls, no buffered file object)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)
