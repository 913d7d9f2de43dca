"""The web layer: views (``views/``), shared request helpers (``helpers.py``), URL helpers
(``urls.py``), labels in the reader's language (``labels.py``), error answers
(``errors.py``), forms, security headers and input checks, themes, templates and static
files.

:func:`init_app` wires it into the app: error handlers, template helpers and filters,
then every view (:func:`wikicoop.web.views.register_views`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from flask_babel import format_datetime, gettext
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..core.moderation import personal_sandbox_names, personal_sandbox_title
from ..search.backend import SearchIndexError
from ..text.licences import LICENCES, get_licence
from ..text.titles import Title, make_title, parse_title
from .errors import (
    handle_database_unavailable,
    handle_http_error,
    handle_search_index_unavailable,
    handle_unexpected,
)
from .extensions import login_manager
from .helpers import allowed, diff_opens, is_sandbox_page
from .labels import (
    available_languages,
    current_language,
    facet_label,
    language_name,
    licence_name,
    licence_summary,
    namespace_label,
    revision_action_label,
)
from .page_cache import PageHtmlCache
from .urls import language_url, page_url
from .views import register_views


def init_app(app: Flask) -> None:
    """Register the error handlers, the template helpers and filters, then the views."""
    # a quarter of the front cache's budget: it serves the visitors the front cache
    # passes on (after any commit, or with a session), sparing them the page template
    budget = float(app.config["PAGE_CACHE_MB"]) * 2**20 / 4
    app.extensions["wikicoop.page_html_cache"] = PageHtmlCache(budget=int(budget))
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(SearchIndexError, handle_search_index_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
    app.context_processor(_template_helpers)
    app.after_request(_vary_on_language)
    login_manager.localize_callback = gettext
    app.add_template_filter(_as_title, "as_title")
    app.add_template_filter(_category_title, "category_title")
    register_views(app)


def _template_helpers() -> dict[str, Any]:
    """What every template may use besides the views' own context."""
    return {
        "page_url": page_url,
        "allowed": allowed,
        "licences": LICENCES,
        "get_licence": get_licence,
        "site_name": current_app.config["SITE_NAME"],
        "format_datetime": format_datetime,
        "current_language": current_language(),
        "languages": available_languages(),
        "language_name": language_name,
        "language_url": language_url,
        "licence_name": licence_name,
        "licence_summary": licence_summary,
        "is_sandbox_page": is_sandbox_page,
        "personal_draft": _personal_draft,
        "namespace_label": namespace_label,
        "facet_label": facet_label,
        "revision_action_label": revision_action_label,
        "diff_opens": diff_opens,
    }


#: the beginner's own draft page, under their user page (one of PERSONAL_SANDBOXES)
DRAFT_PAGE = "Brouillon"


def _personal_draft() -> Title | None:
    """The reader's draft page (``Utilisateur:<nom>/Brouillon``: published at once, never
    indexed nor moderated), when they are logged in and the site keeps such pages."""
    settings = current_app.config
    if not current_user.is_authenticated or DRAFT_PAGE not in personal_sandbox_names(settings):
        return None
    return parse_title(personal_sandbox_title(settings, current_user.username, DRAFT_PAGE))


def _vary_on_language(response: Response) -> Response:
    """Pages are in the reader's language: caches must key on what chooses it."""
    if request.endpoint not in {"static", "theme_static"}:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def _as_title(full: str) -> Title:
    """Template filter: a stored full title (e.g. a redirect target) as a Title."""
    return parse_title(full)


def _category_title(name: str) -> Title:
    """Template filter: the page of a category named ``name``."""
    return make_title("category", name)
