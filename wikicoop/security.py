"""Identity and browser protections: user loading, API tokens, security headers.

Sessions are Flask-Login cookies; programs send ``Authorization: Bearer TOKEN``. Tokens
are stored as SHA-256 digests and shown once at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, Response, abort, current_app, has_app_context, request
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_session
from .extensions import login_manager
from .models import ApiToken, User, utcnow

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

TOKEN_PREFIX = "wkc_"


def hash_password(password: str) -> str:
    """A salted hash of ``password`` with the configured KDF (scrypt, N=2^15, by default)."""
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def verify_password(user: User, password: str) -> bool:
    """True when ``password`` matches the stored hash."""
    return check_password_hash(user.password_hash, password)


def new_session_nonce() -> str:
    return secrets.token_hex(8)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str = "") -> tuple[str, ApiToken]:
    """A new API token for ``user``: returns the clear token (shown once) and its row."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, ApiToken(user_id=user.id, name=name[:100], token_hash=token_digest(token))


def user_for_token(token: str) -> User | None:
    """The active user owning a valid, unrevoked token."""
    session = get_session()
    row = session.scalars(
        select(ApiToken).where(
            ApiToken.token_hash == token_digest(token), ApiToken.revoked.is_(False)
        )
    ).first()
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    session.commit()
    return row.user


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
    return user_for_token(token) if token else None


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


_FORM_TYPES = {"application/x-www-form-urlencoded"}


def _refuse_invalid_utf8_forms() -> None:
    """Refuse a form whose fields are not valid UTF-8 (Werkzeug would replace the bytes)."""
    if request.method != "POST" or request.mimetype not in _FORM_TYPES:
        return
    body = request.get_data(cache=True)  # the form parser reads the cached copy
    try:
        for field in body.split(b"&"):
            unquote_to_bytes(field.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        abort(
            400,
            description=gettext(
                "Le formulaire contient des caractères invalides (encodage UTF-8 incorrect). "
                "Copiez votre texte dans un éditeur, puis recollez-le."
            ),
        )


def init_app(app: Flask) -> None:
    """Wire user loading, form checks and security headers into ``app``."""
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour continuer."
    login_manager.session_protection = "basic"
    app.before_request(_refuse_invalid_utf8_forms)
    app.after_request(_add_headers)
