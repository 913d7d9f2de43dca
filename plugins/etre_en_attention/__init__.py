"""Être en attention: the yearly call for projects ("appel à projets").

Two page types (``initiative``, ``appel``: see :mod:`.declarations`), the write rules that
keep a closed call closed and leave the status to moderators (:mod:`.rules`), and seed
pages marked as examples. Turn it off with ``DISABLED_PLUGINS = ["etre_en_attention"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint

from wikicoop.plugins import hookimpl

from . import dashboard, list_api, rules, status, submit, views
from .blueprint import api, bp
from .declarations import APPEL_TYPE, INITIATIVE_TYPE
from .texts import TEXTS

# the modules whose routes join the blueprints when imported
ROUTES = (submit, status, views, dashboard, list_api)

__version__ = "1.0"
HERE = Path(__file__).parent


@hookimpl
def page_types() -> list[dict[str, Any]]:
    return [INITIATIVE_TYPE, APPEL_TYPE]


@hookimpl
def validate_edit(ctx: Any) -> None:
    rules.check_edit(ctx)


@hookimpl
def seed_dirs() -> Path:
    return HERE / "seed"


@hookimpl
def template_dirs() -> Path:
    return HERE / "templates"


@hookimpl
def blueprints() -> list[Blueprint]:
    return [bp, api]


@hookimpl
def navigation_links(actor: Any) -> dict[str, Any]:
    return {"label": TEXTS["menu"], "url": "/appel-a-projets"}


@hookimpl
def page_panels(ctx: Any) -> dict[str, str] | None:
    return status.status_panel(ctx)


@hookimpl
def translation_dirs() -> Path:
    return HERE / "translations"


@hookimpl
def home_portal() -> dict[str, Any]:
    """This facette's box on the home page."""
    return {
        "facette": "etre_en_attention",
        "title": {"fr": "Appel à projets", "en": "Call for projects"},
        "text": {
            "fr": (
                "Proposer une initiative pour son quartier, et voir celles qui sont"
                " soutenues chaque année."
            ),
            "en": (
                "Put forward an initiative for your neighbourhood, and see the ones"
                " supported each year."
            ),
        },
        "url": "/appel-a-projets",
    }
