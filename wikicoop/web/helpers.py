"""Web glue shared by the views: blueprints, error pages, template helpers, guards."""

from __future__ import annotations

import unicodedata
from typing import Any, NoReturn
from urllib.parse import quote, unquote, urlencode, urlsplit

from babel import Locale, UnknownLocaleError
from flask import (
    Response,
    abort,
    current_app,
    g,
    has_request_context,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import error_messages
from ..core import moderation, visibility
from ..core.accounts_state import Account
from ..core.models import Page
from ..core.moderation import account_for
from ..core.permissions import can
from ..errors import ServiceError
from ..rendering.pipeline import Renderer
from ..text.licences import LICENCES, Licence
from ..text.titles import Title
from .db import get_session
from .page_cache import PageHtmlCache


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel) without translating it yet."""
    return message


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
}

# Flask-Login flashes this (set in security.py) when a login is required; it goes
# through ``login_manager.localize_callback`` (see ``init_app``).
N_("Connectez-vous pour continuer.")

#: How each interface language names itself, for the language selector.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

#: Stored codes and the words people read for them (translated when shown).
NAMESPACE_LABELS = {
    "main": N_("Principal"),
    "help": N_("Aide"),
    "user": N_("Utilisateur"),
    "category": N_("Catégorie"),
    "portal": N_("Portail"),
    "talk": N_("Discussion"),
}
PAGE_TYPE_LABELS = {"page": N_("Page")}
REVISION_ACTION_LABELS = {
    "create": N_("création"),
    "restore": N_("restauration"),
    "move": N_("renommage"),
    "merge": N_("fusion"),
    "relicense": N_("licence"),
}


def current_language() -> str:
    """The interface language of this request (``"fr"``, ``"en"``), French outside one."""
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else "fr"


def english() -> bool:
    """Whether this request is answered in English."""
    return current_language() == "en"


def localized(err: ServiceError) -> str:
    """A service error's sentence in the reader's language: its code's sentence in
    :mod:`~wikicoop.error_messages`, translated by the catalog, filled with its params."""
    return error_messages.sentence(err, gettext)


def licence_name(licence: Licence) -> str:
    """The full name of a licence in the reader's language."""
    return gettext(licence.name_fr)


def _label(labels: dict[str, str], code: str) -> str:
    """The translated label of ``code``, or the code itself when it has none (a plugin's)."""
    return gettext(labels[code]) if code in labels else code


def namespace_label(code: str) -> str:
    """How a namespace code (``help``) is shown: « Aide », "Help"."""
    return _label(NAMESPACE_LABELS, code)


def page_type_label(code: str) -> str:
    """How a page type code (``page``) is shown."""
    return _label(PAGE_TYPE_LABELS, code)


def revision_action_label(code: str) -> str:
    """How a revision's action (``move``, ``restore``...) is shown in lists."""
    return _label(REVISION_ACTION_LABELS, code)


def licence_label(code: str) -> str:
    """A licence code (``CC-BY-SA-4.0``) by the licence's usual name, "CC BY-SA 4.0"."""
    licence = LICENCES.get(code)
    return licence.short_name if licence is not None else code


def facet_label(facet: str, value: str) -> str:
    """How a value of a search facet is shown (categories are names already)."""
    labeller = {
        "namespace": namespace_label,
        "type": page_type_label,
        "licence": licence_label,
    }.get(facet)
    return labeller(value) if labeller else value


def licence_summary(licence: Licence) -> str:
    """The one-sentence summary of a licence in the reader's language."""
    return gettext(licence.summary_fr)


def available_languages() -> list[str]:
    """The interface languages this wiki offers (setting ``LANGUAGES``), in order."""
    return [code.strip() for code in current_app.config["LANGUAGES"].split(",") if code.strip()]


def language_name(code: str) -> str:
    """How a language names itself: "Français", "English"."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):  # a code Babel does not know
        return code
    return name[:1].upper() + name[1:]


def _unsafe_char(char: str) -> bool:
    r"""Control, format, separator characters and backslashes: browsers drop or reinterpret
    them (``/\t/x`` is followed as ``//x``, ``/\\x`` as ``//x``)."""
    return char == "\\" or unicodedata.category(char)[0] in "CZ"


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path of this site, else ``default``: the one check of every
    redirect to a place the visitor gave (``next`` fields and parameters).

    Refused: anything not starting with one ``/``; any control character, space or
    backslash; and, since a proxy or a browser may decode it, a target whose decoded
    form (``/%2F/x``, ``/%09/x``, ``/%252F/x``) starts with two slashes, a backslash or
    a space, or holds a control character.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 4000:
        return default
    if any(_unsafe_char(c) for c in target):
        return default
    decoded = target
    for _ in range(3):  # "/%252F/" is "/%2F/" once decoded, then "//"
        decoded, previous = unquote(decoded), decoded
        if decoded[1:2] and (decoded[1] == "/" or _unsafe_char(decoded[1])):
            return default
        if any(unicodedata.category(c) == "Cc" for c in decoded):
            return default
        if decoded == previous:
            break
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default


def _here_without_lang() -> str:
    """The current path and query, minus ``lang=`` (which would beat the chosen one)."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + (f"?{urlencode(query)}" if query else "")


def language_url(code: str) -> str:
    """The selector's link to switch to ``code``, coming back to this page."""
    back = _here_without_lang() if request.method == "GET" else request.path
    return url_for("misc.set_language", code=code, next=back)


def page_html_cache() -> PageHtmlCache:
    """The worker's cache of whole anonymous page views."""
    return current_app.extensions["wikicoop.page_html_cache"]


def renderer() -> Renderer:
    """The app's Markdown renderer (one mistune instance per app)."""
    return current_app.extensions["wikicoop.renderer"]


def page_url(title: Title, action: str | None = None, **params: Any) -> str:
    """URL of a page, or of one of its actions (``?action=edit``, ``history``, ...)."""
    url = "/wiki/" + title.url_path
    query = {"action": action} if action else {}
    query.update({k: v for k, v in params.items() if v is not None})
    return f"{url}?{urlencode(query)}" if query else url


def is_sandbox_page(title: Title) -> bool:
    """Whether ``title`` is one of the sandbox pages (``SANDBOX_PAGES``)."""
    return moderation.is_sandbox(current_app.config, title.namespace, title.name)


def account() -> Account:
    """The current user's :class:`~wikicoop.accounts_state.Account`, built once per
    request and kept on ``flask.g`` (its trust and block are read only if a rule needs
    them, then once)."""
    user = current_user._get_current_object()
    # g outlives a request when a test holds an app context: key on the request too
    here = id(request._get_current_object()) if has_request_context() else None
    key = (here, getattr(user, "id", None))
    cached = g.get("_account")
    if cached is None or cached[0] != key:
        state = account_for(
            get_session(),
            current_app.config,
            user,
            hooks=current_app.extensions["wikicoop.plugins"].hook,  # permission_check
        )
        cached = (key, state)
        g._account = cached
    return cached[1]


def allowed(action: str, page: Page | None = None, *, target: Any = None) -> bool:
    """Whether the current user may do ``action`` (templates use this too)."""
    return can(account(), action, page, target=target)


def write_refusal(page: Page | None = None) -> moderation.WriteRefused | None:
    """Why the current user may not write now (blocked, or ``page`` protected), or None."""
    if not current_user.is_authenticated:
        return None
    try:
        moderation.check_can_write(
            get_session(),
            current_app.config,
            current_user._get_current_object(),
            protection=page.protection if page is not None else "",
            account=account(),
        )
    except moderation.WriteRefused as refused:
        return refused
    return None


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


def log_server_error(error: BaseException) -> None:
    """Put a 500 in the server log: the request line, then the traceback."""
    asked = request.path
    if request.query_string:
        asked += "?" + request.query_string.decode("latin-1")
    # quoted: a newline in the address must not forge a log line
    shown = quote(asked, safe="/?&=%:+,;@!$'()*~")
    current_app.logger.error("500 on %s %s", request.method, shown, exc_info=error)


def _handle_http_error(error: HTTPException):
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


def _handle_unexpected(error: Exception):
    log_server_error(error)
    return error_page(500)


def diff_opens(change: Any) -> bool:
    """Whether the reader may open the diff of a listed change with its parent (a list
    links no diff that would answer 403)."""
    return (
        change.parent_id is not None
        and visibility.may_read(account(), change.status, change.author_id)
        and visibility.may_read(account(), change.parent_status, change.parent_author_id)
    )
