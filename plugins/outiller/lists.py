"""The facilitators' list of a workshop's participants, ``/ateliers/<title>/inscriptions``,
and its CSV export (cells made safe from spreadsheet formulas). Facilitators of the
workshop and moderators only."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from wikicoop.text.titles import Title
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.exports import csv_response
from wikicoop.web.helpers import parse_or_fail

from .common import WorkshopError, bp, find_workshop, manages
from .links import registrations_url
from .registrations import participants
from .tables import REGISTERED
from .texts import say
from .workshop import Workshop


def managed_workshop(raw_title: str) -> Workshop:
    """The workshop of the URL, if the current user may see its participants (401 to a
    visitor, 403 to others, 404 when it is no workshop)."""
    title: Title = parse_or_fail(raw_title)
    try:
        workshop = find_workshop(title)
    except WorkshopError as err:
        fail(err.status, say(err.key, **err.params))
    if not current_user.is_authenticated:
        fail(401, say("login-needed"))
    if not manages(workshop):
        fail(403, say("not-facilitator"))
    return workshop


def status_word(status: str) -> str:
    return say("registered") if status == REGISTERED else say("waiting")


@bp.get("/ateliers/<path:raw_title>/inscriptions")
def registrations_list(raw_title: str) -> str:
    workshop = managed_workshop(raw_title)
    rows = participants(get_session(), workshop.page_id)
    return render_template(
        "outiller/inscriptions.html",
        workshop=workshop,
        rows=rows,
        status_word=status_word,
        csv_url=registrations_url(workshop.title) + ".csv",
        say=say,
    )


@bp.get("/ateliers/<path:raw_title>/inscriptions.csv")
def registrations_csv(raw_title: str) -> Response:
    workshop = managed_workshop(raw_title)
    rows = participants(get_session(), workshop.page_id)
    header = ["seance", "compte", "courriel", "statut", "rang", "inscrit_le"]
    return csv_response(
        f"inscriptions-{workshop.page_id}.csv",
        header,
        (
            [r.starts_at, r.username, r.email or "", r.status, r.position, r.created_at.isoformat()]
            for r in rows
        ),
    )
