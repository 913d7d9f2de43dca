"""Error answers of the web layer: the error page (HTML, or JSON under ``/api/``) in the
reader's language, :func:`fail` to abort with one, the app's error handlers, and the log
line of every 500.
"""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import quote

from flask import Response, abort, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..search.backend import SearchIndexError
from .labels import N_

ERROR_MESSAGES = {
    400: N_("La demande est incorrecte."),
    401: N_("Connectez-vous pour faire cela."),
    403: N_("Vous n'avez pas le droit de faire cela."),
    404: N_("Cette adresse ne correspond à rien sur le wiki."),
    405: N_("Cette action n'est pas possible à cette adresse."),
    409: N_("Cette action entre en conflit avec l'état actuel de la page."),
    413: N_("Le contenu envoyé est trop gros."),
    429: N_("Trop d'essais en peu de temps : patientez une minute avant de réessayer."),
    500: N_(
        "Une erreur inattendue s'est produite. Rien de ce que vous avez écrit n'est "
        "enregistré à moitié : réessayez, ou prévenez un administrateur."
    ),
    503: N_(
        "Le wiki ne joint pas sa base de données pour le moment (redémarrage ou "
        "surcharge). Réessayez dans quelques secondes. Si vous enregistriez une page, "
        "regardez son historique avant de recommencer : rien n'y est enregistré à moitié."
    ),
}
#: seconds after which a client may try again when the database did not answer
RETRY_AFTER_SECONDS = 5
#: and when the search index was not ready (a rebuild takes a while)
SEARCH_RETRY_AFTER_SECONDS = 60


def wants_json() -> bool:
    """Whether this request is answered in JSON (the API, under ``/api/``)."""
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


def _asked() -> str:
    """The request's method and address for a log line, quoted: a newline in the
    address must not forge a log line."""
    asked = request.path
    if request.query_string:
        asked += "?" + request.query_string.decode("latin-1")
    shown = quote(asked, safe="/?&=%:+,;@!$'()*~")
    return f"{request.method} {shown}"


def log_server_error(error: BaseException) -> None:
    """Put a 500 in the server log: the request line, then the traceback."""
    current_app.logger.error("500 on %s", _asked(), exc_info=error)


def handle_http_error(error: HTTPException) -> Response:
    """The app's handler of HTTP errors: the error page, with a message for people."""
    status = error.code or 500
    if status == 500:  # an abort(500) is a failure too; a 503 may be deliberate
        log_server_error(error)
    message = None
    if isinstance(error, CSRFError):
        message = gettext(
            "Le formulaire a expiré ou n'est pas valide (protection CSRF). "
            "Rechargez la page et recommencez : votre texte est peut-être encore dans "
            "le formulaire, copiez-le avant."
        )
    elif isinstance(error, RateLimitExceeded):
        pass  # its description is the limit ("10 per 1 minute"): say it for people instead
    elif error.description and error.description != type(error).description:
        # a description given with abort(status, description=...) is meant for people
        message = error.description
    return error_page(status, message)


def handle_database_unavailable(error: OperationalError) -> Response:
    """The database did not answer (restarted, unreachable, locked too long): 503 with
    ``Retry-After``, and one log line without a traceback (no code of the wiki failed;
    a restart of PostgreSQL under load would fill the log with them). The transaction
    was rolled back: nothing is half-saved."""
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[:1]
    why = f"the database did not answer ({reason[0] if reason else type(error).__name__})"
    return _unavailable(why, RETRY_AFTER_SECONDS)


def handle_search_index_unavailable(error: SearchIndexError) -> Response:
    """The search index is missing or being rebuilt (a first start, a new version of
    its schema) or held by another process's writer for too long: 503 with
    ``Retry-After`` and a message for people, one log line (no code failed)."""
    message = gettext(
        "La recherche se prépare : son index est en cours de construction. "
        "Réessayez dans une minute. Les pages, elles, se lisent et se modifient "
        "normalement."
    )
    return _unavailable(f"search index unavailable ({error})", SEARCH_RETRY_AFTER_SECONDS, message)


def _unavailable(why: str, retry_after: int, message: str | None = None) -> Response:
    """A 503 with ``Retry-After`` and one log line without a traceback: something the
    wiki needs is away for a while, no code of it failed."""
    current_app.logger.warning("503 on %s: %s", _asked(), why)
    response = error_page(503, message)
    response.headers["Retry-After"] = str(retry_after)
    return response


def handle_unexpected(error: Exception) -> Response:
    """The app's handler of any other exception: logged, then the 500 page."""
    log_server_error(error)
    return error_page(500)
