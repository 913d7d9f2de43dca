"""The drawing of :mod:`wikicoop.web.charts` by pygal: bar and pie charts as SVG documents.

Imported by :func:`~wikicoop.web.charts.bar_svg` and :func:`~wikicoop.web.charts.pie_svg`
when a chart is first drawn: pygal is not on a page view's path (a quicker start).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import pygal
from pygal.style import Style

# pygal puts an import hook (for its optional map plugins, unused here) on sys.meta_path
# that has only the legacy find_module: every later failed import then warns
# (ImportWarning). Take it off once.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"
]

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#555",
    colors=("#1d5f8a", "#c2571a", "#3b7d3b", "#7a4b94", "#a83246", "#5a6b7a"),
    font_family="system-ui, sans-serif",
)


def bar_chart(
    title: str, rows: Sequence[tuple[str, float]], unit: str, *, horizontal: bool
) -> bytes:
    """The (label, value) rows as a bar chart, an SVG document (no script is ever run
    from it)."""
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_class(
        js=[],
        style=_STYLE,
        show_legend=False,
        disable_xml_declaration=False,
        width=640,
        height=max(160, 40 * len(rows) + 80) if horizontal else 360,
        print_values=True,
        truncate_label=-1,
    )
    chart.title = title
    chart.x_labels = [label for label, _ in rows]
    chart.add(unit or title, [value for _, value in rows])
    return chart.render()


def pie_chart(title: str, rows: Sequence[tuple[str, float]]) -> bytes:
    """The (label, value) rows as shares of a whole (a pie chart), an SVG document."""
    chart = pygal.Pie(js=[], style=_STYLE, width=480, height=360, print_values=True)
    chart.title = title
    for label, value in rows:
        chart.add(label, value)
    return chart.render()
