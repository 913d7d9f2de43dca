"""Hook implementations of the reuse part (credits, exports and import, licence checks,
shared resources), joined to the plugin by its ``__init__``: each is named
``reuse_<hook>`` and registered under the hook's name (pluggy's ``specname``). The
plugin's ``template_dirs``, ``seed_dirs`` and ``migration_dirs`` (shared folders) are
the media part's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from wikicoop.plugins import hookimpl

__all__: list[str] = [
    "reuse_blueprints",
    "reuse_cli_commands",
    "reuse_edit_notices",
    "reuse_licence_changed",
    "reuse_markdown_plugins",
    "reuse_page_actions",
    "reuse_page_deleted",
    "reuse_page_published",
    "reuse_page_renamed",
    "reuse_page_types",
    "reuse_sanitizer_allowlist",
]


@hookimpl(specname="blueprints")
def reuse_blueprints() -> list[Blueprint]:
    from . import (  # noqa: F401  (their routes join the blueprints)
        import_views,
        licence_views,
        resources,
        reuse_api,
        reuse_views,
    )
    from .reuse_common import api, bp

    return [bp, api]


@hookimpl(specname="page_types")
def reuse_page_types() -> list[dict[str, Any]]:
    from .resources import RESSOURCE

    return [RESSOURCE]


@hookimpl(specname="page_actions")
def reuse_page_actions(ctx: Any) -> dict[str, Any] | None:
    """« Réutiliser » on every public page and file."""
    from .reuse_views import action_link

    return action_link(ctx.page)


@hookimpl(specname="cli_commands")
def reuse_cli_commands(cli: Any) -> None:
    from .import_cli import add_commands

    add_commands(cli)


@hookimpl(specname="page_published")
def reuse_page_published(ctx: Any) -> None:
    """Store the page's licence conflicts (a file page: check again the pages that
    embed it, its licence may have changed); record what it transcludes and refresh the
    pages that transclude it."""
    from .licence_checks import check_published, recheck_embedders
    from .reuse_transclusion_usage import on_published

    check_published(ctx.session, ctx.page, ctx.revision)
    if ctx.page.namespace == "file":
        recheck_embedders(ctx.session, ctx.page)
    on_published(ctx.session, ctx.page, ctx.revision.text)


@hookimpl(specname="page_deleted")
def reuse_page_deleted(ctx: Any) -> None:
    """The pages transcluding a deleted page show a red link instead."""
    from .reuse_transclusion_usage import on_deleted

    on_deleted(ctx.session, ctx.page)


@hookimpl(specname="page_renamed")
def reuse_page_renamed(ctx: Any) -> None:
    """The pages transcluding the old or the new title are rendered again."""
    from .reuse_transclusion_usage import on_renamed

    on_renamed(ctx.session, ctx.old_title, ctx.new_title)


@hookimpl(specname="markdown_plugins")
def reuse_markdown_plugins() -> Any:
    """Transclusion ``{{:Titre}}``."""
    from .reuse_transclusion import transclusion_plugin

    return transclusion_plugin


@hookimpl(specname="sanitizer_allowlist")
def reuse_sanitizer_allowlist() -> dict[str, Any]:
    from .reuse_transclusion import CLASSES

    return {"classes": CLASSES}


@hookimpl(specname="licence_changed")
def reuse_licence_changed(ctx: Any) -> None:
    """A page under another licence: its conflicts change (and those of its embedders,
    and of the pages transcluding it, whose caption names the licence)."""
    from .licence_checks import check_published, recheck_embedders
    from .reuse_transclusion_usage import source_changed

    latest = ctx.page.latest_revision
    if latest is not None:
        check_published(ctx.session, ctx.page, latest)
    if ctx.page.namespace == "file":
        recheck_embedders(ctx.session, ctx.page)
    source_changed(ctx.session, [ctx.page.title])


@hookimpl(specname="edit_notices")
def reuse_edit_notices(ctx: Any) -> list[dict[str, str]]:
    """Warn the editor of embedded content the page's licence cannot carry."""
    from .licence_checks import notices_for

    return notices_for(ctx)
