"""Following the wiki's life in the JSON API (``/api/v1/...``): recent changes, patrol,
contributions, the watchlist and notifications.

Authenticated like the rest of the API: a bearer token, or the session cookie plus the
CSRF header for writes. The browser's views are in ``changes.py``; the parameters both
read, and who sees which revisions, in :mod:`wikicoop.web.change_lists`.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ...community import changes as ch
from ...community import watching
from ...core.models import User
from ...core.moderation import REJECTED
from ...text.titles import TitleError
from ..change_lists import (
    NOTIFICATIONS_PER_PAGE,
    BadParam,
    change_filter,
    int_param,
    set_watch,
    user_param,
    visible_page,
    watch_target,
    watchlist_filter,
)
from ..db import get_session
from ..helpers import ApiError, guard, make_api_blueprint
from ..labels import current_language, localized
from ..urls import page_url

bp = make_api_blueprint("changes_api", __name__)


def _api_filter(**kwargs: Any) -> ch.ChangeFilter:
    try:
        return change_filter(request.args, **kwargs)
    except BadParam as err:
        raise ApiError(err.status, err.message) from None


def change_json(change: ch.Change) -> dict[str, Any]:
    """The API's shape of a change."""
    body: dict[str, Any] = {
        "revision_id": change.revision_id,
        "page": change.title.full,
        "url": request.host_url.rstrip("/") + page_url(change.title),
        "user": change.author_name,
        "timestamp": change.created_at.isoformat(),
        "summary": change.summary,
        "minor": change.minor,
        "size": change.size,
        "size_change": change.size_change,
        "status": change.status,
        "patrolled": change.patrolled,
        "action": change.action,
        "parent": change.parent_id,
    }
    if change.status == REJECTED:
        body["review_reason"] = change.review_reason
    return body


def _changes_body(result: ch.ChangeList) -> dict[str, Any]:
    return {
        "changes": [change_json(c) for c in result.changes],
        "next": result.next_before,
    }


# ---------------------------------------------------------------------- recent changes


@bp.get("/recent-changes")
def api_recent_changes() -> Response:
    """``{"changes": [...], "next": cursor or null}``, newest first."""
    flt = _api_filter()
    return jsonify(_changes_body(ch.list_changes(get_session(), flt)))


@bp.post("/revisions/<int:revision_id>/patrol")
def api_patrol(revision_id: int) -> Response:
    """Mark one published change as checked: ``{"revision_id", "patrolled", "already"}``."""
    guard("patrol")
    session = get_session()
    try:
        (outcome,) = ch.patrol(session, [revision_id], current_user)
    except ch.PatrolError as err:
        session.rollback()
        raise ApiError(err.status, localized(err), code=err.code) from None
    session.commit()
    body: dict[str, Any] = {
        "revision_id": revision_id,
        "patrolled": True,
        "already": outcome.already,
    }
    if outcome.already:
        body["message"] = _("Cette modification était déjà vérifiée.")
    return jsonify(body)


# ----------------------------------------------------------------------- contributions


def _contributor(username: str) -> User:
    try:
        return user_param(username)
    except BadParam as err:
        raise ApiError(err.status, err.message) from None


@bp.get("/users/<username>/contributions")
def api_contributions(username: str) -> Response:
    """A person's revisions: ``{"user", "changes": [...], "next"}``."""
    user = _contributor(username)
    flt = _api_filter(author=user, contributions=True)
    return jsonify({"user": user.username, **_changes_body(ch.list_changes(get_session(), flt))})


# -------------------------------------------------------------------------- watchlists


@bp.get("/watchlist")
def api_watchlist() -> Response:
    """``{"pages": [titles], "changes": [changes since the last visit]}``."""
    guard("watch")
    session = get_session()
    result = ch.list_changes(session, watchlist_filter())
    return jsonify(
        {
            "pages": [t.full for t in watching.watched_titles(session, current_user.id)],
            "changes": [change_json(c) for c in result.changes],
        }
    )


@bp.route("/watchlist/<path:raw_title>", methods=["PUT", "DELETE"])
def api_watch(raw_title: str) -> Response:
    """PUT follows a page (and its discussion), DELETE stops: ``{"title", "watching"}``."""
    guard("watch")
    try:
        title = watch_target(raw_title)
    except TitleError as err:
        raise ApiError(400, _("Titre invalide : %(reason)s", reason=localized(err))) from None
    page = visible_page(title)
    if page is None:
        raise ApiError(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    follow = request.method == "PUT"
    changed = set_watch(page, follow)
    return jsonify({"title": title.full, "watching": follow, "changed": changed})


# ----------------------------------------------------------------------- notifications


def notification_json(item: watching.NotificationItem) -> dict[str, Any]:
    """The API's shape of a notification."""
    return {
        "id": item.id,
        "kind": item.kind,
        "text": item.text(current_language()),
        "page": item.title.full if item.title is not None else None,
        "url": request.host_url.rstrip("/") + item.path,
        "actor": item.actor_name,
        "message": item.extra,
        "revision_id": item.revision_id,
        "comment_id": item.comment_id,
        "timestamp": item.created_at.isoformat(),
        "read": item.read,
    }


@bp.get("/notifications")
def api_notifications() -> Response:
    """``{"unread", "notifications": [...], "next"}``, newest first."""
    guard("watch")
    try:
        before = int_param(request.args, "before", None)
        limit = min(ch.MAX_LIMIT, int_param(request.args, "limit", NOTIFICATIONS_PER_PAGE) or 1)
    except BadParam as err:
        raise ApiError(err.status, err.message) from None
    session = get_session()
    items, next_before = watching.list_notifications(
        session, current_user.id, before=before, limit=limit
    )
    return jsonify(
        {
            "unread": watching.unread_count(session, current_user.id),
            "notifications": [notification_json(item) for item in items],
            "next": next_before,
        }
    )


@bp.post("/notifications/read")
def api_notifications_read() -> Response:
    """Mark all notifications as read: ``{"marked": n}``."""
    guard("watch")
    session = get_session()
    marked = watching.mark_all_read(session, current_user.id)
    session.commit()
    return jsonify({"marked": marked})
