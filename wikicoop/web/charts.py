"""Charts drawn on the server as SVG images (pygal), for the plugins' statistics pages.

A chart is served as its own ``image/svg+xml`` response and shown with ``<img>``: pygal
writes an inline ``<script>`` and ``<style>`` into its SVG, and a script inside an SVG
loaded as an image never runs, while the page's strict CSP stays as it is. Every chart
is shown beside the same figures as a table (``_chart.html``): readable without images,
by screen readers, and copyable.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from flask import Response
from pygal.style import Style

# pygal puts an import hook (for its optional map plugins, unused here) on sys.meta_path
# that has only the legacy find_module: every later failed import then warns
# (ImportWarning). Take it off once.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"
]

#: the image's own policy: its inline style may apply, nothing else may load or run
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#555",
    colors=("#1d5f8a", "#c2571a", "#3b7d3b", "#7a4b94", "#a83246", "#5a6b7a"),
    font_family="system-ui, sans-serif",
)


@dataclass(frozen=True)
class Figures:
    """What a chart shows: a title, and (label, value) rows in display order."""

    title: str
    rows: Sequence[tuple[str, float]]
    unit: str = ""


def bar_svg(figures: Figures, *, horizontal: bool = True) -> bytes:
    """The figures as a bar chart, an SVG document (no script is ever run from it)."""
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_class(
        js=[],
        style=_STYLE,
        show_legend=False,
        disable_xml_declaration=False,
        width=640,
        height=max(160, 40 * len(figures.rows) + 80) if horizontal else 360,
        print_values=True,
        truncate_label=-1,
    )
    chart.title = figures.title
    chart.x_labels = [label for label, _ in figures.rows]
    chart.add(figures.unit or figures.title, [value for _, value in figures.rows])
    return chart.render()


def pie_svg(figures: Figures) -> bytes:
    """The figures as shares of a whole (a pie chart), an SVG document."""
    chart = pygal.Pie(js=[], style=_STYLE, width=480, height=360, print_values=True)
    chart.title = figures.title
    for label, value in figures.rows:
        chart.add(label, value)
    return chart.render()


def svg_response(svg: bytes, *, max_age: int = 60) -> Response:
    """An SVG image response with its own strict policy (see the module's docstring)."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response
