"""The map, ``/lieux/carte``: Leaflet served by the app from the xstatic-leaflet package
(nothing copied into the repository) over the tile server of ``FAIRE_AVEC_TILE_URL``;
with no tile server, a plan drawn on the server (SVG: each point a link), which also
serves readers without JavaScript.

The page keeps the strict policy (scripts and styles from the app only): the script
reads the tile server and the GeoJSON URL from ``data-`` attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, render_template, send_from_directory

from wikicoop.web.urls import page_url

from .common import bp, places
from .directory import Place
from .geo import project
from .texts import say

PLAN_WIDTH, PLAN_HEIGHT = 640, 480


@dataclass(frozen=True)
class Dot:
    """An access point on the plan."""

    place: Place
    x: float
    y: float


def plan(shown: list[Place]) -> list[Dot]:
    """The located places projected onto the plan (north up, one scale)."""
    located = [place for place in shown if place.point]
    spots = project([p.point for p in located], PLAN_WIDTH, PLAN_HEIGHT)
    return [Dot(place, x, y) for place, (x, y) in zip(located, spots, strict=True)]


@bp.route("/lieux/carte")
def map_view() -> str:
    """The map (Leaflet over the tile server) or, without one, the SVG plan."""
    shown = places()
    tiles = str(current_app.config.get("FAIRE_AVEC_TILE_URL") or "")
    return render_template(
        "faire_avec/carte.html",
        shown=shown,
        dots=[] if tiles else plan(shown),
        width=PLAN_WIDTH,
        height=PLAN_HEIGHT,
        tiles=tiles,
        attribution=str(current_app.config.get("FAIRE_AVEC_TILE_ATTRIBUTION") or ""),
        link=page_url,
        say=say,
    )


@bp.route("/lieux/leaflet/<path:filename>")
def leaflet_file(filename: str) -> Response:
    """A file of the installed Leaflet (its script, stylesheet and images)."""
    # loaded when first used: not on a page view's path (a quicker start)
    import xstatic.pkg.leaflet as leaflet

    response = send_from_directory(leaflet.BASE_DIR, filename, max_age=86_400)
    return response
