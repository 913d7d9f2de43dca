"""Files shown inside pages: ``[[Fichier:Nom.jpg]]``, ``[[Fichier:Nom.jpg|vignette|200px|
droite|alt=Texte|Légende]]`` and Markdown's ``![texte](Fichier:Nom.jpg)``.

A mistune inline rule registered before the core's ``wikilink`` takes the wiki syntax;
the renderer's ``image`` handler is replaced by one that renders ``Fichier:`` targets and
hands every other image to the core's. The file's stored size is read through the
render's session (renders happen once per revision, then are cached; a new version of a
file drops the renders of the pages using it). A missing file is a red link to the upload
form, its name filled in. Everything emitted is escaped.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from markupsafe import escape
from sqlalchemy import inspect

from wikicoop.rendering.markdown import get_context

from .media_api import FileVersion, file_name_of, latest_versions, resolve_file_name
from .tables import file_versions
from .texts import TEXTS

#: the wiki syntax, only for the file namespace (its names and aliases, any case)
EMBED_PATTERN = r"\[\[(?P<mec_file_body>[ \t]*(?i:fichier|file|image)[ \t]*:[^\[\]\n]+)\]\]"

#: a paragraph that is one embed and nothing else
BLOCK_PATTERN = (
    r"^ {0,3}\[\[(?P<mec_block_body>[ \t]*(?i:fichier|file|image)[ \t]*:[^\[\]\n]+)\]\]"
    r"[ \t]*(?:\n|\Z)(?=[ \t]*(?:\n|\Z))"  # and a blank line (or the end) after it
)

THUMB_WORDS = {"vignette", "thumb", "thumbnail", "miniature", "cadre", "frame"}
ALIGN_WORDS = {
    "gauche": "left",
    "left": "left",
    "droite": "right",
    "right": "right",
    "centre": "center",
    "center": "center",
    "néant": "none",
    "none": "none",
}
_WIDTH_RE = re.compile(r"^(\d{1,4})\s*px$", re.IGNORECASE)
#: width of a thumbnail without a width given (MediaWiki's default is 220 px)
THUMB_WIDTH = 220

#: classes the HTML uses (added to the sanitizer's allowlist)
CLASSES = [
    "mec-figure",
    "mec-thumb",
    "mec-inline",
    "mec-left",
    "mec-right",
    "mec-center",
    "mec-none",
    "mec-file-link",
    "mec-missing",
]


@dataclass(frozen=True)
class EmbedOptions:
    """What the options after the name ask for."""

    thumb: bool = False
    width: int | None = None
    align: str = ""
    alt: str = ""
    caption: str = ""


def parse_options(parts: list[str]) -> EmbedOptions:
    """Read ``vignette``, ``200px``, ``droite``, ``alt=…`` and a caption (the last other
    part) from the parts after the file name."""
    thumb, width, align, alt, caption = False, None, "", "", ""
    for raw in parts:
        part = raw.strip()
        word = part.lower()
        if word in THUMB_WORDS:
            thumb = True
        elif word in ALIGN_WORDS:
            align = ALIGN_WORDS[word]
        elif match := _WIDTH_RE.match(part):
            width = max(1, int(match.group(1)))
        elif word.startswith("alt="):
            alt = part[4:].strip()
        elif part:
            caption = part
    return EmbedOptions(thumb=thumb, width=width, align=align, alt=alt, caption=caption)


def file_url(name: str, *rest: str) -> str:
    """``/fichiers/<name>/<rest…>`` with the name as in page URLs (underscores)."""
    path = "/fichiers/" + quote(name.replace(" ", "_"), safe="")
    return "/".join([path, *rest]) if rest else path


def page_href(name: str) -> str:
    return "/wiki/Fichier:" + quote(name.replace(" ", "_"), safe="")


def missing_link(name: str, label: str) -> str:
    """The red link of a file not uploaded yet: to the upload form, named."""
    href = "/fichiers/televerser?nom=" + quote(name, safe="")
    tooltip = TEXTS["missing_file"]["fr"]
    return (
        f'<a class="new mec-missing" href="{escape(href)}" title="{escape(tooltip)}">'
        f"{escape(label)}</a>"
    )


def render_embed(
    name: str, version: FileVersion | None, options: EmbedOptions, label: str, widths: list[int]
) -> str:
    """The HTML of one embedded file (``version`` None: missing)."""
    if version is None:
        return missing_link(name, label)
    name = version.name  # a renamed file is shown under its new name
    if not version.is_image:
        text = options.caption or label
        return (
            f'<a class="mec-file-link" href="{escape(file_url(name, "brut"))}">{escape(text)}</a>'
        )
    natural = version.width or 0
    wanted = options.width or (THUMB_WIDTH if options.thumb else natural)
    shown = min(wanted, natural) if natural else wanted
    height = round((version.height or 0) * shown / natural) if natural else None
    # the smallest thumbnail at least as wide as shown (sharp up to 2x screens when the
    # sanitizer's srcset refusal leaves one source); the file itself when none is
    fitting = [w for w in widths if w >= min(2 * shown, natural) and w < natural]
    src = file_url(name, "vignette", str(fitting[0])) if fitting else file_url(name, "brut")
    src += "?v=" + version.sha256[:16]
    alt = options.alt or options.caption or name
    img = (
        f'<img src="{escape(src)}" width="{shown}"'
        + (f' height="{height}"' if height else "")
        + f' alt="{escape(alt)}" loading="lazy" />'
    )
    link = f'<a class="mec-file-link" href="{escape(page_href(name))}">{img}</a>'
    align = f" mec-{options.align}" if options.align else ""
    if options.thumb or options.caption:
        caption = f"<figcaption>{escape(options.caption)}</figcaption>" if options.caption else ""
        return f'<figure class="mec-figure mec-thumb{align}">{link}{caption}</figure>'
    return f'<span class="mec-inline{align}">{link}</span>'


# ------------------------------------------------------------------ database lookups

#: engines known to have the tables (weak keys: an id could be reused by a later engine)
_READY: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _version_of(session: Any, name: str) -> tuple[bool, FileVersion | None]:
    """(known, version): whether the file's existence is known, and its newest version."""
    if session is None:
        return False, None
    if not tables_ready(session):
        return True, None
    version = latest_versions(session, [name]).get(name)
    if version is None:  # a renamed file: its old name redirects
        target = resolve_file_name(session, name)
        if target != name:
            version = latest_versions(session, [target]).get(target)
    return True, version


def tables_ready(session: Any) -> bool:
    """Whether the plugin's tables exist (a wiki whose schema was not upgraded yet, or a
    test database migrated for the core only, has none). A yes is remembered."""
    engine = session.get_bind()
    if _READY.get(engine):
        return True
    ready = inspect(session.connection()).has_table(file_versions.name)
    if ready:
        _READY[engine] = True
    return ready


# ------------------------------------------------------------------ the mistune plugin


def _widths() -> list[int]:
    """The thumbnail widths of the running wiki (the defaults outside an app)."""
    from flask import current_app, has_app_context

    from .uploads import thumbnail_widths

    return list(thumbnail_widths(current_app.config if has_app_context() else {}))


def make_plugin() -> Any:
    """The mistune plugin."""

    def parse(inline: Any, m: re.Match, state: Any) -> int:
        state.append_token({"type": "mec_file", "raw": m.group("mec_file_body")})
        return m.end()

    def render_wiki(renderer: Any, token: dict[str, Any], state: Any) -> str:
        html = _render_wiki(token, state)
        return html + "\n" if token.get("block") else html

    def _render_wiki(token: dict[str, Any], state: Any) -> str:
        target, *parts = token["raw"].split("|")
        name = file_name_of(target)
        if name is None:
            return str(escape(f"[[{token['raw']}]]"))
        context = get_context(state)
        context.links.add(("file", name))  # "what links here", and blue when uploaded
        known, version = _version_of(context.session, name)
        if not known:  # a render without a database: show the file
            return _unknown(name)
        return render_embed(name, version, parse_options(parts), "Fichier:" + name, _widths())

    def parse_block(block: Any, m: re.Match, state: Any) -> int | None:
        # a paragraph holding one embed only: a figure of its own, not inside a <p>
        last = state.last_token()
        if last is not None and last["type"] == "paragraph":
            return None  # the line goes on a paragraph: mistune keeps it there, inline
        state.append_token({"type": "mec_file", "raw": m.group("mec_block_body"), "block": True})
        return m.end()

    def plugin(md: Any) -> None:
        md.inline.register("mec_file", EMBED_PATTERN, parse, before="wikilink", start_chars="[")
        # before the tables: a table row is any line with a "|", as an embed with options
        md.block.register("mec_file_block", BLOCK_PATTERN, parse_block, before="table")
        renderer = md.renderer
        core_image = renderer._handlers["image"]  # the core's own image rendering

        def render_image(r: Any, token: dict[str, Any], state: Any) -> str:
            url = token.get("attrs", {}).get("url", "")
            name = file_name_of(unquote(url)) if ":" in url else None
            if name is None:
                return core_image(r, token, state)
            context = get_context(state)
            context.link_depth += 1  # the alt text is text
            try:
                alt = _plain(r.render_tokens(token.get("children", ()), state))
            finally:
                context.link_depth -= 1
            context.links.add(("file", name))
            known, version = _version_of(context.session, name)
            if not known:
                return _unknown(name)
            options = EmbedOptions(alt=alt or name, caption=token["attrs"].get("title") or "")
            return render_embed(name, version, options, alt or "Fichier:" + name, _widths())

        renderer.register_token_handler("mec_file", render_wiki)
        renderer.register_token_handler("image", render_image)

    return plugin


def _unknown(name: str) -> str:
    src = escape(file_url(name, "brut"))
    return f'<img src="{src}" alt="{escape(name)}" loading="lazy" />'


_TAG_RE = re.compile(r"<[^>]*>")


def _plain(html: str) -> str:
    """Rendered alt text back to plain text (tags dropped; entities stay decoded once)."""
    import html as html_module

    return html_module.unescape(_TAG_RE.sub("", html))
