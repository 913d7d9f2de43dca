"""The JSON twins: ``GET /api/v1/workshops`` (the sessions, filtered) and
``POST``/``DELETE /api/v1/workshops/<title>/registrations`` (sign up, cancel)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Response, jsonify, request
from flask_login import current_user

from wikicoop.web.db import get_session
from wikicoop.web.errors import json_error
from wikicoop.web.helpers import ApiError, api_title, make_api_blueprint, write_refusal
from wikicoop.web.labels import localized

from . import registrations as reg
from .common import (
    WorkshopError,
    chosen_session,
    factory,
    find_workshop,
    now,
    shown_start,
    signup_limited,
    tz,
)
from .links import absolute_url
from .notify import tell_promoted
from .schedule import Filters, Occurrence, calendar
from .texts import say

api = make_api_blueprint("outiller_api", __name__)


@api.errorhandler(WorkshopError)
def workshop_error(err: WorkshopError) -> Response:
    get_session().rollback()
    return json_error(err.status, say(err.key, **err.params), code=err.key)


def read_date(parameter: str, *, end: bool = False) -> datetime | None:
    """A ``from``/``to`` parameter: a day (``to`` then means the end of that day) or an
    ISO date and time on the wiki's clock; :class:`ApiError` 400 naming it."""
    raw = request.args.get(parameter, "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = datetime.fromisoformat(raw).date() + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(0), tzinfo=tz())
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400,
            say("bad-date", parameter=parameter, value=raw[:40]),
            code="invalid-parameter",
            parameter=parameter,
        ) from None
    return moment.astimezone(tz()) if moment.tzinfo else moment.replace(tzinfo=tz())


def occurrence_json(occurrence: Occurrence, moment: datetime) -> dict[str, Any]:
    """One session as the API shows it."""
    workshop = occurrence.workshop
    return {
        "title": workshop.title.full,
        "url": absolute_url(workshop.title),
        "start": occurrence.start.isoformat(),
        "end": occurrence.end.isoformat(),
        "place": workshop.place,
        "topics": list(workshop.topics),
        "level": workshop.level,
        "audience": workshop.audience,
        "facilitators": list(workshop.facilitators),
        "weekly": workshop.weekly,
        "capacity": workshop.capacity,
        "registered": occurrence.registered,
        "waiting": occurrence.waiting,
        "remaining": occurrence.remaining,
        "status": occurrence.status(moment),
    }


@api.get("/workshops")
def list_workshops() -> Response:
    """The sessions between ``from`` (default: today) and ``to``, at ``place``, on
    ``topic``, soonest first."""
    moment = now()
    start = read_date("from")
    end = read_date("to", end=True)
    if start is None:
        start = datetime.combine(moment.date(), time(0), tzinfo=tz())
    if end is not None and end <= start:
        raise ApiError(
            400,
            say("bad-range", to=request.args["to"][:40], from_=start.isoformat()),
            code="invalid-parameter",
            parameter="to",
        )
    filters = Filters(
        start=start,
        end=end,
        place=request.args.get("place", "").strip(),
        topic=request.args.get("topic", "").strip(),
    )
    found = calendar(get_session(), tz(), filters)
    return jsonify({"workshops": [occurrence_json(o, moment) for o in found]})


def _asked_start() -> str | None:
    body = request.get_json(silent=True)
    if isinstance(body, dict) and body.get("start"):
        return str(body["start"])
    return request.args.get("start") or None


def _signed_in() -> int:
    if not current_user.is_authenticated:
        raise ApiError(401, say("login-needed"))
    return int(current_user.id)


@api.post("/workshops/<path:raw_title>/registrations")
@signup_limited
def sign_up(raw_title: str) -> Response:
    """Sign the current user up: 201 registered or waiting (with ``position``); 200 with
    ``already`` when they were signed up."""
    user_id = _signed_in()
    refused = write_refusal(None)  # a blocked account signs up to nothing (it may cancel)
    if refused is not None:
        raise ApiError(refused.status, localized(refused), code=refused.code)
    workshop = find_workshop(api_title(raw_title))
    occurrence = chosen_session(workshop, _asked_start(), now())
    get_session().rollback()  # the sign-up is a transaction of its own
    outcome = reg.sign_up(factory(), workshop.page_id, occurrence.key, user_id, workshop.capacity)
    body: dict[str, Any] = {"status": outcome.status, "start": occurrence.start.isoformat()}
    if outcome.position is not None:
        body["position"] = outcome.position
    if not outcome.created:
        body["already"] = True
    response = jsonify(body)
    response.status_code = 201 if outcome.created else 200
    return response


@api.delete("/workshops/<path:raw_title>/registrations")
@signup_limited
def cancel(raw_title: str) -> Response:
    """Cancel the current user's registration (the first waiting person moves up)."""
    user_id = _signed_in()
    workshop = find_workshop(api_title(raw_title))
    occurrence = chosen_session(workshop, _asked_start(), now())
    get_session().rollback()
    done = reg.cancel(factory(), workshop.page_id, occurrence.key, user_id, workshop.capacity)
    if done is None:
        raise WorkshopError("not-registered", 404)
    tell_promoted(workshop, occurrence, done.promoted)
    return jsonify(
        {
            "status": "cancelled",
            "was": done.was,
            "start": occurrence.start.isoformat(),
            "session": shown_start(occurrence.start),
        }
    )
