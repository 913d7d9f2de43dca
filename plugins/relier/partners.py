"""Partner wikis: their list (admins manage it) and the cache of their latest changes.

A page view only reads the cache (:func:`listing`); the network is used by
:func:`refresh` alone, from the command ``wikicoop relier fetch-partners`` or from a
background thread started when a view finds the cache stale (:func:`refresh_soon`: one
thread at a time per process, a daemon, off when ``RELIER_FEED_BACKGROUND`` is false).
No database transaction stays open while a partner is being fetched. A partner that fails
keeps its last good entries; the failure and its time are recorded beside them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wikicoop.core.db import sessionmaker_of
from wikicoop.core.models import utcnow

from . import feeds
from .tables import installed, partners

#: settings and their defaults
SETTINGS = {
    "RELIER_FEED_TIMEOUT": 5.0,  # seconds to connect, and to read a feed in all
    "RELIER_FEED_MAX_AGE": 1800,  # seconds before a partner's cache is stale
    "RELIER_FEED_BACKGROUND": True,  # refresh stale caches in a background thread
}


@dataclass(frozen=True)
class Partner:
    """A partner wiki and what the cache knows of it."""

    id: int
    name: str
    site_url: str
    feed_url: str
    entries: list[dict[str, Any]]
    fetched_at: datetime | None
    succeeded_at: datetime | None
    last_error: str

    @property
    def failing(self) -> bool:
        """Whether its last attempt failed."""
        return bool(self.last_error)


def listing(session: Session) -> list[Partner]:
    """Every partner with its cached entries, by name (one query, no network)."""
    if not installed(session):
        return []
    rows = session.execute(select(partners).order_by(partners.c.name))
    return [
        Partner(
            r.id,
            r.name,
            r.site_url,
            r.feed_url,
            list(r.entries or []),
            r.fetched_at,
            r.succeeded_at,
            r.last_error,
        )
        for r in rows
    ]


def add(session: Session, name: str, site_url: str, feed_url: str) -> None:
    """A new partner (names are unique: the caller checks)."""
    session.execute(
        partners.insert().values(
            name=name, site_url=site_url, feed_url=feed_url, entries=[], last_error=""
        )
    )


def remove(session: Session, partner_id: int) -> bool:
    """Remove a partner; False when there was none."""
    return bool(session.execute(partners.delete().where(partners.c.id == partner_id)).rowcount)


def stale(session: Session, max_age: float, now: datetime | None = None) -> bool:
    """Whether a partner was never fetched, or not for ``max_age`` seconds."""
    limit = (now or utcnow()) - timedelta(seconds=max_age)
    return any(p.fetched_at is None or p.fetched_at < limit for p in listing(session))


def refresh(
    maker: Callable[[], Session], timeout: float, fetch: Callable[..., Any] | None = None
) -> dict[str, str]:
    """Fetch every partner's feed and store the result: ``{name: "ok" | error code}``.

    The list is read, then the session closed before any network access; each result is
    written in a short transaction of its own.
    """
    fetch = fetch or feeds.fetch_entries
    with maker() as session:
        if not installed(session):
            return {}
        todo = [(p.id, p.name, p.feed_url) for p in listing(session)]
    results: dict[str, str] = {}
    for partner_id, name, url in todo:
        now = utcnow()
        try:
            entries = fetch(url, timeout)
        except feeds.FeedError as err:
            values: dict[str, Any] = {"fetched_at": now, "last_error": err.code}
            results[name] = err.code
        else:
            values = {"fetched_at": now, "succeeded_at": now, "entries": entries, "last_error": ""}
            results[name] = "ok"
        with maker() as session, session.begin():
            session.execute(update(partners).where(partners.c.id == partner_id).values(**values))
    return results


_lock = threading.Lock()
_thread: threading.Thread | None = None


def refresher() -> threading.Thread | None:
    """The background refresh running now, if any (tests wait for it)."""
    return _thread


def refresh_soon(app: Flask, session: Session) -> bool:
    """Start a background refresh when the cache is stale and none is running (one per
    process); True when one was started. Never waits for the network."""
    global _thread
    if not app.config.get("RELIER_FEED_BACKGROUND", True):
        return False
    if not stale(session, float(app.config["RELIER_FEED_MAX_AGE"])):
        return False
    with _lock:
        if _thread is not None and _thread.is_alive():
            return False
        maker = sessionmaker_of(app)
        timeout = float(app.config["RELIER_FEED_TIMEOUT"])

        def run() -> None:
            try:
                refresh(maker, timeout)
            except Exception:  # a background failure must not kill anything: logged
                app.logger.exception("relier: refreshing the partners' feeds failed")

        _thread = threading.Thread(target=run, name="relier-partners", daemon=True)
        _thread.start()
    return True
