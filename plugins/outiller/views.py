"""The calendar views: ``/ateliers`` (upcoming), ``/ateliers/mois/<YYYY-MM>``,
``/ateliers/lieu/<place>`` and ``/ateliers/theme/<topic>``; past sessions marked,
places left shown."""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import groupby
from urllib.parse import urlencode

from flask import render_template, request
from flask_login import current_user

from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.urls import page_url

from .common import bp, now, tz
from .ics import feed_key
from .links import quoted
from .schedule import FULL, PAST, Filters, Occurrence, calendar, workshops
from .texts import say, say_count
from .workshop import place_title

#: sessions listed on one page of a calendar
PER_PAGE = 100

MONTHS_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
    "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def month_name(day: date) -> str:
    from wikicoop.web.labels import english

    return day.strftime("%B %Y") if english() else f"{MONTHS_FR[day.month - 1]} {day.year}"


def state(occurrence: Occurrence, moment: datetime) -> str:
    """The places of a session in words."""
    status = occurrence.status(moment)
    if status == PAST:
        return say("past")
    if status == FULL:
        return say("full")
    return say_count("remaining", occurrence.remaining, n=occurrence.remaining)


def place_link(place: str) -> str | None:
    """The wiki address of a place's page (an access point page when it is one)."""
    title = place_title(place)
    return page_url(title) if title is not None else None


def _render(
    heading: str,
    filters: Filters,
    feed_query: dict[str, str],
    **extra: object,
) -> str:
    """A calendar page: the sessions ``filters`` keep, by day, a hundred a page."""
    moment = now()
    every = workshops(get_session(), tz())  # read once: the sessions and the facets
    found = calendar(get_session(), tz(), filters, every)
    count = len(found)
    last = max(1, -(-count // PER_PAGE))
    raw = request.args.get("page", "1")
    number = min(max(int(raw) if raw.isdigit() else 1, 1), last)
    shown = found[(number - 1) * PER_PAGE : number * PER_PAGE]
    days = [(day, list(items)) for day, items in groupby(shown, key=lambda o: o.start.date())]
    places = sorted({w.place for w in every if w.place}, key=str.casefold)
    topics = sorted({t for w in every for t in w.topics}, key=str.casefold)
    feed = "/agenda.ics" + (f"?{urlencode(feed_query)}" if feed_query else "")
    personal = None
    if current_user.is_authenticated:
        name = current_user.username
        personal = f"/agenda/{quoted(name)}.ics?cle={feed_key(name)}"
    return render_template(
        "outiller/liste.html",
        heading=heading,
        days=days,
        count=count,
        number=number,
        last=last,
        moment=moment,
        state=state,
        PAST=PAST,
        FULL=FULL,
        place_link=place_link,
        quoted=quoted,
        places=places,
        topics=topics,
        feed=feed,
        personal_feed=personal,
        this_month=moment.strftime("%Y-%m"),
        say=say,
        **extra,
    )


def _start_of_today() -> datetime:
    return datetime.combine(now().date(), time(0), tzinfo=tz())


@bp.get("/ateliers")
def upcoming() -> str:
    return _render(say("upcoming"), Filters(start=_start_of_today()), {})


@bp.get("/ateliers/mois/<month>")
def by_month(month: str) -> str:
    try:
        first = datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        fail(400, say("bad-month", value=month[:20]))
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    before = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    filters = Filters(
        start=datetime.combine(first, time(0), tzinfo=tz()),
        end=datetime.combine(following, time(0), tzinfo=tz()),
    )
    return _render(
        say("month", month=month_name(first)),
        filters,
        {},
        previous_month=before.strftime("%Y-%m"),
        next_month=following.strftime("%Y-%m"),
    )


@bp.get("/ateliers/lieu/<path:place>")
def by_place(place: str) -> str:
    filters = Filters(start=_start_of_today(), place=place)
    return _render(say("at_place", place=place), filters, {"place": place})


@bp.get("/ateliers/theme/<path:topic>")
def by_topic(topic: str) -> str:
    filters = Filters(start=_start_of_today(), topic=topic)
    return _render(say("on_topic", topic=topic), filters, {"topic": topic})
