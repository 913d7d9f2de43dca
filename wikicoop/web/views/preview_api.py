"""JSON API v1: the editor's live preview, rendered by the saved page's pipeline (issue 12,
in progress)."""

from __future__ import annotations

from ..helpers import make_api_blueprint

bp = make_api_blueprint("preview_api", __name__)
