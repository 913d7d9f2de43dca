"""Distances and coordinates, without Flask: the haversine distance, typed coordinates
checked, the centre of a few points, and points projected onto a flat plan."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: mean Earth radius (IUGG), in metres
EARTH_RADIUS_M = 6_371_008.8


class GeoInputError(ValueError):
    """Coordinates or a distance that cannot be read: ``key`` names the sentence
    (plugins' texts), ``value`` is what was typed, ``parameter`` where (set by the
    reader of a request's parameter)."""

    def __init__(self, key: str, value: str = "", parameter: str = "") -> None:
        super().__init__(f"{key}: {value!r}")
        self.key, self.value, self.parameter = key, value, parameter


@dataclass(frozen=True)
class LatLon:
    """A point on Earth, in decimal degrees."""

    lat: float
    lon: float


def haversine_m(a: LatLon, b: LatLon) -> float:
    """The great-circle distance between two points, in metres."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlambda = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def in_range(lat: float, lon: float) -> bool:
    """Latitude within -90..90 and longitude within -180..180 (and both finite)."""
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def parse_latlon(text: str) -> LatLon:
    """``"48.39,-4.49"`` → a point; :class:`GeoInputError` ``bad-point`` or ``out-of-range``."""
    parts = text.replace(" ", "").split(",")
    if len(parts) != 2:
        raise GeoInputError("bad-point", text)
    return latlon_of(parts[0], parts[1], text)


def latlon_of(lat_text: str, lon_text: str, shown: str | None = None) -> LatLon:
    """A point from its two typed numbers (a decimal comma is not accepted here: the
    comma separates latitude and longitude)."""
    shown = shown if shown is not None else f"{lat_text}, {lon_text}"
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise GeoInputError("bad-point", shown) from None
    if not in_range(lat, lon):
        raise GeoInputError("out-of-range", shown)
    return LatLon(lat, lon)


def parse_points(text: str, limit: int = 100) -> list[LatLon]:
    """``"LAT,LON;LAT,LON"`` → points (at most ``limit``)."""
    chunks = [chunk for chunk in text.split(";") if chunk.strip()]
    if not chunks:
        raise GeoInputError("no-points", text)
    if len(chunks) > limit:
        raise GeoInputError("too-many-points", str(limit))
    return [parse_latlon(chunk) for chunk in chunks]


def parse_distance(text: str, default: float | None = None) -> float | None:
    """A distance in metres, zero or more (``default`` when nothing was typed)."""
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        raise GeoInputError("bad-distance", text) from None
    if not math.isfinite(value) or value < 0:
        raise GeoInputError("bad-distance", text)
    return value


def centroid(points: Sequence[LatLon]) -> LatLon | None:
    """The mean of a few nearby points (a neighbourhood's access points): plain means
    are close enough at a city's scale."""
    if not points:
        return None
    return LatLon(
        sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points)
    )


def project(
    points: Sequence[LatLon], width: float, height: float, margin: float = 20
) -> list[tuple[float, float]]:
    """Points drawn on a ``width`` × ``height`` plan: an equirectangular projection of
    their bounding box (longitudes shrunk by the cosine of the mean latitude), north up,
    the same scale on both axes, centred."""
    if not points:
        return []
    shrink = math.cos(math.radians(sum(p.lat for p in points) / len(points)))
    xs = [p.lon * shrink for p in points]
    ys = [p.lat for p in points]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    scale = min(inner_w / span_x if span_x else math.inf, inner_h / span_y if span_y else math.inf)
    if not math.isfinite(scale):  # one point, or all at one place
        return [(width / 2, height / 2) for _ in points]
    left = margin + (inner_w - span_x * scale) / 2
    top = margin + (inner_h - span_y * scale) / 2
    return [
        (round(left + (x - min(xs)) * scale, 1), round(top + (max(ys) - y) * scale, 1))
        for x, y in zip(xs, ys, strict=True)
    ]
