"""Three-way merge of page texts, for edits that started from an older revision.

This module is pure: it never imports Flask.

``LIBRARIES.md`` measured that ``patch_apply``'s booleans do not reveal conflicts (a word changed
differently on both sides came back "True" with one change silently lost), so conflicts are
detected here, in base coordinates:

1. each side is diffed against the base, lines first (``diff_linesToChars`` + ``diff_main``),
   then inside each changed block with :func:`wikicoop.text.diff_engine.word_diff` (words, then
   characters, then ``diff_cleanupSemantic``); the result is a list of edits
   ``(start, end, replacement)`` over ``base``, an insertion at ``p`` being ``(p, p, text)``;
2. an edit of one side that *touches* an edit of the other side is a conflict, unless both
   edits are identical (same range, same replacement).

Touching rule: two ranges ``[a, b]`` and ``[c, d]`` of base positions conflict when they
overlap or share a boundary position, i.e. ``a <= d and c <= b``. Two insertions at the same
position touch; an insertion right before or after a changed range touches it. Edits on two
adjacent lines do not touch: the ``"\\n"`` between them is unchanged base text.

The edits of one side never touch each other (a diff separates them by unchanged text), so a
group of touching edits always involves both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from .diff_engine import (
    DIFF_DELETE,
    DIFF_EQUAL,
    DIFF_INSERT,
    deadline_for,
    line_diff,
    normalize_newlines,
    word_diff,
)
from .diff_engine import _similarity as similarity

__all__ = ["Conflict", "MergeResult", "merge_texts"]

#: lines of a block paired only when this alike (Dice coefficient of their words)
_MIN_PAIR_LIKENESS = 0.5
#: deleted x inserted lines above which a block is not paired (the pairing is quadratic)
_MAX_PAIRING_CELLS = 2_500


@dataclass(frozen=True)
class Conflict:
    """A part of the base text that both sides changed in touching or overlapping ways.

    ``base_start``/``base_end`` delimit the fragment in the (newline-normalised) base text;
    ``base`` is that fragment and ``mine``/``theirs`` are what each side turned it into.
    """

    base_start: int
    base_end: int
    mine: str
    theirs: str
    base: str


@dataclass(frozen=True)
class MergeResult:
    """Outcome of :func:`merge_texts`: ``text`` is set only when ``clean``."""

    text: str | None
    clean: bool
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True, order=True)
class _Edit:
    """Replace ``base[start:end]`` with ``text``; ``side`` is "mine", "theirs" or "both"."""

    start: int
    end: int
    text: str
    side: str = ""


def merge_texts(base: str, mine: str, theirs: str, *, timeout: float = 1.0) -> MergeResult:
    """Merge two texts that were both edited from ``base``.

    Line breaks are normalised (``"\\r\\n"`` -> ``"\\n"``) first, so the merged text and the
    conflict fragments use ``"\\n"``.

    Args:
        base: the text both edits started from.
        mine: the text being saved.
        theirs: the text saved meanwhile by someone else.
        timeout: seconds allowed for the two diffs (<= 0: no limit). If it runs out the diffs
            are coarser (larger edits), which makes conflicts more likely but never makes a
            clean merge wrong: each side's edits still turn base into exactly that side.

    Returns:
        A clean :class:`MergeResult` with the merged text, or one listing the conflicts
        (ordered by position in ``base``) with ``text=None``.
    """
    base, mine, theirs = (normalize_newlines(t) for t in (base, mine, theirs))
    if mine == theirs or base == theirs:
        return MergeResult(mine, True, ())
    if base == mine:
        return MergeResult(theirs, True, ())

    deadline = deadline_for(timeout)
    dmp = diff_match_patch()
    mine_edits = [_Edit(e.start, e.end, e.text, "mine") for e in _edits(dmp, base, mine, deadline)]
    theirs_edits = [
        _Edit(e.start, e.end, e.text, "theirs") for e in _edits(dmp, base, theirs, deadline)
    ]

    mine_edits = _lines_replaced_as_added(base, mine_edits, theirs_edits)
    theirs_edits = _lines_replaced_as_added(base, theirs_edits, mine_edits)
    # An edit made identically on both sides is agreed and applied once.
    theirs_keys = {(e.start, e.end, e.text) for e in theirs_edits}
    agreed = {(e.start, e.end, e.text) for e in mine_edits} & theirs_keys
    edits = sorted(
        [e for e in mine_edits if (e.start, e.end, e.text) not in agreed]
        + [e for e in theirs_edits if (e.start, e.end, e.text) not in agreed]
        + [_Edit(start, end, text, "both") for start, end, text in agreed]
    )

    # Sweep the edits in base order, grouping those that touch: overlapping, adjacent, or
    # separated only by spaces and punctuation on one line ("midi" -> "une heure" next to
    # "midi " -> "midi moins le quart " must not merge into "une heure moins le quart").
    groups: list[list[_Edit]] = []
    group_end = -1
    for edit in edits:
        if groups and (edit.start <= group_end or _only_separators(base[group_end : edit.start])):
            groups[-1].append(edit)
            group_end = max(group_end, edit.end)
        else:
            groups.append([edit])
            group_end = edit.end

    # A group is a conflict only when both people changed it (one person's nearby edits
    # are theirs to combine).
    conflicts = tuple(
        _conflict(base, group)
        for group in groups
        if {"mine", "theirs"} <= {edit.side for edit in group}
    )
    if conflicts:
        return MergeResult(None, False, conflicts)
    # The edits are applied directly in base coordinates rather than with
    # patch_make(base, mine) + patch_apply(theirs): the ranges are exact and disjoint, so the
    # result is deterministic and needs no fuzzy matching (patch_apply locates each patch by
    # its context with Match_Threshold and could place it at the wrong repetition of a phrase).
    return MergeResult(_apply(base, edits, 0, len(base)), True, ())


def _only_separators(gap: str) -> bool:
    """True for a gap of spaces and punctuation within a line: too close to merge across."""
    return "\n" not in gap and not any(char.isalnum() for char in gap)


def _edits(dmp: diff_match_patch, base: str, other: str, deadline: float) -> list[_Edit]:
    """The edits turning ``base`` into ``other``, in base coordinates, in order."""
    edits: list[_Edit] = []
    position = 0
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        nonlocal position
        # Equal numbers of deleted and inserted lines: most often lines edited in place, so
        # compare them pairwise; otherwise compare the two blocks as a whole.
        if len(deleted) == len(inserted):
            pairs = list(zip(deleted, inserted, strict=True))
        else:
            pairs = _paired_lines(deleted, inserted) or [("".join(deleted), "".join(inserted))]
        for old, new in pairs:
            edits.extend(_block_edits(dmp, old, new, position, deadline))
            position += len(old)
        deleted.clear()
        inserted.clear()

    for op, lines in line_diff(base, other, deadline=deadline, dmp=dmp):
        if op == DIFF_DELETE:
            deleted.extend(lines)
        elif op == DIFF_INSERT:
            inserted.extend(lines)
        else:
            flush()
            position += sum(len(line) for line in lines)
    flush()
    # Edits from a diff are separated by unchanged text; coalesce any that touch anyway, so
    # that the sweep in merge_texts only ever groups edits of different sides.
    coalesced: list[_Edit] = []
    for edit in _whole_lines_apart(base, edits):
        if coalesced and edit.start <= coalesced[-1].end:
            last = coalesced.pop()
            text = last.text + base[last.end : edit.start] + edit.text
            edit = _Edit(last.start, max(last.end, edit.end), text)
        coalesced.append(edit)
    return coalesced


def _whole_lines_apart(base: str, edits: list[_Edit]) -> list[_Edit]:
    """The same edits, with whole lines added at the end of a line moved past its newline.

    A diff may write "line 2 changed, line 3 added" as one insertion before the newline of
    line 2 (``" changed\\nline 3"``) where the other side wrote "line 3 added" as an
    insertion after it (``"line 3\\n"``). Both spell the same change, so they are split the
    same way — ``" changed"`` before the newline, ``"line 3\\n"`` after it — and an
    identical change made on both sides is recognised and taken once (a retried save).
    """
    result: list[_Edit] = []
    for edit in edits:
        if "\n" in edit.text and base[edit.end : edit.end + 1] == "\n":
            head, _, tail = edit.text.partition("\n")
            if head or edit.start != edit.end:
                result.append(_Edit(edit.start, edit.end, head, edit.side))
            result.append(_Edit(edit.end + 1, edit.end + 1, tail + "\n", edit.side))
        else:
            result.append(edit)
    return result


def _paired_lines(deleted: list[str], inserted: list[str]) -> list[tuple[str, str]]:
    """Deleted and inserted lines of one block, paired in order by likeness; ``[]`` when
    no pair is alike (or the block is too large to try).

    A line edited in place next to an added line ("matin" -> "le matin" plus a new line
    "l'après-midi") is then an edit of that line and a whole added line, as the other side
    of a merge most likely wrote it, rather than one change spread over both lines. The
    result is a list of ``(old, new)`` chunks covering the block in order: pairs, and
    unpaired lines as ``(old, "")`` or ``("", new)``.
    """
    rows, cols = len(deleted), len(inserted)
    if rows * cols > _MAX_PAIRING_CELLS:
        return []
    # best[i][j]: the best total likeness pairing deleted[i:] with inserted[j:], in order
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            alike = similarity(deleted[i], inserted[j])
            paired = best[i + 1][j + 1] + alike if alike >= _MIN_PAIR_LIKENESS else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], paired)
    if best[0][0] <= 0:
        return []
    chunks: list[tuple[str, str]] = []
    i = j = 0
    while i < rows or j < cols:
        if i < rows and j < cols:
            alike = similarity(deleted[i], inserted[j])
            if alike >= _MIN_PAIR_LIKENESS and best[i][j] == best[i + 1][j + 1] + alike:
                chunks.append((deleted[i], inserted[j]))
                i, j = i + 1, j + 1
                continue
        if i < rows and (j == cols or best[i][j] == best[i + 1][j]):
            chunks.append((deleted[i], ""))
            i += 1
        else:
            chunks.append(("", inserted[j]))
            j += 1
    return chunks


def _lines_replaced_as_added(base: str, edits: list[_Edit], others: list[_Edit]) -> list[_Edit]:
    """``edits``, where a line replaced by text that the other side added as a new line right
    before or after it is read as "that line deleted, the same line added".

    A diff pairs a deleted line with an added one when their counts match: a side that
    deleted "line 1" and added "new" after it may come out as "line 1" -> "new", while the
    other side wrote the plain addition of "new". Read that way, the addition is recognised
    as the same change on both sides and taken once instead of twice.
    """
    added = {(edit.start, edit.text) for edit in others if edit.start == edit.end}
    result: list[_Edit] = []
    for edit in edits:
        at_line_start = edit.start == 0 or base[edit.start - 1] == "\n"
        if edit.start < edit.end and at_line_start and base[edit.end : edit.end + 1] == "\n":
            line = edit.text + "\n"
            where = next((p for p in (edit.start, edit.end + 1) if (p, line) in added), None)
            if where is not None:
                result.append(_Edit(edit.start, edit.end + 1, "", edit.side))
                result.append(_Edit(where, where, line, edit.side))
                continue
        result.append(edit)
    return sorted(result)


def _block_edits(
    dmp: diff_match_patch, old: str, new: str, offset: int, deadline: float
) -> list[_Edit]:
    """Edits turning ``old`` (found at ``offset`` in base) into ``new``."""
    if not old or not new:
        return [_Edit(offset, offset + len(old), new)] if old or new else []
    edits: list[_Edit] = []
    position = offset
    start: int | None = None
    replacement: list[str] = []
    for op, text in [*word_diff(old, new, deadline=deadline, dmp=dmp), (DIFF_EQUAL, "")]:
        if op == DIFF_EQUAL:
            if start is not None:
                edits.append(_Edit(start, position, "".join(replacement)))
                start = None
                replacement = []
            position += len(text)
            continue
        if start is None:
            start = position
        if op == DIFF_DELETE:
            position += len(text)
        else:
            replacement.append(text)
    return edits


def _apply(base: str, edits: list[_Edit], start: int, end: int) -> str:
    """``base[start:end]`` with the given disjoint, sorted edits (all inside it) applied."""
    parts = []
    position = start
    for edit in edits:
        parts.append(base[position : edit.start])
        parts.append(edit.text)
        position = edit.end
    parts.append(base[position:end])
    return "".join(parts)


def _conflict(base: str, group: list[_Edit]) -> Conflict:
    """Describe a group of touching edits from both sides as a :class:`Conflict`."""
    start = group[0].start
    end = max(edit.end for edit in group)
    return Conflict(
        base_start=start,
        base_end=end,
        mine=_apply(base, [e for e in group if e.side != "theirs"], start, end),
        theirs=_apply(base, [e for e in group if e.side != "mine"], start, end),
        base=base[start:end],
    )
