"""Events of the wiki's life, for the parts that follow them (watchlists, notifications).

Blinker signals (Flask's own dependency). Every signal is sent **inside** the
transaction that makes the event, before its commit, with that ``session``: a receiver
adds its rows (a notification, say) to the same transaction, so they are written
together or not at all. Receivers must not commit, and should be quick: an e-mail is
queued by a receiver with :func:`after_commit`, never sent while the transaction is open.

Every signal's sender is the Flask app (given by the provider the app installs with
:func:`set_sender_provider`: this module does not import Flask); keyword arguments are
listed per signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blinker import NamedSignal, Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
_signals = Namespace()

#: a revision became the public version of its page (saved by a trusted contributor, or
#: approved). kwargs: session, revision, page, actor (who saved or approved it)
revision_published = _signals.signal("revision-published")
#: a revision was saved but waits for review. kwargs: session, revision, page
revision_pending = _signals.signal("revision-pending")
#: a moderator rejected a revision. kwargs: session, revision, page, actor, reason
revision_rejected = _signals.signal("revision-rejected")
#: a discussion message became visible. kwargs: session, comment, page, actor
comment_published = _signals.signal("comment-published")
#: a discussion message waits for review. kwargs: session, comment, page
comment_pending = _signals.signal("comment-pending")
#: a moderator rejected a discussion message. kwargs: session, comment, page, actor, reason
comment_rejected = _signals.signal("comment-rejected")


def _no_sender() -> None:
    return None


_sender_provider: Callable[[], Any] = _no_sender


def set_sender_provider(provider: Callable[[], Any]) -> None:
    """Install what names the sender of every signal (the web layer: the current app)."""
    global _sender_provider
    _sender_provider = provider


def send(signal: NamedSignal, **kwargs: Any) -> None:
    """Send ``signal`` with the current app as sender (None outside an app)."""
    signal.send(_sender_provider(), **kwargs)


_AFTER_COMMIT = "wikicoop.after_commit"


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once ``session``'s current transaction has committed (never on rollback).

    Works for the sessions of the app's sessionmaker (see :func:`run_after_commit_actions`).
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


_LAST_WRITES = "wikicoop.last_writes"


def last_write(session: Session, key: str, write: Callable[[Session], None]) -> None:
    """Have ``write`` run last in ``session``'s current transaction, just before its
    commit, once however many times ``key`` is asked for.

    For a row that every transaction of its kind updates (a counter): written earlier,
    its lock would be held for the rest of the transaction, and every concurrent one
    would wait behind it; written last, only for the commit itself. A failure fails the
    commit, as any of the transaction's writes would.
    """
    session.info.setdefault(_LAST_WRITES, {})[key] = write


def _run_last_writes(session: Session) -> None:
    writes = session.info.pop(_LAST_WRITES, {})
    for write in writes.values():
        write(session)


def _run_actions(session: Session) -> None:
    for action in session.info.pop(_AFTER_COMMIT, []):
        try:
            action()
        except Exception:  # the commit succeeded: a failed follow-up must not undo it
            log.exception("after-commit action failed")


def _drop_actions(session: Session, _previous: object) -> None:
    session.info.pop(_AFTER_COMMIT, None)
    session.info.pop(_LAST_WRITES, None)


def run_after_commit_actions(maker: sessionmaker[Session]) -> None:
    """Run the :func:`last_write` writes and :func:`after_commit` actions of the
    sessions ``maker`` makes."""
    event.listen(maker, "before_commit", _run_last_writes)
    event.listen(maker, "after_commit", _run_actions)
    event.listen(maker, "after_soft_rollback", _drop_actions)
