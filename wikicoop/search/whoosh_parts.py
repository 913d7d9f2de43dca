"""A full Whoosh rebuild written by several processes at once, each its own segment.

One Whoosh writer adds documents in one process only: at 100,000 pages its analysis and
its final sort of the postings took 13 minutes on one core while the other waited. For
``wikicoop reindex --workers N`` each worker process therefore writes the pages it made
into a segment of its own (:class:`WhooshPart`), and the process holding the index's
write lock then commits a new generation made of exactly those segments
(:func:`commit_parts`): nothing is merged or copied. These are the steps of Whoosh's
own ``MpWriter(multisegment=True)``, without its sending every document through a
temporary file to another process (whoosh-reloaded is pinned, and these calls are the
ones ``whoosh.multiproc`` makes).

Segment files are named by a random id, so the workers never collide; until the commit
no generation refers to them, so searches keep reading the old index, and a rebuild that
fails leaves only unreferenced files that the next commit deletes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from whoosh.index import FileIndex
from whoosh.writing import SegmentWriter

from .backend import SearchDocument
from .whoosh_schema import document_fields

#: memory for a worker's postings before it sorts them on disk (two workers: 512 MB)
PART_LIMIT_MB = 256


class WhooshPart:
    """The segment one worker process writes during a full rebuild.

    Call :meth:`add` with the worker's documents, then :meth:`finish` (or :meth:`cancel`).
    """

    def __init__(self, ix: FileIndex, extra_fields: Mapping[str, str]) -> None:
        # _lk=False: the process that started the rebuild holds the write lock for all
        self._writer = SegmentWriter(ix, _lk=False, limitmb=PART_LIMIT_MB, compound=False)
        self._extra_fields = extra_fields

    def add(self, documents: Iterable[SearchDocument]) -> None:
        """Write these documents into the segment (each page once, see the caller)."""
        for doc in documents:
            self._writer.add_document(**document_fields(doc, self._extra_fields))

    def finish(self) -> Any | None:
        """Close the segment; returns it (picklable, for :func:`commit_parts`), or None
        when no document was added."""
        # Not the writer's _finish(): it deletes the temporary folder that all the
        # workers' writers share (the one of the index); the commit deletes it.
        writer = self._writer
        if writer._added:
            return writer._finalize_segment()
        writer._close_segment()
        return None

    def cancel(self) -> None:
        """Give up the segment (its files are deleted by the next commit)."""
        self._writer._close_segment()


def commit_parts(ix: FileIndex, segments: list[Any]) -> None:
    """Make ``segments`` the whole index in one new generation (the caller holds the
    write lock); the files of the previous segments, and the temporary folder the
    workers shared, are deleted."""
    writer = SegmentWriter(ix, _lk=False, compound=False)
    # a merge policy that answers the segments to keep: these, and none of the old ones
    writer.commit(mergetype=lambda _writer, _old_segments: list(segments))
