"""E-mail for notifications: plain-text messages sent with smtplib after the commit.

Nothing is sent while ``SMTP_HOST`` is empty. Messages are queued with
:func:`queue_mails` inside the transaction that makes the event, and sent once it has
committed (:func:`wikicoop.signals.after_commit`) and, within a request, once the
response is on its way, through one SMTP connection. A failing or refusing server is
logged and never undoes nor fails nor delays the edit that caused the message.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import Response, after_this_request, has_request_context, request
from sqlalchemy.orm import Session

from ..core import signals

log = logging.getLogger(__name__)

#: seconds to wait for the SMTP server before giving up (the edit is already saved)
SMTP_TIMEOUT = 10


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one address."""

    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server (read from the app's settings)."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "wikicoop@localhost"
    timeout: float = SMTP_TIMEOUT

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """The settings of ``config``, or None when e-mail is off (no ``SMTP_HOST``)."""
        host = (config.get("SMTP_HOST") or "").strip()
        if not host:
            return None
        return cls(
            host=host,
            port=int(config.get("SMTP_PORT") or 25),
            username=config.get("SMTP_USERNAME") or "",
            password=config.get("SMTP_PASSWORD") or "",
            starttls=bool(config.get("SMTP_STARTTLS")),
            sender=config.get("MAIL_FROM") or "wikicoop@localhost",
        )


def site_root(config: Mapping[str, Any]) -> str:
    """The absolute address of the wiki, without the final slash, for links in e-mails.

    ``SITE_URL`` when set, else the root of the current request, else "" (relative links).
    """
    configured = (config.get("SITE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return ""


def build_message(settings: SmtpSettings, mail: Mail) -> EmailMessage:
    """The MIME message of ``mail`` (UTF-8 plain text, marked as sent by a program)."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    # RFC 3834: no vacation replies to notifications
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


def send_mails(settings: SmtpSettings, mails: Sequence[Mail]) -> int:
    """Send ``mails`` through one connection; return how many the server accepted.

    Never raises: a server that is down, refuses the login or refuses one recipient is
    logged (the other recipients still get theirs when the connection holds).
    """
    if not mails:
        return 0
    sent = 0
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            for mail in mails:
                try:
                    smtp.send_message(build_message(settings, mail))
                    sent += 1
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as err:
                    log.warning("e-mail to %s refused by %s: %s", mail.to, settings.host, err)
    except (OSError, smtplib.SMTPException) as err:  # OSError: refused, timeout, TLS
        log.warning(
            "e-mail: %d of %d message(s) sent; server %s:%s failed: %s",
            sent,
            len(mails),
            settings.host,
            settings.port,
            err,
        )
    return sent


def queue_mails(session: Session, config: Mapping[str, Any], mails: Sequence[Mail]) -> bool:
    """Send ``mails`` once ``session`` commits (nothing on rollback); False when e-mail is off."""
    settings = SmtpSettings.from_config(config)
    if settings is None or not mails:
        return False
    batch = list(mails)
    signals.after_commit(session, lambda: after_response(lambda: send_mails(settings, batch)))
    return True


def after_response(action: Callable[[], None]) -> None:
    """Run ``action`` once the response is sent (its ``close``), so no one waits for it;
    at once outside a request (the command line)."""
    if not has_request_context():
        action()
        return

    @after_this_request
    def schedule(response: Response) -> Response:
        response.call_on_close(action)
        return response
