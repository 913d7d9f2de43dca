"""The « Pages cousines » panel, stored: each page's five best related pages are kept in
``relier_related`` with the generation they were computed at. A page view reads its row
and the current generation in one query; a publication, deletion or rename anywhere
bumps the generation (:func:`bump`), and the next view of a page whose row is older
computes its list again (:func:`.related.related`). The JSON twin
(``/api/v1/pages/<title>/related``) always computes afresh.

A list computed by a view is kept in the process's memory (the next views of the page
read it there) and stored with the others computed meanwhile, in one transaction, by
the first view after ``RELIER_COUSINS_STORE_SECONDS``. A commit per view would move the
database's change stamp each time, and with it every visitor's cached page on every
worker (:mod:`wikicoop.core.change_stamp`): after a publication, each page's first view
would wipe out the pages the others had just cached.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wikicoop.core import signals
from wikicoop.core.models import Page
from wikicoop.text.titles import Title, make_title

from . import related as rel
from .tables import installed, related, state

SHOWN = 5
#: seconds a list computed by a view waits in memory before it is stored (the setting
#: ``RELIER_COUSINS_STORE_SECONDS``)
STORE_SECONDS = 30.0
#: lists waiting in a process's memory beyond which they are stored at once
WAITING_MAX = 5_000

Items = list[dict[str, Any]]


class _Waiting:
    """The lists computed by this process's views and not stored yet (one database)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lists: dict[int, tuple[int, Items]] = {}  # page id -> (generation, items)
        self.since: float | None = None  # when the oldest of them was computed

    def get(self, page_id: int, generation: int) -> Items | None:
        with self.lock:
            kept = self.lists.get(page_id)
        return kept[1] if kept is not None and kept[0] == generation else None

    def put(self, page_id: int, generation: int, items: Items) -> None:
        with self.lock:
            self.lists[page_id] = (generation, items)
            if self.since is None:
                self.since = time.monotonic()

    def due(self, after: float) -> bool:
        with self.lock:
            return self.since is not None and (
                time.monotonic() - self.since >= after or len(self.lists) >= WAITING_MAX
            )

    def take(self, generation: int) -> dict[int, Items]:
        """The lists of ``generation`` (the others are stale already), forgotten here."""
        with self.lock:
            taken = {pid: items for pid, (gen, items) in self.lists.items() if gen == generation}
            self.lists.clear()
            self.since = None
        return taken


_WAITING: weakref.WeakKeyDictionary[Engine, _Waiting] = weakref.WeakKeyDictionary()
_WAITING_LOCK = threading.Lock()


def _waiting(session: Session) -> _Waiting | None:
    """This process's lists waiting to be stored in the session's database (None for a
    session bound to a connection: its lists are stored at once)."""
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        return None
    with _WAITING_LOCK:
        return _WAITING.setdefault(engine, _Waiting())


def bump(session: Session) -> None:
    """Every stored list is stale once the caller's transaction has committed.

    The counter is raised last in that transaction, just before its commit
    (:func:`~wikicoop.core.signals.last_write`): its one row is updated by every save,
    and raised earlier in the save its lock made every save, on every server, wait for
    the saves before it to commit. Raised in a short transaction of its own after the
    commit, as before, it cost each save a second transaction (a connection checked
    out, BEGIN, UPDATE, COMMIT: four round trips on PostgreSQL) and let a view between
    the two see a stale list as fresh.
    """
    if not installed(session):
        return

    def raise_generation(in_session: Session) -> None:
        in_session.execute(
            update(state).where(state.c.name == "generation").values(value=state.c.value + 1)
        )

    signals.last_write(session, "relier.generation", raise_generation)


def stored(session: Session, page: Page) -> list[tuple[Title, list[str]]] | None:
    """The page's cousins ``[(title, reason kinds)]``: read in one query when fresh,
    computed and stored otherwise; None without the plugin's tables."""
    if not installed(session):
        return None
    row = session.execute(
        select(state.c.value, related.c.generation, related.c["items"])
        .select_from(state.outerjoin(related, related.c.page_id == page.id))
        .where(state.c.name == "generation")
    ).first()
    if row is None:
        return None
    generation, computed_at, items = row
    if computed_at != generation:
        items = _fresh(session, page, generation)
    return [(make_title(item["ns"], item["name"]), list(item["kinds"])) for item in items]


def _fresh(session: Session, page: Page, generation: int) -> Items:
    """The page's list for ``generation``: kept in memory by an earlier view, or computed
    now and kept there; the lists waiting are stored when they are due."""
    waiting = _waiting(session)
    if waiting is None:
        items = _compute(session, page)
        _store(session, {page.id: items}, generation)
        return items
    items = waiting.get(page.id, generation)
    if items is None:
        items = _compute(session, page)
        waiting.put(page.id, generation, items)
    if waiting.due(_store_seconds()):
        _store(session, waiting.take(generation), generation)
    return items


def store_waiting(session: Session) -> int:
    """Store now the lists this process's views computed (what the first view after
    ``RELIER_COUSINS_STORE_SECONDS`` does; for tests and scripts); returns how many."""
    waiting = _waiting(session)
    if waiting is None or not installed(session):
        return 0
    generation = session.scalar(select(state.c.value).where(state.c.name == "generation"))
    taken = waiting.take(generation) if generation is not None else {}
    if taken:
        _store(session, taken, generation)
    return len(taken)


def _store_seconds() -> float:
    if not has_app_context():
        return STORE_SECONDS
    return float(current_app.config.get("RELIER_COUSINS_STORE_SECONDS", STORE_SECONDS))


def _store(session: Session, lists: dict[int, Items], generation: int) -> None:
    """Store ``lists`` (page id -> items) computed at ``generation``, in one transaction
    (committed at once: it runs within a page view)."""
    if not lists:
        return
    try:
        session.execute(delete(related).where(related.c.page_id.in_(list(lists))))
        session.execute(
            related.insert(),
            [
                {"page_id": page_id, "generation": generation, "items": items}
                for page_id, items in lists.items()
            ],
        )
        session.commit()
    except IntegrityError:  # another process stored some meanwhile, or a page is gone
        session.rollback()


def _compute(session: Session, page: Page) -> Items:
    """Compute the page's cousins (four queries; nothing written)."""
    items = []
    for cousin in rel.related(session, page, SHOWN):
        if cousin.title is None:
            continue
        kinds: list[str] = []
        for reason in cousin.reasons:
            if reason["kind"] not in kinds:
                kinds.append(reason["kind"])
        items.append({"ns": cousin.title.namespace, "name": cousin.title.name, "kinds": kinds})
    return items
