"""The kinds of a structured page's fields: how each JSON value is checked and normalised.

Pure module (no Flask, no database). :func:`check_value` returns the normalised value of
one field or raises :class:`KindError` with a reason code (``"wrong-kind"``,
``"not-a-choice"``, ``"out-of-range"``, ``"hours-overlap"``…) and its parameters;
:mod:`wikicoop.page_types` turns it into a :class:`~wikicoop.page_types.FieldError`
naming the field.

JSON shapes: text and longtext a string; number an int or float; date ``"2026-12-03"``;
datetime ISO 8601 (``"2026-12-03T14:30"``, seconds and offset optional); hours
``{"mon": [["09:00", "12:30"], ["14:00", "18:00"]], …, "sun": []}``; choice a string
among the choices; choices a list of them; bool a boolean; url an ``http(s)`` address;
email an address; phone digits with ``+ ( ) . -`` and spaces; point
``{"lat": 48.39, "lon": -4.49}``; page a page title (normalised, as ``Title.full``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

from ..text.titles import TitleError, parse_title

#: Every kind a field may declare, in the order the documentation lists them.
KINDS = (
    "text",
    "longtext",
    "number",
    "date",
    "datetime",
    "hours",
    "choice",
    "choices",
    "bool",
    "url",
    "email",
    "phone",
    "point",
    "page",
)

#: A JSON example of each kind's value, shown when a value has the wrong shape
EXAMPLES = {
    "text": '"…"',
    "longtext": '"…"',
    "number": "12.5",
    "date": '"2026-12-03"',
    "datetime": '"2026-12-03T14:30"',
    "hours": '{"mon": [["09:00", "12:30"]], …, "sun": []}',
    "choice": '"…"',
    "choices": '["…", "…"]',
    "bool": "true / false",
    "url": '"https://…"',
    "email": '"nom@exemple.org"',
    "phone": '"+33 2 98 00 00 00"',
    "point": '{"lat": 48.39, "lon": -4.49}',
    "page": '"Titre de page"',
}

#: Keys of a week of opening hours, Monday first.
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

MAX_TEXT = 500
MAX_LONGTEXT = 20_000
MAX_URL = 2_000

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?"
)
_TIME_RE = re.compile(r"(\d{2}):(\d{2})")
_EMAIL_RE = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]{2,}")
_PHONE_RE = re.compile(r"\+?[0-9 ().\-]{4,30}")


class KindError(ValueError):
    """A value that does not fit its kind: ``reason`` code and its ``params``."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def is_empty(value: object) -> bool:
    """True for what stands for "no value": None, a blank string, an empty list or dict."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


def _string(value: object, limit: int, *, single_line: bool) -> str:
    if not isinstance(value, str):
        raise KindError("wrong-kind")
    text = value.replace("\r\n", "\n").strip()
    if single_line and ("\n" in text or "\r" in text):
        raise KindError("single-line")
    if len(text) > limit:
        raise KindError("too-long", limit=limit)
    return text


def _number(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise KindError("wrong-kind")
    if isinstance(value, float) and not math.isfinite(value):
        raise KindError("wrong-kind")
    return value


def _date(value: object) -> str:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value.strip()):
        raise KindError("bad-date")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise KindError("bad-date") from None


def _datetime(value: object) -> str:
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value.strip()):
        raise KindError("bad-datetime")
    text = value.strip()
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise KindError("bad-datetime") from None
    return text.replace(" ", "T", 1)


def minutes(text: object) -> int:
    """``"09:30"`` → 570; ``"24:00"`` is the end of the day. Raises ``KindError`` bad-time."""
    match = _TIME_RE.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise KindError("bad-time", time=str(text))
    hours, mins = int(match.group(1)), int(match.group(2))
    if mins > 59 or hours > 24 or (hours == 24 and mins):
        raise KindError("bad-time", time=text)
    return hours * 60 + mins


def _hours(value: object) -> dict[str, list[list[str]]]:
    if not isinstance(value, dict):
        raise KindError("wrong-kind")
    for key in value:
        if key not in DAYS:
            raise KindError("bad-day", day=str(key))
    week: dict[str, list[list[str]]] = {}
    for day in DAYS:
        slots = value.get(day) or []
        if not isinstance(slots, list):
            raise KindError("wrong-kind")
        spans: list[tuple[int, int, str, str]] = []
        for slot in slots:
            if not isinstance(slot, (list, tuple)) or len(slot) != 2:
                raise KindError("bad-slot", day=day)
            start, end = minutes(slot[0]), minutes(slot[1])
            if end <= start:
                raise KindError("hours-order", day=day, start=slot[0], end=slot[1])
            spans.append((start, end, slot[0], slot[1]))
        spans.sort()
        for before, after in pairwise(spans):
            if after[0] < before[1]:
                raise KindError(
                    "hours-overlap",
                    day=day,
                    first=f"{before[2]}-{before[3]}",
                    second=f"{after[2]}-{after[3]}",
                )
        week[day] = [[span[2], span[3]] for span in spans]
    return week


def _choice(value: object, choices: Sequence[str]) -> str:
    if not isinstance(value, str):
        raise KindError("wrong-kind")
    if value not in choices:
        raise KindError("not-a-choice", value=value)
    return value


def _choices(value: object, choices: Sequence[str]) -> list[str]:
    if not isinstance(value, list):
        raise KindError("wrong-kind")
    chosen = {_choice(item, choices) for item in value}
    return [choice for choice in choices if choice in chosen]  # declaration order


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise KindError("wrong-kind")
    return value


def _url(value: object) -> str:
    text = _string(value, MAX_URL, single_line=True)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
        raise KindError("bad-url")
    return text


def _email(value: object) -> str:
    text = _string(value, 254, single_line=True)
    if not _EMAIL_RE.fullmatch(text):
        raise KindError("bad-email")
    return text


def _phone(value: object) -> str:
    text = _string(value, 30, single_line=True)
    if not _PHONE_RE.fullmatch(text) or sum(char.isdigit() for char in text) < 4:
        raise KindError("bad-phone")
    return text


def _point(value: object) -> dict[str, float]:
    if not isinstance(value, dict) or set(value) != {"lat", "lon"}:
        raise KindError("wrong-kind")
    lat, lon = _number(value["lat"]), _number(value["lon"])
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise KindError("out-of-range", lat=lat, lon=lon)
    return {"lat": lat, "lon": lon}


def _page(value: object, capitalize_first: bool) -> str:
    text = _string(value, 512, single_line=True)
    try:
        title = parse_title(text, capitalize_first=capitalize_first, allow_fragment=False)
    except TitleError as err:
        raise KindError("bad-title", title=text, detail=err.code) from None
    return title.full


#: kind -> its check: (value, choices, capitalize_first) -> the normalised value
_CHECKS: dict[str, Callable[[object, Sequence[str], bool], Any]] = {
    "text": lambda value, _c, _t: _string(value, MAX_TEXT, single_line=True),
    "longtext": lambda value, _c, _t: _string(value, MAX_LONGTEXT, single_line=False),
    "number": lambda value, _c, _t: _number(value),
    "date": lambda value, _c, _t: _date(value),
    "datetime": lambda value, _c, _t: _datetime(value),
    "hours": lambda value, _c, _t: _hours(value),
    "choice": lambda value, choices, _t: _choice(value, choices),
    "choices": lambda value, choices, _t: _choices(value, choices),
    "bool": lambda value, _c, _t: _bool(value),
    "url": lambda value, _c, _t: _url(value),
    "email": lambda value, _c, _t: _email(value),
    "phone": lambda value, _c, _t: _phone(value),
    "point": lambda value, _c, _t: _point(value),
    "page": lambda value, _c, capitalize: _page(value, capitalize),
}


def check_value(
    kind: str, value: object, *, choices: Sequence[str] = (), capitalize_first: bool = True
) -> Any:
    """Return ``value`` checked and normalised for ``kind`` (never called with an empty value).

    Raises :class:`KindError`.
    """
    check = _CHECKS.get(kind)
    if check is None:
        raise KindError("unknown-kind", kind=kind)
    return check(value, choices, capitalize_first)


def hours_is_empty(value: object) -> bool:
    """True for a week of hours with no slot on any day (treated as no value)."""
    return (
        isinstance(value, dict)
        and set(value) <= set(DAYS)
        and all(not value.get(day) for day in DAYS)
    )
