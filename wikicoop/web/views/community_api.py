"""Moderators' tools against abuse in the JSON API (``/api/v1/...``): blocks, trust and
roles of accounts, page protection and the audit log (their browser pages are in
``community.py``).

Thin HTTP layer over :mod:`wikicoop.community.governance`: permissions through ``guard``,
refusals as ``{"error", "code"}`` in the reader's language with the service's HTTP status.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ...community import governance as community
from ...community.accounts import find_user
from ...core import revisions as rev
from ...core import visibility
from ...core.models import User
from ..db import get_session
from ..helpers import ApiError, account, guard, json_body, make_api_blueprint, parse_or_fail

bp = make_api_blueprint("community_api", __name__)


def _api_user(raw: str) -> User:
    user = find_user(get_session(), raw)  # any spelling: accounts.username_key
    if user is None:
        raise ApiError(404, _("Aucun compte ne porte le nom « %(name)s ».", name=raw[:64]))
    return user


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def block_json(row: community.BlockRow) -> dict[str, Any]:
    """The public shape of a block."""
    block = row.block
    return {
        "id": block.id,
        "reason": block.reason,
        "by": row.by_name or None,
        "created_at": _iso(block.created_at),
        "expires_at": _iso(block.expires_at),
        "lifted_at": _iso(block.lifted_at),
        "lifted_by": row.lifted_by_name or None,
        "active": row.active,
    }


def _block_state(user: User, status: int = 200) -> tuple[Response, int]:
    history = community.block_history(get_session(), user)
    current = next((row for row in history if row.active), None)
    body = {
        "user": user.username,
        "blocked": current is not None,
        "block": block_json(current) if current else None,
        "history": [block_json(row) for row in history],
    }
    return jsonify(body), status


@bp.get("/users/<username>/block")
def api_block_state(username: str) -> tuple[Response, int]:
    guard("block")
    return _block_state(_api_user(username))


@bp.post("/users/<username>/block")
def api_block(username: str) -> tuple[Response, int]:
    """Block a user: ``{reason, duration}`` (1d, 3d, 1w, 1m, forever) or ``{reason, expires_at}``
    (ISO 8601, or null for no end date)."""
    guard("block")
    user = _api_user(username)
    data = json_body()
    if "expires_at" in data:
        expires = community.parse_expiry(data["expires_at"])
    elif "duration" in data:
        expires = community.expiry_for(data["duration"])
    else:
        raise ApiError(
            400,
            _(
                "Indiquez « duration » (1d, 3d, 1w, 1m ou forever) ou « expires_at » "
                "(une date ISO 8601, ou null pour un blocage sans date de fin)."
            ),
        )
    community.block_user(
        get_session(), user, by=current_user, reason=data.get("reason"), expires_at=expires
    )
    return _block_state(user, 201)


@bp.delete("/users/<username>/block")
def api_lift_block(username: str) -> tuple[Response, int]:
    """Lift the block in force: ``{reason}`` in the body (or ``?reason=``)."""
    guard("block")
    user = _api_user(username)
    data = request.get_json(silent=True)
    reason = data.get("reason") if isinstance(data, dict) else request.args.get("reason")
    session = get_session()
    block = community.block_of(session, user, data.get("block") if isinstance(data, dict) else None)
    community.lift_block(session, block, by=current_user, reason=reason)
    return _block_state(user)


@bp.put("/users/<username>/trust")
def api_trust(username: str) -> Response:
    """``{trust: "granted" | "withdrawn" | "auto", reason}``."""
    guard("set_trust")
    user = _api_user(username)
    data = json_body()
    session = get_session()
    community.set_trust(
        session, user, data.get("trust"), by=current_user, reason=data.get("reason")
    )
    summary = community.trust_summary(session, user, current_app.config)
    return jsonify({"user": user.username, "trust": user.trust, "trusted": summary["trusted"]})


@bp.put("/users/<username>/role")
def api_role(username: str) -> Response:
    """``{role: "contributor" | "moderator" | "admin", reason}`` (admins only)."""
    guard("set_role")
    user = _api_user(username)
    data = json_body()
    community.set_role(
        get_session(), user, data.get("role"), by=current_user, reason=data.get("reason")
    )
    return jsonify({"user": user.username, "role": user.role})


@bp.put("/pages/<path:raw_title>/protection")
def api_protection(raw_title: str) -> Response:
    """``{level: "" | "trusted" | "moderators", reason}``."""
    title = parse_or_fail(raw_title)
    session = get_session()
    page = rev.find_page(session, title)
    if page is None or not visibility.page_exists_for(session, page, account()):
        raise ApiError(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    guard("protect", page)
    data = json_body()
    community.set_protection(
        get_session(), page, data.get("level"), by=current_user, reason=data.get("reason")
    )
    return jsonify({"title": title.full, "protection": page.protection})


def audit_json(row: community.AuditRow) -> dict[str, Any]:
    """The public shape of an audit entry."""
    entry = row.entry
    target = None
    if row.target_user is not None:
        target = row.target_user.username
    elif entry.target_type == "page" and row.page is not None:
        target = row.page.title.full
    return {
        "id": entry.id,
        "timestamp": _iso(entry.created_at),
        "actor": entry.actor.username if entry.actor else None,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target": target,
        "page": row.page.title.full if row.page is not None else None,
        "reason": entry.reason,
        "details": entry.details or {},
    }


@bp.get("/audit-log")
def api_audit_log() -> Response:
    """The audit log, newest first; filters ``action``, ``actor``, ``user`` (target account),
    ``page`` (title), ``target_type``, ``target_id``; ``limit`` and ``offset``."""
    guard("view_audit")
    session = get_session()
    args = request.args
    where = community.AuditFilter(
        action=args.get("action") or None,
        target_type=args.get("target_type") or None,
        target_id=_api_int("target_id", None, 0, 2**31),
    )
    if args.get("actor"):
        where = replace(where, actor_id=_api_user(args["actor"]).id)
    if args.get("user"):
        where = replace(where, user_id=_api_user(args["user"]).id)
    if args.get("page"):
        title = parse_or_fail(args["page"])
        page = rev.find_page(session, title)
        if page is None:
            raise ApiError(404, _("La page « %(title)s » n'existe pas.", title=title.full))
        where = replace(where, page_id=page.id)
    limit = _api_int("limit", 50, 1, 500)
    offset = _api_int("offset", 0, 0, 10**9)
    assert limit is not None and offset is not None
    total, rows = community.audit_entries(session, where, limit=limit, offset=offset)
    return jsonify(
        {
            "total": total,
            "limit": limit,
            "offset": offset,
            "entries": [audit_json(row) for row in rows],
        }
    )


def _api_int(name: str, default: int | None, minimum: int, maximum: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return max(minimum, min(maximum, int(raw)))
    except ValueError:
        raise ApiError(
            400, _("Le paramètre « %(name)s » doit être un nombre entier.", name=name)
        ) from None
