"""The iCalendar documents of :mod:`.ics`, written by the icalendar library: a calendar
and its events (a workshop as one event, weekly ones with their ``RRULE``).

Imported by the feeds' views when they answer: the library is not on a page view's path
(a quicker start).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request
from icalendar import Calendar, Event

from .links import absolute_url
from .texts import say
from .workshop import Workshop


def new_calendar(name: str) -> Calendar:
    """An empty calendar named ``name``."""
    cal = Calendar()
    cal.add("prodid", "-//wikicoop//outiller//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def session_event(workshop: Workshop, start: datetime, uid: str, stamp: datetime) -> Event:
    """The event of ``workshop`` starting at ``start``."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + workshop.duration)
    event.add("summary", workshop.title.full)
    if workshop.place:
        event.add("location", workshop.place)
    event.add("url", absolute_url(workshop.title))
    if workshop.topics:
        event.add("categories", list(workshop.topics))
    details = [
        f"{say('level')} : {workshop.level}" if workshop.level else "",
        f"{say('audience')} : {workshop.audience}" if workshop.audience else "",
        f"{say('facilitators')} : {', '.join(workshop.facilitators)}"
        if workshop.facilitators
        else "",
        absolute_url(workshop.title),
    ]
    event.add("description", "\n".join(line for line in details if line))
    return event


def series_event(workshop: Workshop, stamp: datetime) -> Event:
    """A workshop as one event, weekly ones with their ``RRULE``."""
    uid = f"atelier-{workshop.page_id}@{request.host}"
    event = session_event(workshop, workshop.start, uid, stamp)
    starts = workshop.starts
    if workshop.weekly and len(starts) > 1:
        event.add("rrule", {"freq": "weekly", "until": starts[-1].astimezone(UTC)})
    return event


def calendar_bytes(cal: Calendar) -> bytes:
    """The calendar written out, with the ``VTIMEZONE`` of every zone its times use."""
    cal.add_missing_timezones()
    return cal.to_ical()
