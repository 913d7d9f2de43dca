"""Differences between two revisions of a page, as data and as safe HTML tables.

This module is pure: it never imports Flask. It relies on ``diff-match-patch`` and follows the
measurements in ``LIBRARIES.md``: a character diff of a whole 100 KB page is slow and, under a
timeout, unstable, so the texts are first compared line by line (``diff_linesToChars`` then
``diff_main`` on the line characters), and only the lines that were replaced are refined.

Replaced lines are paired in order (first deleted with first inserted, …) and each pair is
refined by ``word_diff``: after removing the common leading and trailing words, a short
differing middle is compared character by character; a longer one word by word, then character
by character inside short changed runs; ``diff_cleanupSemantic`` then merges trivial
equalities. A pure character diff of two rewritten 500-character paragraphs takes ~150 ms
(measured); the word diff makes it a few milliseconds. A longer middle that shares few words
with the other side is not refined at all: it is shown whole as deleted and inserted, which is
both faster and easier to read than scattered matching letters.

Line model: after normalising ``"\\r\\n"`` to ``"\\n"``, a text is ``text.split("\\n")`` (the empty
text has no line). So ``"a"`` and ``"a\\n"`` differ by one empty line, and every difference in
the texts is visible in the diff: ``identical`` is true exactly when the normalised texts are equal.

All text placed in the HTML goes through ``html.escape(..., quote=True)``.
"""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

__all__ = [
    "DEFAULT_NEW_LABEL",
    "DEFAULT_OLD_LABEL",
    "DiffLine",
    "TextDiff",
    "deadline_for",
    "diff_texts",
    "line_diff",
    "normalize_newlines",
    "word_diff",
]

DIFF_DELETE: int = diff_match_patch.DIFF_DELETE
DIFF_INSERT: int = diff_match_patch.DIFF_INSERT
DIFF_EQUAL: int = diff_match_patch.DIFF_EQUAL

#: Default column labels; the app passes "Version du …" labels instead.
DEFAULT_OLD_LABEL = "Ancienne version"
DEFAULT_NEW_LABEL = "Nouvelle version"

_NO_DIFFERENCE = "Aucune différence."
_HUNK_HEADER = "Ligne {}"

# Words, runs of whitespace, or one other character (punctuation, symbol, emoji).
_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")
_WORD_RE = re.compile(r"\w+|[^\w\s]")
_SPACE_RE = re.compile(r"\s")
_TRAILING_WORD_RE = re.compile(r"\w+\Z")
_LEADING_WORD_RE = re.compile(r"\w+")

# Above this many tokens in the differing middle of a pair (both sides together), a pair is not
# refined: the word diff is O(N·D) and would cost hundreds of milliseconds per line.
_MAX_REFINE_TOKENS = 2_000
# Below this share of common words (Dice coefficient on the sets of words), differing middles
# longer than _MIN_GATED_TOKENS are considered rewritten, not edited, and are shown whole.
# Shorter middles (a word or three) are always refined: it is cheap and shows typos precisely.
_MIN_SIMILARITY = 0.4
_MIN_GATED_TOKENS = 12
# A deleted run and the inserted run that follows it are refined character by character when
# they are at most this long together (e.g. "chat" -> "chats" highlights only the "s").
_MAX_CHAR_REFINE = 64

Diffs = list[tuple[int, str]]


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


def normalize_newlines(text: str) -> str:
    """Return ``text`` with Windows line breaks (``"\\r\\n"``) turned into ``"\\n"``."""
    return text.replace("\r\n", "\n")


def deadline_for(timeout: float) -> float:
    """Return the ``time.time()`` deadline for ``timeout`` seconds (no deadline when <= 0)."""
    return time.time() + timeout if timeout > 0 else math.inf


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
    dmp = _make_dmp()
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


def line_diff(
    old: str,
    new: str,
    *,
    deadline: float | None = None,
    dmp: diff_match_patch | None = None,
) -> list[tuple[int, list[str]]]:
    """Diff two texts line by line.

    The lines are encoded one character each (``diff_linesToChars``). Lines found in only one
    of the texts cannot be part of the longest common subsequence, so they are set aside
    before ``diff_main`` runs on the lines found in both, then put back as deletions or
    insertions; the result is as minimal as diffing everything, but a page rewritten from top
    to bottom (2,000 distinct lines) takes milliseconds instead of hitting the timeout.

    Args:
        old: the earlier text.
        new: the later text.
        deadline: a ``time.time()`` value after which the search for a minimal diff stops
            (default: one second from now); the result is always a correct edit script.
        dmp: a ``diff_match_patch`` instance to reuse.

    Returns:
        Runs of ``(op, lines)`` with ``op`` one of ``DIFF_EQUAL``, ``DIFF_DELETE``,
        ``DIFF_INSERT``; each line keeps its ``"\n"`` (only a text's last line may lack it).
        Between two equal runs, deletions come before insertions.
    """
    if dmp is None:
        dmp = _make_dmp()
    if deadline is None:
        deadline = deadline_for(1.0)
    # diff_linesToChars gives up past 666,666 distinct lines in the old text (1,114,111 in
    # all) and lumps the rest into one "line"; that would take pages of several megabytes.
    old_chars, new_chars, line_array = dmp.diff_linesToChars(old, new)
    in_old, in_new = set(old_chars), set(new_chars)
    kept_old = [i for i, char in enumerate(old_chars) if char in in_new]
    kept_new = [j for j, char in enumerate(new_chars) if char in in_old]
    core = dmp.diff_main(
        "".join(old_chars[i] for i in kept_old),
        "".join(new_chars[j] for j in kept_new),
        False,
        deadline,
    )
    # The equal runs of the core diff pair old line indexes with new line indexes.
    pairs: list[tuple[int, int]] = []
    a = b = 0
    for op, chars in core:
        if op == DIFF_EQUAL:
            pairs.extend(
                zip(kept_old[a : a + len(chars)], kept_new[b : b + len(chars)], strict=True)
            )
            a += len(chars)
            b += len(chars)
        elif op == DIFF_DELETE:
            a += len(chars)
        else:
            b += len(chars)

    # Rebuild the runs over all lines; this replaces diff_charsToLines and keeps lines apart.
    runs: list[tuple[int, list[str]]] = []
    equal: list[str] = []
    i = j = 0
    for paired_old, paired_new in [*pairs, (len(old_chars), len(new_chars))]:
        if paired_old > i or paired_new > j:
            if equal:
                runs.append((DIFF_EQUAL, equal))
                equal = []
            if paired_old > i:
                runs.append((DIFF_DELETE, [line_array[ord(c)] for c in old_chars[i:paired_old]]))
            if paired_new > j:
                runs.append((DIFF_INSERT, [line_array[ord(c)] for c in new_chars[j:paired_new]]))
        if paired_old < len(old_chars):
            equal.append(line_array[ord(old_chars[paired_old])])
        i, j = paired_old + 1, paired_new + 1
    if equal:
        runs.append((DIFF_EQUAL, equal))
    return runs


def word_diff(
    old: str,
    new: str,
    *,
    deadline: float | None = None,
    dmp: diff_match_patch | None = None,
) -> Diffs:
    """Diff two short texts (a line, a paragraph) word by word, then character by character.

    Words are compared first; a deleted run followed by an inserted run short enough is then
    compared character by character; finally ``diff_cleanupSemantic`` merges trivial
    equalities. When the differing middles are more than a few words and share few of them,
    or are very long, they are returned whole (one deletion, one insertion) between the
    common prefix and suffix.

    Args:
        old: the earlier text.
        new: the later text.
        deadline: a ``time.time()`` value after which diff-match-patch stops searching for a
            minimal diff (default: one second from now). The result is always a correct edit
            script, possibly coarser.
        dmp: a ``diff_match_patch`` instance to reuse.

    Returns:
        A diff-match-patch style list of ``(op, text)`` tuples: applying it to ``old`` gives
        ``new``.
    """
    if old == new:
        return [(DIFF_EQUAL, old)] if old else []
    if dmp is None:
        dmp = _make_dmp()
    if deadline is None:
        deadline = deadline_for(1.0)
    old_tokens = _TOKEN_RE.findall(old)
    new_tokens = _TOKEN_RE.findall(new)
    head = _common_prefix_len(old_tokens, new_tokens)
    tail = _common_suffix_len(old_tokens[head:], new_tokens[head:])
    old_mid = old_tokens[head : len(old_tokens) - tail]
    new_mid = new_tokens[head : len(new_tokens) - tail]
    prefix = "".join(old_tokens[:head])
    suffix = "".join(old_tokens[len(old_tokens) - tail :])

    old_text, new_text = "".join(old_mid), "".join(new_mid)
    size = len(old_mid) + len(new_mid)
    middle: Diffs
    if size <= _MIN_GATED_TOKENS and len(old_text) + len(new_text) <= _MAX_CHAR_REFINE:
        # A word or three: compare the characters directly (the common case, and the fastest).
        middle = dmp.diff_main(old_text, new_text, False, deadline)
    elif size > _MAX_REFINE_TOKENS or (
        size > _MIN_GATED_TOKENS and _similarity(old_text, new_text) < _MIN_SIMILARITY
    ):
        middle = [(DIFF_DELETE, old_text), (DIFF_INSERT, new_text)]
    else:
        middle = _refine_tokens(dmp, old_mid, new_mid, deadline)
    diffs = [(DIFF_EQUAL, prefix), *middle, (DIFF_EQUAL, suffix)]
    diffs = [(op, text) for op, text in diffs if text]
    dmp.diff_cleanupMerge(diffs)
    if len(middle) > 2:  # a single deletion + insertion has no equality to clean up
        dmp.diff_cleanupSemantic(diffs)
    return _snap_to_words(diffs)


# --- internals -------------------------------------------------------------------------------


def _make_dmp() -> diff_match_patch:
    """A fresh diff-match-patch instance (the timeout is passed as explicit deadlines)."""
    return diff_match_patch()


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _split_lines(text: str) -> list[str]:
    """Split on ``"\\n"`` only (``str.splitlines`` also splits on form feeds, U+2028, …)."""
    return text.split("\n") if text else []


def _common_prefix_len(a: Sequence[str], b: Sequence[str]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _common_suffix_len(a: Sequence[str], b: Sequence[str]) -> int:
    count = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        count += 1
    return count


def _similarity(old: str, new: str) -> float:
    """Dice coefficient of the sets of words (and symbols) of two texts; 1.0 if both have none."""
    words_old = set(_WORD_RE.findall(old))
    words_new = set(_WORD_RE.findall(new))
    total = len(words_old) + len(words_new)
    if total == 0:
        return 1.0
    return 2 * len(words_old & words_new) / total


def _refine_tokens(
    dmp: diff_match_patch, old_tokens: list[str], new_tokens: list[str], deadline: float
) -> Diffs:
    """Diff two token lists with one character per distinct token, then refine short pairs."""
    codes: dict[str, str] = {}
    vocabulary: list[str] = []

    def encode(tokens: list[str]) -> str:
        out = []
        for token in tokens:
            code = codes.get(token)
            if code is None:
                vocabulary.append(token)
                code = codes[token] = chr(len(vocabulary))
            out.append(code)
        return "".join(out)

    encoded_old = encode(old_tokens)
    encoded_new = encode(new_tokens)
    token_diffs = dmp.diff_main(encoded_old, encoded_new, False, deadline)
    diffs = [(op, "".join(vocabulary[ord(c) - 1] for c in chars)) for op, chars in token_diffs]

    refined: Diffs = []
    index = 0
    while index < len(diffs):
        op, text = diffs[index]
        if (
            op == DIFF_DELETE
            and index + 1 < len(diffs)
            and diffs[index + 1][0] == DIFF_INSERT
            and len(text) + len(diffs[index + 1][1]) <= _MAX_CHAR_REFINE
        ):
            refined.extend(dmp.diff_main(text, diffs[index + 1][1], False, deadline))
            index += 2
        else:
            refined.append((op, text))
            index += 1
    return refined


#: beyond this many characters a "word" is a URL or an identifier: keep letter precision
_LONG_WORD = 30


def _snap_to_words(diffs: Diffs) -> Diffs:
    """Widen changes that span several words so that they start and end on word boundaries.

    A character diff of "la mairie" -> "l'église" keeps the common "l" and "e" as equal text,
    which reads as "l[a mairi]e"; this turns it into "[la mairie]" -> "[l'église]". A change
    inside one word marks the whole word too ("ch[at]" -> "[chat]" / "[chien]"), as people
    read words, not letters; only inside very long words (URLs, identifiers) does it keep
    character precision.
    """
    # Segments: [is_change, old_text, new_text]; an equal segment has old_text == new_text.
    segments: list[list] = []
    for op, text in diffs:
        if op == DIFF_EQUAL:
            segments.append([False, text, text])
            continue
        if not segments or not segments[-1][0]:
            segments.append([True, "", ""])
        segments[-1][1 if op == DIFF_DELETE else 2] += text
    for index, segment in enumerate(segments):
        is_change, old, new = segment
        if not is_change:
            continue
        within_word = not (_SPACE_RE.search(old) or _SPACE_RE.search(new))
        head = tail = ""
        if index > 0 and any(side and _is_word_char(side[0]) for side in (old, new)):
            match = _TRAILING_WORD_RE.search(segments[index - 1][1])
            head = match.group() if match else ""
        if index + 1 < len(segments) and any(
            side and _is_word_char(side[-1]) for side in (old, new)
        ):
            match = _LEADING_WORD_RE.match(segments[index + 1][1])
            tail = match.group() if match else ""
        if within_word and len(head) + max(len(old), len(new)) + len(tail) > _LONG_WORD:
            continue  # inside a long token (a URL...), the changed letters are what matters
        if head:
            before = segments[index - 1][1]
            segments[index - 1][1] = segments[index - 1][2] = before[: len(before) - len(head)]
        if tail:
            after = segments[index + 1][1]
            segments[index + 1][1] = segments[index + 1][2] = after[len(tail) :]
        segment[1], segment[2] = head + old + tail, head + new + tail
    # Rebuild, joining changes that now touch (diff_cleanupMerge would factor the common
    # letters out again).
    snapped: Diffs = []
    pending_old: list[str] = []
    pending_new: list[str] = []
    for is_change, old, new in segments:
        if is_change:
            pending_old.append(old)
            pending_new.append(new)
        elif old:
            if pending_old:
                snapped.extend(_change_pair("".join(pending_old), "".join(pending_new)))
                pending_old, pending_new = [], []
            snapped.append((DIFF_EQUAL, old))
    snapped.extend(_change_pair("".join(pending_old), "".join(pending_new)))
    return snapped


def _change_pair(old: str, new: str) -> Diffs:
    return [(op, text) for op, text in ((DIFF_DELETE, old), (DIFF_INSERT, new)) if text]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


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
