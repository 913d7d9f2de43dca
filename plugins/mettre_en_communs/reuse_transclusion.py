"""Transclusion ``{{:Titre de page}}``: another page's published text shown inline.

The macro alone on its line (a block rule) renders the source page's **published**
version inside ``<div class="transclusion">``, followed by a caption crediting it
(« Contenu inclus depuis Titre — licence …, par … »). Pending, rejected and hidden
revisions are never shown: only the page's public version (``latest_revision_id``).

The source's HTML is its cached render (:mod:`wikicoop.core.render_cache`), read here
without writing anything (a render may run inside a publication's transaction). A
source that has transclusions of its own, or no cached render of this renderer, is
rendered again from its text, with the chain of pages being included kept in a context
variable: a transcluded page's own transclusions are shown one level deep (depth ≤ 2),
and a loop (``{{:A}}`` in B, ``{{:B}}`` in A, a page including itself) renders a notice.
The inserted HTML was sanitized when it was rendered, and the core sanitizes the whole
page again last.

A missing or unpublished page renders a red link to create it; a render without a
database session (a unit test) renders a plain link. The titles are recorded as links of
the host page (what links here, wanted pages). Keeping hosts fresh when a source changes
is :mod:`.reuse_transclusion_usage`'s job.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from wikicoop.core import render_cache
from wikicoop.core.models import Page, RenderCache, Revision
from wikicoop.rendering.markdown import get_context
from wikicoop.text.titles import Title, TitleError, parse_title

from .reuse_credit import licence_label

#: the macro on a line of its own (up to three leading spaces, as other blocks)
PATTERN = r"^ {0,3}\{\{:(?P<reuse_tc_target>[^\n{}|]+)\}\}[ \t]*(?:\n|$)"
MARKER = "{{:"
#: a transcluded page's own transclusions are shown, theirs are not
MAX_DEPTH = 2
#: the classes this module puts in pages (the sanitizer's allowlist)
CLASSES = [
    "transclusion",
    "transclusion-source",
    "transclusion-notice",
    "transclusion-link",
]
#: heading and footnote ids inside an included page get a per-inclusion prefix
_IDS = re.compile(r'(\s(?:id|href)="#?)(h-|fn-|fnref-)')

#: what readers see (a render is cached and served to everyone: French, the wiki's)
TEXTS = {
    "caption": "Contenu inclus depuis {link} — licence {licence}, par {authors}",
    "nobody": "auteur inconnu",
    "loop": "Inclusion en boucle : « {title} » s'inclut lui-même (directement ou non), "
    "il n'est pas inclus de nouveau.",
    "depth": "Inclusion trop profonde : « {title} » n'est pas inclus (deux niveaux au plus).",
    "missing": "La page « {title} » n'existe pas (encore) : rien à inclure.",
    "invalid": "Titre de page invalide dans une inclusion : « {raw} ».",
    "missing_tooltip": "Page inexistante : cliquer pour la créer",
}

#: (the text of the outermost page rendered, the titles being included, outermost first)
_CHAIN: ContextVar[tuple[str, tuple[tuple[str, str], ...]] | None] = ContextVar(
    "mettre_en_communs_transclusion_chain", default=None
)


def say(key: str, **params: Any) -> str:
    """A reader's text, French."""
    return TEXTS[key].format(**params)


# ------------------------------------------------------------------ the titles of a text


def _scanner() -> Any:
    """A block parser with the rule alone: which lines are transclusions exactly as the
    renderer sees them (top-level blocks; not in code, lists or quotes)."""
    import mistune

    md = mistune.Markdown(renderer=None)
    md.block.register("reuse_transclusion", PATTERN, _parse)
    return md


def transcluded_titles(text: str) -> list[Title]:
    """The pages ``text`` transcludes, in order, once each (an invalid title is
    skipped)."""
    source = str(text or "")
    if MARKER not in source:
        return []
    from mistune.core import BlockState

    state = BlockState()
    state.process(_normalised(source))
    _SCANNER.block.parse(state)
    found: dict[tuple[str, str], Title] = {}
    for token in state.tokens:
        if token["type"] != "reuse_transclusion":
            continue
        try:
            title = parse_title(token["attrs"]["target"].strip(), allow_fragment=False)
        except TitleError:
            continue
        found.setdefault(title.key, title)
    return list(found.values())


# ------------------------------------------------------------------ what a source shows


@dataclass(frozen=True)
class Source:
    """The published version of a transcluded page."""

    title: Title
    licence: str
    revision: Revision


def published_sources(session: Session, titles: list[Title]) -> dict[tuple[str, str], Source]:
    """The live pages of ``titles`` with their published revision, by the key of the
    title as written (one redirect followed; a missing, deleted or unpublished page is
    left out): one query, two when a redirect is met."""
    found: dict[tuple[str, str], Source] = {}
    looking = {title.key: title.key for title in titles}  # written key -> key looked up
    for hop in range(2):
        keys = set(looking.values())
        if not keys:
            break
        rows = session.execute(
            select(Page, Revision)
            .join(Revision, Revision.id == Page.latest_revision_id)
            .where(
                or_(*(and_(Page.namespace == ns, Page.name == name) for ns, name in keys)),
                Page.deleted_at.is_(None),
                Revision.status == "published",
            )
        ).all()
        by_key = {(page.namespace, page.name): (page, revision) for page, revision in rows}
        following: dict[tuple[str, str], tuple[str, str]] = {}
        for written, key in looking.items():
            if key not in by_key:
                continue
            page, revision = by_key[key]
            if not page.redirect_target:
                found[written] = Source(page.title, page.licence, revision)
                continue
            try:
                target = parse_title(page.redirect_target, allow_fragment=False)
            except TitleError:
                continue
            if hop == 0:
                following[written] = target.key
        looking = following
    return found


def published_source(session: Session, title: Title) -> Source | None:
    """The published version of one page (see :func:`published_sources`)."""
    return published_sources(session, [title]).get(title.key)


def _source_html(session: Session, renderer: Any, source: Source) -> tuple[str, list[str]]:
    """The source's HTML and authors: its cached render when there is one of this
    renderer and it includes nothing itself; else rendered now (never stored: this runs
    inside another page's render)."""
    revision = source.revision
    text = revision.text
    if MARKER not in text:
        row = session.get(RenderCache, revision.id)
        if (
            row is not None
            and row.renderer_version == render_cache.RENDERER_VERSION
            and (row.fingerprint or "") == renderer.fingerprint
        ):
            return row.html, list((row.meta or {}).get("authors") or [])
    html = render_cache.render_text(session, renderer, text).html
    return html, render_cache.contributors_until(session, revision.page_id, revision.id)


def _normalised(text: str) -> str:
    """A text as mistune reads it (its ``state.src``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


# ------------------------------------------------------------------ HTML


def _link(ctx: Any, title: Title) -> str:
    return f'<a class="wikilink" href="{escape(ctx.wiki_url(title))}">{escape(title.full)}</a>'


def _red_link(ctx: Any, title: Title) -> str:
    base = ctx.wiki_url(title)
    href = base + ("&" if "?" in base else "?") + "action=edit"
    return (
        f'<a class="wikilink new" href="{escape(href)}" '
        f'title="{escape(say("missing_tooltip"))}">{escape(title.full)}</a>'
    )


def _notice(message: str, link: str = "") -> str:
    extra = f" {link}" if link else ""
    return f'<p class="transclusion-notice">{escape(message)}{extra}</p>\n'


def _caption(ctx: Any, source: Source, authors: list[str]) -> str:
    name, deed = licence_label(source.licence)
    licence = (
        f'<a class="external" href="{escape(deed)}" rel="nofollow noopener">{escape(name)}</a>'
        if deed
        else str(escape(name))
    )
    who = ", ".join(authors) if authors else say("nobody")
    # the sentence is ours; Markup.format escapes every value but the two links
    text = Markup(TEXTS["caption"]).format(
        link=Markup(_link(ctx, source.title)), licence=Markup(licence), authors=who
    )
    return f'<p class="transclusion-source">{text}</p>\n'


def _renumber(html: str, number: int) -> str:
    """Give the included page's heading and footnote ids a prefix of their own, so they
    stay unique in the host page."""
    return _IDS.sub(lambda m: f"{m.group(1)}{m.group(2)}t{number}-", html)


def render_transclusion(raw: str, ctx: Any, root_text: str, counter: list[int]) -> str:
    """The HTML of one ``{{:raw}}``; never raises for what a writer can type."""
    try:
        title = parse_title(raw.strip(), allow_fragment=False)
    except TitleError:
        return _notice(say("invalid", raw=raw.strip()))
    ctx.links.add(title.key)  # what links here, wanted pages, red links turning blue
    session = getattr(ctx, "session", None)
    if session is None:
        return f'<p class="transclusion-link">{_link(ctx, title)}</p>\n'
    chain = _CHAIN.get()
    root, stack = chain if chain is not None else (root_text, ())
    source = published_source(session, title)
    if source is None:
        return _notice(say("missing", title=title.full), _red_link(ctx, title))
    text = source.revision.text
    if source.title.key in stack or title.key in stack or _normalised(text) == root:
        return _notice(say("loop", title=source.title.full), _link(ctx, source.title))
    if len(stack) >= MAX_DEPTH:
        return _notice(say("depth", title=source.title.full), _link(ctx, source.title))
    from flask import current_app, has_app_context

    if not has_app_context():
        return f'<p class="transclusion-link">{_link(ctx, title)}</p>\n'
    renderer = current_app.extensions["wikicoop.renderer"]
    token = _CHAIN.set((root, (*stack, source.title.key)))
    try:
        html, authors = _source_html(session, renderer, source)
    finally:
        _CHAIN.reset(token)
    counter[0] += 1
    return (
        '<div class="transclusion">\n'
        + _renumber(html, counter[0])
        + _caption(ctx, source, authors)
        + "</div>\n"
    )


# ------------------------------------------------------------------ the mistune plugin


def _render(renderer: Any, token: dict[str, Any], state: Any) -> str:
    ctx = get_context(state)
    counter = state.env.setdefault("mettre_en_communs_transclusions", [0])
    return render_transclusion(
        token["attrs"]["target"], ctx, _normalised(getattr(state, "src", "") or ""), counter
    )


def _parse(block: Any, m: re.Match, state: Any) -> int:
    state.append_token(
        {"type": "reuse_transclusion", "attrs": {"target": m.group("reuse_tc_target")}}
    )
    return m.end()


def transclusion_plugin(md: Any) -> None:
    """Mistune plugin: the ``{{:Titre}}`` block rule."""
    md.block.register("reuse_transclusion", PATTERN, _parse)
    md.renderer.register_token_handler("reuse_transclusion", _render)


_SCANNER = _scanner()
