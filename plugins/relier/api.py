"""The network's JSON API (open to readers, read-only):

- ``GET /api/v1/interwiki``: the prefixes, ``{"interwiki": [{"prefix", "url"}]}``;
- ``GET /api/v1/pages/<title>/related?limit=``: the related pages, ``{"related":
  [{"title", "url", "score", "reasons": [{"kind", "value"}]}]}``;
- ``GET /api/v1/graph?around=<title>&depth=<1..3>``: ``{"nodes", "edges", "truncated"}``.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.wrappers import Response

from wikicoop.community.mailer import site_root
from wikicoop.web.db import get_session
from wikicoop.web.helpers import ApiError, api_title, live_page, make_api_blueprint
from wikicoop.web.urls import page_url

from . import graph, interwiki, related
from .graph_params import GraphAsk, graph_for
from .texts import say

api = make_api_blueprint("relier_api", __name__)

MAX_RELATED = 50


def _url(title) -> str:
    return site_root(current_app.config) + page_url(title)


@api.route("/interwiki")
def interwiki_json() -> Response:
    """The interwiki table."""
    rows = interwiki.rows(get_session())
    return jsonify(interwiki=[{"prefix": p, "url": u} for p, u in rows])


@api.route("/pages/<path:title>/related")
def related_json(title: str) -> Response:
    """The related pages of a page, best first."""
    page = live_page(api_title(title))
    raw = request.args.get("limit", "10")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_RELATED:
        raise ApiError(400, say("bad_limit"), field="limit")
    cousins = related.related(get_session(), page, int(raw))
    return jsonify(
        title=page.title.full,
        related=[
            {"title": c.title.full, "url": _url(c.title), "score": c.score, "reasons": c.reasons}
            for c in cousins
            if c.title is not None
        ],
    )


@api.route("/graph")
def graph_json() -> Response:
    """Nodes and edges around a page, or the overview of the network."""
    ask = GraphAsk.from_request(request.args, current_app.config, json=True)
    found, _heading = graph_for(get_session(), ask, json=True)
    return jsonify(graph.as_json(found, _url))
