"""Faire avec: the public internet access points of the neighbourhoods.

A page type (``lieu_acces``: organisation, kind, address, neighbourhood, location,
opening hours, services, access, contact, year joined, computers), its directory with
facets and an "open now" filter, "near me" with the "one within 300 m" rule, a map,
CSV and GeoJSON exports, statistics, and their JSON twins under ``/api/v1/access-points``.
Turn it off with ``DISABLED_PLUGINS = ["faire_avec"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Blueprint, Flask, current_app

from wikicoop.core import writing
from wikicoop.plugins import hookimpl
from wikicoop.web.db import get_session

from .examples import load_examples
from .hours import DEFAULT_TIMEZONE
from .lieu import LIEU_ACCES, TYPE_NAME, check_fields
from .texts import TEXTS

__version__ = "1.0"
HERE = Path(__file__).parent

#: settings and their defaults (``WIKICOOP_FAIRE_AVEC_TIMEZONE`` in the environment…)
SETTINGS = {
    "FAIRE_AVEC_TIMEZONE": DEFAULT_TIMEZONE,  # "open now" is read on this clock
    "FAIRE_AVEC_TILE_URL": "",  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
    "FAIRE_AVEC_TILE_ATTRIBUTION": "",
}


@hookimpl
def page_types() -> list[dict[str, Any]]:
    return [LIEU_ACCES]


@hookimpl
def validate_edit(ctx: Any) -> None:
    """The year joined and the number of computers are plausible."""
    if ctx.edit.page_type == TYPE_NAME:
        check_fields(ctx.edit.fields or {})


@hookimpl
def navigation_links(actor: Any) -> dict[str, Any]:
    return {"label": TEXTS["menu"], "url": "/lieux"}


@hookimpl
def blueprints() -> list[Blueprint]:
    from . import carte, exports, near, stats, views  # noqa: F401  (routes join blueprints)
    from .api import api
    from .common import bp

    return [bp, api]


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
    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)


@hookimpl
def cli_commands(cli: click.Group) -> None:
    @cli.command("lieux-exemples")
    def examples() -> None:
        """Install the example access points (pages that exist are left alone)."""
        session = get_session()
        created = load_examples(writing.context_for(current_app, session))
        for title in created:
            click.echo(title.full)
        click.echo(f"{len(created)} page(s)")
