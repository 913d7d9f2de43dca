"""Relier, the network of pages: portals gathering pages through a ``{{pages …}}`` macro,
"what links here" with counts, categories with sub-categories (and no cycles), interwiki
prefixes from a table, a portal of partner wikis fed in the background, related pages,
a network view (JSON and server-side SVG) and maintenance lists.

Modules: :mod:`.macros` (the macro and the refresh of portals), :mod:`.categories`,
:mod:`.interwiki`, :mod:`.partners` and :mod:`.feeds`, :mod:`.related`, :mod:`.graph`
and :mod:`.drawing`, :mod:`.maintenance`; the pages in :mod:`.views` and
:mod:`.admin_views`, the JSON API in :mod:`.api`; the plugin's tables in
:mod:`.tables` (its Alembic branch, ``versions/``).
Turn it off with ``DISABLED_PLUGINS = ["relier"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Blueprint, Flask, current_app

from wikicoop.core.db import sessionmaker_of
from wikicoop.plugins import hookimpl
from wikicoop.web.db import get_session

from . import categories, cousins, interwiki, macros, panels, partners
from .admin_views import bp as admin_bp
from .api import api
from .graph_params import SETTINGS as GRAPH_SETTINGS
from .texts import say
from .views import bp

__version__ = "1.0"
HERE = Path(__file__).parent
SETTINGS = {
    **partners.SETTINGS,
    **GRAPH_SETTINGS,
    "RELIER_COUSINS_PANEL": True,  # the « Pages cousines » panel under pages
    # seconds a list computed by a page view waits in memory before it is stored with the
    # others (cousins.py: no commit per view)
    "RELIER_COUSINS_STORE_SECONDS": 30,
}


@hookimpl
def startup(app: Flask) -> None:
    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)


@hookimpl
def blueprints() -> list[Blueprint]:
    return [bp, admin_bp, api]


@hookimpl
def template_dirs() -> Path:
    return HERE / "templates"


@hookimpl
def seed_dirs() -> Path:
    return HERE / "seed"


@hookimpl
def migration_dirs() -> Path:
    return HERE / "versions"


@hookimpl
def translation_dirs() -> Path:
    return HERE / "translations"


@hookimpl
def markdown_plugins() -> Any:
    return macros.pages_macro


@hookimpl
def sanitizer_allowlist() -> dict[str, list[str]]:
    return {
        "classes": [
            "relier-pages",
            "relier-macro-error",
            "relier-macro-note",
            "relier-macro-empty",
        ]
    }


@hookimpl
def interwiki_prefixes(session: Any) -> dict[str, str]:
    return interwiki.prefixes(session)


@hookimpl
def validate_edit(ctx: Any) -> None:
    """A category page may not become its own sub-category (409, text kept)."""
    if ctx.edit.title.namespace == "category":
        capitalize = bool(ctx.settings.get("CAPITALIZE_FIRST", True))
        categories.check_edit(ctx.session, ctx.edit.title.name, str(ctx.edit.text), capitalize)


@hookimpl
def page_published(ctx: Any) -> None:
    macros.on_published(ctx.session, ctx.page, ctx.revision.text)
    cousins.bump(ctx.session)


@hookimpl
def page_deleted(ctx: Any) -> None:
    macros.on_changed(ctx.session)
    cousins.bump(ctx.session)


@hookimpl
def page_renamed(ctx: Any) -> None:
    macros.on_changed(ctx.session)
    cousins.bump(ctx.session)


@hookimpl
def page_panels(ctx: Any) -> list[dict[str, Any]]:
    session = get_session()
    shown = []
    if ctx.page is not None and ctx.page.namespace == "category":
        panel = panels.subcategories_panel(session, ctx.page.name)
        if panel:
            shown.append(panel)
    show = current_app.config.get("RELIER_COUSINS_PANEL", True)
    if show and ctx.page is not None and ctx.page.latest_revision_id is not None:
        panel = panels.cousins_panel(session, ctx.page)
        if panel:
            shown.append(panel)
    return shown


@hookimpl
def page_actions(ctx: Any) -> dict[str, Any] | None:
    if ctx.page is None or ctx.title is None:  # a missing page: see the wanted pages list
        return None
    return {"label": say("links_action"), "url": "/liens-vers/" + ctx.title.url_path}


@hookimpl
def navigation_links(actor: Any) -> dict[str, Any]:
    return {"label": {"fr": "Réseau", "en": "Network"}, "url": "/reseau"}


@hookimpl
def cli_commands(cli: Any) -> None:
    @cli.group("relier")
    def relier() -> None:
        """The network of pages (plugin relier)."""

    @relier.command("fetch-partners")
    def fetch_partners() -> None:
        """Fetch every partner wiki's feed now and store its latest entries."""
        app = current_app
        results = partners.refresh(sessionmaker_of(app), float(app.config["RELIER_FEED_TIMEOUT"]))
        for name, outcome in sorted(results.items()):
            click.echo(f"{name}: {outcome}")
        if not results:
            click.echo("no partner wiki")


@hookimpl
def home_portal() -> dict[str, Any]:
    """This facette's box on the home page."""
    return {
        "facette": "relier",
        "title": {"fr": "Réseau", "en": "Network"},
        "text": {
            "fr": "Voir comment les pages, les lieux, les projets et les personnes se relient.",
            "en": "See how pages, places, projects and people link together.",
        },
        "url": "/reseau",
    }
