"""Site-wide pages outside /wiki/: go-to-page search, the list of all pages, the language
selector, health."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select, text
from werkzeug.wrappers import Response

from ...core.models import Page
from ...text.titles import NAMESPACES, make_title
from ..db import get_session
from ..errors import fail
from ..labels import available_languages
from ..urls import safe_next

bp = Blueprint("misc", __name__)


@bp.route("/pages")
def all_pages() -> str:
    """Every live page, by namespace then name (paginated by first letter later)."""
    namespace = request.args.get("namespace", "main")
    if namespace not in NAMESPACES:
        namespace = "main"
    rows = get_session().execute(
        select(Page.name)
        .where(
            Page.namespace == namespace,
            Page.deleted_at.is_(None),
            Page.latest_revision_id.is_not(None),  # not only versions waiting for review
        )
        .order_by(Page.name)
        .limit(5000)
    )
    titles = [make_title(namespace, name) for (name,) in rows]
    return render_template(
        "all_pages.html", titles=titles, namespace=namespace, namespaces=NAMESPACES
    )


#: How long the browser keeps the chosen language: a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@bp.route("/langue/<code>")
def set_language(code: str) -> Response:
    """Remember the interface language in a cookie, then go back to ``next`` (same site)."""
    if code not in available_languages():
        fail(400, _("Langue inconnue : « %(code)s ».", code=code[:20]))
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        "lang",
        code,
        max_age=LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response


@bp.route("/healthz")
def health() -> Response:
    """Liveness: the database answers."""
    get_session().execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
