"""Subscribing to the weekly letter through the running wiki, with a real local SMTP
server: double opt-in by a signed link, the same answer for any address, bad addresses
refused in the reader's language with nothing saved, unsubscribing without an account."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, Inbox, csrf_from, soup, use_smtp

from wikicoop.web.db import get_session

from . import subscriptions as subs

SITE = "https://wiki.example.org"
API = "/api/v1/magazine/subscriptions"


@pytest.fixture
def inbox(magazine: Flask, smtp_server: tuple[Inbox, int]) -> Inbox:
    """The mailbox of the local SMTP server the magazine's app sends to."""
    box, port = smtp_server
    use_smtp(magazine, port, SITE_URL=SITE)
    return box


def ask(client: FlaskClient, email: object, status: int = 202, **kw: object) -> dict:
    """POST the subscription API (the mail leaves when the response is closed)."""
    response = Api(client).call("POST", API, status, json_body={"email": email}, **kw)
    response.close()
    return response.get_json()


def link_in(inbox: Inbox, path: str) -> str:
    """The site path of the last message's link starting with ``path``."""
    body = inbox.messages()[-1].get_body(("plain",)).get_content()
    found = re.search(re.escape(SITE + path) + r"\S+", body)
    assert found, body
    return found.group()[len(SITE) :]


def status_of(app: Flask, email: str) -> str | None:
    with app.app_context():
        return subs.status_of(get_session(), email)


def test_double_opt_in_through_the_api(magazine: Flask, client: FlaskClient, inbox: Inbox) -> None:
    answer = ask(client, "  Jeanne.Martin@Exemple.org ")
    assert answer["status"] == "pending" and "courriel" in answer["message"]
    assert status_of(magazine, "jeanne.martin@exemple.org") is None  # nothing kept yet
    [mail] = inbox.messages()
    assert mail["To"] == "jeanne.martin@exemple.org"
    assert mail["Subject"].startswith("Confirmez votre abonnement")
    confirm = link_in(inbox, subs.CONFIRM_PATH)
    # opening the link only asks (a mail scanner opening it confirms nothing)
    page = client.get(confirm)
    assert page.status_code == 200 and "jeanne.martin@exemple.org" in soup(page).text
    assert status_of(magazine, "jeanne.martin@exemple.org") is None
    done = client.post(confirm, data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 200 and "Abonnement confirmé" in soup(done).text
    assert status_of(magazine, "jeanne.martin@exemple.org") == subs.CONFIRMED
    again = client.post(confirm, data={"csrf_token": csrf_from(page.text)})
    assert again.status_code == 200  # confirming twice is harmless
    assert client.post(confirm).status_code == 400  # the button's POST needs its CSRF token


def test_the_answer_does_not_tell_who_is_subscribed(
    magazine: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    with magazine.app_context():
        subs.confirm(get_session(), "deja@exemple.org", "fr")
        get_session().commit()
    known, new = ask(client, "deja@exemple.org"), ask(client, "nouveau@exemple.org")
    assert known == new
    assert [m["To"] for m in inbox.messages()] == ["deja@exemple.org", "nouveau@exemple.org"]


@pytest.mark.parametrize("email", ["pas-une-adresse", "a@b", "", None, 42, "x" * 300 + "@a.fr"])
def test_a_bad_address_is_refused_and_nothing_sent(
    magazine: Flask, client: FlaskClient, inbox: Inbox, email: object
) -> None:
    refused = ask(client, email, 400)
    assert refused["code"] == "invalid-email" and refused["field"] == "email"
    assert "n'est pas une adresse électronique" in refused["error"]
    english = ask(client, email, 400, query={"lang": "en"})
    assert "is not an e-mail address" in english["error"]
    assert inbox.envelopes == []


def test_a_body_that_is_not_an_object(client: FlaskClient, inbox: Inbox) -> None:
    api = Api(client)
    for data in ("[]", "pas du json"):
        refused = api.call("POST", API, 400, data=data).get_json()
        assert refused["code"] == "invalid-body"
    assert inbox.envelopes == []


def test_the_form(magazine: Flask, client: FlaskClient, inbox: Inbox) -> None:
    form = client.get("/magazine/abonnement")
    token = csrf_from(form.text)
    assert soup(form).select_one('input[type="email"][name="email"]') is not None
    bad = client.post("/magazine/abonnement", data={"csrf_token": token, "email": "jeanne@"})
    assert bad.status_code == 400
    page = soup(bad)
    assert "« jeanne@ » n'est pas une adresse" in page.select_one("#email-error").text
    assert page.select_one("#email")["value"] == "jeanne@"  # what was typed stays
    english = client.post(
        "/magazine/abonnement?lang=en", data={"csrf_token": token, "email": "jeanne@"}
    )
    assert "is not an e-mail address" in soup(english).select_one("#email-error").text
    assert client.post("/magazine/abonnement", data={"email": "a@exemple.org"}).status_code == 400
    assert inbox.envelopes == []  # neither the bad address nor the forged form
    good = client.post("/magazine/abonnement", data={"csrf_token": token, "email": "a@exemple.org"})
    good.close()
    assert good.status_code == 200 and "un courriel vous attend" in soup(good).text
    assert [m["To"] for m in inbox.messages()] == ["a@exemple.org"]


def test_a_confirmation_link_expires_and_cannot_be_forged(
    magazine: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = magazine.config["SECRET_KEY"]
    eight_days_ago = time.time() - 8 * 86_400
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: eight_days_ago)
        old = subs.confirm_token(secret, "tard@exemple.org", "fr")
    expired = client.get(subs.CONFIRM_PATH + old)
    assert expired.status_code == 400 and "a expiré" in soup(expired).text
    forged = subs.confirm_token("another-secret", "pirate@exemple.org", "fr")
    assert client.get(subs.CONFIRM_PATH + forged).status_code == 400
    assert client.get(subs.UNSUBSCRIBE_PATH + "abc.def").status_code == 400
    assert status_of(magazine, "tard@exemple.org") is None


def test_unsubscribing_with_the_signed_link(magazine: Flask, client: FlaskClient) -> None:
    with magazine.app_context():
        for email in ("a@exemple.org", "b@exemple.org"):
            subs.confirm(get_session(), email, "fr")
        get_session().commit()
    secret = magazine.config["SECRET_KEY"]
    link = subs.UNSUBSCRIBE_PATH + subs.unsubscribe_token(secret, "a@exemple.org")
    question = client.get(link)
    assert question.status_code == 200 and "a@exemple.org" in soup(question).text
    assert status_of(magazine, "a@exemple.org") == subs.CONFIRMED  # opening is not enough
    done = client.post(link)  # the page's button: no account, no CSRF token needed
    assert done.status_code == 200 and "ne recevra plus" in soup(done).text
    assert status_of(magazine, "a@exemple.org") == subs.UNSUBSCRIBED
    # a mail program's one-click POST (RFC 8058)
    other = subs.UNSUBSCRIBE_PATH + subs.unsubscribe_token(secret, "b@exemple.org")
    assert client.post(other, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert status_of(magazine, "b@exemple.org") == subs.UNSUBSCRIBED
    with magazine.app_context():
        subs.confirm(get_session(), "a@exemple.org", "en")  # back, by a new confirmation
        get_session().commit()
        assert [s.email for s in subs.confirmed_subscribers(get_session())] == ["a@exemple.org"]


def test_subscription_requests_are_limited_per_address(
    make_app: Callable[..., Flask], smtp_server: tuple[Inbox, int]
) -> None:
    app = make_app(MAGAZINE_SUBSCRIBE_LIMIT="2 per hour")
    inbox, port = smtp_server
    use_smtp(app, port)
    client = app.test_client()
    ask(client, "a@exemple.org")
    ask(client, "b@exemple.org")
    refused = Api(client).call("POST", API, 429, json_body={"email": "c@exemple.org"})
    assert refused.get_json()["error"]
    assert len(inbox.envelopes) == 2
