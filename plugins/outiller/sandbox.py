"""Personal sandboxes (``Utilisateur:<name>/Bac à sable``, the core's
``PERSONAL_SANDBOXES``) are their owner's: only they and the moderators may write in
them (the core publishes them at once and never indexes them; anyone could write in
them there, as on MediaWiki). Checked in ``permission_check`` for an existing page and
in ``validate_edit`` for every edit, creations included. And on the owner's own
sandbox, a panel with the "Réinitialiser" button."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from wikicoop.core.moderation import is_moderator
from wikicoop.error_messages import N_, register
from wikicoop.errors import ServiceError

from .learning import SANDBOX_NAME
from .texts import say

#: actions on a page that write in it
WRITES = frozenset({"edit", "restore", "rename"})

register(
    {
        "outiller-sandbox-owner": N_(
            "Ce bac à sable appartient à %(owner)s : seuls son propriétaire et les "
            "modérateurs peuvent le modifier. Le vôtre : « Utilisateur:VotreNom/Bac à sable »."
        )
    }
)


def _names(settings: Mapping[str, Any]) -> tuple[str, ...]:
    raw = settings.get("PERSONAL_SANDBOXES", ("Bac à sable",))
    return tuple(raw or ())


def sandbox_owner(settings: Mapping[str, Any], namespace: str, name: str) -> str | None:
    """The owner's name when ``namespace:name`` is a personal sandbox, None otherwise."""
    if namespace != "user":
        return None
    owner, slash, sub = name.partition("/")
    return owner if slash and owner and sub in _names(settings) else None


def _may_write(actor: Any, owner: str) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    name = str(getattr(actor, "username", "") or "")
    return name.casefold() == owner.casefold() or is_moderator(actor)


def check_permission(actor: Any, action: str, page: Any) -> bool | None:
    """False when ``actor`` would write in another person's sandbox; None otherwise."""
    if action not in WRITES or page is None or not has_app_context():
        return None
    owner = sandbox_owner(current_app.config, page.namespace, page.name)
    if owner is None or _may_write(actor, owner):
        return None
    return False


def check_edit(ctx: Any) -> None:
    """Refuse an edit (a creation too) of another person's sandbox."""
    title = ctx.edit.title
    owner = sandbox_owner(ctx.settings, title.namespace, title.name)
    if owner is not None and not _may_write(ctx.edit.author.user, owner):
        raise ServiceError("outiller-sandbox-owner", status=403, owner=owner)


def reset_panel(ctx: Any) -> dict[str, str] | None:
    """On the reader's own sandbox: the reset button (a POST with its CSRF token)."""
    actor, page = ctx.actor, ctx.page
    if page is None or actor is None or not getattr(actor, "is_authenticated", False):
        return None
    owner = sandbox_owner(current_app.config, page.namespace, page.name)
    if owner is None or owner.casefold() != actor.username.casefold():
        return None
    if page.name.partition("/")[2] != SANDBOX_NAME:  # the reset is the "Bac à sable"'s
        return None
    html = (
        '<form method="post" action="/apprendre/bac-a-sable/reinitialiser">'
        f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
        f'<p><button type="submit">{escape(say("reset"))}</button></p>'
        f'<p>{escape(say("reset_help"))} <a href="/apprendre">{escape(say("learn_title"))}</a></p>'
        "</form>"
    )
    return {"title": say("sandbox"), "html": html}
