"""Site-wide pages outside /wiki/: go-to-page search, the list of all pages, the language
selector, health."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select, text
from werkzeug.wrappers import Response

from .. import revisions as rev
from ..db import get_session
from ..models import Page
from ..titles import NAMESPACES, TitleError, make_title, parse_title
from ..web import available_languages, fail, localized, page_url, safe_next

bp = Blueprint("misc", __name__)


@bp.route("/recherche")
def search() -> Response | tuple[str, int] | str:
    """Go straight to an existing page, else list pages whose title contains the words.

    Full-text, French-aware search replaces the listing part (issue 3).
    """
    query = " ".join(request.args.get("q", "").split())[:200]
    if not query:
        return render_template("search.html", query="", results=[], title_error=None)
    title_error = None
    try:
        title = parse_title(query, capitalize_first=current_app.config["CAPITALIZE_FIRST"])
        if rev.find_page(get_session(), title, include_deleted=False) is not None:
            return redirect(page_url(title))
    except TitleError as err:
        title, title_error = None, localized(err)
    pattern = "%" + query.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    rows = get_session().execute(
        select(Page.namespace, Page.name)
        .where(Page.deleted_at.is_(None), func.lower(Page.name).like(pattern.lower(), "\\"))
        .order_by(Page.name)
        .limit(50)
    )
    results = [make_title(ns, name) for ns, name in rows]
    return render_template(
        "search.html", query=query, results=results, title=title, title_error=title_error
    )


@bp.route("/pages")
def all_pages() -> str:
    """Every live page, by namespace then name (paginated by first letter later)."""
    namespace = request.args.get("namespace", "main")
    if namespace not in NAMESPACES:
        namespace = "main"
    rows = get_session().execute(
        select(Page.name)
        .where(Page.namespace == namespace, Page.deleted_at.is_(None))
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
