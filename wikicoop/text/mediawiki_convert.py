"""The MediaWiki conversion's second half (:func:`wikicoop.text.mediawiki.convert_mediawiki`
sets aside what stays as typed first): the text parsed by mwparserfromhell, each node
written again in this wiki's syntax (:mod:`.mediawiki_flow`, :mod:`.mediawiki_parts`).

Imported when a text is first converted: the parser is not on a page view's path (a
quicker start).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import mwparserfromhell
from mwparserfromhell.nodes import (
    Comment,
    ExternalLink,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from .mediawiki_flow import MAGIC_WORDS, Flow
from .mediawiki_guard import Protector
from .mediawiki_parts import (
    code_span,
    fence,
    file_options,
    fold,
    split_pipes,
    table_to_markdown,
)

__all__ = ["write_markdown"]

#: this wiki's own macros written like templates (plugins/relier: ``{{pages …}}``)
_WIKI_MACRO = re.compile(r"^pages(?:\s|$)")

_REFERENCE_TEMPLATES = {"reflist", "references", "références", "notes", "refs", "reflist-talk"}


def write_markdown(prepared: str, protector: Protector) -> str | None:
    """``prepared`` (its pieces set aside by ``protector``) parsed and written in this
    wiki's syntax, footnotes at the end, placeholders still in; None when the parser
    fails."""
    try:
        nodes = mwparserfromhell.parse(prepared, skip_style_tags=False).nodes
    except Exception:
        return None
    converter = _Converter(protector)
    body = converter.block(nodes)
    notes = converter.footnote_lines()
    if notes:
        body = body.rstrip("\n") + "\n\n" + "\n".join(notes) + "\n"
    return body.strip("\n")


class _Converter:
    """Writes parsed wikitext as Markdown. One per conversion: it numbers footnotes."""

    def __init__(self, protector: Protector) -> None:
        self.protector = protector
        self.notes: dict[int, str] = {}
        self.named: dict[str, int] = {}

    # -- flows

    def block(self, nodes: Iterable[Node]) -> str:
        """Nodes of a page (or of a block tag): lines, lists, headings."""
        return Flow(self, inline=False).run(list(nodes))

    def inline(self, code: Wikicode | None) -> str:
        """Nodes inside a line (a heading, bold text, a table cell): on one line."""
        if code is None:
            return ""
        return Flow(self, inline=True).run(list(code.nodes))

    def plain(self, code: Wikicode | str | None) -> str:
        """The text only, no markup (link labels, captions: shown as typed here)."""
        if code is None:
            return ""
        if isinstance(code, str):
            code = mwparserfromhell.parse(code)
        out = []
        for node in code.nodes:
            if isinstance(node, Text):
                out.append(MAGIC_WORDS.sub("", str(node)))
            elif isinstance(node, Wikilink):
                out.append(self.plain(node.text) if node.text else str(node.title).lstrip(":"))
            elif isinstance(node, ExternalLink):
                out.append(self.plain(node.title) if node.title else str(node.url))
            elif isinstance(node, HTMLEntity):
                out.append(node.normalize())
            elif isinstance(node, Comment):
                continue
            elif isinstance(node, Tag) and node.contents is not None and node.tag != "ref":
                out.append(self.plain(node.contents))
            elif isinstance(node, Tag) and node.tag == "br":
                out.append(" ")
            elif isinstance(node, Tag) and node.tag == "ref":
                out.append(self.reference(node))
            else:
                out.append(str(node))
        return " ".join("".join(out).split())

    # -- pieces

    def reference(self, node: Tag) -> str:
        """``<ref>``: a footnote call, its text kept for the list at the end."""
        name = str(node.get("name").value).strip() if node.has("name") else ""
        text = "" if node.self_closing or node.contents is None else self.inline(node.contents)
        text = text.strip()
        if name and name in self.named:
            number = self.named[name]
        elif not text and not name:
            return ""
        else:
            number = len(self.notes) + 1
            self.notes[number] = ""
            if name:
                self.named[name] = number
        if text and not self.notes[number]:
            self.notes[number] = text
        return f"[^{number}]"

    def footnote_lines(self) -> list[str]:
        """The footnotes' texts, for the end of the page."""
        names = {number: name for name, number in self.named.items()}
        return [
            f"[^{number}]: {text or names.get(number, '')}".rstrip()
            for number, text in sorted(self.notes.items())
        ]

    def wikilink(self, node: Wikilink, trail: str = "") -> str:
        """A wiki link: files and categories get this wiki's names, labels are plain."""
        title = " ".join(str(node.title).split())
        colon = title.startswith(":")
        namespace, sep, rest = title.lstrip(":").partition(":")
        kind = fold(namespace) if sep else ""
        if kind in {"file", "image", "fichier"} and not colon:
            parts = split_pipes(str(node.text)) if node.text is not None else []
            words, caption = file_options(parts)
            caption = self.plain(caption).replace("[", "(").replace("]", ")").replace("|", "/")
            shown = [*words, caption] if caption else words
            link = "[[Fichier:" + rest.strip() + "".join("|" + p for p in shown) + "]]"
            return link + trail
        if kind in {"category", "categorie"}:
            title = (":" if colon else "") + "Catégorie:" + rest.strip()
        label = self.plain(node.text) if node.text is not None else ""
        if trail:
            label = (label or title.lstrip(":")) + trail
        label = label.replace("[", "(").replace("]", ")")
        return "[[" + title + ("|" + label if label or node.text is not None else "") + "]]"

    def external(self, node: ExternalLink) -> str:
        """``[url texte]`` -> ``[texte](url)``; a bare address stays as it is."""
        url = str(node.url).strip()
        if not node.brackets:
            return str(node)
        if url.startswith("//"):
            url = "https:" + url
        target = url.replace("<", "%3C").replace(">", "%3E")
        if any(c in target for c in "() "):
            target = "<" + target + ">"
        label = self.inline(node.title).strip() if node.title is not None else ""
        if not label:
            return "<" + url.replace(">", "%3E") + ">"
        label = label.replace("[", "\\[").replace("]", "\\]")
        return f"[{label}]({target})"

    def template(self, node: Template, *, inline: bool, at_line_start: bool) -> str:
        """A template stays visible as code (see the module doc)."""
        raw = str(node)
        name = fold(str(node.name))
        if name.startswith(":") or _WIKI_MACRO.match(str(node.name).strip()):
            return raw  # this wiki's transclusion {{:Titre}}, a macro {{pages …}}
        if name in _REFERENCE_TEMPLATES:
            return ""
        if "\n" in raw and at_line_start and not inline:
            return self.protector.keep(fence(raw))
        return self.protector.keep(code_span(" ".join(raw.split("\n"))))

    def table(self, node: Tag) -> str:
        """A table: pipe table when simple, else the wikitext in a fenced block."""
        converted = table_to_markdown(node, self.inline, self.plain, self.protector.restore)
        if converted is None:
            return self.protector.keep(fence(str(node)))
        return converted

    def gallery(self, node: Tag) -> str:
        """``<gallery>``: one file per line, each shown as a thumbnail."""
        lines = []
        for line in str(node.contents or "").split("\n"):
            if not line.strip():
                continue
            name, _, options = line.strip().partition("|")
            if ":" not in name:
                name = "Fichier:" + name
            link = mwparserfromhell.parse(f"[[{name}|vignette|{options}]]").nodes[0]
            lines.append(self.wikilink(link) if isinstance(link, Wikilink) else line)
        return "\n\n".join(lines)
