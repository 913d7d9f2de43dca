"""The workshops' occurrences with their places taken: what the calendar views, the
iCalendar feeds and the JSON list show.

Two queries whatever the number of workshops: the published workshop pages with their
fields (:func:`wikicoop.core.typed_pages.published_of_type`), and the active
registrations counted per occurrence and status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wikicoop.core.typed_pages import published_of_type

from .tables import REGISTERED, WAITING, occurrences, registrations
from .workshop import TYPE_NAME, Workshop, workshop_of

PAST, FULL, OPEN = "past", "full", "open"


def start_key(moment: datetime) -> str:
    """The key of an occurrence: its local start, ISO to the minute."""
    return moment.strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class Occurrence:
    """One session of a workshop, with its places taken."""

    workshop: Workshop
    start: datetime
    registered: int = 0
    waiting: int = 0

    @property
    def end(self) -> datetime:
        return self.start + self.workshop.duration

    @property
    def key(self) -> str:
        return start_key(self.start)

    @property
    def remaining(self) -> int:
        return max(self.workshop.capacity - self.registered, 0)

    def status(self, now: datetime) -> str:
        """``past`` once started, ``full`` when no place is left, ``open`` otherwise."""
        if self.start <= now:
            return PAST
        return FULL if self.remaining == 0 else OPEN


def workshops(session: Session, tz: ZoneInfo) -> list[Workshop]:
    """Every published workshop whose fields can be read."""
    found = (workshop_of(page, tz) for page in published_of_type(session, TYPE_NAME))
    return [workshop for workshop in found if workshop is not None]


def counts(session: Session, page_ids: list[int] | None = None) -> dict[tuple[int, str], dict]:
    """``{(page_id, start key): {"registered": n, "waiting": n}}`` of active registrations."""
    stmt = (
        select(occurrences.c.page_id, occurrences.c.starts_at, registrations.c.status, func.count())
        .join(registrations, registrations.c.occurrence_id == occurrences.c.id)
        .where(registrations.c.cancelled_at.is_(None))
        .group_by(occurrences.c.page_id, occurrences.c.starts_at, registrations.c.status)
    )
    if page_ids is not None:
        stmt = stmt.where(occurrences.c.page_id.in_(page_ids))
    out: dict[tuple[int, str], dict] = {}
    for page_id, starts_at, status, number in session.execute(stmt):
        out.setdefault((page_id, starts_at), {REGISTERED: 0, WAITING: 0})[status] = number
    return out


@dataclass(frozen=True)
class Filters:
    """What a calendar shows: a time window, a place (a title, exact), a topic."""

    start: datetime | None = None  # occurrences starting at or after
    end: datetime | None = None  # occurrences starting before
    place: str = ""
    topic: str = ""

    def keeps(self, workshop: Workshop) -> bool:
        if self.place and workshop.place.casefold() != self.place.casefold():
            return False
        if self.topic:
            wanted = self.topic.casefold()
            return any(topic.casefold() == wanted for topic in workshop.topics)
        return True


def calendar(
    session: Session, tz: ZoneInfo, filters: Filters, workshops_list: list[Workshop] | None = None
) -> list[Occurrence]:
    """The occurrences the filters keep, soonest first, with their places taken."""
    every = workshops(session, tz) if workshops_list is None else workshops_list
    chosen = [w for w in every if filters.keeps(w)]
    taken = counts(session, [w.page_id for w in chosen]) if chosen else {}
    out = []
    for workshop in chosen:
        for start in workshop.starts:
            if filters.start is not None and start < filters.start:
                continue
            if filters.end is not None and start >= filters.end:
                continue
            number = taken.get((workshop.page_id, start_key(start)), {})
            out.append(
                Occurrence(workshop, start, number.get(REGISTERED, 0), number.get(WAITING, 0))
            )
    out.sort(key=lambda occurrence: (occurrence.start, occurrence.workshop.title.full))
    return out


def occurrences_of(session: Session, workshop: Workshop) -> list[Occurrence]:
    """Every occurrence of one workshop with its places taken."""
    taken = counts(session, [workshop.page_id])
    return [
        Occurrence(
            workshop,
            start,
            taken.get((workshop.page_id, start_key(start)), {}).get(REGISTERED, 0),
            taken.get((workshop.page_id, start_key(start)), {}).get(WAITING, 0),
        )
        for start in workshop.starts
    ]
