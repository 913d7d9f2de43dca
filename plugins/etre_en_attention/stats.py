"""Filters, facet counts and statistics of the initiatives: plain functions over the
published pages (``published_of_type``), shared by the list, the CSV export, the
dashboard and the JSON API. No Flask here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wikicoop.core.typed_pages import TypedPage

from .declarations import COMPLETED, FIRST_YEAR, LAST_YEAR, SELECTED_ONES, STATUSES, THEMES

#: the list's filters: query name → what it reads
FILTERS = ("annee", "theme", "quartier", "statut", "prioritaire")


class BadFilter(ValueError):
    """A filter value that cannot match anything sensible (400)."""

    def __init__(self, name: str, value: str) -> None:
        super().__init__(f"{name}={value}")
        self.name, self.value = name, value


def year_of(page: TypedPage) -> int | None:
    """An initiative's year as a whole number (None when missing)."""
    value = page.fields.get("annee")
    return int(value) if isinstance(value, int | float) else None


def parse_year(raw: str | None) -> int | None:
    """A year from a query string ("" or None: no year); ValueError when not one."""
    if raw is None or raw.strip() == "":
        return None
    year = int(raw.strip())  # ValueError for "abc", "2026.5"
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(raw)
    return year


@dataclass(frozen=True)
class Selection:
    """The filters asked for (each None when not given)."""

    annee: int | None = None
    theme: str | None = None
    quartier: str | None = None
    statut: str | None = None
    prioritaire: bool | None = None

    def matches(self, page: TypedPage) -> bool:
        """Whether ``page`` passes every filter."""
        f = page.fields
        return (
            (self.annee is None or year_of(page) == self.annee)
            and (self.theme is None or self.theme in (f.get("themes") or ()))
            and (self.quartier is None or f.get("quartier") == self.quartier)
            and (self.statut is None or f.get("statut") == self.statut)
            and (
                self.prioritaire is None or bool(f.get("quartier_prioritaire")) == self.prioritaire
            )
        )

    def params(self) -> dict[str, str]:
        """The filters as query parameters (for links and the export)."""
        out: dict[str, str] = {}
        for name in FILTERS:
            value = getattr(self, name)
            if value is not None:
                out[name] = ("oui" if value else "non") if name == "prioritaire" else str(value)
        return out


def selection_from(args: Mapping[str, str]) -> Selection:
    """The filters of a query string; :class:`BadFilter` for a value that is not one."""
    try:
        year = parse_year(args.get("annee"))
    except ValueError:
        raise BadFilter("annee", str(args.get("annee"))) from None
    theme = args.get("theme") or None
    if theme is not None and theme not in THEMES:
        raise BadFilter("theme", theme)
    statut = args.get("statut") or None
    if statut is not None and statut not in STATUSES:
        raise BadFilter("statut", statut)
    raw_priority = args.get("prioritaire") or None
    if raw_priority not in (None, "oui", "non"):
        raise BadFilter("prioritaire", str(raw_priority))
    return Selection(
        annee=year,
        theme=theme,
        quartier=(args.get("quartier") or "").strip() or None,
        statut=statut,
        prioritaire=None if raw_priority is None else raw_priority == "oui",
    )


def select_pages(pages: Iterable[TypedPage], selection: Selection) -> list[TypedPage]:
    """The pages passing ``selection``, latest year first, then by title."""
    chosen = [page for page in pages if selection.matches(page)]
    return sorted(chosen, key=lambda p: (-(year_of(p) or 0), p.title.full.casefold()))


@dataclass
class Counts:
    """How many initiatives per year, theme, neighbourhood and status, and the two rates."""

    total: int = 0
    by_year: Counter = field(default_factory=Counter)
    by_theme: Counter = field(default_factory=Counter)
    by_neighbourhood: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    priority: int = 0

    @property
    def priority_share(self) -> float | None:
        """Share of initiatives in priority neighbourhoods (None when there are none)."""
        return self.priority / self.total if self.total else None

    @property
    def completed(self) -> int:
        return self.by_status[COMPLETED]

    @property
    def counted(self) -> int:
        """The initiatives the completion rate counts: every selected one."""
        return sum(self.by_status[status] for status in SELECTED_ONES)

    @property
    def completion_rate(self) -> float | None:
        """completed / (selected + in progress + completed + abandoned); None when 0/0."""
        return self.completed / self.counted if self.counted else None

    def years(self) -> list[tuple[str, int]]:
        """Per year, oldest first."""
        return [(str(year), n) for year, n in sorted(self.by_year.items())]

    def themes(self) -> list[tuple[str, int]]:
        """Per theme, in the call's order (themes without initiative included)."""
        return [(theme, self.by_theme[theme]) for theme in THEMES]

    def neighbourhoods(self) -> list[tuple[str, int]]:
        """Per neighbourhood, most initiatives first."""
        return sorted(self.by_neighbourhood.items(), key=lambda item: (-item[1], item[0]))

    def statuses(self) -> list[tuple[str, int]]:
        """Per status, in the order of an initiative's life."""
        return [(status, self.by_status[status]) for status in STATUSES]


def count(pages: Iterable[TypedPage]) -> Counts:
    """The :class:`Counts` of ``pages`` in one pass."""
    counts = Counts()
    for page in pages:
        f = page.fields
        counts.total += 1
        year = year_of(page)
        if year is not None:
            counts.by_year[year] += 1
        counts.by_theme.update(f.get("themes") or ())
        if f.get("quartier"):
            counts.by_neighbourhood[f["quartier"]] += 1
        if f.get("statut"):
            counts.by_status[f["statut"]] += 1
        if f.get("quartier_prioritaire"):
            counts.priority += 1
    return counts


def facets(pages: Sequence[TypedPage]) -> dict[str, list[tuple[str, int]]]:
    """The values of each filter among ``pages``, with how many pages have each."""
    counts = count(pages)
    priority = [("oui", counts.priority), ("non", counts.total - counts.priority)]
    return {
        "annee": sorted(((y, n) for y, n in counts.years()), reverse=True),
        "theme": [(t, n) for t, n in counts.themes() if n],
        "quartier": counts.neighbourhoods(),
        "statut": [(s, n) for s, n in counts.statuses() if n],
        "prioritaire": [(v, n) for v, n in priority if n],
    }


def stats_json(counts: Counts, year: int | None, definition: str) -> dict[str, Any]:
    """The JSON twin of the dashboard (``GET /api/v1/initiatives/stats``)."""
    return {
        "year": year,
        "total": counts.total,
        "by_year": {label: n for label, n in counts.years()},
        "by_theme": dict(counts.themes()),
        "by_neighbourhood": dict(counts.neighbourhoods()),
        "by_status": dict(counts.statuses()),
        "priority_neighbourhoods": {"count": counts.priority, "share": counts.priority_share},
        "completion_rate": {
            "rate": counts.completion_rate,
            "completed": counts.completed,
            "counted": counts.counted,
            "counted_statuses": list(SELECTED_ONES),
            "definition": definition,
        },
    }
