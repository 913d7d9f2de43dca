"""Passwords and API tokens: hashing, checking, creating and revoking.

Passwords are hashed with Werkzeug's KDF helpers (scrypt by default, the
``PASSWORD_HASH_METHOD`` setting). API tokens are stored as SHA-256 digests and shown
once at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.models import ApiToken, User, utcnow

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


#: A token's last use is written at most this often: a script's burst of calls makes
#: one write, not one per call.
LAST_USE_PRECISION = timedelta(minutes=1)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning a valid, unrevoked token (its last use is recorded)."""
    row = session.scalars(
        select(ApiToken)
        .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked.is_(False))
        .options(joinedload(ApiToken.user))  # one query per call of a script, not two
    ).first()
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_PRECISION:
        row.last_used_at = now
        session.commit()
    return row.user


def active_tokens(session: Session, user: User) -> list[ApiToken]:
    """The unrevoked tokens of ``user``, oldest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
            .order_by(ApiToken.id)
        )
    )


#: Largest token id worth looking up (the column is a 32-bit integer on PostgreSQL).
_MAX_ID = 2**31 - 1


def revoke_token(session: Session, token_id: int, owner: User | None = None) -> ApiToken | None:
    """Revoke the unrevoked token ``token_id`` (of ``owner`` only, when given) and commit.

    Returns None when there is no such token: unknown, already revoked, or another's
    (the caller answers 404 alike, so ids of other people's tokens are not revealed).
    """
    if not 0 < token_id <= _MAX_ID:
        return None
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked or (owner is not None and row.user_id != owner.id):
        return None
    row.revoked = True
    session.commit()
    return row
