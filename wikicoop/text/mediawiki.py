"""MediaWiki wikitext -> this wiki's Markdown, and the MediaWiki habits a text shows.

:func:`convert_mediawiki` parses with mwparserfromhell and writes each node again in this
wiki's syntax (:mod:`.mediawiki_convert`, loaded when a text is first converted). The
rule is to never lose text: what has no equivalent stays visible.

Choices (see docs/mediawiki.md):

* a template ``{{Modèle|a=b}}`` becomes code, `` `{{Modèle|a=b}}` `` (a fenced block when
  it spans lines): shown as typed, in a box that says "something to redo here", and no
  longer taken for a MediaWiki habit. ``{{:Titre}}`` (this wiki's transclusion) is kept.
  Reference-list templates (``{{Références}}``, ``{{Reflist}}``) go: footnotes are listed
  at the end of every page anyway.
* ``<ref>`` becomes a Markdown footnote (``[^1]``), its text listed at the end.
* HTML comments and behaviour switches (``__NOTOC__``) are dropped: they are invisible
  on MediaWiki too.
* a table becomes a pipe table when it is simple (no merged cell, no block inside a
  cell); otherwise it stays as typed in a fenced block.
* signatures (``~~~~``) are left for the save, which signs (:mod:`.signatures`).

Text that is already Markdown goes through unchanged: code (spans and fenced blocks),
Markdown links, emphasis at the start of a line (``**gras**``) and ``---``-style rules
are set aside before parsing; a line starting with ``#`` stays a Markdown heading unless
the text shows MediaWiki habits (see :func:`mediawiki_habits`).
"""

from __future__ import annotations

import re

from .mediawiki_guard import Protector, guard_openers
from .signatures import code_regions

__all__ = [
    "HABITS",
    "MAX_CONVERT_STRUCTURES",
    "MAX_HABIT_CHARS",
    "convert_mediawiki",
    "is_too_complex",
    "mediawiki_habits",
]

#: the habit codes, in the order they are reported
HABITS = (
    "signature",
    "quotes",
    "heading",
    "external_link",
    "template",
    "numbered_list",
    "file_link",
    "table",
)
#: :func:`mediawiki_habits` looks at this many characters at most (it runs on every preview)
MAX_HABIT_CHARS = 200_000
#: :func:`convert_mediawiki` converts texts with this many structures at most (links,
#: templates, tags, list items, table cells...): each costs 0.1 to 0.2 ms, so about 10 s
#: at most. Real pages have fewer: a dense Wikipedia article, 27 per KB (1.8 MB).
MAX_CONVERT_STRUCTURES = 50_000
_STRUCTURE = re.compile(
    r"\[\[|\{\{|\{\||<[A-Za-z!/]|\[(?:https?:|mailto:|//)|''|^[*#:;|!]|\|\||!!|&\w+;", re.M
)

_HABIT_PATTERNS = {
    "signature": re.compile(r"(?<!~)~{3,5}(?!~)"),
    # bounded scans (here and below): a preview must stay linear whatever is typed
    "quotes": re.compile(r"(?<!')(?:'{3}|'{5})(?!')\S"),  # ''italique'': see _italic_pair
    "heading": re.compile(r"^(={1,6})[ \t]*[^=\s][^\n]*?[ \t]*\1[ \t]*$", re.M),
    "external_link": re.compile(
        r"(?<!\[)\[(?:https?:|mailto:|//)[^\s\[\]]+(?:[ \t][^\[\]\n]*)?\](?![\[(])", re.I
    ),
    "template": re.compile(
        r"\{\{(?![{:]|pages(?:[ \t]|\}\}))[ \t]*[^\W\d_][^{}|\n]*(?:\||\}\}|\n)"
    ),
    "file_link": re.compile(
        r"\[\[[ \t]*(?:(?:file|image)[ \t]*:|(?:fichier)[ \t]*:[^\[\]\n]*\|[ \t]*"
        r"(?:frameless|upright[^|\]]*|border|link=[^|\]]*|\d*x\d+px)[ \t]*(?:\||\]\]))",
        re.I,
    ),
    "table": re.compile(r"^[ \t]*\{\|", re.M),
}
_TWO_QUOTES = re.compile(r"(?<!')''(?!')")
#: a line that is a numbered item of MediaWiki (``# texte``) or of a mixed list (``#*``)
_HASH_ITEM = re.compile(r"^(#+)(?:[*:;]|[ \t]+\S)")
_MIXED_LIST = re.compile(r"^(?:#+[*:;]|[*:;]+#)")
_LIST_LINE = re.compile(r"^[*#:;]")
#: an indented code block: after a blank line, four spaces or a tab
_INDENTED_CODE = re.compile(r"(?:^|(?<=\n\n))(?:(?: {4}|\t)[^\n]*(?:\n|$))+")

# --- what is set aside before parsing (kept exactly as typed)
_MARKDOWN_LINK = re.compile(r"!?\[[^\[\]\n]*\]\((?:[^()\s\[]|\([^()\s]*\)){0,2000}\)")
#: emphasis opening a line (``**gras**``, ``*italique*``), closed further in the paragraph
_EMPHASIS_START = re.compile(
    r"^\*{1,3}(?=[^\s*](?:[^\n]|\n(?![ \t]*\n|[*#:;])){0,400}?[^\s*]\*)", re.M
)
#: lines of stars (a rule, an empty item) and setext underlines of ``=``
_RULE_LINE = re.compile(r"^(?:\*[ \t]*)+$|^ {0,3}=+[ \t]*$", re.M)
#: a line of dashes: a rule or a setext underline in Markdown, a rule in MediaWiki
_DASH_LINE = re.compile(r"^ {0,3}-{3,}[ \t]*$", re.M)
#: Markdown's backslash escapes (``\*``, ``\<``)
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_REDIRECT = re.compile(r"^#(?:REDIRECT|REDIRECTION)\b", re.I)


def mediawiki_habits(text: str) -> list[str]:
    """The MediaWiki habits ``text`` shows, as codes of :data:`HABITS` ([] if none).

    Cheap enough for every preview: regular expressions on the first
    :data:`MAX_HABIT_CHARS` characters, code (spans, fenced and indented blocks) left
    out. A Markdown heading (``# Titre``) counts as a MediaWiki numbered list only when
    the text shows MediaWiki in another way: several numbered lines in a row, a mixed
    list (``#*``), or another habit (a signature alone does not tell: both wikis sign).
    """
    sample = _without_code(text[:MAX_HABIT_CHARS].replace("\r\n", "\n"))
    found = {code for code, pattern in _HABIT_PATTERNS.items() if pattern.search(sample)}
    if "quotes" not in found and _italic_pair(sample):
        found.add("quotes")
    if _numbered_lines(sample.split("\n"), bool(found - {"signature"})):
        found.add("numbered_list")
    return [code for code in HABITS if code in found]


def _italic_pair(text: str) -> bool:
    """Whether a line holds ``''texte''``: two quotes opening before a letter, two more
    closing after one (a single pass over the pairs of quotes: linear)."""
    opened = -1  # where the last opening pair ended, on the current line
    for match in _TWO_QUOTES.finditer(text):
        start, end = match.span()
        if opened >= 0 and "\n" not in text[opened:start] and not text[start - 1].isspace():
            return True
        following = text[end : end + 1]
        opened = end if following and not following.isspace() else -1
    return False


def _code_and_indented(text: str) -> list[tuple[int, int]]:
    """Code regions, and indented code blocks outside them, in order."""
    regions = code_regions(text)
    indented = [
        m.span()
        for m in _INDENTED_CODE.finditer(text)
        if not any(start <= m.start() < end for start, end in regions)
    ]
    return sorted(regions + indented)


def _without_code(text: str) -> str:
    """``text`` with its code replaced by spaces (line ends kept)."""
    parts, pos = [], 0
    for start, end in _code_and_indented(text):
        if start < pos:
            continue
        parts.append(text[pos:start])
        parts.append(re.sub(r"[^\n]", " ", text[start:end]))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _numbered_lines(lines: list[str], other_habits: bool) -> set[int]:
    """The lines starting with ``#`` that are MediaWiki numbered items, if the text
    shows it (see :func:`mediawiki_habits`): then a first-level item, or an item next
    to another list line; a lone ``## Titre`` stays a Markdown heading."""
    items = {}
    mediawiki = other_habits
    previous = 0
    for number, line in enumerate(lines):
        match = _HASH_ITEM.match(line)
        if _MIXED_LIST.match(line):
            mediawiki = True
        if match is None or _REDIRECT.match(line):
            previous = 0
            continue
        depth = len(match.group(1))
        mediawiki = mediawiki or depth == previous
        items[number], previous = depth, depth
    if not mediawiki:
        return set()

    def listed(number: int) -> bool:
        return 0 <= number < len(lines) and bool(_LIST_LINE.match(lines[number]))

    return {
        number
        for number, depth in items.items()
        if depth == 1 or listed(number - 1) or listed(number + 1)
    }


# ------------------------------------------------------------------------ conversion


def is_too_complex(text: str) -> bool:
    """Whether ``text`` has more than :data:`MAX_CONVERT_STRUCTURES` structures to parse
    (then :func:`convert_mediawiki` gives it back unchanged: convert it in parts)."""
    count = 0
    for count, _ in enumerate(_STRUCTURE.finditer(text), start=1):
        if count > MAX_CONVERT_STRUCTURES:
            return True
    return False


def convert_mediawiki(text: str) -> str:
    """Convert MediaWiki wikitext to this wiki's syntax, losing no text.

    :param text: wikitext, possibly mixed with Markdown (which is kept).
    :returns: the text in this wiki's syntax; ``~~~~`` is kept (the save signs). A text
        that :func:`is_too_complex` comes back unchanged (line ends normalised).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip() or is_too_complex(text):
        return text
    protector = Protector()
    prepared = _set_aside(text, protector)
    # loaded when first used: not on a page view's path (a quicker start)
    from .mediawiki_convert import write_markdown

    body = write_markdown(prepared, protector)
    if body is None:  # the parser failed
        return text
    return protector.restore(body) + ("\n" if text.endswith("\n") else "")


def _set_aside(text: str, protector: Protector) -> str:
    """Replace what must stay as typed by placeholders (restored after conversion)."""
    text = protector.protect_chars(text)
    pieces, pos = [], 0
    for start, end in _code_and_indented(text):
        if start < pos:
            continue
        pieces.append(_MARKDOWN_LINK.sub(lambda m: protector.keep(m.group()), text[pos:start]))
        pieces.append(protector.keep(text[start:end].rstrip("\n")) + "\n" * _ends(text, end))
        pos = end
    pieces.append(_MARKDOWN_LINK.sub(lambda m: protector.keep(m.group()), text[pos:]))
    text = "".join(pieces)
    keep = lambda m: protector.keep(m.group())  # noqa: E731 - one short rule, used four times
    text = _ESCAPE.sub(keep, text)
    text = _RULE_LINE.sub(keep, text)
    text = _EMPHASIS_START.sub(keep, text)
    text = guard_openers(text, protector.keep)
    others = bool(_other_habits(text))
    if not others:  # Markdown: a line of dashes may underline a heading
        text = _DASH_LINE.sub(keep, text)
    lines = text.split("\n")
    numbered = _numbered_lines(_without_code(text).split("\n"), others)
    for number, line in enumerate(lines):
        if line.startswith("#") and (number not in numbered or _REDIRECT.match(line)):
            hashes = len(line) - len(line.lstrip("#"))
            lines[number] = protector.keep(line[:hashes]) + line[hashes:]
    return "\n".join(lines)


def _ends(text: str, end: int) -> int:
    """1 when the region ending at ``end`` took the line end with it."""
    return 1 if end > 0 and text[end - 1] == "\n" else 0


def _other_habits(text: str) -> set[str]:
    found = set(mediawiki_habits(text)) - {"signature", "numbered_list"}
    return found
