"""Pieces of the MediaWiki converter (:mod:`wikicoop.text.mediawiki_convert`): code spans
and blocks, file options, tables (the placeholders are :mod:`.mediawiki_guard`'s)."""

from __future__ import annotations

import re
from collections.abc import Callable

from mwparserfromhell.nodes import Comment, Node, Tag, Text
from mwparserfromhell.wikicode import Wikicode

from .titles import fold_key

__all__ = [
    "code_span",
    "fence",
    "file_options",
    "fold",
    "split_pipes",
    "table_to_markdown",
]

#: MediaWiki's image options, in this wiki's words (plugins/mettre_en_communs/embed.py)
_FILE_WORDS = {
    "thumb": "vignette",
    "thumbnail": "vignette",
    "mini": "vignette",
    "miniature": "vignette",
    "vignette": "vignette",
    "frame": "vignette",
    "framed": "vignette",
    "cadre": "vignette",
    "right": "droite",
    "droite": "droite",
    "left": "gauche",
    "gauche": "gauche",
    "center": "centre",
    "centre": "centre",
    "none": "néant",
    "néant": "néant",
}
#: MediaWiki's layout options with no equivalent here (left out, they are not text)
_FILE_LAYOUT = re.compile(
    r"^(?:frameless|sans_cadre|border|bordure|upright(?:\s*=.*)?|redresse(?:\s*=.*)?|"
    r"baseline|middle|sub|super|top|text-top|bottom|text-bottom|"
    r"(?:link|lien|page|class|lang|thumbtime|start|end)\s*=.*|\d*x\d+\s*px)$",
    re.I,
)
_WIDTH = re.compile(r"^\d{1,4}\s*px$", re.I)
_CELL_BLOCK = re.compile(r"^\s*(?:[-*+>|]|\d+\.|#|```|~~~)")
_WIKILINK = re.compile(r"\[\[[^\[\]\n]*\]\]")


def fold(text: str) -> str:
    """A name folded for comparison (case, accents, spaces, ``_``)."""
    return fold_key(text)


def code_span(text: str) -> str:
    """``text`` as a Markdown code span (with enough backticks around it)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(text: str, info: str = "") -> str:
    """``text`` as a fenced code block (a fence longer than any inside)."""
    longest = max((len(run) for run in re.findall(r"^\s*(`{3,})", text, re.M)), default=0)
    ticks = "`" * max(3, longest + 1)
    info = re.sub(r"[^\w+.-]", "", info)
    return f"{ticks}{info}\n{text}\n{ticks}"


def split_pipes(text: str) -> list[str]:
    """Split on ``|``, except inside ``[[...]]`` and ``{{...}}``."""
    parts, depth, start, pos = [], 0, 0, 0
    while pos < len(text):
        pair = text[pos : pos + 2]
        if pair in ("[[", "{{"):
            depth += 1
            pos += 2
            continue
        if pair in ("]]", "}}") and depth:
            depth -= 1
            pos += 2
            continue
        if text[pos] == "|" and not depth:
            parts.append(text[start:pos])
            start = pos + 1
        pos += 1
    parts.append(text[start:])
    return parts


def file_options(parts: list[str]) -> tuple[list[str], str]:
    """The options of a file link in this wiki's words, and its caption (the last part
    that is no option, as MediaWiki reads it)."""
    words: list[str] = []
    caption = ""
    for raw in parts:
        part = raw.strip()
        word = part.lower()
        if word in _FILE_WORDS:
            if _FILE_WORDS[word] not in words:
                words.append(_FILE_WORDS[word])
        elif _WIDTH.match(part):
            words.append(part.replace(" ", ""))
        elif word.startswith("alt="):
            words.append("alt=" + " ".join(part[4:].split()).replace("|", "/"))
        elif _FILE_LAYOUT.match(part):
            continue
        elif part:
            caption = part
    return words, caption


def _cell_text(
    cell: Tag, inline: Callable[[Wikicode | None], str], restore: Callable[[str], str]
) -> str | None:
    """A cell's text for a pipe table, or None when it cannot be one."""
    for attribute in cell.attributes:
        if fold(str(attribute.name)) in ("rowspan", "colspan"):
            return None
    contents = cell.contents
    if contents is None:
        return ""
    if contents.filter_tags(
        matches=lambda n: n.tag == "table" or n.wiki_markup in ("*", "#", ":", ";")
    ):
        return None
    raw_lines = [line for line in str(contents).strip().split("\n") if line.strip()]
    if len(raw_lines) > 1 and any(_CELL_BLOCK.match(line) for line in raw_lines[1:]):
        return None
    if "\n\n" in str(contents).strip():
        return None
    # placeholders back first: a template kept as code may hold pipes to escape
    text = " ".join(restore(inline(contents)).split())
    # pipes split cells, except inside a wiki link (the table parser skips those)
    pieces, pos = [], 0
    for match in _WIKILINK.finditer(text):
        pieces.append(text[pos : match.start()].replace("|", "\\|"))
        pieces.append(match.group())
        pos = match.end()
    pieces.append(text[pos:].replace("|", "\\|"))
    return "".join(pieces)


def table_to_markdown(
    table: Tag,
    inline: Callable[[Wikicode | None], str],
    plain: Callable[[Wikicode | None], str],
    restore: Callable[[str], str] = lambda text: text,
) -> str | None:
    """A MediaWiki table as a Markdown pipe table, or None when it is not simple."""
    rows: list[list[tuple[bool, str]]] = []
    caption = ""
    current: list[tuple[bool, str]] | None = None

    def add_cell(cell: Tag) -> bool:
        nonlocal current
        text = _cell_text(cell, inline, restore)
        if text is None:
            return False
        if current is None:
            current = []
            rows.append(current)
        current.append((str(cell.tag) == "th", text))
        return True

    for node in table.contents.nodes if table.contents is not None else []:
        if isinstance(node, Tag) and str(node.tag) == "tr":
            current = None
            row_nodes: list[Node] = list(node.contents.nodes) if node.contents else []
            for cell in row_nodes:
                if isinstance(cell, Tag) and str(cell.tag) in ("td", "th"):
                    if not add_cell(cell):
                        return None
                elif not _ignorable(cell):
                    return None
            current = None
        elif _is_caption(node):
            caption = plain(node.contents).removeprefix("+").strip()
        elif isinstance(node, Tag) and str(node.tag) in ("td", "th"):
            if not add_cell(node):
                return None
        elif not _ignorable(node):
            return None
    rows = [row for row in rows if row]
    if not rows:
        return None
    width = max(len(row) for row in rows)
    rows = [row + [(False, "")] * (width - len(row)) for row in rows]
    if all(header for header, _ in rows[0]):
        head, body = [text for _, text in rows[0]], rows[1:]
    else:
        head, body = [""] * width, rows
    lines = [_row(head), _row(["---"] * width)]
    for row in body:
        lines.append(_row([f"**{text}**" if header and text else text for header, text in row]))
    table_text = "\n".join(lines)
    return f"**{caption}**\n\n{table_text}" if caption else table_text


def _is_caption(node: Node) -> bool:
    """``|+ Légende``: mwparserfromhell reads it as a cell whose text starts with ``+``."""
    return (
        isinstance(node, Tag)
        and str(node.tag) == "td"
        and node.wiki_markup == "|"
        and str(node.contents or "").startswith("+")
    )


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _ignorable(node: Node) -> bool:
    """Whitespace and comments between a table's rows."""
    return isinstance(node, Comment) or (isinstance(node, Text) and not str(node).strip())
