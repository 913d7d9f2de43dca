"""Outiller: workshops and learning to write on the wiki.

A page type (``atelier``: start, end, place, facilitators, audience, level, capacity,
topics, weekly recurrence) and its calendar (``/ateliers``, by month, place and topic),
iCalendar feeds (``/agenda.ics``, ``/agenda/<name>.ics``), registrations with a waiting
list kept exact under concurrency (the plugin's own tables, its Alembic branch in
``versions/``) and their JSON twins under ``/api/v1/workshops``; a guided path of
exercises (``/apprendre``) checked from what each learner did, a resettable personal
sandbox, and the progress of a workshop's participants for its facilitators.
Turn it off with ``DISABLED_PLUGINS = ["outiller"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask

from wikicoop.plugins import hookimpl

from .sandbox import check_edit, check_permission, reset_panel
from .texts import TEXTS
from .workshop import ATELIER, TYPE_NAME, check_fields, wiki_zone

__version__ = "1.0"
HERE = Path(__file__).parent

#: settings and their defaults (``WIKICOOP_OUTILLER_TIMEZONE`` in the environment…); an
#: empty OUTILLER_TIMEZONE follows the site's TIMEZONE
SETTINGS = {"OUTILLER_TIMEZONE": ""}


@hookimpl
def page_types() -> list[dict[str, Any]]:
    return [ATELIER]


@hookimpl
def validate_edit(ctx: Any) -> None:
    """An end after the start, a capacity of 1 or more, a weekly series that ends; no
    edit of another person's sandbox."""
    if ctx.edit.page_type == TYPE_NAME:
        check_fields(ctx.edit.fields or {}, wiki_zone(ctx.settings))
    check_edit(ctx)


@hookimpl
def permission_check(actor: Any, action: str, page: Any) -> bool | None:
    """Nobody but its owner and the moderators writes in a personal sandbox."""
    return check_permission(actor, action, page)


@hookimpl
def page_panels(ctx: Any) -> dict[str, str] | None:
    from .panel import page_panel

    return page_panel(ctx) or reset_panel(ctx)


@hookimpl
def navigation_links(actor: Any) -> dict[str, Any]:
    return {"label": TEXTS["menu"], "url": "/ateliers"}


@hookimpl
def blueprints() -> list[Blueprint]:
    from . import ics, learning_views, lists, panel, views  # noqa: F401  (routes join bp)
    from .api import api
    from .common import bp

    return [bp, api]


@hookimpl
def stylesheets() -> str:
    return "/ateliers/static/outiller.css"


@hookimpl
def migration_dirs() -> Path:
    return HERE / "versions"


@hookimpl
def template_dirs() -> Path:
    return HERE / "templates"


@hookimpl
def seed_dirs() -> Path:
    return HERE / "seed"


@hookimpl
def translation_dirs() -> Path:
    return HERE / "translations"


@hookimpl
def startup(app: Flask) -> None:
    from .learning import install

    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)
    install(app)


@hookimpl
def home_portal() -> dict[str, Any]:
    """This facette's box on the home page."""
    return {
        "facette": "outiller",
        "title": {"fr": "Ateliers", "en": "Workshops"},
        "text": {
            "fr": "S'inscrire à un atelier, ou apprendre pas à pas à écrire sur le wiki.",
            "en": "Sign up for a workshop, or learn step by step to write on the wiki.",
        },
        "url": "/ateliers",
    }
