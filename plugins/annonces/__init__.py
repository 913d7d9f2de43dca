"""Annonces, the example plugin: dated notices of a neighbourhood (workshops, meetings).

It shows a page type declared as a plain dict (field kinds, moderation mode), a
``validate_edit`` rule, a page panel, a menu entry, a blueprint route and its template,
a seed page, a Markdown plugin and the sanitizer addition its output needs.
Turn it off with ``DISABLED_PLUGINS = ["annonces"]``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template
from flask_babel import format_date
from markupsafe import escape
from sqlalchemy import select

from wikicoop.core.models import Page, Revision
from wikicoop.core.page_types import FieldError
from wikicoop.plugins import hookimpl
from wikicoop.web.db import get_session
from wikicoop.web.labels import in_reader_language

__version__ = "1.0"
HERE = Path(__file__).parent

ANNONCE = {
    "name": "annonce",
    "label": {"fr": "Annonce", "en": "Notice"},
    "fields": [
        {"name": "date", "kind": "date", "label": {"fr": "Date", "en": "Date"}, "required": True},
        {"name": "lieu", "kind": "text", "label": {"fr": "Lieu", "en": "Place"}},
        {
            "name": "genre",
            "kind": "choice",
            "label": {"fr": "Genre", "en": "Kind"},
            "choices": ["atelier", "réunion", "fête"],
            "required": True,
        },
        {"name": "gratuit", "kind": "bool", "label": {"fr": "Gratuit", "en": "Free"}},
        {"name": "inscription", "kind": "url", "label": {"fr": "Inscription", "en": "Sign-up"}},
    ],
    "moderation": "a_priori",  # a moderator reads every notice before it is public
}

TEXTS = {
    "menu": {"fr": "Annonces", "en": "Notices"},
    "panel": {"fr": "Quand ?", "en": "When?"},
    "list": {"fr": "Annonces à venir", "en": "Coming notices"},
    "none": {"fr": "Aucune annonce à venir.", "en": "No coming notice."},
}


def say(key: str, **params: Any) -> str:
    """A text of :data:`TEXTS` in the reader's language (French first)."""
    return in_reader_language(TEXTS[key], **params)


bp = Blueprint("annonces", __name__)


@bp.route("/annonces")
def coming() -> str:
    """The published notices from today on, soonest first."""
    rows = get_session().execute(
        select(Page, Revision)
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(Revision.page_type == "annonce", Page.deleted_at.is_(None))
    )
    today = date.today().isoformat()
    notices = sorted((r.fields["date"], p) for p, r in rows if r.fields["date"] >= today)
    return render_template("annonces/liste.html", notices=notices, say=say)


def important(md: Any) -> None:
    """Mistune plugin: ``!!texte!!`` becomes a highlighted ``<mark>``."""

    def parse(inline: Any, m: re.Match, state: Any) -> int:
        state.append_token({"type": "annonce_important", "raw": m.group("annonce_text")})
        return m.end()

    md.inline.register("annonce_important", r"!!(?P<annonce_text>[^!\n]+)!!", parse)
    md.renderer.register(
        "annonce_important",
        lambda _r, text: f'<mark class="annonce-important">{escape(text)}</mark>',
    )


@hookimpl
def page_types() -> list[dict[str, Any]]:
    return [ANNONCE]


@hookimpl
def validate_edit(ctx: Any) -> None:
    """A notice that is not free says where to sign up."""
    fields = ctx.edit.fields or {}
    paying = ctx.edit.page_type == "annonce" and fields.get("gratuit") is False
    if paying and not fields.get("inscription"):
        raise FieldError("inscription", "required")


@hookimpl
def page_panels(ctx: Any) -> dict[str, str] | None:
    revision = ctx.revision
    if revision is None or revision.page_type != "annonce" or not revision.fields:
        return None
    # the day itself, not "in 3 days": anonymous views of a page are cached whole
    text = escape(format_date(date.fromisoformat(revision.fields["date"]), "full"))
    return {"title": say("panel"), "html": f'<p class="annonce-when">{text}</p>'}


@hookimpl
def navigation_links(actor: Any) -> dict[str, Any]:
    return {"label": TEXTS["menu"], "url": "/annonces"}


@hookimpl
def blueprints() -> Blueprint:
    return bp


@hookimpl
def template_dirs() -> Path:
    return HERE / "templates"


@hookimpl
def seed_dirs() -> Path:
    return HERE / "seed"


@hookimpl
def markdown_plugins() -> Any:
    return important


@hookimpl
def sanitizer_allowlist() -> dict[str, list[str]]:
    return {"classes": ["annonce-important"]}
