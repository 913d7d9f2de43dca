"""Hook implementations of the reuse part (credits, exports and import, licence checks,
shared resources), joined to the plugin by its ``__init__``: each is named
``reuse_<hook>`` and registered under the hook's name (pluggy's ``specname``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint

from wikicoop.plugins import hookimpl

HERE = Path(__file__).parent

__all__: list[str] = [
    "reuse_blueprints",
    "reuse_cli_commands",
    "reuse_page_actions",
    "reuse_template_dirs",
]


@hookimpl(specname="blueprints")
def reuse_blueprints() -> list[Blueprint]:
    from . import import_views, reuse_api, reuse_views  # noqa: F401  (their routes join the blueprints)
    from .reuse_common import api, bp

    return [bp, api]


@hookimpl(specname="template_dirs")
def reuse_template_dirs() -> Path:
    return HERE / "templates"


@hookimpl(specname="page_actions")
def reuse_page_actions(ctx: Any) -> dict[str, Any] | None:
    """« Réutiliser » on every public page and file."""
    from .reuse_views import action_link

    return action_link(ctx.page)


@hookimpl(specname="cli_commands")
def reuse_cli_commands(cli: Any) -> None:
    from .import_cli import add_commands

    add_commands(cli)
