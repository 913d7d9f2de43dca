"""Web glue shared by the views: blueprints, error pages, template helpers, guards."""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import urlencode

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_babel import format_datetime, gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .licences import LICENCES, get_licence
from .models import Page
from .permissions import can
from .rendering.pipeline import Renderer
from .titles import Title, make_title, parse_title

ERROR_MESSAGES = {
    400: "La demande est incorrecte.",
    401: "Connectez-vous pour faire cela.",
    403: "Vous n'avez pas le droit de faire cela.",
    404: "Cette adresse ne correspond à rien sur le wiki.",
    405: "Cette action n'est pas possible à cette adresse.",
    409: "Cette action entre en conflit avec l'état actuel de la page.",
    413: "Le contenu envoyé est trop gros.",
    429: "Trop d'essais en peu de temps : patientez une minute avant de réessayer.",
    500: "Une erreur inattendue s'est produite. Rien de ce que vous avez écrit n'est "
    "enregistré à moitié : réessayez, ou prévenez un administrateur.",
}


def renderer() -> Renderer:
    """The app's Markdown renderer (one mistune instance per app)."""
    return current_app.extensions["wikicoop.renderer"]


def page_url(title: Title, action: str | None = None, **params: Any) -> str:
    """URL of a page, or of one of its actions (``?action=edit``, ``history``, ...)."""
    url = "/wiki/" + title.url_path
    query = {"action": action} if action else {}
    query.update({k: v for k, v in params.items() if v is not None})
    return f"{url}?{urlencode(query)}" if query else url


def allowed(action: str, page: Page | None = None) -> bool:
    """Whether the current user may do ``action`` (templates use this too)."""
    return can(
        current_user,
        action,
        page,
        anonymous_editing=current_app.config["ANONYMOUS_EDITING"],
    )


def require(action: str, page: Page | None = None) -> None:
    """Abort with 401 (not logged in) or 403 unless the current user may do ``action``."""
    if not allowed(action, page):
        abort(403 if current_user.is_authenticated else 401)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, error: str, **extra: Any) -> Response:
    """The API's error shape: ``{"error": error, ...}`` with ``status``."""
    response = jsonify({"error": error, **extra})
    response.status_code = status
    return response


def error_page(status: int, message: str | None = None, **context: Any) -> Response:
    """An HTML (or JSON, under /api/) error answer in the reader's language."""
    text = message or gettext(ERROR_MESSAGES.get(status, ERROR_MESSAGES[400]))
    if wants_json():
        return json_error(status, text)
    return make_response(
        render_template("error.html", status=status, message=text, **context), status
    )


def fail(status: int, message: str) -> NoReturn:
    """Abort the request with ``status`` and a human message."""
    abort(error_page(status, message))


def _handle_http_error(error: HTTPException):
    status = error.code or 500
    message = None
    if isinstance(error, CSRFError):
        message = gettext(
            "Le formulaire a expiré ou n'est pas valide (protection CSRF). "
            "Rechargez la page et recommencez : votre texte est peut-être encore dans "
            "le formulaire, copiez-le avant."
        )
    elif error.description and status not in ERROR_MESSAGES:
        message = error.description
    return error_page(status, message)


def _handle_unexpected(error: Exception):
    current_app.logger.exception("unexpected error", exc_info=error)
    return error_page(500)


def _template_helpers() -> dict[str, Any]:
    return {
        "page_url": page_url,
        "allowed": allowed,
        "licences": LICENCES,
        "get_licence": get_licence,
        "site_name": current_app.config["SITE_NAME"],
        "format_datetime": format_datetime,
    }


def _as_title(full: str) -> Title:
    """Template filter: a stored full title (e.g. a redirect target) as a Title."""
    return parse_title(full)


def _category_title(name: str) -> Title:
    """Template filter: the page of a category named ``name``."""
    return make_title("category", name)


def init_app(app: Flask) -> None:
    """Register blueprints, error handlers and template helpers."""
    from .views import api, auth, misc, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(misc.bp)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected)
    app.context_processor(_template_helpers)
    app.add_template_filter(_as_title, "as_title")
    app.add_template_filter(_category_title, "category_title")
