"""Wiki links for mistune: ``[[Title]]``, ``[[Title|label]]``, ``[[Title#Section]]``,
``[[#Section]]``, ``[[:Catégorie:Nom]]`` and category memberships ``[[Catégorie:Nom]]``.

The syntax is parsed by :func:`parse_wikilink` (pure, shared with the cheap pre-scan
:func:`scan_link_targets`), turned into a ``wikilink`` inline token by the mistune rule, and
rendered with the per-render :class:`~wikicoop.rendering.markdown.RenderContext` (which
targets exist, where links point to). Links and categories are recorded when the token is
*rendered*, so a ``[[...]]`` inside code, or one whose output is discarded, is not counted.

The label is plain text (no Markdown inside it) and, like everything this module emits,
is escaped.

GFM tables split rows on ``|`` before inline parsing, which would cut ``[[a|b]]`` in two.
:func:`wikilinks` therefore replaces mistune's table rules with :func:`parse_table` and
:func:`parse_nptable`, whose cell splitter skips the pipes inside a ``[[...]]`` (the
approach of An Otter Wiki: hide the pipe of a wiki link from the table parser).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from mistune.util import escape

from ..text.titles import Title, TitleError, parse_title
from .markdown import EXTERNAL_REL, RenderContext, WikiHTMLRenderer, get_context, heading_anchor

if TYPE_CHECKING:
    from re import Match

    import mistune
    from mistune.block_parser import BlockParser
    from mistune.core import BlockState, InlineState
    from mistune.inline_parser import InlineParser

__all__ = [
    "MISSING_PAGE_TOOLTIP",
    "WIKILINK_PATTERN",
    "WikiLink",
    "parse_nptable",
    "parse_table",
    "parse_wikilink",
    "render_wikilink",
    "scan_link_targets",
    "split_table_cells",
    "wikilinks",
]

#: A wiki link: ``[[`` body ``]]``, on one line, without brackets inside.
WIKILINK_PATTERN = r"\[\[(?P<wikilink_body>[^\[\]\n]+)\]\]"
_WIKILINK_RE = re.compile(WIKILINK_PATTERN)

#: The ``title`` of a link to a page that does not exist yet.
MISSING_PAGE_TOOLTIP = "Page inexistante : cliquer pour la créer"

#: Characters left as they are in the ``$1`` of an interwiki address (as MediaWiki does).
_PATH_SAFE = "/:@!$'()*,;~-._"

EMPTY_ANCHOR_MESSAGE = "Le lien ne donne pas de section après « # »."

WikiLinkKind = Literal["page", "anchor", "category", "invalid"]


@dataclass(frozen=True)
class WikiLink:
    """What a ``[[...]]`` means.

    :param kind: ``page`` (a link, including ``[[:Catégorie:X]]``), ``anchor``
        (``[[#Section]]``), ``category`` (a membership, renders nothing) or ``invalid``.
    :param raw: the text between the brackets, as typed.
    :param label: the text to show (plain text, not escaped yet).
    :param title: the target title (page and category kinds).
    :param fragment: the section, for ``page`` and ``anchor`` links.
    :param error: why the title is invalid (``invalid`` kind).
    """

    kind: WikiLinkKind
    raw: str
    label: str
    title: Title | None = None
    fragment: str = ""
    error: str = ""


def parse_wikilink(body: str, *, capitalize_first: bool = True) -> WikiLink:
    """Interpret the text between ``[[`` and ``]]``.

    :param body: e.g. ``"Aide:Écrire#Un lien|écrire un lien"``.
    :param capitalize_first: passed to :func:`wikicoop.titles.parse_title`.
    :returns: a :class:`WikiLink`; never raises for bad titles (kind ``invalid``).
    """
    target, pipe, label = body.partition("|")
    if pipe and target.endswith("\\"):
        # ``[[a\|b]]``: the GFM way of writing a pipe in a table cell.
        target = target[:-1]
    shown = target.strip()
    label = label.strip() if pipe else ""
    if shown.startswith("#"):
        fragment = " ".join(shown[1:].split())
        if not fragment:
            return WikiLink("invalid", body, shown, error=EMPTY_ANCHOR_MESSAGE)
        return WikiLink("anchor", body, label or shown, fragment=fragment)
    try:
        title = parse_title(target, capitalize_first=capitalize_first, allow_fragment=True)
    except TitleError as error:
        return WikiLink("invalid", body, shown, error=error.message)
    if title.namespace == "category" and not shown.startswith(":"):
        return WikiLink("category", body, title.name, title=title)
    return WikiLink(
        "page", body, label or shown.removeprefix(":").strip(), title=title, fragment=title.fragment
    )


def scan_link_targets(text: str, *, capitalize_first: bool = True) -> set[tuple[str, str]]:
    """Every valid link target key in ``text``, without parsing Markdown.

    Over-approximates (links inside code are included); category memberships are not
    links and are left out, ``[[:Catégorie:X]]`` is included. Every link the renderer can
    produce is found here, because wiki links never span lines and the inline text mistune
    parses is always made of source lines.
    """
    keys: set[tuple[str, str]] = set()
    if "[[" not in text:
        return keys
    for match in _WIKILINK_RE.finditer(text):
        link = parse_wikilink(match.group("wikilink_body"), capitalize_first=capitalize_first)
        if link.kind == "page" and link.title is not None:
            keys.add(link.title.key)
    return keys


def render_wikilink(renderer: WikiHTMLRenderer, token: dict[str, Any], state: BlockState) -> str:
    """Render a ``wikilink`` token; record the link or the category in the render context."""
    link: WikiLink = token["attrs"]["link"]
    ctx = get_context(state)
    if link.kind == "category":
        assert link.title is not None
        ctx.add_category(link.title.name)
        return ""
    if link.kind == "invalid":
        attrs = renderer.render_attrs({"class": "wikilink-invalid", "title": link.error})
        return "<span" + attrs + ">" + escape("[[" + link.raw + "]]") + "</span>"
    label = escape(link.label)
    if ctx.link_depth:
        # Inside the text of another link: a nested <a> is invalid HTML, show the label only.
        return label
    if link.kind == "anchor":
        href = "#" + heading_anchor(link.fragment)
        return (
            "<a" + renderer.render_attrs({"class": "wikilink", "href": href}) + ">" + label + "</a>"
        )
    assert link.title is not None
    interwiki = _interwiki_href(ctx, link)
    if interwiki is not None:
        attrs = renderer.render_attrs(
            {"class": "interwiki external", "href": interwiki, "rel": EXTERNAL_REL}
        )
        return "<a" + attrs + ">" + label + "</a>"
    key = link.title.key
    ctx.links.add(key)
    base = ctx.wiki_url(link.title.with_fragment(""))
    if ctx.exists(key):
        href = base + ("#" + heading_anchor(link.fragment) if link.fragment else "")
        attrs = renderer.render_attrs({"class": "wikilink", "href": href})
    else:
        href = base + ("&" if "?" in base else "?") + "action=edit"
        attrs = renderer.render_attrs(
            {"class": "wikilink new", "href": href, "title": MISSING_PAGE_TOOLTIP}
        )
    return "<a" + attrs + ">" + label + "</a>"


def _interwiki_href(ctx: RenderContext, link: WikiLink) -> str | None:
    """The address of ``[[prefix:Page]]`` when ``prefix`` is in the interwiki table.

    Only a main-namespace title can be one (a real namespace prefix wins). The rest of
    the target becomes ``$1`` as MediaWiki writes it: spaces as ``_``, percent-encoded.
    """
    assert link.title is not None
    if link.title.namespace != "main":
        return None
    target = link.raw.partition("|")[0].strip().removeprefix(":")
    prefix, colon, rest = target.partition(":")
    if not colon or not prefix.strip():
        return None
    template = ctx.interwiki_template(prefix)
    if template is None:
        return None
    page, _, fragment = rest.partition("#")
    href = template.replace("$1", quote("_".join(page.split()), safe=_PATH_SAFE))
    if fragment.strip():
        href += "#" + quote("_".join(fragment.split()), safe=_PATH_SAFE)
    return href


def _make_inline_rule(
    capitalize_first: bool,
) -> Callable[[InlineParser, Match[str], InlineState], int]:
    def parse_inline_wikilink(inline: InlineParser, m: Match[str], state: InlineState) -> int:
        link = parse_wikilink(m.group("wikilink_body"), capitalize_first=capitalize_first)
        state.append_token({"type": "wikilink", "attrs": {"link": link}})
        return m.end()

    return parse_inline_wikilink


def wikilinks(*, capitalize_first: bool = True) -> Callable[[mistune.Markdown], None]:
    """Make the mistune plugin for wiki links (and wiki-link-aware tables).

    :param capitalize_first: capitalise the first letter of link targets (see titles.py).
    :returns: a plugin for :func:`wikicoop.rendering.markdown.build_markdown`; it needs a
        :class:`~wikicoop.rendering.markdown.WikiHTMLRenderer`.
    """

    def plugin(md: mistune.Markdown) -> None:
        md.inline.register(
            "wikilink",
            WIKILINK_PATTERN,
            _make_inline_rule(capitalize_first),
            before="link",
            start_chars="[",
        )
        # Same names as mistune's table plugin: replaces its parse functions, keeps its
        # position and its render functions.
        md.block.register("table", _TABLE_PATTERN, parse_table, before="paragraph")
        md.block.register("nptable", _NP_TABLE_PATTERN, parse_nptable, before="paragraph")
        renderer = md.renderer
        if not isinstance(renderer, WikiHTMLRenderer):
            raise TypeError("the wikilinks plugin needs a WikiHTMLRenderer")
        renderer.register_token_handler("wikilink", render_wikilink)

    return plugin


# --------------------------------------------------------------------------- tables
# Adapted from mistune.plugins.table (mistune 3.4, BSD-3-Clause, (c) Hsiaoming Yang): the
# same grammar, with a cell splitter that does not split inside ``[[...]]``.

_TABLE_PATTERN = r"^ {0,3}\|[^\n]*\|[ \t]*(?:\n|$)"
_NP_TABLE_PATTERN = r"^ {0,3}\S[^\n]*\|[^\n]*(?:\n|$)"
_ALIGN_CENTER = re.compile(r"^ *:-+: *$")
_ALIGN_LEFT = re.compile(r"^ *:-+ *$")
_ALIGN_RIGHT = re.compile(r"^ *-+: *$")
_ALIGN_NONE = re.compile(r"^ *-+ *$")


def split_table_cells(text: str) -> list[str]:
    """Split a table row on ``|``, except escaped pipes (``\\|``) and pipes inside ``[[...]]``."""
    cells = []
    start = 0
    pos = 0
    length = len(text)
    while pos < length:
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "[" and text.startswith("[[", pos):
            match = _WIKILINK_RE.match(text, pos)
            if match:
                pos = match.end()
                continue
        if char == "|":
            cells.append(text[start:pos].strip())
            start = pos + 1
        pos += 1
    cells.append(text[start:].strip())
    return cells


def _process_thead(
    header: str, align: str
) -> tuple[dict[str, Any], list[str | None]] | tuple[None, None]:
    headers = split_table_cells(header)
    raw_aligns = split_table_cells(align)
    if len(headers) != len(raw_aligns):
        return None, None
    aligns: list[str | None] = []
    for value in raw_aligns:
        if _ALIGN_CENTER.match(value):
            aligns.append("center")
        elif _ALIGN_LEFT.match(value):
            aligns.append("left")
        elif _ALIGN_RIGHT.match(value):
            aligns.append("right")
        elif _ALIGN_NONE.match(value) or not value.strip():
            aligns.append(None)
        else:
            return None, None
    children = [
        {"type": "table_cell", "text": text.strip(), "attrs": {"align": aligns[i], "head": True}}
        for i, text in enumerate(headers)
    ]
    return {"type": "table_head", "children": children}, aligns


def _process_row(text: str, aligns: list[str | None]) -> dict[str, Any] | None:
    cells = split_table_cells(text)
    if len(cells) != len(aligns):
        return None
    children = [
        {"type": "table_cell", "text": text.strip(), "attrs": {"align": aligns[i], "head": False}}
        for i, text in enumerate(cells)
    ]
    return {"type": "table_row", "children": children}


def _strip_pipe_table_row(line: str) -> str | None:
    text = line.rstrip("\n").rstrip(" \t")
    if not text.startswith("|") and text.startswith((" ", "\t")):
        text = text.lstrip(" ")
    if not text.startswith("|") or not text.endswith("|"):
        return None
    return text[1:-1]


def _strip_table_line(line: str) -> str | None:
    text = line.rstrip("\n").rstrip(" \t")
    if not text or "|" not in text:
        return None
    return text


def _parse_invalid_pipe_table(state: BlockState, pos: int) -> int:
    while pos < state.cursor_max:
        line = state.get_line(pos)
        if _strip_pipe_table_row(line) is None:
            break
        pos += len(line)
    state.add_paragraph(state.src[state.cursor : pos])
    return pos


def parse_table(block: BlockParser, m: Match[str], state: BlockState) -> int | None:
    """Block rule for ``| a | b |`` tables (mistune's, with wiki-link-aware cells)."""
    pos = m.end()
    header = _strip_pipe_table_row(m.group(0))
    if header is None:
        return None
    align_line = state.get_line(pos)
    align = _strip_pipe_table_row(align_line)
    if align is None:
        return None
    thead, aligns = _process_thead(header, align)
    if thead is None or aligns is None:
        return _parse_invalid_pipe_table(state, pos + len(align_line))
    pos += len(align_line)
    rows = []
    while pos < state.cursor_max:
        line = state.get_line(pos)
        text = _strip_pipe_table_row(line)
        if text is None:
            break
        row = _process_row(text, aligns)
        if not row:
            return _parse_invalid_pipe_table(state, pos + len(line))
        rows.append(row)
        pos += len(line)
    children = [thead, {"type": "table_body", "children": rows}]
    state.append_token({"type": "table", "children": children})
    return pos


def parse_nptable(block: BlockParser, m: Match[str], state: BlockState) -> int | None:
    """Block rule for ``a | b`` tables without outer pipes (wiki-link-aware cells)."""
    pos = m.end()
    header = _strip_table_line(m.group(0))
    if header is None:
        return None
    align_line = state.get_line(pos)
    align = _strip_table_line(align_line)
    if align is None:
        return None
    thead, aligns = _process_thead(header, align)
    if thead is None or aligns is None:
        return None
    pos += len(align_line)
    rows = []
    while pos < state.cursor_max:
        line = state.get_line(pos)
        text = _strip_table_line(line)
        if text is None:
            break
        row = _process_row(text, aligns)
        if not row:
            return None
        rows.append(row)
        pos += len(line)
    children = [thead, {"type": "table_body", "children": rows}]
    state.append_token({"type": "table", "children": children})
    return pos
