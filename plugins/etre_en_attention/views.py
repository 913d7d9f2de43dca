"""The call's pages: the list of initiatives with facets (``/appel-a-projets``), a page
per year (``/appel-a-projets/<year>``) and the CSV export of a list (their JSON twin is
in :mod:`.list_api`).

Every view reads the published initiatives in one query (``published_of_type``) and
filters in Python: a city's call counts a few thousand initiatives at most.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import format_date
from werkzeug.wrappers import Response

from wikicoop.core.typed_pages import TypedPage, published_of_type
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.exports import csv_response
from wikicoop.web.urls import page_url

from . import calls, stats
from .blueprint import bp
from .declarations import FIRST_YEAR, INITIATIVE, LAST_YEAR, STATUSES
from .texts import say

PER_PAGE = 50
#: the export's columns: the page, then every field of the type, in its order
CSV_FIELDS = (
    "annee",
    "porteur",
    "organisation",
    "quartier",
    "themes",
    "quartier_prioritaire",
    "statut",
    "montant_demande",
    "montant_accorde",
    "partenaires",
    "bilan",
    "lieu_acces",
    "ateliers",
)


def initiatives() -> list[TypedPage]:
    """Every published initiative."""
    return published_of_type(get_session(), INITIATIVE)


def selection() -> stats.Selection:
    """The request's filters; a 400 page naming the bad one."""
    try:
        return stats.selection_from(request.args)
    except stats.BadFilter as bad:
        fail(400, say("bad_filter", name=bad.name, value=bad.value[:60]))


def page_of(shown: list[TypedPage], raw: str) -> tuple[list[TypedPage], int, int]:
    """Page ``raw`` of ``shown`` (:data:`PER_PAGE` a page): its rows, its number and the
    number of pages (0 when nothing is shown); ValueError when ``raw`` is not a page
    number from 1 to the last (page 1 always exists)."""
    pages = ceil(len(shown) / PER_PAGE)
    if not raw.isdigit() or not 1 <= int(raw) <= max(pages, 1):
        raise ValueError(raw)
    number = int(raw)
    return shown[(number - 1) * PER_PAGE : number * PER_PAGE], number, pages


def page_address(page: TypedPage) -> str:
    """A page's full address (for the export and the API, read outside the wiki)."""
    return request.host_url.rstrip("/") + page_url(page.title)


def _facet_links(chosen: stats.Selection, shown: list[TypedPage]) -> list[dict[str, Any]]:
    """Each facet with its values: a link adding the value to the filters, or removing it
    when it is the current one."""
    current = chosen.params()
    out = []
    for name, values in stats.facets(shown).items():
        items = []
        for value, n in values:
            active = current.get(name) == str(value)
            params = {k: v for k, v in current.items() if k != name}
            if not active:
                params[name] = str(value)
            items.append(
                {
                    "value": str(value),
                    "count": n,
                    "active": active,
                    "url": url_for("etre_en_attention.listing", **params),
                }
            )
        out.append({"name": name, "items": items})
    return out


@bp.route("/appel-a-projets")
def listing() -> str:
    """The initiatives, filtered by year, theme, neighbourhood, status, priority."""
    chosen = selection()
    shown = stats.select_pages(initiatives(), chosen)
    raw_page = request.args.get("page", "1")
    try:
        rows, number, pages = page_of(shown, raw_page)
    except ValueError:
        fail(400, say("bad_filter", name="page", value=raw_page[:20]))
    params = chosen.params()
    call, today = calls.current_call(get_session(), current_app.config)
    return render_template(
        "etre_en_attention/liste.html",
        rows=rows,
        total=len(shown),
        facets=_facet_links(chosen, shown),
        params=params,
        number=number,
        pages=pages,
        call=call,
        today=today,
        say=say,
        format_date=format_date,
    )


@bp.route("/appel-a-projets/<int:year>")
def year_page(year: int) -> str:
    """One year: its call (dates, themes, rules) and its initiatives by status."""
    session = get_session()
    call = calls.call_of_year(session, year) if FIRST_YEAR <= year <= LAST_YEAR else None
    shown = stats.select_pages(initiatives(), stats.Selection(annee=year))
    if call is None and not shown:
        fail(404, say("unknown_year", year=year))
    by_status = {
        status: [p for p in shown if p.fields.get("statut") == status] for status in STATUSES
    }
    return render_template(
        "etre_en_attention/annee.html",
        year=year,
        call=call,
        today=calls.today(current_app.config),
        by_status=by_status,
        counts=stats.count(shown),
        say=say,
        format_date=format_date,
    )


@bp.route("/appel-a-projets/export.csv")
def export() -> Response:
    """The filtered list as CSV (same filters as the list)."""
    shown = stats.select_pages(initiatives(), selection())
    rows = (
        [page.title.full, page_address(page), *(page.fields.get(f) for f in CSV_FIELDS)]
        for page in shown
    )
    return csv_response("initiatives.csv", ["titre", "url", *CSV_FIELDS], rows)
