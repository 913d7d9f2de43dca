"""The request helpers the views share, and plugins use: who is asking and what they may
do, titles, pages and revisions read from a request (answering with an error page when
they cannot be), the authors and rate limits of edits, the JSON API's blueprints and
errors, and the registry of what answers ``/wiki/<Title>``.

No view is imported here (views never import each other: what two of them need is here,
or in the web layer's other helper modules: :mod:`~wikicoop.web.urls`,
:mod:`~wikicoop.web.labels`, :mod:`~wikicoop.web.errors`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, current_app, g, has_request_context, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..community.credentials import user_for_token
from ..core import moderation, visibility
from ..core import revisions as rev
from ..core.accounts_state import Account
from ..core.models import Page, Revision
from ..core.moderation import account_for
from ..core.permissions import can, exempt_from_edit_limits
from ..errors import ServiceError
from ..rendering.pipeline import Renderer
from ..text.titles import Title, TitleError, parse_title
from .db import get_session
from .errors import fail, json_error
from .extensions import csrf
from .labels import localized
from .page_cache import PageHtmlCache
from .security import bearer_token

#: what a view answers: a response, an HTML page, or a page with its status
ViewResult = Response | str | tuple[str, int]

# ------------------------------------------------------------------ the app's objects


def page_html_cache() -> PageHtmlCache:
    """The worker's cache of whole anonymous page views."""
    return current_app.extensions["wikicoop.page_html_cache"]


def renderer() -> Renderer:
    """The app's Markdown renderer (one mistune instance per app)."""
    return current_app.extensions["wikicoop.renderer"]


@dataclass
class PageViews:
    """What answers ``/wiki/<Title>``: the handler of each ``?action=``, and the namespaces
    whose pages have a view of their own (a discussion's threads). Filled by
    :func:`wikicoop.web.views.register_views`, so the page views import no other view."""

    actions: dict[str, Callable[[Title], ViewResult]] = field(default_factory=dict)
    namespace_views: dict[str, Callable[[Title], ViewResult]] = field(default_factory=dict)


def page_views() -> PageViews:
    """The app's :class:`PageViews`."""
    return current_app.extensions["wikicoop.page_views"]


# ------------------------------------------------------- who asks, and what they may do


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


def refuse_if_cannot_write(page: Page | None) -> None:
    """403 with the reason when the current user is blocked or the page is protected."""
    refused = write_refusal(page)
    if refused is not None:
        fail(refused.status, localized(refused))


def is_sandbox_page(title: Title) -> bool:
    """Whether ``title`` is one of the sandbox pages (``SANDBOX_PAGES``)."""
    return moderation.is_sandbox(current_app.config, title.namespace, title.name)


def diff_opens(change: Any) -> bool:
    """Whether the reader may open the diff of a listed change with its parent (a list
    links no diff that would answer 403)."""
    return (
        change.parent_id is not None
        and visibility.may_read(account(), change.status, change.author_id)
        and visibility.may_read(account(), change.parent_status, change.parent_author_id)
    )


# --------------------------------------------------------- the authors and limits of edits


def author() -> rev.Author:
    """The author of an edit made by the current request."""
    user = current_user if current_user.is_authenticated else None
    if user is None:
        return rev.Author(user=None, ip=request.remote_addr)
    return rev.Author(user=user, account=account())  # its block read once per request


def edit_rate_limit() -> str:
    """Flask-Limiter's limit for saves (per account when logged in, else per address)."""
    return current_app.config["EDIT_RATE_LIMIT"]


def edit_limit_exempt() -> bool:
    """Flask-Limiter's ``exempt_when`` of the edit limits: admins and bots skip them."""
    return exempt_from_edit_limits(current_user)


def rate_key() -> str:
    """Who a rate limit counts: the account when logged in, else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


# ----------------------------------------- titles, pages and revisions (HTML answers)


def parse_or_fail(raw: str) -> Title:
    """Parse a title from a URL or a form, or answer 400 saying which rule it breaks."""
    try:
        return parse_title(
            raw, capitalize_first=current_app.config["CAPITALIZE_FIRST"], allow_fragment=False
        )
    except TitleError as err:
        fail(400, _("Titre de page invalide : %(reason)s", reason=localized(err)))


@contextmanager
def refusal_as_error_page() -> Iterator[None]:
    """Turn a refused service call (a visibility guard, a malformed revision number)
    into the error page of its status, in the reader's language."""
    try:
        yield
    except ServiceError as err:
        fail(err.status, localized(err))


def live_page_or_404(title: Title) -> Page:
    """The page, or 404 when it does not exist for this reader (the shared guard
    :func:`wikicoop.visibility.readable_page`, which the API uses too)."""
    with refusal_as_error_page():
        return visibility.readable_page(get_session(), title, current_user)


def published_page_or_404(title: Title) -> Page:
    """:func:`live_page_or_404`, and the page must have a published version (for actions
    on the public page: its authors and licence, renaming, deleting)."""
    with refusal_as_error_page():
        return visibility.published_page(get_session(), title, current_user)


def visible_revision_or_fail(page: Page, revision_id: object) -> Revision:
    """Revision ``revision_id`` of ``page`` if this reader may read it (403/404 otherwise)."""
    with refusal_as_error_page():
        return visibility.readable_revision(get_session(), page, current_user, revision_id)


# ------------------------------------------------------------------------ the JSON API


class ApiError(Exception):
    """Raised inside API views; turned into ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.status, self.error, self.extra = status, error, extra


def api_error(err: ApiError) -> Response:
    """``{"error": message, ...}`` with the error's status."""
    return json_error(err.status, err.error, **err.extra)


def service_error(err: ServiceError) -> Response:
    """A refused service call: ``{error, code}`` in the reader's language (and ``field``,
    ``reason`` for a refused field value)."""
    get_session().rollback()
    named = {key: err.params[key] for key in ("field", "reason") if key in err.params}
    return json_error(err.status, localized(err), code=err.code, **named)


def make_api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /api/v1 with the API's authentication and error shape.

    Every module with API routes makes its own, so the routes live beside their views.
    """
    blueprint = Blueprint(name, import_name, url_prefix="/api/v1")
    csrf.exempt(blueprint)  # authenticate() checks cookie writes; token writes need none
    blueprint.before_request(authenticate)
    blueprint.register_error_handler(ApiError, api_error)
    blueprint.register_error_handler(ServiceError, service_error)
    return blueprint


def authenticate() -> None:
    """A bearer token, when sent, decides who is asking (over any session cookie).

    Cookie-authenticated writes need the CSRF token; token-authenticated ones do not
    (no browser sends the token by itself).
    """
    token = bearer_token(request)
    if token is not None:
        user = user_for_token(get_session(), token)
        if user is None:
            raise ApiError(401, _("Jeton d'API inconnu ou révoqué."))
        g._login_user = user  # Flask-Login's per-request user: the token's owner
        return
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        if not current_user.is_authenticated and not current_app.config["ANONYMOUS_EDITING"]:
            raise ApiError(401, _("Connectez-vous (ou envoyez un jeton d'API) pour faire cela."))
        csrf.protect()


def api_title(raw: str) -> Title:
    """A title from an API path; :class:`ApiError` 400 saying which rule it breaks."""
    try:
        return parse_title(
            raw, capitalize_first=current_app.config["CAPITALIZE_FIRST"], allow_fragment=False
        )
    except TitleError as err:
        raise ApiError(400, _("Titre invalide : %(reason)s", reason=localized(err))) from None


def guard(action: str, page: Page | None = None) -> None:
    """:class:`ApiError` 401/403 unless the current user may do ``action`` (409 to edit
    a deleted page)."""
    if page is not None and page.is_deleted and action == "edit":
        raise ApiError(
            409,
            _("Cette page a été supprimée. Un administrateur peut la rétablir."),
            code="page-deleted",
        )
    if not allowed(action, page):
        if current_user.is_authenticated:
            raise ApiError(403, _("Vous n'avez pas le droit de faire cela."))
        raise ApiError(401, _("Connectez-vous (ou envoyez un jeton d'API) pour faire cela."))


def json_body() -> dict[str, Any]:
    """The JSON object sent; :class:`ApiError` 400 when the body is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _("Le corps de la requête doit être un objet JSON (UTF-8)."))
    return data


def live_page(title: Title) -> Page:
    """The page, if it exists for this reader (the guard the web uses too: see
    :func:`wikicoop.visibility.readable_page`); 404 otherwise."""
    return visibility.readable_page(get_session(), title, current_user)


def readable_revision(page: Page, revision_id: object) -> Revision:
    """A revision of ``page`` this reader may read (403 hidden, 404 another's pending
    one), by the web's guard :func:`wikicoop.visibility.readable_revision`."""
    return visibility.readable_revision(get_session(), page, current_user, revision_id)


def revision_json(revision: Revision, reader: Any = None) -> dict[str, Any]:
    """The public shape of a revision, with its moderation ``status``.

    For a hidden revision the reader may not read, only the id, time and status are given.
    """
    if reader is not None and not visibility.can_see_text(reader, revision):
        return {
            "id": revision.id,
            "timestamp": revision.created_at.isoformat(),
            "status": revision.status,
        }
    data = {
        "id": revision.id,
        "author": revision.author_name,
        "timestamp": revision.created_at.isoformat(),
        "summary": revision.summary,
        "minor": revision.minor,
        "size": revision.size,
        "licence": revision.licence,
        "action": revision.action,
        "status": revision.status,
        "parent": revision.parent_id,
    }
    if revision.status == moderation.PENDING:
        data["pending_reasons"] = revision.pending_reason_codes
    if revision.status == moderation.REJECTED:
        data["review_reason"] = revision.review_reason
    return data
