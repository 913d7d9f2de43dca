"""Events of the wiki's life, for the parts that follow them (watchlists, notifications).

Blinker signals (Flask's own dependency). Every signal is sent **inside** the
transaction that makes the event, before its commit, with that ``session``: a receiver
adds its rows (a notification, say) to the same transaction, so they are written
together or not at all. Receivers must not commit, and should be quick: an e-mail is
queued by a receiver with :func:`after_commit`, never sent while the transaction is open.

Every signal's sender is the Flask app; keyword arguments are listed per signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blinker import NamedSignal, Namespace
from flask import (
    Flask,
    Response,
    after_this_request,
    current_app,
    has_app_context,
    has_request_context,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

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


def send(signal: NamedSignal, **kwargs: Any) -> None:
    """Send ``signal`` with the current Flask app as sender (None outside an app)."""
    sender = current_app._get_current_object() if has_app_context() else None
    signal.send(sender, **kwargs)


_AFTER_COMMIT = "wikicoop.after_commit"


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once ``session``'s current transaction has committed (never on rollback).

    Works for the sessions of the app's sessionmaker (see :func:`init_app`).
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


def _run_actions(session: Session) -> None:
    for action in session.info.pop(_AFTER_COMMIT, []):
        try:
            action()
        except Exception:  # the commit succeeded: a failed follow-up must not undo it
            log.exception("after-commit action failed")


def _drop_actions(session: Session, _previous: object) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def after_response(action: Callable[[], None]) -> None:
    """Run ``action`` once the response is sent (its ``close``), so no one waits for it;
    at once outside a request (the command line)."""
    if not has_request_context():
        action()
        return

    @after_this_request
    def schedule(response: Response) -> Response:
        response.call_on_close(action)
        return response


def init_app(app: Flask) -> None:
    """Run the :func:`after_commit` actions of the app's sessions."""
    maker = app.extensions["wikicoop.sessionmaker"]
    event.listen(maker, "after_commit", _run_actions)
    event.listen(maker, "after_soft_rollback", _drop_actions)
