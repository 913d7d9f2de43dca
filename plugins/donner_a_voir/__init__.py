"""Donner à voir, the participatory magazine: residents write articles, moderators read
each one before it is public, and the week's articles go out as a letter to subscribers.

The pieces: the ``article`` page type (:mod:`.articles`) and a few example articles
(``seed/``); the front page, sections, weekly editions and Atom feed (:mod:`.views`)
and their JSON twin (:mod:`.api`); subscriptions with double opt-in
(:mod:`.subscriptions`, :mod:`.subscribe_views`) in the plugin's own tables (its Alembic
branch, ``versions/``); the weekly letter, previewed at ``/magazine/lettre/<edition>``
and sent by ``wikicoop magazine send-digest`` (:mod:`.digest`, :mod:`.commands`).
Turn it off with ``DISABLED_PLUGINS = ["donner_a_voir"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint

from wikicoop.plugins import hookimpl

from .api import api
from .articles import ARTICLE
from .commands import add_commands
from .subscribe_views import bp as subscribe_bp
from .texts import TEXTS
from .views import bp

__version__ = "0.1"
HERE = Path(__file__).parent


@hookimpl
def page_types() -> list[dict[str, Any]]:
    return [ARTICLE]


@hookimpl
def seed_dirs() -> Path:
    return HERE / "seed"


@hookimpl
def blueprints() -> list[Blueprint]:
    return [bp, subscribe_bp, api]


@hookimpl
def cli_commands(cli: Any) -> None:
    add_commands(cli)


@hookimpl
def migration_dirs() -> Path:
    return HERE / "versions"


@hookimpl
def template_dirs() -> Path:
    return HERE / "templates"


@hookimpl
def navigation_links(actor: Any) -> dict[str, Any]:
    return {"label": TEXTS["menu"], "url": "/magazine"}


@hookimpl
def home_portal() -> dict[str, Any]:
    """This facette's box on the home page."""
    return {
        "facette": "donner_a_voir",
        "title": {"fr": "Magazine", "en": "Magazine"},
        "text": {
            "fr": "Lire et écrire des articles sur ce qui se passe près de chez vous.",
            "en": "Read and write articles about what happens near you.",
        },
        "url": "/magazine",
    }
