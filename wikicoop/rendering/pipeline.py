"""Markdown text -> :class:`RenderedPage`: parse, render, sanitize (last).

Usage in the app (one :class:`Renderer` per app, built at startup, reused)::

    renderer = Renderer(wiki_url=lambda title: url_for("pages.view", title=title.dbkey))
    page = renderer.render(text, existing=lambda keys: store.existing_keys(keys))
    page.html, page.toc, page.links, page.categories

The app caps the size of the text before rendering: the renderer has no limit of its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mistune

from ..text.titles import Title
from .markdown import CONTEXT_KEY, RenderContext, build_markdown, heading_anchor
from .sanitize import check_extra_allowlist, sanitize_html
from .wikilinks import scan_link_targets, wikilinks

__all__ = [
    "ExistingCallback",
    "RenderedPage",
    "Renderer",
    "TocEntry",
    "default_wiki_url",
    "heading_anchor",
    "render_text",
]

#: ``existing(keys) -> the subset of keys whose page exists`` (one batch query in the app).
ExistingCallback = Callable[[set[tuple[str, str]]], AbstractSet[tuple[str, str]]]


@dataclass(frozen=True)
class TocEntry:
    """A heading listed in the table of contents.

    :param level: 1 to ``max_toc_level``.
    :param anchor: the heading's ``id`` (``h-...``, unique in the page).
    :param text: the heading as plain text, NOT HTML: templates must escape it (it may
        contain ``<`` or ``&`` typed by the author).
    """

    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class RenderedPage:
    """The result of rendering one revision.

    :param html: sanitized, final HTML (do not post-process it).
    :param toc: the headings of levels 1..max_toc_level, in order (the app shows a table of
        contents when there are 3 or more).
    :param links: ``(namespace, name)`` keys of the internal links actually rendered
        (not those in code; category memberships excluded; ``[[:Catégorie:X]]`` included).
    :param categories: category names (without prefix) of ``[[Catégorie:Nom]]``
        memberships, in order of first appearance, without duplicates.
    :param fingerprint: the fingerprint of the renderer that made it (see
        :attr:`Renderer.fingerprint`), stored with the HTML by the render cache.
    """

    html: str
    toc: tuple[TocEntry, ...]
    links: frozenset[tuple[str, str]]
    categories: tuple[str, ...]
    fingerprint: str = ""


def default_wiki_url(title: Title) -> str:
    """``/wiki/`` + the percent-encoded title (``/wiki/Aide:%C3%89crire``)."""
    return "/wiki/" + title.url_path


class Renderer:
    """Renders wiki Markdown to a :class:`RenderedPage`. Build once, reuse: it holds one
    mistune instance, and is safe to share between threads (per-render data lives in the
    parse state).

    :param wiki_url: builds the href of an internal page from its Title (no fragment).
    :param capitalize_first: capitalise the first letter of link targets.
    :param extra_plugins: more mistune plugins (e.g. from the ``markdown_plugins`` hook);
        their output is sanitized like the rest.
    :param extra_allowlist: sanitizer additions, see
        :func:`wikicoop.rendering.sanitize.check_extra_allowlist` for the dict shape.
    :param max_toc_level: deepest heading level listed in :attr:`RenderedPage.toc`.
    :param interwiki: gives the interwiki table ``{prefix: url template with $1}`` for
        the session of a render (the ``interwiki_prefixes`` hook); called lazily, once
        per render that has a ``[[prefix:…]]`` link. Its content is not part of the
        fingerprint: whoever changes the table drops the cached renders.
    :param fingerprint: what identifies this renderer's output (the app's says which
        plugins are enabled); by default derived from the arguments above. The render
        cache stores it beside the HTML and re-renders what another renderer made.
    :raises ValueError: if ``extra_allowlist`` is malformed or asks for a forbidden tag.
    """

    def __init__(
        self,
        *,
        wiki_url: Callable[[Title], str] = default_wiki_url,
        capitalize_first: bool = True,
        extra_plugins: Sequence[Callable[[mistune.Markdown], None]] = (),
        extra_allowlist: Mapping[str, Any] | None = None,
        max_toc_level: int = 3,
        interwiki: Callable[[Any], Mapping[str, str]] | None = None,
        fingerprint: str | None = None,
    ) -> None:
        check_extra_allowlist(extra_allowlist)  # fail at startup, not on the first page
        self._wiki_url = wiki_url
        self._capitalize_first = capitalize_first
        self._extra_allowlist = extra_allowlist
        self._max_toc_level = max_toc_level
        self._interwiki = interwiki
        self._md = build_markdown(
            plugins=[wikilinks(capitalize_first=capitalize_first), *extra_plugins]
        )
        if fingerprint is None:
            described = [
                capitalize_first,
                max_toc_level,
                [f"{p.__module__}.{getattr(p, '__qualname__', '')}" for p in extra_plugins],
                extra_allowlist,
            ]
            fingerprint = hashlib.sha256(json.dumps(described, default=str).encode()).hexdigest()
        #: identifies the output: equal fingerprints render equal HTML from equal text
        self.fingerprint = fingerprint

    def wiki_link_targets(self, text: str) -> set[tuple[str, str]]:
        """Every valid ``[[target]]`` key in ``text``, found without parsing Markdown.

        May over-approximate (links inside code are included). Category memberships
        (``[[Catégorie:X]]``) are not links and are not included.
        """
        return scan_link_targets(text, capitalize_first=self._capitalize_first)

    def render(
        self, text: str, *, existing: ExistingCallback | None = None, session: Any = None
    ) -> RenderedPage:
        """Render ``text`` to sanitized HTML with its TOC, links and categories.

        :param text: the page's Markdown (the app caps its size beforehand).
        :param existing: called once with the set of every pre-scanned link target key, it
            returns those that exist; the others are rendered as red links to their edit
            page. Not called when the text has no wiki link. None: every target exists.
        :param session: the database session of the render, handed to the interwiki
            table and to plugins' rules (``RenderContext.session``); opaque here.
        :returns: a :class:`RenderedPage`; ``html`` is final, nothing runs after sanitizing.
        """
        unsanitized, ctx = self._render(text, existing, session)
        return RenderedPage(
            html=sanitize_html(unsanitized, extra_allowlist=self._extra_allowlist),
            toc=tuple(TocEntry(level, anchor, label) for level, anchor, label in ctx.toc),
            links=frozenset(ctx.links),
            categories=tuple(ctx.categories),
            fingerprint=self.fingerprint,
        )

    def _render_unsanitized(self, text: str) -> str:
        """The HTML before sanitizing. Only for the CommonMark conformance test."""
        return self._render(text, None, None)[0]

    def _render(
        self, text: str, existing: ExistingCallback | None, session: Any
    ) -> tuple[str, RenderContext]:
        known: frozenset[tuple[str, str]] | None = None
        if existing is not None:
            targets = self.wiki_link_targets(text)
            known = frozenset(existing(set(targets))) if targets else frozenset()
        interwiki = self._interwiki
        ctx = RenderContext(
            wiki_url=self._wiki_url,
            existing=known,
            max_toc_level=self._max_toc_level,
            session=session,
            interwiki_source=(lambda: interwiki(session)) if interwiki is not None else None,
        )
        state = self._md.block.state_cls()
        state.env[CONTEXT_KEY] = ctx
        html, _ = self._md.parse(text, state)
        assert isinstance(html, str)
        return html, ctx


@lru_cache(maxsize=1)
def _default_renderer() -> Renderer:
    return Renderer()


def render_text(text: str, *, existing: ExistingCallback | None = None) -> RenderedPage:
    """Render with a default :class:`Renderer` (``/wiki/`` URLs, no plugins), built lazily.

    The app should build its own Renderer (its URLs, plugins and allowlist) instead.
    """
    return _default_renderer().render(text, existing=existing)
