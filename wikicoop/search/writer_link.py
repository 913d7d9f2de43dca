"""The pipe between the web workers and the index writer process.

Under ``wikicoop run`` the master forks one process that writes the Whoosh index
(:mod:`wikicoop.index_writer`) before it forks the workers; they inherit the writing end
of a pipe and send it the ids of the pages their commits touched, one line a commit.
A save then never shares its worker's interpreter with a Whoosh commit (about 35 ms of
pure Python for a batch of a few pages, which made the slow saves).

Every line is at most ``PIPE_BUF`` bytes, so the lines of several workers never mix
(POSIX: such a write is atomic). The end is non-blocking: when the pipe is full or the
writer is gone, :meth:`WriterLink.send` says so, and the worker indexes the pages itself
as it did without a writer. Nothing is lost either way: indexing a page twice is
harmless, and what a dead writer held is found by the workers' "index behind the
database" check, which their own indexing thread runs first.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
from collections.abc import Iterable, Iterator

log = logging.getLogger(__name__)

#: the largest write the system keeps in one piece (POSIX guarantees at least 512)
LINE_BYTES = getattr(select, "PIPE_BUF", 512)


def encode(page_ids: Iterable[int]) -> list[bytes]:
    """The lines that carry these ids, each at most :data:`LINE_BYTES` long."""
    lines: list[bytes] = []
    line = b""
    for page_id in sorted({int(i) for i in page_ids}):
        item = b"%d," % page_id
        if len(line) + len(item) + 1 > LINE_BYTES:
            lines.append(line + b"\n")
            line = b""
        line += item
    if line:
        lines.append(line + b"\n")
    return lines


def decode(lines: bytes) -> set[int]:
    """The page ids in these complete lines; what is not a number is skipped."""
    ids: set[int] = set()
    for item in lines.replace(b"\n", b",").split(b","):
        if item.strip().isdigit():
            ids.add(int(item))
    return ids


def read_page_ids(fd: int, chunk: int = 65536) -> Iterator[set[int]]:
    """The ids that arrive on the reading end ``fd``, a set for each read, until every
    writing end is closed (the master and its workers are gone)."""
    rest = b""
    while True:
        try:
            data = os.read(fd, chunk)
        except InterruptedError:  # pragma: no cover - retried by Python since 3.5
            continue
        if not data:
            if rest:
                yield decode(rest)  # a last line cut short: its whole ids still count
            return
        complete, newline, rest = (rest + data).rpartition(b"\n")
        if newline:
            yield decode(complete)


class WriterLink:
    """The writing end of the pipe, in the master and (inherited) in each worker."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._gone = False
        os.set_blocking(fd, False)

    @property
    def gone(self) -> bool:
        """True once a send found the writer gone (the workers index themselves)."""
        return self._gone

    def send(self, page_ids: Iterable[int]) -> bool:
        """Hand these pages to the writer; False if it cannot take them now (the
        caller indexes them itself: the lines sent before a failure may be indexed
        twice, which is harmless)."""
        if self._gone:
            return False
        try:
            for line in encode(page_ids):
                os.write(self.fd, line)
        except BlockingIOError:  # the writer is behind by a full pipe: help it
            log.info("search index writer busy: pages indexed by this process")
            return False
        except OSError as error:  # EPIPE: it died; EBADF: closed at the stop
            self._gone = True
            if error.errno != errno.EBADF:
                log.warning("search index writer gone (%s): this process indexes", error)
            return False
        return True

    def close(self) -> None:
        """Close this end (the writer ends once every end is closed)."""
        self._gone = True
        with contextlib.suppress(OSError):
            os.close(self.fd)
