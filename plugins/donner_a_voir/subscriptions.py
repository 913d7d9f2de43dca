"""Subscriptions to the magazine's weekly letter, with double opt-in.

Asking to subscribe stores nothing: it sends a confirmation e-mail whose link carries the
address, signed with the app's secret key (itsdangerous) and valid for
``MAGAZINE_CONFIRM_DAYS`` days. Only a confirmed address gets a row. So the answer is
the same whether or not the address is already subscribed (nothing tells a stranger who
reads the letter), and nobody's address is kept because someone else typed it.

Unsubscribing needs no account either: each letter carries a signed link that does not
expire (an old letter's link still works). The row stays, marked ``unsubscribed``.

The tables are the plugin's own (its Alembic branch in ``versions/``), described here
with their own metadata: the core's tables never list them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, select, update
from sqlalchemy.orm import Session

from wikicoop.community import mailer
from wikicoop.core.field_kinds import KindError, check_value
from wikicoop.core.models import UTCDateTime, utcnow

from .texts import LANGUAGES, say

metadata = MetaData()

subscribers = Table(
    "donner_a_voir_subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("language", String(8), nullable=False, server_default="fr"),
    Column("status", String(16), nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=False),
    Column("unsubscribed_at", UTCDateTime, nullable=True),
)

deliveries = Table(
    "donner_a_voir_deliveries",
    metadata,
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("donner_a_voir_subscribers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("edition", String(10), primary_key=True),
    Column("sent_at", UTCDateTime, nullable=False),
)

CONFIRMED = "confirmed"
UNSUBSCRIBED = "unsubscribed"

#: days a confirmation link stays valid (setting ``MAGAZINE_CONFIRM_DAYS``)
CONFIRM_DAYS = 7
#: the site paths of the signed links (the e-mails add the site's address before them)
CONFIRM_PATH = "/magazine/abonnement/confirmer/"
UNSUBSCRIBE_PATH = "/magazine/desabonnement/"

_CONFIRM_SALT = "donner_a_voir:confirm"
_UNSUBSCRIBE_SALT = "donner_a_voir:unsubscribe"


class BadAddress(ValueError):
    """What was typed is not an e-mail address."""


def normalise_email(raw: object) -> str:
    """The address to store: trimmed, lower-cased, checked like the ``email`` field kind.

    Raises :class:`BadAddress`.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise BadAddress(raw)
    try:
        return check_value("email", raw.strip()).lower()
    except KindError:
        raise BadAddress(raw) from None


def confirm_days(config: Mapping[str, Any]) -> int:
    """How many days a confirmation link is valid."""
    return int(config.get("MAGAZINE_CONFIRM_DAYS") or CONFIRM_DAYS)


# ------------------------------------------------------------------------ signed links


def confirm_token(secret: str, email: str, language: str) -> str:
    """The signed, dated token of a confirmation link."""
    return URLSafeTimedSerializer(secret, salt=_CONFIRM_SALT).dumps([email, language])


def read_confirm_token(secret: str, token: str, max_age_days: int) -> tuple[str, str] | None:
    """The address and language of a confirmation token; None when it is forged, damaged
    or older than ``max_age_days``."""
    serializer = URLSafeTimedSerializer(secret, salt=_CONFIRM_SALT)
    try:
        email, language = serializer.loads(token, max_age=max_age_days * 86_400)
    except (SignatureExpired, BadSignature, ValueError, TypeError):
        return None
    return str(email), str(language) if language in LANGUAGES else "fr"


def unsubscribe_token(secret: str, email: str) -> str:
    """The signed token of an unsubscribe link (it does not expire)."""
    return URLSafeSerializer(secret, salt=_UNSUBSCRIBE_SALT).dumps(email)


def read_unsubscribe_token(secret: str, token: str) -> str | None:
    """The address of an unsubscribe token; None when it is forged or damaged."""
    try:
        email = URLSafeSerializer(secret, salt=_UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    return email if isinstance(email, str) else None


def unsubscribe_url(config: Mapping[str, Any], email: str) -> str:
    """The absolute unsubscribe link of ``email`` (the site's address from ``SITE_URL``
    or the request)."""
    token = unsubscribe_token(config["SECRET_KEY"], email)
    return f"{mailer.site_root(config)}{UNSUBSCRIBE_PATH}{token}"


# --------------------------------------------------------------------------- requests


def request_subscription(
    session: Session, config: Mapping[str, Any], raw_email: object, language: str
) -> str:
    """Send the confirmation e-mail of ``raw_email`` once ``session`` commits (the caller
    commits); the normalised address. Stores nothing.

    Raises :class:`BadAddress`. The same happens for a new, a confirmed or an
    unsubscribed address: confirming again is harmless.
    """
    email = normalise_email(raw_email)
    days = confirm_days(config)
    token = confirm_token(config["SECRET_KEY"], email, language)
    site = config.get("SITE_NAME") or "wikicoop"
    link = f"{mailer.site_root(config)}{CONFIRM_PATH}{token}"
    mail = mailer.Mail(
        to=email,
        subject=say("confirm_subject", language, site=site),
        body=say("confirm_body", language, site=site, days=days, link=link),
    )
    mailer.queue_mails(session, config, [mail])
    return email


@dataclass(frozen=True)
class Subscriber:
    """A confirmed subscriber: the letter's recipient."""

    id: int
    email: str
    language: str


def confirm(session: Session, email: str, language: str, now: datetime | None = None) -> None:
    """Subscribe ``email`` (not committed): a new row, or an unsubscribed one back."""
    now = now or utcnow()
    row = session.execute(
        select(subscribers.c.id, subscribers.c.status).where(subscribers.c.email == email)
    ).first()
    if row is None:
        session.execute(
            subscribers.insert().values(
                email=email, language=language, status=CONFIRMED, confirmed_at=now
            )
        )
    elif row.status != CONFIRMED:
        session.execute(
            update(subscribers)
            .where(subscribers.c.id == row.id)
            .values(status=CONFIRMED, language=language, confirmed_at=now, unsubscribed_at=None)
        )


def unsubscribe(session: Session, email: str, now: datetime | None = None) -> None:
    """Stop sending the letter to ``email`` (not committed; nothing when unknown)."""
    session.execute(
        update(subscribers)
        .where(subscribers.c.email == email, subscribers.c.status == CONFIRMED)
        .values(status=UNSUBSCRIBED, unsubscribed_at=now or utcnow())
    )


def confirmed_subscribers(session: Session) -> list[Subscriber]:
    """Every confirmed subscriber, oldest first."""
    rows = session.execute(
        select(subscribers.c.id, subscribers.c.email, subscribers.c.language)
        .where(subscribers.c.status == CONFIRMED)
        .order_by(subscribers.c.id)
    )
    return [Subscriber(row.id, row.email, row.language) for row in rows]


def status_of(session: Session, email: str) -> str | None:
    """The status of ``email`` (None when it never confirmed)."""
    return session.scalar(select(subscribers.c.status).where(subscribers.c.email == email))
