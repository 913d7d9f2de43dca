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
from urllib.parse import urlencode

from flask import Blueprint, Flask
from markupsafe import escape

from wikicoop.plugins import hookimpl

from .hours import DEFAULT_TIMEZONE
from .lieu import LIEU_ACCES, TYPE_NAME, check_fields
from .texts import TEXTS, say

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
def page_panels(ctx: Any) -> dict[str, str] | None:
    """On an access point's page: links to the places near it and to the map (they
    depend on the page only: anonymous views of a page are cached whole)."""
    revision = ctx.revision
    if revision is None or revision.page_type != TYPE_NAME or not revision.fields:
        return None
    position = revision.fields.get("position")
    links = [f'<a href="/lieux/carte">{escape(say("map"))}</a>']
    if position:
        query = urlencode({"lat": position["lat"], "lon": position["lon"]})
        links.insert(0, f'<a href="/lieux/proches?{escape(query)}">{escape(say("nearby"))}</a>')
    items = "".join(f"<li>{link}</li>" for link in links)
    return {"title": say("panel"), "html": f'<ul class="faire-avec-panel">{items}</ul>'}


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
def home_portal() -> dict[str, Any]:
    """This facette's box on the home page."""
    return {
        "facette": "faire_avec",
        "title": {"fr": "Lieux d'accès", "en": "Access points"},
        "text": {
            "fr": (
                "Trouver près de chez soi un lieu où se servir d'un ordinateur et "
                "d'internet, souvent avec quelqu'un pour aider."
            ),
            "en": (
                "Find a place near home where you can use a computer and the "
                "internet, often with someone to help."
            ),
        },
        "url": "/lieux",
    }
