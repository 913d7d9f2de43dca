"""Where the app meets its plugins: the hooks called while ``create_app`` builds it and
while it serves pages.

``create_app`` calls, in order: :func:`init_plugins` (find plugins, join their
translation folders), :func:`renderer_options` (Markdown plugins, sanitizer additions,
the fingerprint), :func:`template_dirs`, and last :func:`init_web` (blueprints,
template context, page panels and actions, menu entries, event bridges, ``startup``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask.signals import before_render_template
from flask_babel import Domain, get_locale
from flask_login import current_user
from markupsafe import Markup

from . import EXTENSION_KEY
from .manager import build_manager, collect, plugins_of


@dataclass(frozen=True)
class TemplateContext:
    """ctx of ``template_context``: the template's name, the current user, the request."""

    template: str | None
    actor: Any
    request: Any


@dataclass(frozen=True)
class PageViewContext:
    """ctx of ``page_panels`` and ``page_actions``: the page shown (None when it does not
    exist yet), the revision shown (None outside the page view), its title, the user."""

    page: Any
    revision: Any
    title: Any
    actor: Any


def init_plugins(app: Flask) -> Any:
    """Build the plugin manager, store it, and join the plugins' translation folders
    (before Flask-Babel reads ``BABEL_TRANSLATION_DIRECTORIES``)."""
    pm = build_manager(app.config["DISABLED_PLUGINS"])
    app.extensions[EXTENSION_KEY] = pm
    extra = [str(Path(d)) for d in collect(pm.hook.translation_dirs())]
    if extra:
        core = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([core, *extra])
        # Flask-Babel keeps one translation cache per process (on the shared Babel
        # object): an app with other folders needs its own domain, hence its own cache
        app.before_request(Domain().as_default)
    return pm


def merged_allowlist(additions: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The plugins' sanitizer additions joined into one dict (None when there are none):
    ``tags``, ``classes`` and ``id_prefixes`` are sets of names, ``attributes`` maps a
    tag (or ``"*"``) to names; the renderer checks them at startup."""
    names: dict[str, set[str]] = {}
    attributes: dict[str, set[str]] = {}
    for addition in additions:
        for key, value in addition.items():
            if key == "attributes":
                for tag, allowed in (value or {}).items():
                    attributes.setdefault(tag, set()).update(allowed)
            else:  # an unknown key is refused by the renderer's check
                names.setdefault(key, set()).update(value or ())
    merged: dict[str, Any] = {key: sorted(value) for key, value in sorted(names.items())}
    if attributes:
        merged["attributes"] = {tag: sorted(allowed) for tag, allowed in sorted(attributes.items())}
    return merged or None


def _qualified(obj: Any) -> str:
    name = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return f"{getattr(obj, '__module__', '?')}.{name}"


def renderer_options(pm: Any, **core: Any) -> dict[str, Any]:
    """The Renderer's plugin arguments and its fingerprint.

    The fingerprint (sha256 hex) changes with anything that changes the HTML: the
    ``core`` values (wikicoop's version, the renderer's, the settings that change the
    output), every enabled plugin and its version, their Markdown
    plugins and the sanitizer allowlist. The render cache keeps it beside each stored
    HTML, so enabling or disabling a plugin re-renders pages on their next view.
    """
    markdown = collect(pm.hook.markdown_plugins())
    allowlist = merged_allowlist(collect(pm.hook.sanitizer_allowlist()))
    described = {
        "core": core,
        "plugins": sorted(f"{p.name}=={p.version}" for p in plugins_of(pm)),
        "markdown": [_qualified(plugin) for plugin in markdown],
        "allowlist": allowlist,
    }
    fingerprint = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
    return {
        "extra_plugins": markdown,
        "extra_allowlist": allowlist,
        "interwiki": _interwiki_table(pm),
        "fingerprint": fingerprint,
    }


def _interwiki_table(pm: Any) -> Callable[[Any], dict[str, str]]:
    """What the renderer calls for the interwiki table of a render: the plugins'
    ``interwiki_prefixes`` merged (prefixes folded; the first plugin naming one wins)."""

    def table(session: Any) -> dict[str, str]:
        merged: dict[str, str] = {}
        for result in pm.hook.interwiki_prefixes(session=session):
            for prefix, template in (result or {}).items():
                merged.setdefault(" ".join(str(prefix).split()).casefold(), str(template))
        return merged

    return table


def template_dirs(pm: Any) -> list[str]:
    """The plugins' template folders, searched after the theme and before the core."""
    return [str(Path(d)) for d in collect(pm.hook.template_dirs())]


def migration_dirs(app: Flask) -> list[str]:
    """The plugins' Alembic version folders (each a branch of its own)."""
    pm = app.extensions.get(EXTENSION_KEY)
    return [] if pm is None else [str(Path(d)) for d in collect(pm.hook.migration_dirs())]


def seed_dirs(app: Flask) -> list[Path]:
    """The plugins' seed page folders."""
    pm = app.extensions.get(EXTENSION_KEY)
    return [] if pm is None else [Path(d) for d in collect(pm.hook.seed_dirs())]


def localized(label: Any) -> str:
    """A label given as text or as ``{"fr": …, "en": …}``, in the reader's language."""
    if not isinstance(label, Mapping):
        return str(label)
    lang = str(get_locale() or "fr")
    return str(label.get(lang) or label.get("fr") or next(iter(label.values()), ""))


def _actor() -> Any:
    return current_user._get_current_object()


def navigation_links() -> list[dict[str, str]]:
    """The menu entries of the plugins for the current user (template global)."""
    hook = current_app.extensions[EXTENSION_KEY].hook
    return [
        {"label": localized(link["label"]), "url": str(link["url"])}
        for link in collect(hook.navigation_links(actor=_actor()))
    ]


def page_panels(page: Any, revision: Any, title: Any) -> list[dict[str, Any]]:
    """The panels of the plugins for a page view (template global); html is trusted."""
    hook = current_app.extensions[EXTENSION_KEY].hook
    ctx = PageViewContext(page=page, revision=revision, title=title, actor=_actor())
    return [
        {"title": localized(panel.get("title", "")), "html": Markup(panel["html"])}
        for panel in collect(hook.page_panels(ctx=ctx))
    ]


def page_actions(page: Any, revision: Any, title: Any) -> list[dict[str, str]]:
    """The action links of the plugins for a page (template global)."""
    hook = current_app.extensions[EXTENSION_KEY].hook
    ctx = PageViewContext(page=page, revision=revision, title=title, actor=_actor())
    return [
        {"label": localized(action["label"]), "url": str(action["url"])}
        for action in collect(hook.page_actions(ctx=ctx))
    ]


def _add_template_context(app: Flask, template: Any, context: dict[str, Any], **_: Any) -> None:
    """before_render_template receiver: the plugins' variables join the context (the
    view's own variables win). Only in a request: the hook is given its reader."""
    if not has_request_context():
        return
    hook = app.extensions[EXTENSION_KEY].hook
    ctx = TemplateContext(template=template.name, actor=_actor(), request=request)
    for extra in hook.template_context(ctx=ctx):
        for name, value in (extra or {}).items():
            context.setdefault(name, value)


def init_web(app: Flask) -> None:
    """Register the plugins' blueprints, CLI commands and template helpers, bridge the
    page events, then run ``startup``."""
    pm = app.extensions[EXTENSION_KEY]
    for blueprint in collect(pm.hook.blueprints()):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(
        plugin_navigation_links=navigation_links,
        plugin_page_panels=page_panels,
        plugin_page_actions=page_actions,
        # read once: a stylesheet is a file the plugin ships, not a per-request choice
        plugin_stylesheets=[str(url) for url in collect(pm.hook.stylesheets())],
    )
    before_render_template.connect(_add_template_context, app)
    # app.cli's commands are listed and run by the ``wikicoop`` group (FlaskGroup)
    pm.hook.cli_commands(cli=app.cli)
    from .events import init_events

    init_events(app)
    pm.hook.startup(app=app)
