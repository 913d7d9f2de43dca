"""The weekly letter through the running wiki and a real local SMTP server: its preview
for moderators, ``wikicoop magazine send-digest`` in batches, each edition received once,
and the unsubscribe link of every letter."""

from __future__ import annotations

import smtplib
from collections.abc import Callable

import pytest
from click.testing import Result
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from helpers import Inbox, free_port, login, make_user, soup, use_smtp

from wikicoop.cli import cli
from wikicoop.web.db import get_session

from . import subscriptions as subs
from .commands import only_run

SITE = "https://wiki.example.org"
WEEK = "2026-W48"  # Monday 23 to Sunday 29 November 2026


@pytest.fixture
def week(write_article: Callable[..., object]) -> None:
    """Two articles in :data:`WEEK`, one the week after."""
    write_article("Le jardin", "2026-11-24", section="Environnement", chapo="On paille <vite>.")
    write_article("La chorale", "2026-11-27")
    write_article("La semaine suivante", "2026-12-01")


def subscribe(app: Flask, *emails: str, language: str = "fr") -> None:
    """Confirmed subscribers, as their confirmation link makes them."""
    with app.app_context():
        for email in emails:
            subs.confirm(get_session(), email, language)
        get_session().commit()


def send(app: Flask, *args: str) -> Result:
    """Run ``wikicoop magazine send-digest`` with ``args``."""
    info = ScriptInfo(create_app=lambda: app)
    command = ["magazine", "send-digest", *args]
    return app.test_cli_runner().invoke(cli, command, obj=info, catch_exceptions=False)


def delivered(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = get_session().execute(
            subs.deliveries.select()
            .with_only_columns(subs.subscribers.c.email, subs.deliveries.c.edition)
            .join_from(subs.deliveries, subs.subscribers)
        )
        return sorted((row.email, row.edition) for row in rows)


def test_the_preview_is_for_moderators(magazine: Flask, client: FlaskClient, week: None) -> None:
    subscribe(magazine, "a@exemple.org")
    assert client.get(f"/magazine/lettre/{WEEK}").status_code == 401
    make_user(magazine, "Alice")
    login(client, "Alice")
    assert client.get(f"/magazine/lettre/{WEEK}").status_code == 403
    login(client, "Modo")  # the moderator who wrote the articles
    page = soup(client.get(f"/magazine/lettre/{WEEK}"))
    letter = page.select_one(".magazine-letter")
    assert [a.text for a in letter.select("h3 a, h2 a")] == ["Le jardin", "La chorale"]
    assert "On paille <vite>." in letter.text  # escaped, shown as typed
    text = page.select_one(".magazine-letter-text").text
    assert "* Le jardin" in text and "http://localhost/wiki/La_chorale" in text
    assert "1 abonné(s)" in page.text and f"--edition {WEEK}" in page.text
    assert client.get("/magazine/lettre/2026-W99").status_code == 404


def test_send_digest_sends_each_edition_once(
    magazine: Flask, smtp_server: tuple[Inbox, int], week: None, write_article
) -> None:
    inbox, port = smtp_server
    use_smtp(magazine, port, SITE_URL=SITE, MAGAZINE_BATCH_SIZE=2)
    subscribe(magazine, "a@exemple.org", "b@exemple.org", "c@exemple.org")
    subscribe(magazine, "d@example.org", language="en")
    with magazine.app_context():
        subs.unsubscribe(get_session(), "c@exemple.org")
        get_session().commit()
    result = send(magazine, "--edition", WEEK)
    assert result.exit_code == 0, result.output
    assert f"Édition {WEEK} : 3 lettre(s) envoyée(s), 0 refusée(s)" in result.output
    messages = {m["To"]: m for m in inbox.messages()}
    assert sorted(messages) == ["a@exemple.org", "b@exemple.org", "d@example.org"]
    french, english = messages["a@exemple.org"], messages["d@example.org"]
    site = magazine.config["SITE_NAME"]
    assert french["Subject"] == f"{site} : la lettre du magazine, semaine {WEEK}"
    assert english["Subject"] == f"{site}: the magazine's letter, week {WEEK}"
    assert "Read the article" in english.get_body(("plain",)).get_content()
    text = french.get_body(("plain",)).get_content()
    html = french.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Le jardin" in part and "La chorale" in part
        assert "La semaine suivante" not in part
        assert f"{SITE}/wiki/Le_jardin" in part
    assert "On paille &lt;vite&gt;." in html
    # each letter's own unsubscribe link, in the text and in the headers
    link = french["List-Unsubscribe"].strip("<>")
    assert link.startswith(SITE + subs.UNSUBSCRIBE_PATH) and link in text
    token = link.rpartition("/")[2]
    assert subs.read_unsubscribe_token(magazine.config["SECRET_KEY"], token) == "a@exemple.org"
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert english["List-Unsubscribe"] != french["List-Unsubscribe"]
    # a second run sends nothing twice; a new subscriber gets the edition alone
    again = send(magazine, "--edition", WEEK)
    assert "0 lettre(s) envoyée(s), 0 refusée(s), 3 abonné(s)" in again.output
    subscribe(magazine, "e@exemple.org")
    assert "1 lettre(s) envoyée(s)" in send(magazine, "--edition", WEEK).output
    assert len(inbox.envelopes) == 4
    assert delivered(magazine) == [
        (email, WEEK)
        for email in ("a@exemple.org", "b@exemple.org", "d@example.org", "e@exemple.org")
    ]


def test_a_server_that_fails_leaves_the_rest_for_the_next_run(
    magazine: Flask, smtp_server: tuple[Inbox, int], week: None
) -> None:
    subscribe(magazine, "a@exemple.org", "b@exemple.org")
    use_smtp(magazine, free_port(), SITE_URL=SITE)  # nothing listens there
    failed = send(magazine, "--edition", WEEK)
    assert failed.exit_code == 1 and "relancez la commande" in failed.output
    assert delivered(magazine) == []
    inbox, port = smtp_server
    use_smtp(magazine, port, SITE_URL=SITE)
    assert "2 lettre(s) envoyée(s)" in send(magazine, "--edition", WEEK).output
    assert len(inbox.envelopes) == 2


def test_nothing_to_send_and_bad_calls(
    magazine: Flask, smtp_server: tuple[Inbox, int], week: None
) -> None:
    inbox, port = smtp_server
    subscribe(magazine, "a@exemple.org")
    off = send(magazine, "--edition", WEEK)  # no SMTP_HOST
    assert off.exit_code == 1 and "SMTP_HOST" in off.output
    use_smtp(magazine, port, SITE_URL=SITE)
    empty = send(magazine, "--edition", "2026-W30")
    assert empty.exit_code == 0 and "rien à envoyer" in empty.output
    bad = send(magazine, "--edition", "2026-48")
    assert bad.exit_code == 2 and "2026-W49" in bad.output
    assert inbox.envelopes == [] and delivered(magazine) == []


def test_a_server_failing_mid_batch_keeps_what_it_took(
    magazine: Flask, smtp_server: tuple[Inbox, int], week: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    use_smtp(magazine, port, SITE_URL=SITE, MAGAZINE_BATCH_SIZE=10)
    subscribe(magazine, *(f"{name}@exemple.org" for name in "abcde"))
    real = smtplib.SMTP.send_message
    calls = []

    def dropped_at_the_third(self: smtplib.SMTP, message: object, *args: object, **kw: object):
        calls.append(message)
        if len(calls) == 3:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real(self, message, *args, **kw)

    with monkeypatch.context() as patched:
        patched.setattr(smtplib.SMTP, "send_message", dropped_at_the_third)
        failed = send(magazine, "--edition", WEEK)
    assert failed.exit_code == 1 and "connection lost" in failed.output
    assert [email for email, _ in delivered(magazine)] == ["a@exemple.org", "b@exemple.org"]
    assert "3 lettre(s) envoyée(s)" in send(magazine, "--edition", WEEK).output
    assert sorted(m["To"] for m in inbox.messages()) == [f"{n}@exemple.org" for n in "abcde"]


def test_one_run_at_a_time(magazine: Flask, smtp_server: tuple[Inbox, int], week: None) -> None:
    inbox, port = smtp_server
    use_smtp(magazine, port, SITE_URL=SITE)
    subscribe(magazine, "a@exemple.org")
    with magazine.app_context(), only_run():  # another run is sending
        busy = send(magazine, "--edition", WEEK)
    assert busy.exit_code == 1 and "une autre commande send-digest" in busy.output
    assert inbox.envelopes == []
    assert "1 lettre(s) envoyée(s)" in send(magazine, "--edition", WEEK).output
