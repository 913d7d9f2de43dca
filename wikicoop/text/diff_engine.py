"""The diff computation: line diff and word refinement on diff-match-patch.

This module is pure: it never imports Flask. It relies on ``diff-match-patch`` and follows the
measurements in ``LIBRARIES.md``: a character diff of a whole 100 KB page is slow and, under a
timeout, unstable, so the texts are first compared line by line (``diff_linesToChars`` then
``diff_main`` on the line characters), and only the lines that were replaced are refined.

Replaced lines are paired in order (first deleted with first inserted, …; see
:func:`wikicoop.text.diffing.diff_texts`) and each pair is refined by ``word_diff``: after
removing the common leading and trailing words, a short differing middle is compared character
by character; a longer one word by word, then character by character inside short changed runs;
``diff_cleanupSemantic`` then merges trivial equalities. A pure character diff of two rewritten
500-character paragraphs takes ~150 ms (measured); the word diff makes it a few milliseconds. A
longer middle that shares few words with the other side is not refined at all: it is shown
whole as deleted and inserted, which is both faster and easier to read than scattered matching
letters.

The results are diff-match-patch edit scripts (``(op, text)`` runs); turning them into rows
and HTML tables is :mod:`wikicoop.text.diffing`'s job. The three-way merge
(:mod:`wikicoop.text.merging`) stands on the same functions.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence

from diff_match_patch import diff_match_patch

__all__ = [
    "DIFF_DELETE",
    "DIFF_EQUAL",
    "DIFF_INSERT",
    "Diffs",
    "deadline_for",
    "line_diff",
    "make_dmp",
    "normalize_newlines",
    "word_diff",
]

DIFF_DELETE: int = diff_match_patch.DIFF_DELETE
DIFF_INSERT: int = diff_match_patch.DIFF_INSERT
DIFF_EQUAL: int = diff_match_patch.DIFF_EQUAL

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


def normalize_newlines(text: str) -> str:
    """Return ``text`` with Windows line breaks (``"\\r\\n"``) turned into ``"\\n"``."""
    return text.replace("\r\n", "\n")


def deadline_for(timeout: float) -> float:
    """Return the ``time.time()`` deadline for ``timeout`` seconds (no deadline when <= 0)."""
    return time.time() + timeout if timeout > 0 else math.inf


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
        dmp = make_dmp()
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
        dmp = make_dmp()
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


def make_dmp() -> diff_match_patch:
    """A fresh diff-match-patch instance (the timeout is passed as explicit deadlines)."""
    return diff_match_patch()


# --- internals -------------------------------------------------------------------------------


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
