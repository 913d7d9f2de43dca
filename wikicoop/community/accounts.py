"""Accounts: creation, password changes and roles (pure service, no Flask request)."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.models import ROLES, User
from ..errors import ServiceError
from ..text.titles import TitleError, parse_title
from .credentials import hash_password, new_session_nonce, verify_password

MIN_PASSWORD_LENGTH = 10
#: Length of the ``users.username_key`` column: a longer key names no account.
USERNAME_KEY_LENGTH = 64


class AccountError(ServiceError, ValueError):
    """A refused account operation: a code and its parameters (see
    :class:`~wikicoop.errors.ServiceError`); ``str(err)`` is the French sentence."""


def username_key(username: str) -> str:
    """The key that makes two spellings of a name the same account.

    It is the casefolded canonical name (:func:`normalise_username`): ``ana_lys``,
    ``Ana lys`` and `` ANA   LYS `` give the same key, the one stored in
    ``User.username_key``. This is the only normalisation of user names: every lookup
    (:func:`find_user`) and every new account goes through it. A name that could not be
    an account (too long, forbidden characters) gets a key no account has.
    """
    try:
        canonical = normalise_username(username)
    except AccountError:
        canonical = " ".join(username.replace("_", " ").split())
    return canonical.casefold()


def normalise_username(username: str) -> str:
    """The canonical form of a new username: the name of its Utilisateur: page.

    Raises :class:`AccountError` when the name could not be a page title.
    """
    cleaned = " ".join(username.split())
    if not 3 <= len(cleaned) <= 64 or any(c in cleaned for c in "[]{}<>|#/:@~%&"):
        raise AccountError("invalid-username")
    try:
        return parse_title(cleaned, default_namespace="user").name
    except TitleError as err:
        raise AccountError("unusable-username", reason=err) from None


def _valid_email(email: str | None) -> str | None:
    """The e-mail address of a new account (None when not given).

    Raises :class:`AccountError` for one that could not be an address: no ``@``, or a
    space or control character (a NUL byte, which PostgreSQL refuses, among them).
    """
    if not email:
        return None
    if (
        len(email) > 254
        or "@" not in email
        or any(unicodedata.category(c)[0] in "CZ" for c in email)
    ):
        raise AccountError("invalid-email")
    return email


def find_user(session: Session, username: str) -> User | None:
    """The account named ``username`` under any spelling that normalises to its name."""
    key = username_key(username)
    if not key or len(key) > USERNAME_KEY_LENGTH or "\x00" in key:
        return None  # no account has such a key (and PostgreSQL refuses NUL in text)
    return session.scalars(select(User).where(User.username_key == key)).first()


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: str = "contributor",
    email: str | None = None,
    trust: str = "auto",
    bot: bool = False,
) -> User:
    """Create and commit an account; raise :class:`AccountError` when it cannot be made.

    ``trust`` is "auto" for a newcomer (trust is earned, see :mod:`wikicoop.moderation`) or
    "granted" for an account that publishes at once. A ``bot`` (a program's account) is
    exempt from the edit rate limits.
    """
    username = normalise_username(username)
    if role not in ROLES:
        raise AccountError("unknown-role", role=role, roles=list(ROLES))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password-too-short", min=MIN_PASSWORD_LENGTH)
    if find_user(session, username) is not None:
        raise AccountError("name-taken", name=username)
    user = User(
        username=username,
        username_key=username_key(username),
        email=_valid_email(email),
        password_hash=hash_password(password),
        role=role,
        trust=trust,
        bot=bot,
        session_nonce=new_session_nonce(),
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AccountError("name-taken", name=username) from None
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None."""
    user = find_user(session, username)
    if user is None or not user.active or not verify_password(user, password):
        return None
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password (which also ends the user's other sessions)."""
    if not verify_password(user, current):
        raise AccountError("wrong-password")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError("password-too-short", variant="new", min=MIN_PASSWORD_LENGTH)
    user.password_hash = hash_password(new)
    user.session_nonce = new_session_nonce()
    session.commit()


def end_sessions(session: Session, user: User) -> None:
    """End every browser session of ``user``: session and remember-me cookies stop working.

    Cookies are signed, not stored, so a copy would outlive a plain logout; they carry
    ``User.session_nonce`` (see ``User.get_id``), and a new nonce makes them all invalid.
    This is "log out everywhere": a per-browser logout would need a server-side table of
    sessions, and a shared computer is better served by ending them all.
    """
    user.session_nonce = new_session_nonce()
    session.commit()
