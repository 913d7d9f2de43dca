"""JSON API v1: MediaWiki wikitext converted to this wiki's syntax (issue 12, in progress)."""

from __future__ import annotations

from ..helpers import make_api_blueprint

bp = make_api_blueprint("convert_api", __name__)
