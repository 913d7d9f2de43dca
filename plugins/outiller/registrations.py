"""Signing up to a workshop occurrence and cancelling, with the capacity kept under
concurrency.

Each act is one transaction of its own session (:func:`wikicoop.core.db.sessionmaker_of`),
whose FIRST statement is a write: it makes the occurrence's row if missing
(``INSERT … ON CONFLICT DO NOTHING``). On SQLite a write takes the database's single
write lock at once (what ``BEGIN IMMEDIATE`` would do), so two sign-ups never read the
same counts; waiting is the busy timeout's job. On PostgreSQL the occurrence row is then
locked (``SELECT … FOR UPDATE``): sign-ups to one occurrence queue, others run side by
side. The counting and the insert follow in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from wikicoop.core.db import insert_unless_present
from wikicoop.core.models import User, utcnow

from .tables import REGISTERED, WAITING, occurrences, registrations

_T = TypeVar("_T")

#: attempts of an act that met a lock timeout or a duplicate row (then gives up)
ATTEMPTS = 4


@dataclass(frozen=True)
class Outcome:
    """Where a person stands after an act: ``registered`` or ``waiting`` (with the place
    in the queue), ``created`` False when they were already signed up."""

    status: str
    position: int | None = None
    created: bool = True


@dataclass(frozen=True)
class Cancelled:
    """A cancelled registration, and the people a freed place promoted (user ids)."""

    was: str
    promoted: tuple[int, ...] = ()


def _retrying(factory: sessionmaker[Session], act: Callable[[Session], _T]) -> _T:
    """Run ``act(session)`` in a transaction, again when it lost a race."""
    for attempt in range(ATTEMPTS):
        try:
            with factory() as session, session.begin():
                return act(session)
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _lock_occurrence(session: Session, page_id: int, key: str) -> int:
    """The occurrence's id, its row made if missing and locked until the transaction ends."""
    values = {"page_id": page_id, "starts_at": key, "created_at": utcnow()}
    insert = insert_unless_present(occurrences, session.get_bind().dialect.name)
    if insert is not None:
        session.execute(insert.values(**values))
    else:  # another database: a duplicate is retried by the caller
        found = session.scalar(
            select(occurrences.c.id).where(
                occurrences.c.page_id == page_id, occurrences.c.starts_at == key
            )
        )
        if found is None:
            session.execute(occurrences.insert().values(**values))
    return session.scalars(
        select(occurrences.c.id)
        .where(occurrences.c.page_id == page_id, occurrences.c.starts_at == key)
        .with_for_update()
    ).one()


def _active(occurrence_id: int) -> ColumnElement[bool]:
    """The active (not cancelled) registrations of an occurrence."""
    return (registrations.c.occurrence_id == occurrence_id) & registrations.c.cancelled_at.is_(None)


def sign_up(
    factory: sessionmaker[Session], page_id: int, key: str, user_id: int, capacity: int
) -> Outcome:
    """Sign ``user_id`` up to the occurrence ``key`` of workshop ``page_id``: registered
    while places are left, waiting (last in the queue) otherwise; signing up again
    answers the standing registration (``created`` False)."""

    def act(session: Session) -> Outcome:
        occurrence_id = _lock_occurrence(session, page_id, key)
        mine = session.execute(
            select(registrations.c.status, registrations.c.position).where(
                _active(occurrence_id), registrations.c.user_id == user_id
            )
        ).first()
        if mine is not None:
            return Outcome(mine.status, mine.position, created=False)
        taken = session.scalar(
            select(func.count()).where(_active(occurrence_id), registrations.c.status == REGISTERED)
        )
        status, position = REGISTERED, None
        if taken >= capacity:
            last = session.scalar(
                select(func.max(registrations.c.position)).where(
                    _active(occurrence_id), registrations.c.status == WAITING
                )
            )
            status, position = WAITING, (last or 0) + 1
        session.execute(
            registrations.insert().values(
                occurrence_id=occurrence_id,
                user_id=user_id,
                status=status,
                position=position,
                created_at=utcnow(),
            )
        )
        return Outcome(status, position)

    return _retrying(factory, act)


def cancel(
    factory: sessionmaker[Session], page_id: int, key: str, user_id: int, capacity: int
) -> Cancelled | None:
    """Cancel ``user_id``'s registration (None when they had none). A freed place goes
    to the first waiting person; the queue moves up."""

    def act(session: Session) -> Cancelled | None:
        occurrence_id = _lock_occurrence(session, page_id, key)
        mine = session.execute(
            select(registrations.c.id, registrations.c.status, registrations.c.position).where(
                _active(occurrence_id), registrations.c.user_id == user_id
            )
        ).first()
        if mine is None:
            return None
        now = utcnow()
        session.execute(
            update(registrations).where(registrations.c.id == mine.id).values(cancelled_at=now)
        )
        if mine.status == WAITING:
            _move_up(session, occurrence_id, after=mine.position or 0)
            return Cancelled(WAITING)
        return Cancelled(REGISTERED, tuple(_promote(session, occurrence_id, capacity)))

    return _retrying(factory, act)


def _move_up(session: Session, occurrence_id: int, after: int, by: int = 1) -> None:
    """The waiting people behind place ``after`` move up ``by`` places."""
    session.execute(
        update(registrations)
        .where(
            _active(occurrence_id),
            registrations.c.status == WAITING,
            registrations.c.position > after,
        )
        .values(position=registrations.c.position - by)
    )


def _promote(session: Session, occurrence_id: int, capacity: int) -> list[int]:
    """Fill the free places from the head of the queue; the promoted user ids."""
    taken = session.scalar(
        select(func.count()).where(_active(occurrence_id), registrations.c.status == REGISTERED)
    )
    free = capacity - taken
    if free <= 0:
        return []
    heads = session.execute(
        select(registrations.c.id, registrations.c.user_id)
        .where(_active(occurrence_id), registrations.c.status == WAITING)
        .order_by(registrations.c.position)
        .limit(free)
    ).all()
    if not heads:
        return []
    session.execute(
        update(registrations)
        .where(registrations.c.id.in_([row.id for row in heads]))
        .values(status=REGISTERED, position=None)
    )
    _move_up(session, occurrence_id, after=0, by=len(heads))
    return [row.user_id for row in heads]


@dataclass(frozen=True)
class Participant:
    """One active registration of an occurrence, for the facilitators' list."""

    user_id: int
    username: str
    email: str
    status: str
    position: int | None
    created_at: datetime
    starts_at: str


def participants(session: Session, page_id: int) -> list[Participant]:
    """The active registrations of every occurrence of a workshop (one query), by
    occurrence, registered first, then the queue in order."""
    rows = session.execute(
        select(
            registrations.c.user_id,
            User.username,
            User.email,
            registrations.c.status,
            registrations.c.position,
            registrations.c.created_at,
            occurrences.c.starts_at,
        )
        .join(occurrences, occurrences.c.id == registrations.c.occurrence_id)
        .join(User, User.id == registrations.c.user_id)
        .where(occurrences.c.page_id == page_id, registrations.c.cancelled_at.is_(None))
        .order_by(
            occurrences.c.starts_at,
            registrations.c.status,  # "registered" sorts before "waiting"
            registrations.c.position,
            registrations.c.created_at,
        )
    )
    return [Participant(*row) for row in rows]


def standing(session: Session, user_id: int, page_id: int | None = None) -> dict:
    """``{(page_id, start key): (status, position)}`` of a person's active registrations."""
    stmt = (
        select(
            occurrences.c.page_id,
            occurrences.c.starts_at,
            registrations.c.status,
            registrations.c.position,
        )
        .join(occurrences, occurrences.c.id == registrations.c.occurrence_id)
        .where(registrations.c.user_id == user_id, registrations.c.cancelled_at.is_(None))
    )
    if page_id is not None:
        stmt = stmt.where(occurrences.c.page_id == page_id)
    return {(p, k): (s, pos) for p, k, s, pos in session.execute(stmt)}
