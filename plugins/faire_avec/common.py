"""What the plugin's views and API share: its blueprint, the wiki's clock, reading a
moment, a page's link and the GeoJSON shape of access points."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, request

from wikicoop.text.titles import Title
from wikicoop.web.db import get_session
from wikicoop.web.urls import page_url

from .directory import Place, all_places
from .geo import GeoInputError
from .hours import local, zone

HERE = Path(__file__).parent

#: the HTML views (/lieux…) and the plugin's own script, served from its static folder
bp = Blueprint(
    "faire_avec", __name__, static_folder=str(HERE / "static"), static_url_path="/lieux/static"
)


def places() -> list[Place]:
    """Every published access point of the request's database."""
    return all_places(get_session())


def timezone_name() -> str:
    """The wiki's time zone, as set (``FAIRE_AVEC_TIMEZONE``)."""
    return str(current_app.config.get("FAIRE_AVEC_TIMEZONE") or "")


def now_local() -> datetime:
    """The time now on the wiki's clock."""
    return datetime.now(zone(timezone_name()))


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date and time, on the wiki's clock (a moment with an offset is
    converted; one without is read as local); :class:`GeoInputError` ``bad-moment``."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise GeoInputError("bad-moment", text) from None
    return local(moment, zone(timezone_name()))


def absolute_url(title: Title) -> str:
    """A page's full address (for programs and files read outside the wiki)."""
    return request.host_url.rstrip("/") + page_url(title)


def feature(place: Place, distance: float | None = None) -> dict[str, Any]:
    """One access point as a GeoJSON feature (geometry null when it has no location)."""
    geometry = (
        {"type": "Point", "coordinates": [place.point.lon, place.point.lat]}
        if place.point
        else None
    )
    properties: dict[str, Any] = {
        "title": place.title.full,
        "url": absolute_url(place.title),
        "fields": place.fields,
    }
    if distance is not None:
        properties["distance_m"] = round(distance, 1)
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def feature_collection(items: Iterable[tuple[Place, float | None]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of access points (with their distances, if any)."""
    return {
        "type": "FeatureCollection",
        "features": [feature(place, distance) for place, distance in items],
    }
