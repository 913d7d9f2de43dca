"""Warnings about an edit that is allowed but deserves the writer's attention: the core's
(MediaWiki habits, :mod:`wikicoop.web.mediawiki_hints`) then the plugins' ``edit_notices``
hook (an image whose licence the page cannot carry...), asked by the editor's preview,
after a save (flashed) and by the API's save (``notices``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_login import current_user
from sqlalchemy.orm import Session

from ..core.models import Page
from ..plugins import hooks_of
from ..plugins.manager import collect
from ..plugins.wiring import localized
from ..text.titles import Title
from .mediawiki_hints import habit_hints


@dataclass(frozen=True)
class EditNoticeCheck:
    """ctx of ``edit_notices``: the edit as it would be saved (``licence`` is the one
    the page would carry: the edit's, else the page's, else the site's default)."""

    session: Session
    title: Title
    text: str
    licence: str
    page_type: str | None
    actor: Any
    fields: Mapping[str, Any] = field(default_factory=dict)


def edit_notices(
    session: Session,
    title: Title,
    text: str,
    *,
    page: Page | None,
    licence: str | None = None,
    page_type: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> list[str]:
    """The warnings about this edit, in the reader's language (none: []): the core's
    (MediaWiki habits), then the plugins'."""
    notices = habit_hints(text)
    hooks = hooks_of(current_app)
    if not hooks.edit_notices.get_hookimpls():
        return notices
    ctx = EditNoticeCheck(
        session=session,
        title=title,
        text=text,
        licence=licence or (page.licence if page else current_app.config["DEFAULT_LICENCE"]),
        page_type=page_type,
        actor=current_user,
        fields=dict(fields or {}),
    )
    return notices + [localized(notice) for notice in collect(hooks.edit_notices(ctx=ctx))]
