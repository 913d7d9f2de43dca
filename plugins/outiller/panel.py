"""On a workshop's page: its sessions with their places, and for a signed-in reader a
form per session to sign up or cancel (``POST /ateliers/<title>/inscription``, CSRF);
links to the list and the progress for its facilitators.

Anonymous views of a page are cached whole per revision: their panel depends on the
page only (a link to log in), never on the places left at this hour.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.helpers import parse_or_fail, write_refusal
from wikicoop.web.labels import localized
from wikicoop.web.urls import page_url

from . import registrations as reg
from .common import (
    WorkshopError,
    bp,
    chosen_session,
    factory,
    find_workshop,
    manages,
    now,
    shown_start,
    signup_limited,
    workshop_from,
)
from .links import progress_url, registrations_url, sign_up_url
from .notify import tell_promoted
from .schedule import FULL, PAST, occurrences_of
from .tables import WAITING
from .texts import say, say_count
from .workshop import Workshop

#: sessions listed in the panel (a weekly workshop's next ones)
SHOWN = 8


def panel_html(workshop: Workshop) -> str:
    """The panel of a workshop page for the current reader (escaped here: trusted HTML)."""
    title = workshop.title
    if not current_user.is_authenticated:
        login = "/compte/connexion?" + urlencode({"next": page_url(title)})
        return (
            f'<p class="outiller-login">{escape(say("login_to_sign_up"))} '
            f'<a href="{escape(login)}">{escape(say("login"))}</a></p>'
        )
    moment = now()
    session = get_session()
    mine = reg.standing(session, int(current_user.id), workshop.page_id)
    upcoming = [o for o in occurrences_of(session, workshop) if o.status(moment) != PAST]
    token = generate_csrf()
    items = []
    for occurrence in upcoming[:SHOWN]:
        status = occurrence.status(moment)
        places = (
            say("full")
            if status == FULL
            else say_count("remaining", occurrence.remaining, n=occurrence.remaining)
        )
        standing = mine.get((workshop.page_id, occurrence.key))
        if standing is None:
            note, label, act = "", say("sign_up"), "inscrire"
        elif standing[0] == WAITING:
            note, label, act = (
                say("you_waiting", position=standing[1]),
                say("leave_queue"),
                "annuler",
            )
        else:
            note, label, act = say("you_registered"), say("cancel"), "annuler"
        items.append(
            f'<li data-start="{escape(occurrence.key)}" data-status="{escape(status)}">'
            f'<time datetime="{escape(occurrence.start.isoformat())}">'
            f"{escape(shown_start(occurrence.start))}</time> — {escape(places)}"
            + (f' <strong class="outiller-mine">{escape(note)}</strong>' if note else "")
            + f'<form method="post" action="{escape(sign_up_url(title))}" class="outiller-form">'
            f'<input type="hidden" name="csrf_token" value="{escape(token)}">'
            f'<input type="hidden" name="start" value="{escape(occurrence.key)}">'
            f'<input type="hidden" name="action" value="{act}">'
            f'<button type="submit">{escape(label)}'
            f'<span class="visually-hidden"> ({escape(shown_start(occurrence.start))})</span>'
            "</button></form></li>"
        )
    body = (
        f'<ul class="outiller-panel">{"".join(items)}</ul>'
        if items
        else f"<p>{escape(say('no_sessions'))}</p>"
    )
    if manages(workshop):
        body += (
            f'<p><a href="{escape(registrations_url(title))}">{escape(say("list_link"))}</a> · '
            f'<a href="{escape(progress_url(title))}">{escape(say("progress_link"))}</a></p>'
        )
    return str(Markup(body))


def page_panel(ctx: Any) -> dict[str, str] | None:
    """The ``page_panels`` hook: the sign-up panel on a published workshop's page."""
    from .workshop import TYPE_NAME

    revision = ctx.revision
    if revision is None or revision.page_type != TYPE_NAME or ctx.page is None:
        return None
    if ctx.page.latest_revision_id != revision.id or ctx.page.is_deleted:
        return None  # an old version: no sign-up there
    workshop = workshop_from(ctx.page, revision, ctx.title)
    if workshop is None:
        return None
    return {"title": say("panel"), "html": panel_html(workshop)}


@bp.post("/ateliers/<path:raw_title>/inscription")
@signup_limited
def sign_up_form(raw_title: str) -> Response:
    """The panel's form: sign up to or cancel one session, then back to the page."""
    if not current_user.is_authenticated:
        fail(401, say("login-needed"))
    title = parse_or_fail(raw_title)
    user_id = int(current_user.id)
    try:
        workshop = find_workshop(title)
        occurrence = chosen_session(workshop, request.form.get("start"), now())
    except WorkshopError as err:
        fail(err.status, say(err.key, **err.params))
    get_session().rollback()  # the act is a transaction of its own
    key = occurrence.key
    if request.form.get("action") == "annuler":
        done = reg.cancel(factory(), workshop.page_id, key, user_id, workshop.capacity)
        if done is None:
            fail(404, say("not-registered"))
        tell_promoted(workshop, occurrence, done.promoted)
        flash(say("cancelled_flash"), "success")
    else:
        refused = write_refusal(None)  # a blocked account signs up to nothing
        if refused is not None:
            fail(refused.status, localized(refused))
        outcome = reg.sign_up(factory(), workshop.page_id, key, user_id, workshop.capacity)
        if not outcome.created:
            flash(say("already_flash"), "info")
        elif outcome.status == WAITING:
            flash(say("waiting_flash", position=outcome.position), "info")
        else:
            flash(say("registered_flash"), "success")
    return redirect(page_url(title))
