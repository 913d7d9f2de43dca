"""English addresses of the list pages: permanent redirects to their French paths.

The French paths are canonical (links, feeds and templates use them); the English ones
are answered for people who guess them or follow links from elsewhere. List pages whose
name is the same word in both languages (``/notifications``, ``/moderation``,
``/contributions/<name>``, ``/pages``) have a single path and need no alias.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

bp = Blueprint("aliases", __name__)

#: English path -> canonical French path, for reading (GET and HEAD: 301)
ENGLISH_LIST_PATHS: dict[str, str] = {
    "/search": "/recherche",
    "/recent-changes": "/modifications-recentes",
    "/all-pages": "/pages",
    "/watchlist": "/suivi",
    "/audit-log": "/journal",
    "/admin/jobs": "/admin/taches",
}
#: English path -> French path of a form target (POST: 308, which keeps the method and body)
ENGLISH_FORM_PATHS: dict[str, str] = {
    "/recent-changes/patrol": "/modifications-recentes/verifier",
}


def _to_french(french: str, status: int) -> Response:
    """Redirect to ``french`` with this request's query string, unchanged."""
    query = request.query_string.decode("latin-1")
    return redirect(french + (f"?{query}" if query else ""), status)


def _register() -> None:
    for english, french in ENGLISH_LIST_PATHS.items():
        bp.add_url_rule(
            english,
            f"list_{english.strip('/').replace('-', '_')}",
            lambda french=french: _to_french(french, 301),
            methods=["GET"],
        )
    for english, french in ENGLISH_FORM_PATHS.items():
        bp.add_url_rule(
            english,
            f"form_{english.strip('/').replace('-', '_').replace('/', '_')}",
            lambda french=french: _to_french(french, 308),
            methods=["POST"],
        )


_register()
