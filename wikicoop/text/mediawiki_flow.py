"""How the MediaWiki converter (:mod:`wikicoop.text.mediawiki_convert`) writes a sequence
of parsed nodes: line starts, lists, blocks, inline tags."""

from __future__ import annotations

import re
from typing import Any

from mwparserfromhell.nodes import (
    Comment,
    ExternalLink,
    Heading,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)

from .mediawiki_parts import code_span, fence

__all__ = ["MAGIC_WORDS", "Flow"]

MAGIC_WORDS = re.compile(
    r"__(?:NOTOC|FORCETOC|TOC|NOEDITSECTION|NEWSECTIONLINK|NONEWSECTIONLINK|NOGALLERY|"
    r"HIDDENCAT|EXPECTUNUSEDCATEGORY|NOCONTENTCONVERT|NOCC|NOTITLECONVERT|NOTC|INDEX|"
    r"NOINDEX|STATICREDIRECT|DISAMBIG|NOGLOBAL|AUCUNSOMMAIRE|SANSSOMMAIRE|SOMMAIRE|"
    r"FORCERSOMMAIRE|SECTIONNONEDITABLE|NONSECTIONNONEDITABLE|INDEXER|NEPASINDEXER|"
    r"CATCACHEE|HOMONYMIE)__"
)
_LINK_TRAIL = re.compile(r"^[^\W\d_]+")

#: tags whose content is kept, without the tag (no equivalent here, the text matters)
_TRANSPARENT = {
    "span", "div", "center", "small", "big", "u", "ins", "font", "sup", "sub", "abbr",
    "cite", "p", "includeonly", "noinclude", "onlyinclude", "mark", "q", "dfn", "bdi",
    "time", "data", "section", "ul", "ol", "poem", "translate", "tvar",
}  # fmt: skip
_WRAPS = {"b": "**", "strong": "**", "i": "*", "em": "*", "s": "~~", "del": "~~", "strike": "~~"}
_CODE_TAGS = {"code", "tt", "kbd", "samp", "var", "math", "chem"}


class Flow:
    """Writes one sequence of nodes, remembering where the line is."""

    def __init__(self, converter: Any, *, inline: bool) -> None:
        self.c = converter
        self.inline = inline
        self.parts: list[str] = []
        self.col0 = True  # at the start of a line
        self.in_block = False  # the last finished line is a list item, a quote or a table
        self.in_block_next = False  # so is the line being written
        self.continuation = False  # after a line break (<br>): the next line goes on
        self.strip_next = False  # after a list marker: drop the spaces that follow
        self.term_open = False  # ``; terme``: the bold of the term is open
        self.need_newline = False  # a block was written: what follows starts a line
        self.dropped = False  # a comment or a switch was left out of this line
        self.emptied = False  # a node left out at the start of this line (its end goes too)

    def emit(self, piece: str) -> None:
        if not piece:
            return
        if self.need_newline and not piece.startswith("\n"):
            piece = "\n" + piece
        self.need_newline = self.emptied = False
        self.parts.append(piece)
        self.col0 = piece.endswith("\n")

    def start_line(self, *, blank: bool = False) -> None:
        """Go to the start of a line (after a blank line when ``blank``)."""
        self.need_newline = False
        if not self.parts:
            return
        if not self.col0:
            self.emit("\n")
        if (blank or self.in_block) and not "".join(self.parts[-2:]).endswith("\n\n"):
            self.emit("\n")
        self.in_block = self.continuation = False

    def run(self, nodes: list[Node]) -> str:
        index = 0
        while index < len(nodes):
            node = nodes[index]
            if _is_marker(node) and not self.inline:
                markers = ""
                while index < len(nodes) and _is_marker(nodes[index]):
                    markers += str(nodes[index].wiki_markup)  # type: ignore[attr-defined]
                    index += 1
                self.list_item(markers)
                continue
            trail = ""
            if isinstance(node, Wikilink) and index + 1 < len(nodes):
                following = nodes[index + 1]
                match = _LINK_TRAIL.match(str(following)) if isinstance(following, Text) else None
                if match:
                    trail = match.group()
                    nodes[index + 1] = Text(str(following)[len(trail) :])
            self.node(node, trail)
            index += 1
        if self.dropped:
            self.trim_line()
        if self.term_open:
            self.close_term()
        return "".join(self.parts)

    def list_item(self, markers: str) -> None:
        """Markers ``*``, ``#``, ``:``, ``;`` at a line start, as Markdown prefixes."""
        if not self.col0:  # ``; terme : définition``: the colon is inside the line
            if self.term_open:
                self.close_term()
            self.emit(" : ")
            self.strip_next = True
            return
        self.continuation = False
        if self.in_block and markers[-1] == ";":
            self.emit("\n")  # a term is a paragraph: it would go on the item above
        quotes = len(markers) - len(markers.lstrip(":"))
        rest = markers[quotes:]
        prefix = "> " * quotes
        for marker in rest[:-1]:
            prefix += "   " if marker == "#" else "  "
        last = rest[-1:]
        prefix += {"*": "- ", "#": "1. ", ";": "**"}.get(last, "")
        self.term_open = last == ";"
        self.emit(prefix)
        self.in_block_next = self.strip_next = True

    def close_term(self) -> None:
        """Close the bold of a ``; terme`` line (spaces before the ``**``)."""
        self.term_open = False
        while self.parts and self.parts[-1] != self.parts[-1].rstrip(" \t"):
            self.parts[-1] = self.parts[-1].rstrip(" \t")
        self.emit("**")

    def begin_line(self) -> None:
        """Content starts a line: after a list, a blank line first (Markdown would go
        on with the item above), unless a line break (<br>) said the line goes on."""
        if self.in_block and not self.continuation:
            self.emit("\n")
            self.in_block = False
        elif self.continuation:
            self.in_block_next = self.in_block
        self.continuation = False

    def trim_line(self) -> None:
        """Drop the spaces a removed comment or switch left at the end of the line."""
        self.dropped = False
        while self.parts and self.parts[-1] != self.parts[-1].rstrip(" \t"):
            self.parts[-1] = self.parts[-1].rstrip(" \t")
            if self.parts[-1]:
                break

    def text(self, value: str) -> None:
        if self.inline:
            self.emit(MAGIC_WORDS.sub("", value).replace("\n", " "))
            return
        for typed in value.splitlines(keepends=True):
            piece = MAGIC_WORDS.sub("", typed)
            self.dropped = self.dropped or piece != typed
            if self.col0 and not piece.strip() and (typed.strip() or self.emptied):
                self.emptied = False  # a line of switches or comments only: it goes
                continue
            if self.strip_next:
                piece = piece.lstrip(" \t")
                self.strip_next = False
            if self.col0 and not piece.strip():
                self.in_block = self.continuation = False
            elif self.col0 and piece[:1] in (" ", "\t"):
                self.in_block_next = self.in_block  # indented: it goes on with the item
                self.continuation = False
            elif self.col0:
                self.begin_line()
            if piece.strip():
                self.continuation = False
            if piece.endswith("\n") and (self.term_open or self.dropped):
                self.emit(piece.rstrip("\n"))
                if self.dropped:
                    self.trim_line()
                if self.term_open:
                    self.close_term()
                piece = "\n"
            self.emit(piece)
            if piece.endswith("\n"):
                self.in_block, self.in_block_next = self.in_block_next, False

    def node(self, node: Node, trail: str) -> None:
        c = self.c
        if self.col0 and not self.inline and not isinstance(node, Text | Comment):
            self.begin_line()
        if isinstance(node, Text):
            self.text(str(node))
        elif isinstance(node, Heading):
            self.start_line()
            title = " ".join(c.inline(node.title).split())
            self.emit("#" * node.level + " " + title if title else str(node))
            self.need_newline = True
        elif isinstance(node, Wikilink):
            self.emit(c.wikilink(node, trail))
        elif isinstance(node, ExternalLink):
            self.emit(c.external(node))
        elif isinstance(node, Template):
            block = self.col0 and not self.inline and "\n" in str(node)
            shown = c.template(node, inline=self.inline, at_line_start=self.col0)
            self.emptied = self.col0 and not shown
            self.emit(shown)
            self.need_newline = self.need_newline or block
        elif isinstance(node, Comment):
            self.dropped = True
            self.emptied = self.col0
        elif isinstance(node, Tag):
            self.tag(node)
        else:  # entities, arguments, anything else: as typed
            self.emit(str(node))

    def tag(self, node: Tag) -> None:
        c, name = self.c, str(node.tag).lower().strip()
        if name in _WRAPS:
            self.emit(_wrap(c.inline(node.contents), _WRAPS[name]))
        elif name == "ref":
            self.emit(c.reference(node))
        elif name == "references":
            self.emptied = self.col0
            if node.contents is not None:
                for child in node.contents.filter_tags(
                    recursive=False, matches=lambda n: n.tag == "ref"
                ):
                    c.reference(child)
        elif name == "br":
            if self.inline:
                self.emit(" ")
            elif not self.col0:
                self.emit("\\")
                self.need_newline = self.continuation = True
        elif name == "hr":
            if self.inline:
                self.emit(" ")
                return
            self.start_line(blank=True)
            self.emit("---")
            self.need_newline = True
        elif name == "table" and node.wiki_markup:
            if self.inline:
                self.emit(c.plain(node.contents))
                return
            self.start_line(blank=True)
            self.emit(c.table(node))
            self.need_newline = True
            self.in_block = self.in_block_next = True
        elif name in {"nowiki", *_CODE_TAGS}:
            raw = "" if node.contents is None else str(node.contents)
            self.emit(c.protector.keep(code_span(raw)) if raw.strip() else raw)
        elif name in {"pre", "syntaxhighlight", "source"} and not self.inline:
            lang = str(node.get("lang").value).strip() if node.has("lang") else ""
            self.start_line()
            self.emit(c.protector.keep(fence(str(node.contents or "").strip("\n"), lang)))
            self.need_newline = True
        elif name == "gallery" and not self.inline:
            self.start_line(blank=True)
            self.emit(c.gallery(node))
            self.need_newline = True
        elif name == "blockquote" and not self.inline:
            self.start_line(blank=True)
            inner = c.block(node.contents.nodes if node.contents else []).strip("\n")
            self.emit("\n".join("> " + line if line else ">" for line in inner.split("\n")))
            self.need_newline = True
            self.in_block = self.in_block_next = True
        elif name in _TRANSPARENT or name in {"pre", "syntaxhighlight", "source", "gallery"}:
            if node.contents is not None:
                inner = c.inline(node.contents) if self.inline else c.block(node.contents.nodes)
                self.emit(inner)
        else:
            self.emit(str(node))


def _is_marker(node: Node) -> bool:
    """A list marker mwparserfromhell found at a line start (``*``, ``#``, ``:``, ``;``)."""
    return (
        isinstance(node, Tag)
        and node.wiki_markup in ("*", "#", ":", ";")
        and str(node.tag) in ("li", "dd", "dt")
    )


def _wrap(inner: str, mark: str) -> str:
    """``inner`` between ``mark``s, spaces kept outside (``** gras **`` is not bold)."""
    match = re.fullmatch(r"(\s*)(.*?)(\s*)", inner, re.S)
    assert match is not None
    lead, core, tail = match.groups()
    if not core:
        return inner
    return f"{lead}{mark}{core}{mark}{tail}"
