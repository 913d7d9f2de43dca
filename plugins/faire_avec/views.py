"""The directory of access points, ``/lieux``: facets (neighbourhood, kind, services,
accessibility) and an "open now" filter read from the weekly hours on the wiki's clock."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import render_template, request

from wikicoop.web.urls import page_url

from .common import bp, now_local, places, timezone_name
from .directory import Filters, facets, quartier_names, select
from .hours import zone
from .lieu import KINDS, SERVICES
from .texts import choice, say

#: places listed on one page of the directory (a phone shows a long list slowly)
PER_PAGE = 100


def page_number(count: int) -> int:
    """The directory's page asked for (``?page=``), within 1 .. the last page."""
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isdigit() else 1
    return min(max(number, 1), max(1, -(-count // PER_PAGE)))


def page_query(number: int) -> str:
    """The query string of the same filters on page ``number``."""
    pairs = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    return urlencode([*pairs, ("page", str(number))])


def directory_filters(now: datetime) -> Filters:
    """The directory's filters from the query string (shared by its exports)."""
    return Filters(
        quartier=request.args.get("quartier", ""),
        genre=request.args.get("genre", ""),
        services=tuple(s for s in request.args.getlist("service") if s in SERVICES),
        accessible=request.args.get("accessible") == "1",
        open_at=now if request.args.get("ouvert") == "1" else None,
    )


def facet_query(key: str, value: str) -> str:
    """The query string of the current filters narrowed by ``key=value`` (a service is
    added to those asked; another key is replaced), back to the first page."""
    pairs = [
        (k, v)
        for k, v in request.args.items(multi=True)
        if k != "page" and (k != key or key == "service")
    ]
    if (key, value) not in pairs:
        pairs.append((key, value))
    return urlencode(pairs)


@bp.route("/lieux")
def directory() -> str:
    """The access points matching the reader's filters, by title, with their facets."""
    now = now_local()
    filters = directory_filters(now)
    every = places()
    shown = select(every, filters)
    number = page_number(len(shown))
    return render_template(
        "faire_avec/annuaire.html",
        shown=shown,
        listed=shown[(number - 1) * PER_PAGE : number * PER_PAGE],
        number=number,
        last=max(1, -(-len(shown) // PER_PAGE)),
        page_query=page_query,
        facet_query=facet_query,
        facets=facets(shown),
        quartiers=quartier_names(every),
        kinds=KINDS,
        services=SERVICES,
        filters=filters,
        query=request.query_string.decode("ascii", "replace"),
        now=now,
        zone_name=zone(timezone_name()).key,
        link=page_url,
        say=say,
        choice=choice,
    )
