"""The call's dashboard (``/appel-a-projets/tableau-de-bord``): counts per year, theme,
neighbourhood and status, the share in priority neighbourhoods and the completion rate,
as SVG charts (each at its own ``.svg`` URL) beside their tables; and its JSON twin,
``GET /api/v1/initiatives/stats?year=``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template, request, url_for
from flask_babel import format_percent
from werkzeug.wrappers import Response

from wikicoop.core.typed_pages import TypedPage
from wikicoop.web.charts import Figures, bar_svg, pie_svg, svg_response
from wikicoop.web.errors import fail
from wikicoop.web.helpers import ApiError

from . import stats
from .blueprint import api, bp
from .texts import say
from .views import initiatives

#: the charts, in the page's order: name → (title text, label header text)
CHARTS = {
    "annee": ("c_year", "h_year"),
    "theme": ("c_theme", "h_theme"),
    "quartier": ("c_quartier", "h_quartier"),
    "statut": ("c_status", "h_status"),
    "prioritaire": ("h_priority", "h_priority"),
}


def counts_of(year: int | None, pages: Sequence[TypedPage] | None = None) -> stats.Counts:
    """The counts of every published initiative (or of ``pages``), or of one year's."""
    pages = initiatives() if pages is None else pages
    if year is None:
        return stats.count(pages)
    return stats.count(page for page in pages if stats.year_of(page) == year)


def figures_of(counts: stats.Counts, name: str, year: int | None) -> Figures:
    """One chart's figures."""
    title = say(CHARTS[name][0]) + (f" ({year})" if year else "")
    rows = {
        "annee": counts.years,
        "theme": counts.themes,
        "quartier": counts.neighbourhoods,
        "statut": counts.statuses,
        "prioritaire": lambda: [
            (say("yes"), counts.priority),
            (say("no"), counts.total - counts.priority),
        ],
    }[name]()
    return Figures(title=title, rows=rows)


def _year_arg() -> int | None:
    try:
        return stats.parse_year(request.args.get("annee"))
    except ValueError:
        fail(400, say("bad_year"))


@bp.route("/appel-a-projets/tableau-de-bord")
def dashboard() -> str:
    """The charts and tables of every year, or of ``?annee=``."""
    year = _year_arg()
    pages = initiatives()  # read once: the year's counts and the list of years
    counts = counts_of(year, pages)
    params = {"annee": year} if year else {}
    charts = [
        (
            figures_of(counts, name, year),
            url_for("etre_en_attention.chart", name=name, **params),
            say(label),
        )
        for name, (_, label) in CHARTS.items()
    ]
    every_year = counts if year is None else counts_of(None, pages)
    years = sorted(every_year.by_year, reverse=True)
    return render_template(
        "etre_en_attention/tableau_de_bord.html",
        year=year,
        years=years,
        counts=counts,
        charts=charts,
        share=None if counts.priority_share is None else format_percent(counts.priority_share),
        rate=None if counts.completion_rate is None else format_percent(counts.completion_rate),
        say=say,
    )


@bp.route(
    "/appel-a-projets/tableau-de-bord/<any(annee, theme, quartier, statut, prioritaire):name>.svg"
)
def chart(name: str) -> Response:
    """One chart of the dashboard, as an SVG image."""
    year = _year_arg()
    figures = figures_of(counts_of(year), name, year)
    return svg_response(pie_svg(figures) if name == "prioritaire" else bar_svg(figures))


@api.get("/initiatives/stats")
def stats_api() -> dict:
    """GET /api/v1/initiatives/stats?year=: the dashboard's figures as JSON."""
    try:
        year = stats.parse_year(request.args.get("year"))
    except ValueError:
        raise ApiError(400, say("bad_year"), code="bad-year") from None
    return stats.stats_json(counts_of(year), year, say("completion_definition"))
