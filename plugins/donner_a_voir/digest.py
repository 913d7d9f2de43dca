"""The weekly letter: the week's published articles as HTML and plain text, sent to the
confirmed subscribers by SMTP in batches, each delivery recorded.

**Once per subscriber and edition.** A row of ``donner_a_voir_deliveries`` is written
for every message the server accepted, and committed after each batch (or when the
server fails in the middle of one): a second run, or a run after an interruption, sends
only to those who did not get the edition.

**Each letter is personal** only by its unsubscribe link (in the text, and in the
``List-Unsubscribe`` headers of RFC 2369 and RFC 8058 that mail programs show as a
button). The letter is built once per language; each message only fills in its link.

The SMTP connection is the site's (``SMTP_*`` settings, :mod:`wikicoop.community.mailer`);
one connection per batch (``MAGAZINE_BATCH_SIZE`` messages).
"""

from __future__ import annotations

import smtplib
import ssl
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

from babel.dates import format_date
from flask import current_app
from markupsafe import Markup
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from wikicoop.community import mailer
from wikicoop.core.models import utcnow
from wikicoop.web.urls import page_url

from . import articles as arts
from . import subscriptions as subs
from .texts import say

#: messages sent through one SMTP connection (setting ``MAGAZINE_BATCH_SIZE``)
BATCH_SIZE = 100
#: stands for a subscriber's unsubscribe link in a letter built once for all
_LINK = "\x00unsubscribe\x00"


@dataclass(frozen=True)
class Letter:
    """One edition's letter in one language, its unsubscribe link left to fill in."""

    edition: str
    language: str
    subject: str
    text: str
    #: the HTML of the letter's body (the articles), also shown by the preview page
    body_html: str
    #: the whole HTML document of the e-mail
    html: str

    def for_link(self, link: str) -> tuple[str, str]:
        """The plain text and HTML of the letter with ``link`` as unsubscribe link."""
        return self.text.replace(_LINK, link), self.html.replace(_LINK, str(Markup.escape(link)))


def edition_articles(session: Session, edition: str) -> list[arts.Article]:
    """The published articles of ``edition`` (its week), oldest first."""
    return arts.in_edition(arts.published_articles(session), edition)


def build_letter(
    articles: Sequence[arts.Article], edition: str, language: str, config: Mapping[str, Any]
) -> Letter:
    """The letter of ``edition`` in ``language`` (``config``: the app's settings, for the
    site's name and address; rendered with the app's templates)."""
    monday = arts.edition_monday(edition)
    assert monday is not None, edition
    start, end = arts.week_span(monday)
    root = mailer.site_root(config)
    site = config.get("SITE_NAME") or "wikicoop"

    def day(value: date) -> str:
        return format_date(value, "long", locale=language)

    entries = [
        {"article": a, "url": root + page_url(a.page.title), "day": day(a.published)}
        for a in articles
    ]
    subject = say("digest_subject", language, site=site, week=edition)
    words = {
        "intro": say("digest_intro", language, start=day(start), end=day(end)),
        "empty": say("digest_empty", language),
        "read_more": say("read_more", language),
        "footer": say("digest_footer", language, link=_LINK),
    }
    env = current_app.jinja_env
    context = {"entries": entries, "words": words, "subject": subject, "lang": language}
    body_html = env.get_template("donner_a_voir/lettre_contenu.html").render(
        **context, by=lambda a: say("by", language, byline=a.byline)
    )
    html = env.get_template("donner_a_voir/lettre_courriel.html").render(
        **context, body=Markup(body_html), footer_link=_LINK
    )
    text = _plain(subject, words, entries, language)
    return Letter(edition, language, subject, text, body_html, html)


def _plain(subject: str, words: dict[str, str], entries: list[dict], language: str) -> str:
    """The plain-text letter: a title, then each article's title, line, standfirst, link."""
    lines = [subject, "=" * len(subject), "", words["intro"] if entries else words["empty"]]
    for entry in entries:
        article = entry["article"]
        by = say("by", language, byline=article.byline)
        lines += ["", f"* {article.title}", f"  {article.section} — {by} — {entry['day']}"]
        lines += textwrap.wrap(article.standfirst, 76, initial_indent="  ", subsequent_indent="  ")
        lines.append("  " + say("read_more_link", language, url=entry["url"]))
    lines += ["", "-- ", words["footer"], ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- sending


def waiting(session: Session, edition: str) -> list[subs.Subscriber]:
    """The confirmed subscribers who have not received ``edition``, oldest first."""
    received = exists().where(
        subs.deliveries.c.subscriber_id == subs.subscribers.c.id,
        subs.deliveries.c.edition == edition,
    )
    rows = session.execute(
        select(subs.subscribers.c.id, subs.subscribers.c.email, subs.subscribers.c.language)
        .where(subs.subscribers.c.status == subs.CONFIRMED, ~received)
        .order_by(subs.subscribers.c.id)
    )
    return [subs.Subscriber(row.id, row.email, row.language) for row in rows]


@dataclass
class Report:
    """What a run did: messages accepted, refused, and subscribers who had it already."""

    sent: int = 0
    refused: int = 0
    already: int = 0
    #: the edition has no published article: nothing was sent
    empty: bool = False


def message_for(
    settings: mailer.SmtpSettings, letter: Letter, subscriber: subs.Subscriber, link: str
) -> EmailMessage:
    """The e-mail of ``letter`` to ``subscriber``: text and HTML, with its unsubscribe
    link in the text and in the headers mail programs offer as a button."""
    text, html = letter.for_link(link)
    message = mailer.build_message(settings, mailer.Mail(subscriber.email, letter.subject, text))
    message.add_alternative(html, subtype="html")
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Precedence"] = "bulk"
    return message


def send_batch(
    settings: mailer.SmtpSettings,
    messages: Sequence[tuple[int, EmailMessage]],
    accepted: list[int],
) -> None:
    """Send ``(subscriber id, message)`` pairs through one connection, appending to
    ``accepted`` the id of each message the server took. A refused recipient is skipped;
    a failing connection raises (``OSError`` or ``smtplib.SMTPException``), ``accepted``
    then holding what went out before it (so it is recorded all the same)."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password)
        for subscriber_id, message in messages:
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
                continue
            accepted.append(subscriber_id)


def batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def send_digest(
    session: Session,
    config: Mapping[str, Any],
    edition: str,
    progress: Callable[[int], None] = lambda done: None,
) -> Report:
    """Send ``edition``'s letter to every confirmed subscriber who has not received it,
    in batches; each accepted message is recorded and committed with its batch.

    ``progress(n)`` is called after each batch with the number of subscribers handled.
    Raises :class:`ValueError` when e-mail is off (no ``SMTP_HOST``); a failing server
    stops the run (what was sent stays recorded, a new run goes on from there).
    """
    settings = mailer.SmtpSettings.from_config(config)
    if settings is None:
        raise ValueError("SMTP_HOST is not set: e-mail is off")
    report = Report()
    articles = edition_articles(session, edition)
    if not articles:
        report.empty = True
        return report
    recipients = waiting(session, edition)
    report.already = len(subs.confirmed_subscribers(session)) - len(recipients)
    letters: dict[str, Letter] = {}
    secret = config["SECRET_KEY"]
    root = mailer.site_root(config)
    size = int(config.get("MAGAZINE_BATCH_SIZE") or BATCH_SIZE)
    for batch in batches(recipients, size):
        messages = []
        for subscriber in batch:
            letter = letters.get(subscriber.language)
            if letter is None:
                letter = letters[subscriber.language] = build_letter(
                    articles, edition, subscriber.language, config
                )
            token = subs.unsubscribe_token(secret, subscriber.email)
            link = f"{root}{subs.UNSUBSCRIBE_PATH}{token}"
            messages.append((subscriber.id, message_for(settings, letter, subscriber, link)))
        accepted: list[int] = []
        try:
            send_batch(settings, messages, accepted)
        finally:  # a server failing mid-batch: what it took is not sent again
            _record(session, edition, accepted)
            report.sent += len(accepted)
        report.refused += len(batch) - len(accepted)
        progress(len(batch))
    return report


def _record(session: Session, edition: str, subscriber_ids: list[int]) -> None:
    """Record (and commit) that ``subscriber_ids`` received ``edition``."""
    if subscriber_ids:
        now = utcnow()
        rows = [{"subscriber_id": i, "edition": edition, "sent_at": now} for i in subscriber_ids]
        session.execute(subs.deliveries.insert(), rows)
    session.commit()


# ------------------------------------------------------------- as a background job

#: seconds the job's lock lives without news (renewed after each batch): a worker killed
#: mid-run frees the edition for the next attempt after this long
JOB_LOCK_SECONDS = 300


class DigestBusy(RuntimeError):
    """Another run of the job is sending: this one is retried later (and then sends only
    to whom the other did not)."""


def send_digest_job(edition: str) -> dict[str, int]:
    """The background job of ``wikicoop magazine send-digest --background``: send
    ``edition`` as :func:`send_digest` does, in a worker (retried, with a back-off, when
    the SMTP server fails: each subscriber still gets the edition once, by the recorded
    deliveries). One run at a time per queue (a lock in Redis).

    :raises DigestBusy: another run holds the lock.
    """
    from uuid import uuid4

    from wikicoop.jobs import redis_of
    from wikicoop.jobs.queue import queue_name
    from wikicoop.web.db import get_session

    config = current_app.config
    connection = redis_of()
    key = f"wikicoop:jobs:{queue_name(config)}:magazine-digest"
    token = uuid4().hex
    if connection is not None and not connection.set(key, token, nx=True, ex=JOB_LOCK_SECONDS):
        raise DigestBusy(f"another run is sending a letter (lock {key})")

    def renew(_done: int) -> None:
        if connection is not None:
            connection.expire(key, JOB_LOCK_SECONDS)

    try:
        report = send_digest(get_session(), config, edition, progress=renew)
    finally:
        if connection is not None and connection.get(key) == token.encode():
            connection.delete(key)
    return {"sent": report.sent, "refused": report.refused, "already": report.already}
