"""Differences between two revisions of a page, as rows and as safe HTML tables.

This module is pure: it never imports Flask. :func:`diff_texts` compares two texts with
:mod:`wikicoop.text.diff_engine` (lines first, replaced lines refined word by word) and
turns the result into :class:`DiffLine` rows, which :class:`TextDiff` groups into hunks and
renders as one-column or side-by-side tables, under their labels.

Line model: after normalising ``"\\r\\n"`` to ``"\\n"``, a text is ``text.split("\\n")`` (the empty
text has no line). So ``"a"`` and ``"a\\n"`` differ by one empty line, and every difference in
the texts is visible in the diff: ``identical`` is true exactly when the normalised texts are equal.

All text placed in the HTML goes through ``html.escape(..., quote=True)``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .diff_engine import (
    DIFF_DELETE,
    DIFF_EQUAL,
    DIFF_INSERT,
    Diffs,
    deadline_for,
    line_diff,
    make_dmp,
    normalize_newlines,
    word_diff,
)

__all__ = [
    "DEFAULT_NEW_LABEL",
    "DEFAULT_OLD_LABEL",
    "DiffLine",
    "TextDiff",
    "diff_texts",
]

#: Default column labels; the app passes "Version du …" labels instead.
DEFAULT_OLD_LABEL = "Ancienne version"
DEFAULT_NEW_LABEL = "Nouvelle version"

_NO_DIFFERENCE = "Aucune différence."
_HUNK_HEADER = "Ligne {}"


@dataclass(frozen=True)
class DiffLine:
    """One row of a line diff.

    ``kind`` is ``"equal"``, ``"insert"``, ``"delete"`` or ``"replace"``. Line numbers are
    1-based and ``None`` on the side where the line does not exist. ``old_html`` and
    ``new_html`` hold the escaped line text (empty on the missing side); for ``"replace"`` rows
    the changed parts are wrapped in ``<del class="diff-word">`` / ``<ins class="diff-word">``.
    """

    kind: str
    old_no: int | None
    new_no: int | None
    old_html: str
    new_html: str


@dataclass(frozen=True)
class TextDiff:
    """The result of :func:`diff_texts`.

    ``lines`` holds every row (for a full side-by-side view). ``added`` and ``removed`` count
    lines, a replaced line counting as one of each. ``added_chars`` and ``removed_chars`` count
    the inserted and deleted characters, line breaks excluded; inside a replaced line only the
    changed characters count.
    """

    lines: tuple[DiffLine, ...]
    added: int
    removed: int
    added_chars: int
    removed_chars: int

    @property
    def identical(self) -> bool:
        """True when the two texts are the same (after newline normalisation)."""
        return all(line.kind == "equal" for line in self.lines)

    def hunk_ranges(self, context: int = 3) -> list[tuple[int, int]]:
        """Return ``(start, stop)`` index ranges into ``lines``, one per hunk.

        A hunk is a group of changed rows with up to ``context`` equal rows on each side; two
        groups whose context would overlap or touch form a single hunk.

        Raises:
            ValueError: if ``context`` is negative.
        """
        if context < 0:
            raise ValueError("context must be >= 0")
        ranges: list[tuple[int, int]] = []
        count = len(self.lines)
        for index, line in enumerate(self.lines):
            if line.kind == "equal":
                continue
            start = max(0, index - context)
            stop = min(count, index + 1 + context)
            if ranges and start <= ranges[-1][1]:
                ranges[-1] = (ranges[-1][0], stop)
            else:
                ranges.append((start, stop))
        return ranges

    def hunks(self, context: int = 3) -> list[list[DiffLine]]:
        """Group the changed rows with ``context`` equal rows around them, for display.

        Raises:
            ValueError: if ``context`` is negative.
        """
        return [list(self.lines[start:stop]) for start, stop in self.hunk_ranges(context)]

    def _hunk_starts(self, start: int) -> tuple[int, int]:
        """Return the old and new line numbers where the hunk beginning at ``start`` begins.

        That is the number of the first line of each side at or after ``start``, or, if the
        hunk has none on that side, one past the last such line before it.
        """
        return (
            _position(self.lines, start, lambda line: line.old_no),
            _position(self.lines, start, lambda line: line.new_no),
        )

    def inline_html(
        self,
        context: int = 3,
        *,
        old_label: str = DEFAULT_OLD_LABEL,
        new_label: str = DEFAULT_NEW_LABEL,
    ) -> str:
        """Render the hunks as a one-column table: removed rows (−) then added rows (+).

        Each hunk is a ``<tbody class="diff-hunk">`` whose first row reads "Ligne N" (N is the
        line number in the new version). The labels are escaped. With no difference, the table
        holds a single "Aucune différence." row.
        """
        out = [
            '<table class="diff diff-inline">',
            '<colgroup><col class="diff-lineno"><col class="diff-lineno">'
            '<col class="diff-marker"><col class="diff-text"></colgroup>',
            '<thead><tr><th scope="col" colspan="4" class="diff-labels">'
            f'<span class="diff-label diff-label-old">− {_esc(old_label)}</span> '
            f'<span class="diff-label diff-label-new">+ {_esc(new_label)}</span>'
            "</th></tr></thead>",
        ]
        ranges = self.hunk_ranges(context)
        if not ranges:
            out.append(_empty_body(4))
        for start, stop in ranges:
            _old_start, new_start = self._hunk_starts(start)
            out.append('<tbody class="diff-hunk">')
            out.append(
                '<tr class="diff-hunk-header"><th scope="rowgroup" colspan="4">'
                f"{_esc(_HUNK_HEADER.format(new_start))}</th></tr>"
            )
            out.extend(_inline_rows(self.lines[start:stop]))
            out.append("</tbody>")
        out.append("</table>")
        return "\n".join(out)

    def side_by_side_html(
        self,
        context: int = 3,
        *,
        old_label: str = DEFAULT_OLD_LABEL,
        new_label: str = DEFAULT_NEW_LABEL,
    ) -> str:
        """Render the hunks as a two-column table: old version left, new version right.

        Each hunk is a ``<tbody class="diff-hunk">`` whose first row reads "Ligne N" on each
        side (the old and new line numbers). The labels are escaped. With no difference, the
        table holds a single "Aucune différence." row.
        """
        out = [
            '<table class="diff diff-side">',
            '<colgroup><col class="diff-lineno"><col class="diff-text">'
            '<col class="diff-lineno"><col class="diff-text"></colgroup>',
            "<thead><tr>"
            f'<th scope="col" colspan="2" class="diff-label diff-label-old">{_esc(old_label)}</th>'
            f'<th scope="col" colspan="2" class="diff-label diff-label-new">{_esc(new_label)}</th>'
            "</tr></thead>",
        ]
        ranges = self.hunk_ranges(context)
        if not ranges:
            out.append(_empty_body(4))
        for start, stop in ranges:
            old_start, new_start = self._hunk_starts(start)
            out.append('<tbody class="diff-hunk">')
            out.append(
                '<tr class="diff-hunk-header">'
                f'<th scope="rowgroup" colspan="2">{_esc(_HUNK_HEADER.format(old_start))}</th>'
                f'<th scope="rowgroup" colspan="2">{_esc(_HUNK_HEADER.format(new_start))}</th>'
                "</tr>"
            )
            out.extend(_side_row(line) for line in self.lines[start:stop])
            out.append("</tbody>")
        out.append("</table>")
        return "\n".join(out)


def diff_texts(old: str, new: str, *, timeout: float = 1.0) -> TextDiff:
    """Compare two texts line by line, refining replaced lines word by word.

    Args:
        old: the earlier text.
        new: the later text.
        timeout: seconds allowed for the whole computation (<= 0 means no limit). When it runs
            out the diff stays correct but gets coarser (whole lines instead of words). A
            100 KB page takes tens of milliseconds, so this only happens on pathological inputs,
            and only then can the same inputs give different (equally correct) output.

    Returns:
        A :class:`TextDiff`; rendering it is deterministic.
    """
    deadline = deadline_for(timeout)
    old_lines = _split_lines(normalize_newlines(old))
    new_lines = _split_lines(normalize_newlines(new))
    dmp = make_dmp()
    rows: list[DiffLine] = []
    counts = [0, 0, 0, 0]  # added, removed, added_chars, removed_chars
    old_no = new_no = 0
    pending_old: list[str] = []
    pending_new: list[str] = []

    def flush() -> None:
        nonlocal old_no, new_no
        for old_line, new_line in zip(pending_old, pending_new, strict=False):
            diffs = word_diff(old_line, new_line, deadline=deadline, dmp=dmp)
            old_no += 1
            new_no += 1
            rows.append(
                DiffLine(
                    "replace",
                    old_no,
                    new_no,
                    _side_html(diffs, DIFF_DELETE),
                    _side_html(diffs, DIFF_INSERT),
                )
            )
            counts[2] += sum(len(text) for op, text in diffs if op == DIFF_INSERT)
            counts[3] += sum(len(text) for op, text in diffs if op == DIFF_DELETE)
        paired = min(len(pending_old), len(pending_new))
        for old_line in pending_old[paired:]:
            old_no += 1
            rows.append(DiffLine("delete", old_no, None, _esc(old_line), ""))
            counts[3] += len(old_line)
        for new_line in pending_new[paired:]:
            new_no += 1
            rows.append(DiffLine("insert", None, new_no, "", _esc(new_line)))
            counts[2] += len(new_line)
        counts[0] += len(pending_new)
        counts[1] += len(pending_old)
        pending_old.clear()
        pending_new.clear()

    # Each line gets its "\n" back (the last one included) so that diff_linesToChars sees
    # exactly these lines.
    old_text = "".join(line + "\n" for line in old_lines)
    new_text = "".join(line + "\n" for line in new_lines)
    for op, with_breaks in line_diff(old_text, new_text, deadline=deadline, dmp=dmp):
        lines = [line[:-1] for line in with_breaks]
        if op == DIFF_DELETE:
            pending_old.extend(lines)
        elif op == DIFF_INSERT:
            pending_new.extend(lines)
        else:
            flush()
            for line in lines:
                old_no += 1
                new_no += 1
                escaped = _esc(line)
                rows.append(DiffLine("equal", old_no, new_no, escaped, escaped))
    flush()
    return TextDiff(tuple(rows), counts[0], counts[1], counts[2], counts[3])


# --- internals -------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _split_lines(text: str) -> list[str]:
    """Split on ``"\\n"`` only (``str.splitlines`` also splits on form feeds, U+2028, …)."""
    return text.split("\n") if text else []


def _side_html(diffs: Diffs, side_op: int) -> str:
    """Escaped text of one side of a diff, its own changes wrapped in ``<del>``/``<ins>``."""
    tag = "del" if side_op == DIFF_DELETE else "ins"
    parts = []
    for op, text in diffs:
        if op == DIFF_EQUAL:
            parts.append(_esc(text))
        elif op == side_op:
            parts.append(f'<{tag} class="diff-word">{_esc(text)}</{tag}>')
    return "".join(parts)


def _position(
    lines: Sequence[DiffLine], start: int, number: Callable[[DiffLine], int | None]
) -> int:
    """Line number of one side at row ``start`` (see ``TextDiff._hunk_starts``)."""
    for line in lines[start:]:
        found = number(line)
        if found is not None:
            return found
    for line in reversed(lines[:start]):
        found = number(line)
        if found is not None:
            return found + 1
    return 1


def _cell_no(number: int | None) -> str:
    return f'<td class="diff-lineno">{"" if number is None else number}</td>'


def _empty_body(columns: int) -> str:
    return (
        f'<tbody><tr class="diff-empty"><td colspan="{columns}">{_esc(_NO_DIFFERENCE)}</td>'
        "</tr></tbody>"
    )


def _inline_row(kind: str, old_no: int | None, new_no: int | None, text_html: str) -> str:
    marker = {"equal": "", "delete": "−", "insert": "+"}[kind]
    return (
        f'<tr class="diff-{kind}">{_cell_no(old_no)}{_cell_no(new_no)}'
        f'<td class="diff-marker">{marker}</td><td class="diff-text">{text_html}</td></tr>'
    )


def _inline_rows(lines: Sequence[DiffLine]) -> Iterator[str]:
    """Rows of the inline table: within each run of changes, all old rows then all new rows."""
    run: list[DiffLine] = []

    def flush() -> Iterator[str]:
        for line in run:
            if line.old_no is not None:
                yield _inline_row("delete", line.old_no, None, line.old_html)
        for line in run:
            if line.new_no is not None:
                yield _inline_row("insert", None, line.new_no, line.new_html)
        run.clear()

    for line in lines:
        if line.kind == "equal":
            yield from flush()
            yield _inline_row("equal", line.old_no, line.new_no, line.new_html)
        else:
            run.append(line)
    yield from flush()


def _side_row(line: DiffLine) -> str:
    old_cell = (
        '<td class="diff-text diff-empty-side"></td>'
        if line.old_no is None
        else f'<td class="diff-text diff-old">{line.old_html}</td>'
    )
    new_cell = (
        '<td class="diff-text diff-empty-side"></td>'
        if line.new_no is None
        else f'<td class="diff-text diff-new">{line.new_html}</td>'
    )
    return (
        f'<tr class="diff-{line.kind}">{_cell_no(line.old_no)}{old_cell}'
        f"{_cell_no(line.new_no)}{new_cell}</tr>"
    )
