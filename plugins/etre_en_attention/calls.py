"""The yearly calls: which one is this year's, and whether residents may submit today.

"Today" is the wiki's day: the date in ``BABEL_DEFAULT_TIMEZONE`` (UTC unless the site
sets it, e.g. ``Europe/Paris``), so a call closing on the 15th closes at midnight there,
not at midnight UTC. No Flask here: the write path's hooks call it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from wikicoop.core.typed_pages import TypedPage, published_of_type

from .declarations import APPEL


@dataclass(frozen=True)
class Call:
    """One published call: its page, year, dates and themes."""

    page: TypedPage
    year: int
    opens: date
    closes: date
    themes: tuple[str, ...]

    def is_open(self, day: date) -> bool:
        """Whether residents may submit on ``day`` (both ends included)."""
        return self.opens <= day <= self.closes


def today(settings: Mapping[str, Any]) -> date:
    """The date now in the wiki's time zone (``BABEL_DEFAULT_TIMEZONE``)."""
    try:
        zone = ZoneInfo(str(settings.get("BABEL_DEFAULT_TIMEZONE") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):  # a mistyped setting: UTC rather than a 500
        zone = ZoneInfo("UTC")
    return datetime.now(zone).date()


def _call_of(page: TypedPage) -> Call | None:
    try:
        return Call(
            page=page,
            year=int(page.fields["annee"]),
            opens=date.fromisoformat(page.fields["ouverture"]),
            closes=date.fromisoformat(page.fields["cloture"]),
            themes=tuple(page.field("themes", ())),
        )
    except (KeyError, TypeError, ValueError):  # a call page missing its dates opens nothing
        return None


def all_calls(session: Session) -> list[Call]:
    """Every published call, latest year first."""
    calls = [c for c in map(_call_of, published_of_type(session, APPEL)) if c is not None]
    return sorted(calls, key=lambda call: (-call.year, call.page.title.full))


def call_of_year(session: Session, year: int) -> Call | None:
    """The call of ``year`` (the first by title if a year has two pages), or None."""
    return next((call for call in all_calls(session) if call.year == year), None)


def current_call(session: Session, settings: Mapping[str, Any]) -> tuple[Call | None, date]:
    """This year's call (None when there is none) and today's date."""
    day = today(settings)
    return call_of_year(session, day.year), day
