"""Subscribing to the weekly letter: the form ``/magazine/abonnement`` (its JSON twin,
``POST /api/v1/magazine/subscriptions``, is in :mod:`.api`), and the signed links that
confirm and cancel a subscription (no account needed).

A link opened shows a question and a button: the change is made by the button's POST,
so a mail scanner that opens every link confirms or cancels nothing. The unsubscribe
POST also accepts the one-click POST of mail programs (RFC 8058, ``List-Unsubscribe-Post``),
which carries no CSRF token: the signed link is the proof there.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField

from wikicoop.web.db import get_session
from wikicoop.web.extensions import csrf, limiter

from . import subscriptions as subs
from .texts import language, say

bp = Blueprint("donner_a_voir_subscribe", __name__)

#: requests per address (setting ``MAGAZINE_SUBSCRIBE_LIMIT``): each one sends an e-mail
SUBSCRIBE_LIMIT = "10 per hour"
limited = limiter.limit(
    lambda: current_app.config.get("MAGAZINE_SUBSCRIBE_LIMIT") or SUBSCRIBE_LIMIT,
    methods=["POST"],
)


class SubscribeForm(FlaskForm):
    """The address to subscribe (checked by :func:`.subscriptions.normalise_email`)."""

    email = StringField()


def _page(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    return render_template(f"donner_a_voir/{template}", say=say, **context), status


@bp.route("/magazine/abonnement", methods=["GET", "POST"])
@limited
def subscribe() -> tuple[str, int]:
    """The subscription form: a confirmation e-mail goes to the address typed."""
    form = SubscribeForm()
    if not form.validate_on_submit():
        # a GET, or a POST without its CSRF token (the form says why on its field)
        return _page("abonnement.html", 400 if form.is_submitted() else 200, form=form)
    try:
        subs.request_subscription(get_session(), current_app.config, form.email.data, language())
    except subs.BadAddress:
        error = say("bad_email", email=(form.email.data or "")[:254])
        return _page("abonnement.html", 400, form=form, error=error)
    get_session().commit()  # the e-mail leaves once committed, after the response
    return _page("abonnement.html", form=None, done=say("check_mailbox"))


@bp.route(subs.CONFIRM_PATH + "<token>", methods=["GET", "POST"])
def confirm(token: str) -> tuple[str, int]:
    """A confirmation link: the question (GET), the subscription (POST)."""
    config = current_app.config
    read = subs.read_confirm_token(config["SECRET_KEY"], token, subs.confirm_days(config))
    if read is None:
        return _page("lien.html", 400, message=say("bad_link"))
    email, lang = read
    form = FlaskForm()
    if not form.validate_on_submit():
        question = say("confirm_ask", email=email)
        return _page(
            "lien.html",
            title=say("confirm_title"),
            question=question,
            button=say("confirm_button"),
            form=form,
        )
    subs.confirm(get_session(), email, lang)
    get_session().commit()
    return _page("lien.html", title=say("confirm_title"), message=say("confirmed", email=email))


@bp.route(subs.UNSUBSCRIBE_PATH + "<token>", methods=["GET", "POST"])
@csrf.exempt  # the one-click POST of mail programs has no token: the signed link is enough
def unsubscribe(token: str) -> tuple[str, int]:
    """An unsubscribe link: the question (GET), the cancellation (POST)."""
    email = subs.read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
    if email is None:
        return _page("lien.html", 400, message=say("bad_link"))
    title = say("unsubscribe_title")
    if request.method != "POST":
        question = say("unsubscribe_ask", email=email)
        return _page(
            "lien.html", title=title, question=question, button=say("unsubscribe_button"), form=None
        )
    subs.unsubscribe(get_session(), email)
    get_session().commit()
    return _page("lien.html", title=title, message=say("unsubscribed", email=email))
