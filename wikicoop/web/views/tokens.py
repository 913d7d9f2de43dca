"""JSON API v1: one's own API tokens, listed and revoked.

``GET /api/v1/tokens`` lists the reader's unrevoked tokens (never the tokens themselves,
which are shown once at creation: ``wikicoop token create``); ``DELETE
/api/v1/tokens/<id>`` revokes one of them. Someone else's token is 404, as an unknown
one is, so token ids tell nothing about other accounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ...community.credentials import active_tokens, revoke_token
from ...core.models import ApiToken, User
from ..db import get_session
from ..helpers import ApiError, make_api_blueprint

bp = make_api_blueprint("tokens", __name__)


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def token_json(row: ApiToken) -> dict[str, Any]:
    """The public shape of a token: ``{id, label, created_at, last_used_at}`` (ISO 8601;
    the last use is recorded to the minute)."""
    return {
        "id": row.id,
        "label": row.name,
        "created_at": _iso(row.created_at),
        "last_used_at": _iso(row.last_used_at),
    }


def _reader() -> User:
    """The logged-in account (by its token or its session), else 401."""
    if not current_user.is_authenticated:
        raise ApiError(401, _("Connectez-vous (ou envoyez un jeton d'API) pour faire cela."))
    return current_user._get_current_object()


@bp.get("/tokens")
def list_tokens() -> Response:
    """``{"tokens": [{id, label, created_at, last_used_at}, ...]}``, oldest first."""
    tokens = active_tokens(get_session(), _reader())
    return jsonify({"tokens": [token_json(row) for row in tokens]})


@bp.delete("/tokens/<int:token_id>")
def revoke(token_id: int) -> Response:
    """Revoke one of the reader's tokens: ``{"token": {...}, "revoked": true}``; else 404."""
    row = revoke_token(get_session(), token_id, owner=_reader())
    if row is None:
        raise ApiError(404, _("Vous n'avez aucun jeton d'API actif portant ce numéro."))
    return jsonify({"token": token_json(row), "revoked": True})
