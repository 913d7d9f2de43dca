""" "Près de chez moi", ``/lieux/proches``: the access points nearest to typed
coordinates, to a neighbourhood's centre or to the browser's location (a small script
fills the coordinates; the form works without it), and the "one within 300 m" rule."""

from __future__ import annotations

from flask import Response, make_response, render_template, request

from wikicoop.web.urls import page_url

from .api import RULE_METRES
from .common import bp, places
from .directory import nearest, quartier_centre, quartier_names
from .geo import GeoInputError, LatLon, latlon_of, parse_distance
from .texts import say

#: how many access points the page lists
SHOWN = 10


def _origin(every: list) -> tuple[LatLon | None, str]:
    """The point asked for and how to say where it is (``GeoInputError`` when unreadable)."""
    lat, lon = request.args.get("lat", "").strip(), request.args.get("lon", "").strip()
    quartier = request.args.get("quartier", "").strip()
    if lat or lon:
        point = latlon_of(lat.replace(",", "."), lon.replace(",", "."))
        return point, say("from_point", lat=point.lat, lon=point.lon)
    if quartier:
        centre = quartier_centre(every, quartier)
        if centre is None:
            raise GeoInputError("unknown-quarter", quartier)
        lat_text, lon_text = f"{centre.lat:.5f}", f"{centre.lon:.5f}"
        return centre, say("from_quarter", name=quartier, lat=lat_text, lon=lon_text)
    if "chercher" in request.args:
        raise GeoInputError("need-origin")
    return None, ""


@bp.route("/lieux/proches")
def near_me() -> Response:
    """The nearest access points with their distances, and the rule's check."""
    every = places()
    error, origin, where, found = "", None, "", []
    within = RULE_METRES
    try:
        within = parse_distance(request.args.get("distance", ""), RULE_METRES) or 0.0
        origin, where = _origin(every)
    except GeoInputError as err:
        error = say(err.key, value=err.value)
    if origin is not None:
        found = nearest(every, origin)[:SHOWN]
    html = render_template(
        "faire_avec/proches.html",
        error=error,
        origin=origin,
        where=where,
        found=found,
        within=within,
        rule_met=bool(found) and found[0][1] <= within,
        quartiers=quartier_names(every),
        args=request.args,
        link=page_url,
        say=say,
    )
    response = make_response(html, 400 if error else 200)
    # the core's policy turns geolocation off everywhere; this page may ask for it
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
    return response
