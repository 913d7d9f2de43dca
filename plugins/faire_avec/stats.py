"""Statistics of the access points, ``/lieux/statistiques``: by neighbourhood and by
year joined, each an SVG chart at its own URL (readable without JavaScript) with the
same figures as a table, and their JSON twin ``GET /api/v1/access-points/stats``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from flask import Response, jsonify, render_template, url_for

from wikicoop.web.charts import Figures, bar_svg, svg_response

from .api import api
from .common import bp, places
from .directory import Place
from .texts import say


def by_quarter(shown: Sequence[Place]) -> Figures:
    """How many access points each neighbourhood has, most first (then by name)."""
    counts = Counter(place.quartier or say("unknown") for place in shown)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    return Figures(say("by_quarter"), rows)


def by_year(shown: Sequence[Place]) -> Figures:
    """How many access points joined the network each year, in order (unknown last)."""
    years = Counter(
        int(place.fields["adhesion"]) for place in shown if place.fields.get("adhesion")
    )
    rows: list[tuple[str, float]] = [(str(year), years[year]) for year in sorted(years)]
    missing = sum(1 for place in shown if not place.fields.get("adhesion"))
    if missing:
        rows.append((say("unknown"), missing))
    return Figures(say("by_year"), rows)


@bp.route("/lieux/statistiques")
def statistics() -> str:
    """Both charts with their tables."""
    shown = places()
    return render_template(
        "faire_avec/statistiques.html",
        total=len(shown),
        computers=sum(int(p.fields.get("postes") or 0) for p in shown),
        quarters=by_quarter(shown),
        years=by_year(shown),
        quarters_svg=url_for("faire_avec.quarters_chart"),
        years_svg=url_for("faire_avec.years_chart"),
        say=say,
    )


@bp.route("/lieux/statistiques/quartiers.svg")
def quarters_chart() -> Response:
    """The access points by neighbourhood, a bar chart."""
    return svg_response(bar_svg(by_quarter(places())))


@bp.route("/lieux/statistiques/annees.svg")
def years_chart() -> Response:
    """The access points by year joined, a column chart."""
    return svg_response(bar_svg(by_year(places()), horizontal=False))


@api.get("/access-points/stats")
def stats_json() -> Response:
    """The same figures as JSON: totals, by neighbourhood, by year joined."""
    shown = places()
    return jsonify(
        {
            "total": len(shown),
            "computers": sum(int(p.fields.get("postes") or 0) for p in shown),
            "by_neighbourhood": [
                {"neighbourhood": label, "count": n} for label, n in by_quarter(shown).rows
            ],
            "by_year": [{"year": label, "count": n} for label, n in by_year(shown).rows],
        }
    )
