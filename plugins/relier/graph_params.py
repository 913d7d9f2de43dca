"""What a request asks of the network (``around``, ``depth``, ``limit``), checked the same
way for the JSON API and the pages: an unknown page is a 404, a depth outside 1..3 a
400, each with a sentence in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from wikicoop.core import revisions as rev
from wikicoop.text.titles import Title, TitleError, parse_title
from wikicoop.web.errors import fail
from wikicoop.web.helpers import ApiError

from . import graph
from .texts import say

#: settings and their defaults
SETTINGS = {
    "RELIER_GRAPH_MAX_NODES": 150,
    "RELIER_GRAPH_TYPES": ["initiative", "lieu_acces", "atelier"],
}


def _refuse(json: bool, status: int, message: str) -> None:
    if json:
        raise ApiError(status, message)
    fail(status, message)


@dataclass(frozen=True)
class GraphAsk:
    """A checked request for the network."""

    around: Title | None
    depth: int
    max_nodes: int

    @classmethod
    def from_request(cls, args: Mapping[str, str], config: Mapping[str, Any], json: bool):
        """Read ``around`` and ``depth`` (default 1) from the query string."""
        raw_depth = (args.get("depth") or "1").strip()
        if not raw_depth.isdigit() or not 1 <= int(raw_depth) <= 3:
            _refuse(json, 400, say("bad_depth"))
        around = None
        raw = (args.get("around") or "").strip()
        if raw:
            try:
                around = parse_title(
                    raw, capitalize_first=config["CAPITALIZE_FIRST"], allow_fragment=False
                )
            except TitleError:
                _refuse(json, 404, say("unknown_page", title=raw[:200]))
        return cls(around, int(raw_depth), int(config.get("RELIER_GRAPH_MAX_NODES", 150)))


def graph_for(session: Session, ask: GraphAsk, json: bool = False) -> tuple[graph.Graph, str]:
    """The graph asked for and its heading; 404 when ``around`` is not a live page."""
    if ask.around is None:
        types = list(current_app.config.get("RELIER_GRAPH_TYPES", SETTINGS["RELIER_GRAPH_TYPES"]))
        return graph.overview(session, types, ask.max_nodes), say("graph_title")
    page = rev.find_page(session, ask.around)
    if page is None or page.is_deleted or page.latest_revision_id is None:
        _refuse(json, 404, say("unknown_page", title=ask.around.full))
    return graph.around(session, ask.around, ask.depth, ask.max_nodes), say(
        "graph_around", title=ask.around.full
    )
