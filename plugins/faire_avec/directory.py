"""The directory's logic, without Flask: access points read from their published
pages, filtered by facets and opening hours, counted, and sorted by distance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from wikicoop.core.typed_pages import TypedPage, published_of_type
from wikicoop.text.titles import Title

from .geo import LatLon, centroid, haversine_m
from .hours import is_open
from .lieu import KINDS, SERVICES, TYPE_NAME


@dataclass(frozen=True)
class Place:
    """An access point: its page's title and field values, its location if known."""

    title: Title
    fields: dict[str, Any]
    point: LatLon | None

    @classmethod
    def of(cls, page: TypedPage) -> Place:
        """The access point of a published typed page."""
        position = page.fields.get("position")
        point = LatLon(position["lat"], position["lon"]) if position else None
        return cls(title=page.title, fields=page.fields, point=point)

    @property
    def quartier(self) -> str:
        return str(self.fields.get("quartier") or "")

    @property
    def genre(self) -> str:
        return str(self.fields.get("genre") or "")

    @property
    def services(self) -> list[str]:
        return list(self.fields.get("services") or [])

    @property
    def accessible(self) -> bool:
        return self.fields.get("accessible") is True

    def open_at(self, moment: datetime) -> bool:
        """Open at ``moment`` (a local time) by its weekly hours."""
        return is_open(self.fields.get("horaires"), moment)


@dataclass(frozen=True)
class Filters:
    """What a reader asked of the directory; empty values select everything."""

    quartier: str = ""
    genre: str = ""
    services: tuple[str, ...] = ()
    accessible: bool = False
    open_at: datetime | None = None  # a local moment: only places open then

    def keep(self, place: Place) -> bool:
        """Does ``place`` match every filter?"""
        return (
            (not self.quartier or same_name(place.quartier, self.quartier))
            and (not self.genre or place.genre == self.genre)
            and all(service in place.services for service in self.services)
            and (not self.accessible or place.accessible)
            and (self.open_at is None or place.open_at(self.open_at))
        )


@dataclass(frozen=True)
class Facets:
    """Counts of the shown places by neighbourhood, kind and service, and how many are
    accessible: what the directory's filters offer."""

    quartiers: list[tuple[str, int]] = field(default_factory=list)
    genres: list[tuple[str, int]] = field(default_factory=list)
    services: list[tuple[str, int]] = field(default_factory=list)
    accessible: int = 0


def same_name(a: str, b: str) -> bool:
    """Neighbourhood names match whatever their case and surrounding spaces."""
    return a.strip().casefold() == b.strip().casefold()


def all_places(session: Session) -> list[Place]:
    """Every published access point, by title (one query)."""
    return [Place.of(page) for page in published_of_type(session, TYPE_NAME)]


def select(places: Iterable[Place], filters: Filters) -> list[Place]:
    """The places matching ``filters``, in their order."""
    return [place for place in places if filters.keep(place)]


def facets(places: Sequence[Place]) -> Facets:
    """The facets of ``places``: neighbourhoods by name, kinds and services in the
    declaration's order (those with no place left out)."""
    quartiers = Counter(place.quartier for place in places if place.quartier)
    genres = Counter(place.genre for place in places)
    services = Counter(service for place in places for service in place.services)
    return Facets(
        quartiers=sorted(quartiers.items(), key=lambda item: item[0].casefold()),
        genres=[(kind, genres[kind]) for kind in KINDS if genres[kind]],
        services=[(name, services[name]) for name in SERVICES if services[name]],
        accessible=sum(1 for place in places if place.accessible),
    )


def quartier_names(places: Iterable[Place]) -> list[str]:
    """The neighbourhoods named by ``places``, sorted."""
    return sorted({place.quartier for place in places if place.quartier}, key=str.casefold)


def quartier_centre(places: Iterable[Place], name: str) -> LatLon | None:
    """The centre of a neighbourhood: the mean of its located access points."""
    return centroid([p.point for p in places if p.point and same_name(p.quartier, name)])


def nearest(
    places: Iterable[Place], origin: LatLon, within: float | None = None
) -> list[tuple[Place, float]]:
    """Located places with their distance to ``origin`` in metres, nearest first (only
    those within ``within`` metres when given)."""
    found = [(place, haversine_m(origin, place.point)) for place in places if place.point]
    if within is not None:
        found = [(place, metres) for place, metres in found if metres <= within]
    return sorted(found, key=lambda item: (item[1], item[0].title.full))
