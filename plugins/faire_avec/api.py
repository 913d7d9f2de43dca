"""The JSON twins of the views: ``GET /api/v1/access-points`` (a GeoJSON
FeatureCollection) and ``GET /api/v1/access-points/coverage`` (the "one within 300 m"
rule for given points). Bad input answers 400 with a sentence in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, jsonify, request

from wikicoop.web.helpers import ApiError, make_api_blueprint

from .common import absolute_url, feature_collection, parse_moment, places
from .directory import Filters, nearest, select
from .geo import GeoInputError, parse_distance, parse_latlon, parse_points
from .lieu import KINDS, SERVICES
from .texts import say

api = make_api_blueprint("faire_avec_api", __name__)

#: the rule of the network: an access point within 300 m of every home
RULE_METRES = 300.0


def _bad_input(view: Callable[..., Any]) -> Callable[..., Any]:
    """A :class:`GeoInputError` of ``view`` becomes a 400 naming the parameter."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except GeoInputError as err:
            message = say(err.key, value=err.value)
            raise ApiError(
                400, message, code="invalid-parameter", parameter=err.parameter
            ) from None

    return wrapped


def _read(parameter: str, reader: Callable[[str], Any]) -> Any:
    """A query parameter read by ``reader`` (None when absent), an error naming it."""
    raw = request.args.get(parameter)
    if raw is None or not raw.strip():
        return None
    try:
        return reader(raw)
    except GeoInputError as err:
        err.parameter = parameter
        raise


def kind_asked() -> tuple[str, ...]:
    """The ``kind`` parameter, when given."""
    kind = request.args.get("kind", "")
    return (kind,) if kind else ()


@api.get("/access-points")
@_bad_input
def access_points() -> Response:
    """The access points as GeoJSON, filtered by ``neighbourhood``, ``service``
    (repeatable), ``kind``, ``accessible`` and ``open_at``; nearest first with
    ``distance_m`` when ``near`` is given (and only those ``within`` metres)."""
    origin = _read("near", parse_latlon)
    within = _read("within", parse_distance)
    if within is not None and origin is None:
        raise GeoInputError("within-needs-near", "", "within")
    services = tuple(s for s in request.args.getlist("service") if s)
    for name, values, known in (("service", services, SERVICES), ("kind", kind_asked(), KINDS)):
        unknown = [value for value in values if value not in known]
        if unknown:
            raise GeoInputError("unknown-choice", f"{unknown[0]} ({', '.join(known)})", name)
    filters = Filters(
        quartier=request.args.get("neighbourhood", ""),
        genre=request.args.get("kind", ""),
        services=services,
        accessible=request.args.get("accessible", "") in ("1", "true"),
        open_at=_read("open_at", parse_moment),
    )
    chosen = select(places(), filters)
    if origin is None:
        return jsonify(feature_collection((place, None) for place in chosen))
    return jsonify(feature_collection(nearest(chosen, origin, within)))


@api.get("/access-points/coverage")
@_bad_input
def coverage() -> Response:
    """For each of ``points`` (``LAT,LON;LAT,LON``): the nearest access point, its
    distance and whether it lies ``within`` metres (300 by default)."""
    points = _read("points", parse_points)
    if points is None:
        raise GeoInputError("no-points", "", "points")
    within = _read("within", parse_distance)
    within = RULE_METRES if within is None else within
    located = [place for place in places() if place.point]
    answers = []
    for point in points:
        found = nearest(located, point)[:1]
        place, metres = found[0] if found else (None, None)
        answers.append(
            {
                "point": {"lat": point.lat, "lon": point.lon},
                "nearest": None
                if place is None
                else {
                    "title": place.title.full,
                    "url": absolute_url(place.title),
                },
                "distance_m": None if metres is None else round(metres, 1),
                "within": metres is not None and metres <= within,
            }
        )
    return jsonify({"within": within, "points": answers})
