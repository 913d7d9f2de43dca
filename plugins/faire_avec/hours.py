"""Is a place open at a given moment? Read from a weekly ``hours`` field value
(``{"mon": [["09:00", "12:30"]], …}``, checked by the core: slots in order, no overlap)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wikicoop.core.field_kinds import DAYS, minutes

DEFAULT_TIMEZONE = "Europe/Paris"


def zone(name: str | None) -> ZoneInfo:
    """The wiki's time zone (``FAIRE_AVEC_TIMEZONE``); Europe/Paris when unknown."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` on the wiki's clock: an aware moment converted, a naive one read as
    already local."""
    return moment.astimezone(tz) if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def is_open(hours: Any, moment: datetime) -> bool:
    """True when ``moment`` (local time) falls in one of the day's slots; a slot's end
    is excluded (a place open 09:00-12:00 is closed at 12:00)."""
    if not isinstance(hours, dict):
        return False
    slots = hours.get(DAYS[moment.weekday()]) or []
    now = moment.hour * 60 + moment.minute
    return any(minutes(start) <= now < minutes(end) for start, end in slots)
