"""Downloads of the directory: ``/lieux.csv`` (a spreadsheet) and ``/lieux.geojson``
(for maps and other programs), with the directory's filters."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

from wikicoop.core.field_kinds import DAYS
from wikicoop.web.exports import csv_response

from .common import absolute_url, bp, feature_collection, now_local, places
from .directory import Place, select
from .views import directory_filters

HEADER = [
    "titre", "url", "structure", "genre", "adresse", "quartier", "latitude", "longitude",
    "horaires", "services", "accessible", "telephone", "courriel", "site", "adhesion",
    "postes",
]  # fmt: skip
DAY_NAMES = dict(zip(DAYS, ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"), strict=True))


def hours_text(hours: Any) -> str:
    """A week's hours on one line: ``lun 09:00-12:00, 14:00-18:00; mar …``."""
    if not isinstance(hours, dict):
        return ""
    days = [
        DAY_NAMES[day] + " " + ", ".join(f"{start}-{end}" for start, end in hours[day])
        for day in DAYS
        if hours.get(day)
    ]
    return "; ".join(days)


def row(place: Place) -> list[Any]:
    """One access point as a row of :data:`HEADER`."""
    fields = place.fields
    return [
        place.title.full,
        absolute_url(place.title),
        fields.get("structure"),
        fields.get("genre"),
        fields.get("adresse"),
        fields.get("quartier"),
        place.point.lat if place.point else None,
        place.point.lon if place.point else None,
        hours_text(fields.get("horaires")),
        fields.get("services"),
        fields.get("accessible"),
        fields.get("telephone"),
        fields.get("courriel"),
        fields.get("site"),
        fields.get("adhesion"),
        fields.get("postes"),
    ]


def _chosen() -> list[Place]:
    return select(places(), directory_filters(now_local()))


@bp.route("/lieux.csv")
def as_csv() -> Response:
    """The access points as CSV (UTF-8, cells safe from formula injection)."""
    return csv_response("lieux-acces.csv", HEADER, (row(place) for place in _chosen()))


@bp.route("/lieux.geojson")
def as_geojson() -> Response:
    """The access points as a GeoJSON FeatureCollection."""
    body = json.dumps(feature_collection((place, None) for place in _chosen()), ensure_ascii=False)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Content-Disposition"] = 'inline; filename="lieux-acces.geojson"'
    return response
