"""The mistune instance builder: one Markdown object per Renderer, reused for every page.

Everything here is pure (no Flask, no database). Per-render data (which links exist, the
links and categories found, the table of contents, the ids already used) lives in a
:class:`RenderContext` stored in mistune's per-parse ``state.env``, never on the shared
renderer, so one instance can serve concurrent requests.

Security rules kept here:

* the instance is made with ``mistune.create_markdown(escape=True, ...)``: raw HTML in the
  text is escaped and shown as text (never the ``mistune.html`` preset, never the ``include``
  directive);
* every custom render function escapes the user text it emits;
* the output is still passed through :func:`wikicoop.rendering.sanitize.sanitize_html` by the
  pipeline, last.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import mistune
from mistune.core import BlockState
from mistune.plugins.footnotes import footnotes as footnotes_plugin
from mistune.plugins.formatting import strikethrough as strikethrough_plugin
from mistune.plugins.table import table as table_plugin
from mistune.plugins.table import table_in_list, table_in_quote
from mistune.plugins.task_lists import task_lists as task_lists_plugin
from mistune.plugins.url import url as url_plugin
from mistune.util import escape, safe_entity, striptags

__all__ = [
    "CONTEXT_KEY",
    "EXTERNAL_REL",
    "RenderContext",
    "TokenHandler",
    "WikiHTMLRenderer",
    "build_markdown",
    "get_context",
    "heading_anchor",
    "html_to_text",
    "is_allowed_image_src",
    "is_external_url",
]

#: Key of the :class:`RenderContext` in mistune's ``state.env``.
CONTEXT_KEY = "wikicoop"

#: ``rel`` of links that leave the wiki (http, https, mailto, protocol-relative).
EXTERNAL_REL = "nofollow ugc noopener"

#: Schemes a link may use; anything else becomes ``#harmful-link``.
LINK_SCHEMES = ("http:", "https:", "mailto:")

#: Maximum length of the slug part of a heading anchor.
ANCHOR_MAX_LENGTH = 80

TASK_DONE_LABEL = "fait"
TASK_TODO_LABEL = "à faire"

# Letters that Unicode decomposition does not fold to ASCII but French (and neighbours) use.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
    }
)
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")
_TAGS = re.compile(r"<[^>]*>")
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref"[^>]*>.*?</sup>')
_IMAGE_SRC_PATH = re.compile(r"^/(?:static|media)/[^\s\\]+$")
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_CELL_ALIGNS = frozenset({"left", "center", "right"})


def heading_anchor(text: str) -> str:
    """Return the ``id`` a heading with this text gets (before de-duplication).

    The anchor is ``"h-"`` followed by an ASCII slug: accents are folded (``É`` -> ``e``,
    ``œ`` -> ``oe``), everything else that is not a letter or a digit becomes one hyphen,
    and the slug is cut to 80 characters. Text with no ASCII letter or digit (e.g. Greek or
    Japanese) gets a short stable hash instead, so distinct headings keep distinct anchors.
    ``[[Page#Section]]`` links use this same function for their fragment.

    :param text: the plain text of the heading (or the fragment of a link).
    :returns: e.g. ``heading_anchor("Écrire un lien") == "h-ecrire-un-lien"``.
    """
    cleaned = " ".join(text.split())
    folded = unicodedata.normalize("NFKD", cleaned.translate(_LIGATURES))
    # Accents (combining marks) go; any other non-alphanumeric character (’, °, «) separates.
    words = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    ascii_text = words.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > ANCHOR_MAX_LENGTH:
        slug = slug[:ANCHOR_MAX_LENGTH].rstrip("-")
    if not slug:
        if not cleaned:
            return "h-section"
        digest = hashlib.blake2s(unicodedata.normalize("NFC", cleaned).encode("utf-8"))
        slug = digest.hexdigest()[:10]
    return "h-" + slug


def html_to_text(fragment: str) -> str:
    """Return the plain text of an HTML fragment this renderer produced.

    Only for our own output, where text is always escaped, so removing tags is exact.
    """
    return " ".join(html.unescape(_TAGS.sub("", fragment)).split())


def is_external_url(url: str) -> bool:
    """Tell whether a (renderer-sanitized) link URL leaves the wiki.

    True for ``http:``, ``https:`` and ``mailto:`` URLs and for protocol-relative URLs
    (``//host/...``, including the ``/\\host`` spelling browsers treat the same way).
    """
    candidate = _CONTROL_AND_SPACE.sub("", url).replace("\\", "/")
    if candidate.startswith("//"):
        return True
    match = _SCHEME.match(candidate)
    return match is not None and (match.group(1).lower() + ":") in LINK_SCHEMES


def is_allowed_image_src(url: str) -> bool:
    """Tell whether an image source may be shown.

    Allowed: ``http://`` and ``https://`` URLs, and site paths under ``/static/`` or
    ``/media/`` (no ``..`` segment, no backslash, even percent-encoded).
    """
    if _UNSAFE_URL_CHARS.search(url):
        return False
    if url.lower().startswith(("http://", "https://")):
        return True
    decoded = unquote(html.unescape(url))
    if _UNSAFE_URL_CHARS.search(decoded) or not _IMAGE_SRC_PATH.match(decoded):
        return False
    return ".." not in decoded.split("/") and "//" not in decoded


@dataclass
class RenderContext:
    """Per-render data, stored in ``state.env[CONTEXT_KEY]`` for the duration of one parse.

    :param wiki_url: builds the href of an internal page from its Title.
    :param existing: keys of targets known to exist, or None when every target exists.
    :param max_toc_level: deepest heading level listed in the table of contents.
    :param session: the database session of the render, opaque here (None when the render
        has none): read-only data for plugins' rules (a portal's list of pages...).
    :param interwiki_source: gives the interwiki table ``{prefix: url template with $1}``
        (prefixes folded); called at most once, by the first link that may use it.
    """

    wiki_url: Callable[[Any], str]
    existing: frozenset[tuple[str, str]] | None = None
    max_toc_level: int = 3
    session: Any = None
    interwiki_source: Callable[[], Mapping[str, str]] | None = None
    _interwiki: Mapping[str, str] | None = None
    links: set[tuple[str, str]] = field(default_factory=set)
    categories: list[str] = field(default_factory=list)
    toc: list[tuple[int, str, str]] = field(default_factory=list)
    used_ids: set[str] = field(default_factory=set)
    id_suffixes: dict[str, int] = field(default_factory=dict)
    footnote_refs: dict[int, int] = field(default_factory=dict)
    link_depth: int = 0

    def exists(self, key: tuple[str, str]) -> bool:
        """Tell whether the page with this key exists (True when existence is unknown)."""
        return self.existing is None or key in self.existing

    def unique_id(self, base: str) -> str:
        """Return ``base``, or ``base-2``, ``base-3``... if it is already used in this page."""
        candidate = base
        number = self.id_suffixes.get(base, 1)
        while candidate in self.used_ids:
            number += 1
            candidate = f"{base}-{number}"
        self.id_suffixes[base] = number  # so 1,000 equal headings stay linear
        self.used_ids.add(candidate)
        return candidate

    def interwiki_template(self, prefix: str) -> str | None:
        """The URL template of an interwiki ``prefix`` (any case), or None if it is none."""
        if self.interwiki_source is None:
            return None
        if self._interwiki is None:
            self._interwiki = self.interwiki_source()
        return self._interwiki.get(" ".join(prefix.split()).casefold())

    def add_category(self, name: str) -> None:
        """Record a category membership once, keeping the order of first appearance."""
        if name not in self.categories:
            self.categories.append(name)


def get_context(state: BlockState) -> RenderContext:
    """Return the render context of this parse, creating a default one if absent."""
    ctx = state.env.get(CONTEXT_KEY)
    if ctx is None:
        ctx = RenderContext(wiki_url=lambda title: "/wiki/" + title.url_path)
        state.env[CONTEXT_KEY] = ctx
    return ctx


#: A render function that needs the parse state: ``handler(renderer, token, state) -> html``.
TokenHandler = Callable[["WikiHTMLRenderer", dict[str, Any], BlockState], str]


class WikiHTMLRenderer(mistune.HTMLRenderer):
    """mistune's HTML renderer with the wiki's rules for headings, links, images, task lists
    and footnotes.

    Token types listed in ``_handlers`` are rendered by functions that receive the parse
    state (and so the :class:`RenderContext`); the others use mistune's methods.
    """

    SAFE_PROTOCOLS = LINK_SCHEMES
    GOOD_DATA_PROTOCOLS = ()

    def __init__(self) -> None:
        super().__init__(escape=True)
        self._handlers: dict[str, TokenHandler] = {
            "heading": _render_heading,
            "link": _render_link,
            "image": _render_image,
            "footnote_ref": _render_footnote_ref,
        }

    def register_token_handler(self, name: str, handler: TokenHandler) -> None:
        """Render tokens of type ``name`` with ``handler(renderer, token, state)``."""
        self._handlers[name] = handler

    def render_token(self, token: dict[str, Any], state: BlockState) -> str:
        """Dispatch to a state-aware handler when one is registered for the token type."""
        handler = self._handlers.get(token["type"])
        if handler is not None:
            return handler(self, token, state)
        return super().render_token(token, state)

    def text(self, text: str) -> str:
        """Escape text; character references (``&eacute;``) are decoded first, as CommonMark
        asks, then everything is escaped again, so no markup can come out of text."""
        return safe_entity(text)

    def task_list_item(self, text: str, checked: bool = False) -> str:
        """A task item without ``<input>``: a hidden-from-AT box and a visually hidden state."""
        box = "☑" if checked else "☐"
        state_label = TASK_DONE_LABEL if checked else TASK_TODO_LABEL
        marker = (
            '<span class="task-box" aria-hidden="true">'
            + box
            + '</span><span class="visually-hidden">'
            + escape(state_label)
            + "</span> "
        )
        text = "<p>" + marker + text[3:] if text.startswith("<p>") else marker + text
        return '<li class="task-list-item">' + text + "</li>\n"

    def table_cell(self, text: str, align: str | None = None, head: bool = False) -> str:
        """A table cell; alignment is an ``align`` attribute, not ``style``, so that a
        Content-Security-Policy without ``'unsafe-inline'`` styles still applies it."""
        tag = "th" if head else "td"
        attrs = self.render_attrs({"align": align}) if align in _CELL_ALIGNS else ""
        return "  <" + tag + attrs + ">" + text + "</" + tag + ">\n"

    def footnotes(self, text: str) -> str:
        """The footnotes section at the end of the page."""
        return '<section class="footnotes">\n<ol>\n' + text + "</ol>\n</section>\n"

    def footnote_item(self, text: str, key: str, index: int) -> str:
        """One footnote; ``key`` (user text) is not emitted, only the number."""
        number = str(int(index))
        back = '<a href="#fnref-' + number + '" class="footnote-backref">&#8617;</a>'
        text = text.rstrip()
        text = text[:-4] + back + "</p>" if text.endswith("</p>") else text + "\n" + back
        return '<li id="fn-' + number + '" class="footnote-item">' + text + "</li>\n"


def _render_heading(renderer: WikiHTMLRenderer, token: dict[str, Any], state: BlockState) -> str:
    ctx = get_context(state)
    level = int(token["attrs"]["level"])
    inner = renderer.render_tokens(token.get("children", ()), state)
    text = html_to_text(_FOOTNOTE_REF.sub("", inner))
    anchor = ctx.unique_id(heading_anchor(text))
    if level <= ctx.max_toc_level:
        ctx.toc.append((level, anchor, text))
    tag = "h" + str(level)
    return "<" + tag + renderer.render_attrs({"id": anchor}) + ">" + inner + "</" + tag + ">\n"


def _render_link(renderer: WikiHTMLRenderer, token: dict[str, Any], state: BlockState) -> str:
    ctx = get_context(state)
    ctx.link_depth += 1
    try:
        inner = renderer.render_tokens(token.get("children", ()), state)
    finally:
        ctx.link_depth -= 1
    attrs = token.get("attrs", {})
    href = renderer.sanitize_url(attrs.get("url", ""))
    rendered: dict[str, object] = {"href": href}
    if is_external_url(href):
        rendered["class"] = "external"
        rendered["rel"] = EXTERNAL_REL
    if attrs.get("title"):
        rendered["title"] = attrs["title"]
    return "<a" + renderer.render_attrs(rendered) + ">" + inner + "</a>"


def _render_image(renderer: WikiHTMLRenderer, token: dict[str, Any], state: BlockState) -> str:
    attrs = token.get("attrs", {})
    ctx = get_context(state)
    ctx.link_depth += 1  # the alt text is text: wiki links inside it are not links
    try:
        alt = striptags(renderer.render_tokens(token.get("children", ()), state))
    finally:
        ctx.link_depth -= 1
    url = attrs.get("url", "")
    if not is_allowed_image_src(url):
        # The text stays readable; the image is not fetched. ``alt`` is already escaped.
        return safe_entity(alt)
    rendered: dict[str, object] = {"src": url, "alt": alt, "loading": "lazy"}
    if attrs.get("title"):
        rendered["title"] = attrs["title"]
    return "<img" + renderer.render_attrs(rendered) + " />"


def _render_footnote_ref(
    renderer: WikiHTMLRenderer, token: dict[str, Any], state: BlockState
) -> str:
    ctx = get_context(state)
    number = int(token["attrs"]["index"])
    if ctx.link_depth:
        return "<sup>" + str(number) + "</sup>"
    seen = ctx.footnote_refs.get(number, 0) + 1
    ctx.footnote_refs[number] = seen
    ref_id = f"fnref-{number}" if seen == 1 else f"fnref-{number}-{seen}"
    return (
        '<sup class="footnote-ref" id="'
        + ref_id
        + '"><a href="#fn-'
        + str(number)
        + '">'
        + str(number)
        + "</a></sup>"
    )


def build_markdown(plugins: Sequence[Callable[[mistune.Markdown], None]] = ()) -> mistune.Markdown:
    """Build the wiki's mistune instance (build once, reuse for every page).

    Enabled syntax: GFM tables (also inside quotes and lists), strikethrough, footnotes, task
    lists, fenced code, bare http(s) URLs as links; then ``plugins`` in order (the wiki-link
    plugin comes first, then extra plugins from the app).

    :param plugins: mistune plugins (callables taking the Markdown instance).
    :returns: a Markdown instance whose renderer is a :class:`WikiHTMLRenderer`.
    """
    base_plugins: Iterable[Callable[[mistune.Markdown], None]] = (
        table_plugin,
        table_in_quote,
        table_in_list,
        strikethrough_plugin,
        footnotes_plugin,
        task_lists_plugin,
        url_plugin,
    )
    md = mistune.create_markdown(
        escape=True,
        renderer=WikiHTMLRenderer(),
        plugins=[*base_plugins, *plugins],
    )
    return md
