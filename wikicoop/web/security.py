"""Identity and browser protections: user loading, security headers, input checks.

Sessions are Flask-Login cookies; programs send ``Authorization: Bearer TOKEN`` (the
tokens and passwords themselves are :mod:`wikicoop.community.credentials`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, Response, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from ..community.credentials import user_for_token
from ..core.models import User
from .db import get_session
from .extensions import login_manager

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _load_user(identity: str) -> User | None:
    user_id, _, nonce = identity.partition(":")
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or user.session_nonce != nonce or not user.active:
        return None
    return user


def _load_user_from_request(request: Request) -> User | None:
    token = bearer_token(request)
    return user_for_token(get_session(), token) if token else None


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel); :func:`_refuse` translates it."""
    return message


_INVALID_UTF8_FORM = N_(
    "Le formulaire contient des caractères invalides (encodage UTF-8 incorrect). "
    "Copiez votre texte dans un éditeur, puis recollez-le."
)
_INVALID_UTF8_ADDRESS = N_(
    "L'adresse contient des caractères invalides (encodage UTF-8 incorrect) : "
    "vérifiez-la ou recopiez-la."
)
_NUL_IN_ADDRESS = N_(
    "L'adresse contient un caractère nul, qu'aucun nom ni aucun filtre ne peut "
    "contenir : retirez-le et réessayez."
)
_TOO_DEEP_JSON = N_(
    "Le corps JSON est imbriqué trop profondément : aucune requête du wiki n'en a besoin."
)


def _refuse(message: str) -> NoReturn:
    abort(400, description=gettext(message))


def _urlencoded_problem(raw: bytes) -> str | None:
    """What is wrong with URL-encoded ``raw`` (a query string or a form body), or None.

    ``"utf-8"`` for bytes that are not UTF-8 (Werkzeug would replace them instead of
    refusing them), ``"nul"`` for a NUL byte (PostgreSQL refuses it in text).
    """
    for field in raw.split(b"&"):
        value = unquote_to_bytes(field.replace(b"+", b" "))
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return "utf-8"
        if b"\x00" in value:
            return "nul"
    return None


def _multipart_is_utf8(body: bytes, boundary: str) -> bool:
    """Whether every field (not file) of a multipart body is valid UTF-8."""
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    decoder.receive_data(body)
    decoder.receive_data(None)
    in_field, chunks = False, []
    while not isinstance(event := decoder.next_event(), Epilogue | NeedData):
        if isinstance(event, Field | File):
            in_field, chunks = isinstance(event, Field), []
        elif isinstance(event, Data) and in_field:
            chunks.append(event.data)
            if not event.more_data:
                try:
                    b"".join(chunks).decode("utf-8")
                except UnicodeDecodeError:
                    return False
    return True


#: the view attribute :func:`body_limit` sets
_BODY_LIMIT = "wikicoop_body_limit"
_View = TypeVar("_View", bound=Callable[..., Any])


def body_limit(limit: Callable[[], int]) -> Callable[[_View], _View]:
    """Give a view its own request body limit (bytes, read from the running app's
    settings by ``limit()``) instead of ``MAX_CONTENT_LENGTH``, which is sized for page
    texts: a file upload. Applied before any check reads the body; beyond it, 413."""

    def mark(view: _View) -> _View:
        setattr(view, _BODY_LIMIT, limit)
        return view

    return mark


def _refuse_bad_input() -> None:
    """One check of what no field can hold, before any view: 400 with a clear message.

    - a NUL byte in the path or the query (names, filters: PostgreSQL refuses NUL),
      or a query string that is not UTF-8;
    - a form (URL-encoded or multipart) that is not UTF-8 (Werkzeug would store U+FFFD).

    NUL bytes in form and JSON text are left to the services, which strip them from
    page text or name the field (discussions, accounts).
    """
    current = request._get_current_object()  # type: ignore[attr-defined]  # once per request
    own_limit = getattr(current_app.view_functions.get(current.endpoint), _BODY_LIMIT, None)
    if own_limit is not None:  # before anything reads the body
        current.max_content_length = int(own_limit())
    if "\x00" in current.path:
        _refuse(_NUL_IN_ADDRESS)
    problem = _urlencoded_problem(current.query_string)
    if problem is not None:
        _refuse(_NUL_IN_ADDRESS if problem == "nul" else _INVALID_UTF8_ADDRESS)
    if current.method not in {"POST", "PUT", "PATCH", "DELETE"}:
        return
    if current.mimetype == "application/x-www-form-urlencoded":
        body = current.get_data(cache=True)  # the form parser reads the cached copy
        if _urlencoded_problem(body) == "utf-8":
            _refuse(_INVALID_UTF8_FORM)
    elif current.mimetype == "multipart/form-data":
        boundary = current.mimetype_params.get("boundary", "")
        body = current.get_data(cache=True)
        if boundary and not _multipart_is_utf8(body, boundary):
            _refuse(_INVALID_UTF8_FORM)


class _JSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested deeper than Python can parse (400, not 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            _refuse(_TOO_DEEP_JSON)


def init_app(app: Flask) -> None:
    """Wire user loading, form checks and security headers into ``app``."""
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour continuer."
    login_manager.session_protection = "basic"
    app.before_request(_refuse_bad_input)
    app.json = _JSONProvider(app)
    app.after_request(_add_headers)
