"""Charts drawn on the server as SVG images (pygal), for the plugins' statistics pages.

A chart is served as its own ``image/svg+xml`` response and shown with ``<img>``: pygal
writes an inline ``<script>`` and ``<style>`` into its SVG, and a script inside an SVG
loaded as an image never runs, while the page's strict CSP stays as it is. Every chart
is shown beside the same figures as a table (``_chart.html``): readable without images,
by screen readers, and copyable.

pygal itself is loaded when the first chart is drawn (:mod:`.charts_pygal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Response

#: the image's own policy: its inline style may apply, nothing else may load or run
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Figures:
    """What a chart shows: a title, and (label, value) rows in display order."""

    title: str
    rows: Sequence[tuple[str, float]]
    unit: str = ""


def bar_svg(figures: Figures, *, horizontal: bool = True) -> bytes:
    """The figures as a bar chart, an SVG document (no script is ever run from it)."""
    # loaded when first used: not on a page view's path (a quicker start)
    from .charts_pygal import bar_chart

    return bar_chart(figures.title, figures.rows, figures.unit, horizontal=horizontal)


def pie_svg(figures: Figures) -> bytes:
    """The figures as shares of a whole (a pie chart), an SVG document."""
    # loaded when first used: not on a page view's path (a quicker start)
    from .charts_pygal import pie_chart

    return pie_chart(figures.title, figures.rows)


def svg_response(svg: bytes, *, max_age: int = 60) -> Response:
    """An SVG image response with its own strict policy (see the module's docstring)."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response
