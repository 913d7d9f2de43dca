"""Mettre en communs: the media library (files as wiki pages of the ``file`` namespace,
uploads checked from their content, thumbnails, embedding in pages) and, through the
``reuse_*`` modules, licence checks, credits and exports.

Turn it off with ``DISABLED_PLUGINS = ["mettre_en_communs"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask

from wikicoop.plugins import hookimpl

from .embed import CLASSES, make_plugin
from .fichier import FICHIER
from .texts import TEXTS
from .uploads import SETTINGS, thumbnail_widths

__version__ = "1.0"
HERE = Path(__file__).parent


@hookimpl
def page_types() -> list[dict[str, Any]]:
    return [FICHIER]


@hookimpl
def migration_dirs() -> Path:
    return HERE / "versions"


@hookimpl
def blueprints() -> list[Blueprint]:
    from .api import api
    from .views import bp

    return [bp, api]


@hookimpl
def template_dirs() -> Path:
    return HERE / "templates"


@hookimpl
def seed_dirs() -> Path:
    return HERE / "seed"


@hookimpl
def markdown_plugins() -> Any:
    return make_plugin()


@hookimpl
def stylesheets() -> str:
    """Embedded files (floats, captions) and the gallery."""
    return "/fichiers/static/fichiers.css"


@hookimpl
def sanitizer_allowlist() -> dict[str, Any]:
    return {
        "tags": ["figure", "figcaption"],
        "classes": CLASSES,
    }


@hookimpl
def page_published(ctx: Any) -> None:
    """Record which files the page's new public version embeds."""
    from .usage import record_usage

    record_usage(ctx.session, ctx.page, ctx.revision)


@hookimpl
def page_renamed(ctx: Any) -> None:
    """A renamed file page: the pages showing it are rendered again."""
    from .usage import file_renamed

    file_renamed(ctx.session, ctx.old_title, ctx.new_title)


@hookimpl
def page_deleted(ctx: Any) -> None:
    from .usage import forget_usage

    forget_usage(ctx.session, ctx.page)


@hookimpl
def page_panels(ctx: Any) -> dict[str, str] | None:
    """On a file page: the image, its versions and the pages using it."""
    title = ctx.title
    if title is None or title.namespace != "file" or ctx.page is None:
        return None
    from flask import current_app

    from wikicoop.web.db import get_session

    from .embed import tables_ready
    from .panel import file_panel

    session = get_session()
    if not tables_ready(session):
        return None
    widths = thumbnail_widths(current_app.config)
    return file_panel(session, title.name, widths, licence=ctx.page.licence)


@hookimpl
def navigation_links(actor: Any) -> dict[str, Any]:
    return {"label": TEXTS["menu"], "url": "/fichiers"}


@hookimpl
def cli_commands(cli: Any) -> None:
    from .commands import add_commands

    add_commands(cli)


@hookimpl
def seed_loaded(app: Flask, session: Any, created: Any) -> None:
    """The example files (``seed/media``), once their tables exist; idempotent."""
    from .commands import seed_files

    seed_files(session)


@hookimpl
def startup(app: Flask) -> None:
    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)


# The reuse helper's hook implementations (names prefixed ``reuse_``) join the plugin here.
from .reuse_hooks import *  # noqa: E402, F403


@hookimpl
def home_portal() -> dict[str, Any]:
    """This facette's box on the home page."""
    return {
        "facette": "mettre_en_communs",
        "title": {"fr": "Fichiers et licences", "en": "Files and licences"},
        "text": {
            "fr": (
                "Partager des images et des documents que chacun peut réutiliser, "
                "en citant leurs auteurs."
            ),
            "en": "Share pictures and documents that anyone may reuse, crediting their authors.",
        },
        "url": "/fichiers",
    }
