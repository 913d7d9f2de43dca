"""E-mail for notifications: plain-text messages sent with smtplib after the commit.

Nothing is sent while ``SMTP_HOST`` is empty. Messages are queued with
:func:`queue_mails` inside the transaction that makes the event and, once it has
committed (:func:`wikicoop.signals.after_commit`), handed to a background job
(:func:`send_later`, :mod:`wikicoop.jobs`): a worker sends them, retrying when the server
fails, each message once; without Redis, this process sends them once the response is
on its way, through one SMTP connection. A failing or refusing server is logged and
never undoes nor fails nor delays the edit that caused the message.
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
from uuid import uuid4

from flask import current_app, has_app_context, has_request_context, request
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


def build_message(settings: SmtpSettings, mail: Mail, message_id: str = "") -> EmailMessage:
    """The MIME message of ``mail`` (UTF-8 plain text, marked as sent by a program);
    ``message_id``: a stable id for its ``Message-ID`` (a new one when empty)."""
    message = EmailMessage()
    domain = settings.sender.rpartition("@")[2] or "localhost"
    message["From"] = settings.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = (
        f"<{message_id}@{domain}>" if message_id else make_msgid(domain=domain or None)
    )
    # RFC 3834: no vacation replies to notifications
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


class MailServerError(Exception):
    """The SMTP server failed (down, refused the login, dropped the connection): the
    job that sends is tried again later."""


def _deliver(
    settings: SmtpSettings,
    mails: Sequence[tuple[str, Mail]],
    done: Callable[[str], None] = lambda message_id: None,
) -> tuple[int, Exception | None]:
    """Send ``(message id, mail)`` pairs through one connection, calling ``done(id)`` right
    after the server accepted each; (how many it accepted, the connection's error or None).
    A refused recipient is logged and skipped (trying again would not help)."""
    sent = 0
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            for message_id, mail in mails:
                try:
                    smtp.send_message(build_message(settings, mail, message_id))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as err:
                    log.warning("e-mail to %s refused by %s: %s", mail.to, settings.host, err)
                    done(message_id)
                    continue
                sent += 1
                done(message_id)
    except (OSError, smtplib.SMTPException) as err:  # OSError: refused, timeout, TLS
        log.warning(
            "e-mail: %d of %d message(s) sent; server %s:%s failed: %s",
            sent,
            len(mails),
            settings.host,
            settings.port,
            err,
        )
        return sent, err
    return sent, None


def send_mails(settings: SmtpSettings, mails: Sequence[Mail]) -> int:
    """Send ``mails`` through one connection, at once; return how many the server accepted.

    Never raises: a server that is down, refuses the login or refuses one recipient is
    logged (the other recipients still get theirs when the connection holds).
    """
    if not mails:
        return 0
    return _deliver(settings, [("", mail) for mail in mails])[0]


def send_mail_job(messages: Sequence[Mapping[str, str]]) -> int:
    """The job that sends e-mail (run by a worker, or in-process without Redis): each
    message a mapping of ``id``, ``to``, ``subject``, ``body``; how many were sent.

    **Once per message**: each id is marked done right after the server accepted it, and
    a message marked done is skipped, so a retried job, or one run again after its worker
    was killed, sends only what had not gone.

    :raises MailServerError: the server failed; the job is retried (what went is marked).
    """
    from ..jobs import is_done, mark_done

    settings = SmtpSettings.from_config(current_app.config)
    if settings is None:
        log.warning("e-mail: %d message(s) dropped: SMTP_HOST is not set", len(messages))
        return 0
    waiting = [
        (m["id"], Mail(to=m["to"], subject=m["subject"], body=m["body"]))
        for m in messages
        if not is_done("mail:" + m["id"])
    ]
    if not waiting:
        return 0
    sent, error = _deliver(settings, waiting, lambda message_id: mark_done("mail:" + message_id))
    if error is not None:
        raise MailServerError(
            f"{sent} of {len(waiting)} message(s) sent; {settings.host}:{settings.port}: {error}"
        )
    return sent


def send_later(config: Mapping[str, Any], mails: Sequence[Mail]) -> bool:
    """Send ``mails`` in the background (a job: a worker, or this process once the
    response is sent); False when e-mail is off. Needs an app context."""
    if SmtpSettings.from_config(config) is None:
        return False
    if mails and not has_app_context():  # no app to run a job in: at once, as before
        send_mails(SmtpSettings.from_config(config), list(mails))  # type: ignore[arg-type]
    elif mails:
        from ..jobs import enqueue

        enqueue(
            send_mail_job,
            [{"id": uuid4().hex, "to": m.to, "subject": m.subject, "body": m.body} for m in mails],
        )
    return True


def queue_mails(session: Session, config: Mapping[str, Any], mails: Sequence[Mail]) -> bool:
    """Send ``mails`` once ``session`` commits (nothing on rollback); False when e-mail is off."""
    if SmtpSettings.from_config(config) is None or not mails:
        return False
    batch = list(mails)
    signals.after_commit(session, lambda: send_later(config, batch))
    return True


def after_response(action: Callable[[], None]) -> None:
    """Run ``action`` once the response is sent (its ``close``), so no one waits for it;
    at once outside a request (the command line). Prefer :func:`send_later` for e-mail:
    it goes through the job queue when there is one."""
    from ..jobs import after_response as run_after_response

    run_after_response(action)
