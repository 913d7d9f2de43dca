"""What is set aside before mwparserfromhell reads a text: placeholders for what stays as
typed (:class:`Protector`), and the openers without their closer.

mwparserfromhell backtracks on every unclosed construct (``{{``, ``[[``, ``<ref>``,
``<!--``, ``{|``, ``[https://…`` without its ``]``): its time grows with the square of
their number (4,000 unclosed ``{{a|`` took 23 s). A page of the wiki's maximum size full
of them must not hold a server for hours, so a linear scan finds them first and
:func:`guard_openers` hands them to the placeholder protector: they stay as typed, and
the parser only ever sees constructs that close.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["Protector", "guard_openers"]

#: elements without a closing tag (mwparserfromhell reads them alone)
_VOID = frozenset(
    {"br", "hr", "wbr", "img", "meta", "link", "input", "col", "area", "base", "param",
     "source", "track", "embed", "references"}
)  # fmt: skip
_TOKEN = re.compile(
    r"<!--|\{\{|\}\}|\[\[|\]\]|^[ \t]*\{\||^[ \t]*\|\}"
    r"|<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9]*)(?=[\s/>])[^<>]*?(?P<single>/?)>"
    r"|\[(?:https?:|mailto:|ftp:|//)[^\]\n]*(?P<link_end>\])?",
    re.M,
)
_LINK = re.compile(r"\[(?=https?:|mailto:|ftp:|//)")
#: a placeholder: its number between two private-use characters
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(_OPEN + r"(\d+)" + _CLOSE)


class Protector:
    """Sets pieces of text aside as placeholders that the parser sees as plain text."""

    def __init__(self) -> None:
        self.kept: list[str] = []

    def keep(self, piece: str) -> str:
        """The placeholder of ``piece`` (restored by :meth:`restore`)."""
        self.kept.append(piece)
        return f"{_OPEN}{len(self.kept) - 1}{_CLOSE}"

    def protect_chars(self, text: str) -> str:
        """Set aside the placeholder characters the text already holds (so rare: but
        they must come back as they were)."""
        if _OPEN not in text and _CLOSE not in text:
            return text
        return re.sub(f"[{_OPEN}{_CLOSE}]", lambda m: self.keep(m.group()), text)

    def restore(self, text: str) -> str:
        """Put every piece back (pieces may hold placeholders: restored too)."""
        for _ in range(len(self.kept) + 1):
            if _OPEN not in text:
                break
            text = _PLACEHOLDER.sub(lambda m: self.kept[int(m.group(1))], text)
        return text


def guard_openers(text: str, keep: Callable[[str], str]) -> str:
    """``text`` with every opener that is never closed replaced by ``keep(opener)`` (a
    placeholder the parser reads as plain text). Linear in the length of the text."""
    unclosed: list[tuple[int, int]] = []  # (start, end) of the openers to set aside
    stacks: dict[str, list[tuple[int, int]]] = {}
    pos = 0
    comments_close = True
    while (match := _TOKEN.search(text, pos)) is not None:
        token, start, end = match.group(), match.start(), match.end()
        pos = end
        if token == "<!--":
            close = text.find("-->", end) if comments_close else -1
            if close < 0:
                comments_close = False  # none further on: no need to look again
                unclosed.append((start, start + 1))
            else:
                pos = close + 3
        elif token in ("{{", "[["):
            stacks.setdefault(token, []).append((start, end))
        elif token in ("}}", "]]"):
            opened = stacks.get("{{" if token == "}}" else "[[")
            if opened:
                opened.pop()
        elif token.lstrip(" \t") == "{|":
            stacks.setdefault("{|", []).append((end - 2, end))
        elif token.lstrip(" \t") == "|}":
            if stacks.get("{|"):
                stacks["{|"].pop()
        elif token[0] == "[" and token[:2] != "[[":
            if match.group("link_end") is None:
                # no "]" before the line ends: every link opened on the rest of it is unclosed
                unclosed.extend(
                    (m.start(), m.start() + 1) for m in _LINK.finditer(text, start, end)
                )
        else:
            name = match.group("name").lower()
            if match.group("single") or name in _VOID:
                continue
            if match.group("close"):
                if stacks.get("<" + name):
                    stacks["<" + name].pop()
            else:
                stacks.setdefault("<" + name, []).append((start, start + 1))
    for opened in stacks.values():
        unclosed.extend(opened)
    if not unclosed:
        return text
    out, pos = [], 0
    for start, end in sorted(unclosed):
        out.append(text[pos:start])
        out.append(keep(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)
