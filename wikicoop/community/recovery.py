"""Getting an account back: signed links to choose a new password or to confirm a new
e-mail address, and the e-mails that carry them.

Pure service (a SQLAlchemy session and plain values, no Flask request). Links carry a
token signed with the site's secret key (itsdangerous, one salt per purpose) that holds
the account's id and a fingerprint of what the link may change:

- a password link is bound to the current password hash (and address): once the password
  is changed, by this link or otherwise, the link no longer works. It lasts one hour;
- an e-mail link is bound to the address it replaces (and the password hash): once the
  address is changed, it no longer works. It lasts a day.

Nothing is stored: a link is single use because what it is bound to changes when used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.models import User
from ..error_messages import N_, catalog, register
from ..errors import ServiceError
from . import mailer
from .accounts import MIN_PASSWORD_LENGTH, AccountError, _valid_email, find_user, username_key
from .credentials import hash_password, new_session_nonce

#: how long a link to choose a new password works, in seconds
RESET_MAX_AGE = 3600
#: how long a link to confirm a new e-mail address works, in seconds
EMAIL_MAX_AGE = 24 * 3600
#: one salt per purpose: a token made for one purpose is worth nothing for the other
RESET_SALT = "wikicoop.password-reset"
EMAIL_SALT = "wikicoop.email-change"
#: accounts sharing one address (a family, a workshop's helper) get one e-mail each, up to
MAX_ACCOUNTS_PER_ADDRESS = 5
#: what the audit log calls a moderator's password link
ACTION_RESET_LINK = "reset-link"
#: the audit log's label of that act (the web's table of labels takes it from here)
RESET_LINK_LABEL = N_("lien pour un nouveau mot de passe")

register(
    {
        "link-invalid": N_(
            "Ce lien n'est pas valide : il est incomplet ou a été modifié. "
            "Copiez-le en entier depuis l'e-mail, ou demandez un nouveau lien."
        ),
        "link-expired": N_(
            "Ce lien a expiré. Demandez un nouveau lien : il arrivera en une minute."
        ),
        "link-used": N_(
            "Ce lien a déjà servi, ou un lien plus récent l'a remplacé. Si besoin, "
            "demandez un nouveau lien."
        ),
        "account-inactive": N_(
            "Ce compte est désactivé : il ne peut pas choisir de nouveau mot de passe. "
            "Adressez-vous à un modérateur du wiki."
        ),
        "email-unchanged": N_("C'est déjà l'adresse de votre compte."),
    }
)


class RecoveryError(ServiceError):
    """A link that does not work (invalid, expired, used) or a refused change."""


# ------------------------------------------------------------------------- tokens


class _SignerAt(TimestampSigner):
    """A signer that dates its signatures ``issued_at`` (a token made in the past)."""

    def __init__(self, *args: Any, issued_at: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issued_at = issued_at

    def get_timestamp(self) -> int:
        return int(self.issued_at)


def _serializer(secret_key: str, salt: str, issued_at: float | None) -> URLSafeTimedSerializer:
    if issued_at is None:
        return URLSafeTimedSerializer(secret_key, salt=salt)
    return URLSafeTimedSerializer(
        secret_key, salt=salt, signer=_SignerAt, signer_kwargs={"issued_at": issued_at}
    )


def _fingerprint(*parts: str | None) -> str:
    """A short digest of what a link is bound to (the token is readable, not secret:
    it shows a digest, never the password hash itself)."""
    joined = "\x00".join(part or "" for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


def _reset_fingerprint(user: User) -> str:
    return _fingerprint("reset", user.password_hash, (user.email or "").casefold())


def _email_fingerprint(user: User) -> str:
    return _fingerprint("email", user.password_hash, (user.email or "").casefold())


def reset_token(secret_key: str, user: User, *, issued_at: float | None = None) -> str:
    """A token for the link that lets ``user`` choose a new password (one hour, one use).

    ``issued_at`` (a POSIX time) dates it in the past, for tests of expiry.
    """
    return str(
        _serializer(secret_key, RESET_SALT, issued_at).dumps([user.id, _reset_fingerprint(user)])
    )


def decoy_token(secret_key: str) -> str:
    """A token for no account: the work of :func:`reset_token`, so that asking for a link
    takes as long whether an account matches or not."""
    fingerprint = _fingerprint("reset", "", "")
    return str(_serializer(secret_key, RESET_SALT, None).dumps([0, fingerprint]))


def email_token(
    secret_key: str, user: User, new_email: str, *, issued_at: float | None = None
) -> str:
    """A token for the link that confirms ``new_email`` as ``user``'s address (a day)."""
    payload = [user.id, _email_fingerprint(user), new_email]
    return str(_serializer(secret_key, EMAIL_SALT, issued_at).dumps(payload))


def _load(secret_key: str, salt: str, token: str, max_age: int) -> list[Any]:
    """The payload of a signed token, or :class:`RecoveryError` saying what is wrong."""
    if not isinstance(token, str) or len(token) > 1000:
        raise RecoveryError("link-invalid")
    try:
        payload = URLSafeTimedSerializer(secret_key, salt=salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise RecoveryError("link-expired", status=410) from None
    except (BadData, ValueError, UnicodeError):  # tampered, cut short, or not a token
        raise RecoveryError("link-invalid") from None
    if not isinstance(payload, list) or not payload or type(payload[0]) is not int:
        raise RecoveryError("link-invalid")
    return payload


def _account(session: Session, user_id: int) -> User:
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:  # the account was deleted since
        raise RecoveryError("link-invalid")
    if not user.active:
        raise RecoveryError("account-inactive", status=403)
    return user


def user_for_reset(
    session: Session, secret_key: str, token: str, *, max_age: int = RESET_MAX_AGE
) -> User:
    """The account a password link is for, or :class:`RecoveryError`: ``link-invalid``
    (400: tampered or cut), ``link-expired`` or ``link-used`` (410), ``account-inactive``
    (403)."""
    payload = _load(secret_key, RESET_SALT, token, max_age)
    if len(payload) != 2:
        raise RecoveryError("link-invalid")
    user = _account(session, payload[0])
    if payload[1] != _reset_fingerprint(user):
        raise RecoveryError("link-used", status=410)
    return user


def set_new_password(session: Session, user: User, new: str) -> None:
    """Give ``user`` the password ``new`` without the old one (its link was the proof),
    ending every other session of the account, and commit. The same rule as the
    password change (:func:`~wikicoop.community.accounts.change_password`)."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError("password-too-short", variant="new", min=MIN_PASSWORD_LENGTH)
    user.password_hash = hash_password(new)
    user.session_nonce = new_session_nonce()  # sessions carry the nonce: they all end
    session.commit()


def check_new_email(user: User, email: str) -> str:
    """``email`` if it can become ``user``'s address, else :class:`AccountError` or
    :class:`RecoveryError` (already the account's address)."""
    cleaned = _valid_email(email.strip())
    if cleaned is None:
        raise AccountError("invalid-email")
    if cleaned.casefold() == (user.email or "").casefold():
        raise RecoveryError("email-unchanged")
    return cleaned


def confirm_email(
    session: Session, secret_key: str, token: str, *, max_age: int = EMAIL_MAX_AGE
) -> tuple[User, str | None]:
    """Give the account of an e-mail link its new address and commit: (the account, its
    old address). :class:`RecoveryError` like :func:`user_for_reset`."""
    payload = _load(secret_key, EMAIL_SALT, token, max_age)
    if len(payload) != 3 or not isinstance(payload[2], str):
        raise RecoveryError("link-invalid")
    user = _account(session, payload[0])
    if payload[1] != _email_fingerprint(user):
        raise RecoveryError("link-used", status=410)
    try:
        new = _valid_email(payload[2])
    except AccountError:  # signed by this site, but no longer a valid address
        raise RecoveryError("link-invalid") from None
    old, user.email = user.email, new
    session.commit()
    return user, old


# ---------------------------------------------------------------------- who to write


def accounts_to_reach(session: Session, typed: str) -> list[User]:
    """The active accounts with an address that ``typed`` (an address or a name) names.

    An address finds every account that gave it (case does not matter), a name its
    account; no account, or one without an address or inactive, gives [] (the caller
    answers the same in every case).
    """
    typed = " ".join(typed.split())[:254]
    if not typed or "\x00" in typed:
        return []
    if "@" in typed:
        rows = session.scalars(
            select(User)
            .where(func.lower(User.email) == typed.lower(), User.active.is_(True))
            .order_by(User.id)
            .limit(MAX_ACCOUNTS_PER_ADDRESS)
        )
        return list(rows)
    user = find_user(session, typed)
    if user is None or not user.active or not user.email:
        return []
    return [user]


def target_key(typed: str) -> str:
    """What a rate limit per target counts: every spelling of an address or a name
    counts the same."""
    typed = " ".join((typed or "").split())[:254]
    key = typed.casefold() if "@" in typed else username_key(typed)  # "ana_lys" = "Ana lys"
    return "reset-target:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


# ------------------------------------------------------------------------- e-mails

RESET_SUBJECT = N_("Choisir un nouveau mot de passe")
RESET_BODY = N_(
    "Bonjour,\n\n"
    "Quelqu'un (sans doute vous) a demandé à choisir un nouveau mot de passe pour le "
    "compte « %(name)s » sur %(site)s.\n\n"
    "Pour choisir un nouveau mot de passe, ouvrez ce lien :\n%(link)s\n\n"
    "Le lien marche pendant une heure, et une seule fois.\n\n"
    "Si vous n'avez rien demandé, ne faites rien : ignorez cet e-mail, votre mot de passe "
    "ne change pas.\n"
)
EMAIL_CONFIRM_SUBJECT = N_("Confirmer votre nouvelle adresse e-mail")
EMAIL_CONFIRM_BODY = N_(
    "Bonjour,\n\n"
    "Le compte « %(name)s » sur %(site)s demande à utiliser cette adresse e-mail.\n\n"
    "Pour confirmer, ouvrez ce lien :\n%(link)s\n\n"
    "Le lien marche pendant 24 heures, et une seule fois. L'adresse du compte ne change "
    "que lorsque vous l'ouvrez.\n\n"
    "Si vous n'avez rien demandé, ne faites rien : ignorez cet e-mail.\n"
)
EMAIL_NOTICE_SUBJECT = N_("Changement d'adresse e-mail demandé")
EMAIL_NOTICE_BODY = N_(
    "Bonjour,\n\n"
    "Le compte « %(name)s » sur %(site)s a demandé à remplacer cette adresse e-mail par "
    "%(new)s. Elle ne changera que si quelqu'un ouvre le lien envoyé à la nouvelle "
    "adresse.\n\n"
    "Si ce n'est pas vous, changez votre mot de passe ou prévenez un modérateur du wiki : "
    "%(site_link)s\n"
)


@dataclass(frozen=True)
class MailText:
    """The French subject and body of a message, with what fills them."""

    subject: str
    body: str


RESET_MAIL = MailText(RESET_SUBJECT, RESET_BODY)
EMAIL_CONFIRM_MAIL = MailText(EMAIL_CONFIRM_SUBJECT, EMAIL_CONFIRM_BODY)
EMAIL_NOTICE_MAIL = MailText(EMAIL_NOTICE_SUBJECT, EMAIL_NOTICE_BODY)


def mail_in(
    config: Mapping[str, Any], text: MailText, to: str, language: str, **fields: str
) -> mailer.Mail:
    """The message ``text`` to ``to`` in ``language``, one of the site's languages
    (``LANGUAGES``; French otherwise)."""
    languages = [code.strip() for code in str(config.get("LANGUAGES") or "fr").split(",")]
    translate = catalog(language if language in languages else "fr").gettext
    site = config.get("SITE_NAME") or "wikicoop"
    body = translate(text.body) % {"site": site, **fields}
    return mailer.Mail(to=to, subject=f"[{site}] {translate(text.subject)}", body=body)
