""" "Did you mean": what both search backends share when they correct a query.

Each backend says whether a word is known (some page has it) and which known word is
closest to an unknown one; this module walks the typed words, keeps the elided article
and the capital, and writes the corrected query text.
"""

from __future__ import annotations

from collections.abc import Callable

from . import analysis
from .query_syntax import WORD_RE, Node, positive_words


def corrected_text(
    text: str,
    tree: Node,
    known: Callable[[str], bool],
    correct: Callable[[str], str | None],
) -> str | None:
    """``text`` with each unknown word replaced by ``correct(word)``, or None when no
    word was replaced.

    ``known(raw)`` gets a word as typed; ``correct(core)`` the word lower-cased, without
    its elided article (« l'atelir » → « atelir »), at least 3 letters long.
    """
    replacements: list[tuple[int, int, str]] = []
    for word in positive_words(tree):
        for match in WORD_RE.finditer(word.text):
            raw = match.group(0)
            if known(raw):
                continue
            core = analysis.strip_elision(raw.lower())
            if len(core) < 3:
                continue
            replacement = correct(core)
            if not replacement:
                continue
            head = raw[: len(raw) - len(core)]
            if raw[len(head) : len(head) + 1].isupper():
                replacement = replacement[:1].upper() + replacement[1:]
            start = word.start + match.start()
            replacements.append((start + len(head), word.start + match.end(), replacement))
    if not replacements:
        return None
    corrected = text
    for start, end, replacement in sorted(replacements, reverse=True):
        corrected = corrected[:start] + replacement + corrected[end:]
    return None if corrected == text else corrected


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance (small words only).

    With ``limit``, any distance above it is returned as ``limit + 1`` as soon as it is
    certain: "did you mean" compares a typed word with the thousands of words of a few
    pages, and most differ from their first letters."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:  # a row's minimum never decreases
            return limit + 1
        previous = current
    return previous[-1] if limit is None else min(previous[-1], limit + 1)
