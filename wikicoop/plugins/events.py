"""The page events a plugin may follow that the write path does not fire itself:
``page_renamed``, ``page_deleted`` and ``licence_changed``.

Each of these acts writes one audit-log entry (``rename``, ``delete``, ``relicense``) in
its transaction; the bridge watches the session for those entries and fires the hook
before they are flushed, inside the same transaction (what a hook adds to ``ctx.session``
is committed with the act, or rolled back with it). ``page_published`` is fired by the
write path itself (``wikicoop.writing.publish``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.db import app_of, sessionmaker_of
from ..core.models import AuditEntry, Page, User
from . import EXTENSION_KEY


@dataclass(frozen=True)
class PageRenamed:
    """ctx of ``page_renamed``: titles are full titles (``"Aide:Sommaire"``)."""

    session: Session
    page: Page
    old_title: str
    new_title: str
    actor: User | None
    reason: str


@dataclass(frozen=True)
class PageDeleted:
    """ctx of ``page_deleted``."""

    session: Session
    page: Page
    actor: User | None
    reason: str


@dataclass(frozen=True)
class LicenceChanged:
    """ctx of ``licence_changed``: licence codes (``"CC-BY-SA-4.0"``)."""

    session: Session
    page: Page
    old_licence: str
    new_licence: str
    actor: User | None
    reason: str


_FIRED = "wikicoop.plugins.fired"


def _fire(hook: Any, session: Session, entry: AuditEntry) -> None:
    page = session.get(Page, entry.page_id) if entry.page_id is not None else None
    if page is None:
        return
    actor = session.get(User, entry.actor_id) if entry.actor_id is not None else None
    details = entry.details or {}
    reason = entry.reason or ""
    if entry.action == "rename":
        old, new = str(details.get("old", "")), str(details.get("new", page.title.full))
        hook.page_renamed(ctx=PageRenamed(session, page, old, new, actor, reason))
    elif entry.action == "delete":
        hook.page_deleted(ctx=PageDeleted(session, page, actor, reason))
    elif entry.action == "relicense":
        old, new = str(details.get("old", "")), str(details.get("new", page.licence))
        hook.licence_changed(ctx=LicenceChanged(session, page, old, new, actor, reason))


def init_events(app: Flask) -> None:
    """Fire the page event hooks from the audit entries of the app's sessions."""
    maker = sessionmaker_of(app)
    event.listen(maker, "before_flush", _fire_audited_events)
    event.listen(maker, "after_commit", _forget_fired)
    event.listen(maker, "after_soft_rollback", _forget_fired)


def _fire_audited_events(session: Session, _context: object, _instances: object) -> None:
    """The hooks of the page events audited in this flush, each entry once."""
    fired: set[int] = session.info.setdefault(_FIRED, set())
    for obj in list(session.new):
        if (
            isinstance(obj, AuditEntry)
            and obj.target_type == "page"
            and obj.action in {"rename", "delete", "relicense"}
            and id(obj) not in fired
        ):
            fired.add(id(obj))
            _fire(app_of(session).extensions[EXTENSION_KEY].hook, session, obj)


def _forget_fired(session: Session, *_: object) -> None:
    session.info.pop(_FIRED, None)
