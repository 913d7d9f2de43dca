"""iCalendar feeds (the icalendar library writes and escapes them, in :mod:`.ics_events`):

- ``GET /agenda.ics?place=&topic=``: every workshop (exact place title, exact topic), one
  event per workshop; a weekly one carries an ``RRULE`` (``FREQ=WEEKLY;UNTIL=…``), so
  its ``UID`` (``atelier-<page id>@<host>``) is stable for the whole series.
- ``GET /agenda/<username>.ics``: a person's sessions, one event per session they
  signed up to (``UID`` ``atelier-<page id>-<start>@<host>``, stable per session),
  and the workshops they facilitate (as series). Registrations are private: the person
  signed in, or the link with its key (``?cle=``, signed with the site's secret) that
  calendar programs can fetch.

Times carry their ``TZID`` with the matching ``VTIMEZONE`` (the wiki's zone). The
shared feed is kept built (writing it is most of its cost), under a key that names every
workshop's published revision, the filters, the host and the reader's language.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Response, current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from wikicoop.community.accounts import find_user
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.labels import current_language

from .common import bp, now, tz
from .registrations import standing
from .schedule import Filters, start_key, workshops
from .tables import WAITING
from .texts import say

#: a series whose last session ended longer ago than this leaves the feed
KEEP_PAST = timedelta(days=90)
_SALT = "outiller:agenda"


def feed_key(username: str) -> str:
    """The key of a person's calendar link (signed, never expires)."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)
    return serializer.dumps(username.casefold())


def _key_names(key: str) -> str | None:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)
    try:
        return str(serializer.loads(key))
    except BadSignature:
        return None


def _feed_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


#: feeds kept built (the library's writing is most of a feed's cost)
CACHED_FEEDS = 32
_feeds_lock = threading.Lock()


def _cached_feed(key: tuple, build: Callable[[], bytes]) -> bytes:
    """The feed of ``key`` from the app's small cache, built when missing. The key
    names every workshop's published revision: an edit makes another key."""
    cache: OrderedDict[tuple, bytes] = current_app.extensions.setdefault(
        "outiller.feeds", OrderedDict()
    )
    with _feeds_lock:
        body = cache.get(key)
        if body is not None:
            cache.move_to_end(key)
            return body
    body = build()
    with _feeds_lock:
        cache[key] = body
        while len(cache) > CACHED_FEEDS:
            cache.popitem(last=False)
    return body


@bp.get("/agenda.ics")
def agenda() -> Response:
    filters = Filters(
        place=request.args.get("place", "").strip(), topic=request.args.get("topic", "").strip()
    )
    horizon = now() - KEEP_PAST
    kept = [
        workshop
        for workshop in workshops(get_session(), tz())
        if filters.keeps(workshop) and workshop.starts[-1] + workshop.duration >= horizon
    ]

    def build() -> bytes:
        # loaded when first used: not on a page view's path (a quicker start)
        from .ics_events import calendar_bytes, new_calendar, series_event

        stamp = datetime.now(UTC)
        cal = new_calendar(say("menu"))
        for workshop in kept:
            cal.add_component(series_event(workshop, stamp))
        return calendar_bytes(cal)

    key = (
        request.host_url,
        current_language(),
        filters,
        horizon.date(),
        tuple((w.page_id, w.revision_id) for w in kept),
    )
    return _feed_response(_cached_feed(key, build), "ateliers.ics")


@bp.get("/agenda/<username>.ics")
def personal_agenda(username: str) -> Response:
    session = get_session()
    user = find_user(session, username)
    key = request.args.get("cle", "")
    own = current_user.is_authenticated and user is not None and current_user.id == user.id
    if not own and (user is None or _key_names(key) != user.username.casefold()):
        if user is None and not key:
            fail(404, say("bad-key"))
        fail(403, say("bad-key"))
    assert user is not None
    # loaded when first used: not on a page view's path (a quicker start)
    from .ics_events import calendar_bytes, new_calendar, series_event, session_event

    stamp = datetime.now(UTC)
    mine = standing(session, user.id)
    cal = new_calendar(f"{say('menu')} — {user.username}")
    for workshop in workshops(session, tz()):
        if workshop.is_facilitator(user.username):
            cal.add_component(series_event(workshop, stamp))
            continue
        for start in workshop.starts:
            held = mine.get((workshop.page_id, start_key(start)))
            if held is None:
                continue
            uid = f"atelier-{workshop.page_id}-{start.strftime('%Y%m%dT%H%M')}@{request.host}"
            event = session_event(workshop, start, uid, stamp)
            if held[0] == WAITING:
                event.pop("summary")
                event.add("summary", f"({say('waiting')}) {workshop.title.full}")
                event.add("status", "TENTATIVE")
            else:
                event.add("status", "CONFIRMED")
            cal.add_component(event)
    return _feed_response(calendar_bytes(cal), f"ateliers-{user.id}.ics")
