"""The network drawn on the server as an SVG document, with a deterministic layout:
concentric rings (the page asked about in the centre, then one ring per step away; for
the overview, one ring per kind of page), nodes in title order around each ring.

Every text is escaped (titles are user input); nodes are links ``<a href>`` to their
pages; the document has a ``<title>`` and a ``<desc>`` (read by screen readers) and is
served as ``image/svg+xml`` with ``nosniff`` and a policy letting nothing load or run.
The page showing it also lists the same links as text.
"""

from __future__ import annotations

import math
from typing import Any

from markupsafe import escape

from .graph import Graph, Key

RING = 150
MARGIN = 120
NODE_RADIUS = 7
LABEL_CHARS = 28
COLOURS = {
    "category": "#7a4b94",
    "person": "#c2571a",
    "page": "#1d5f8a",
}
OTHER_COLOURS = ("#3b7d3b", "#a83246", "#5a6b7a", "#8a6d1d", "#1d7a7a")


def colour_of(kind: str) -> str:
    """A stable colour per node type (dark enough on white for a 3:1 contrast)."""
    if kind in COLOURS:
        return COLOURS[kind]
    return OTHER_COLOURS[sum(map(ord, kind)) % len(OTHER_COLOURS)]


def layout(graph: Graph, by_type: bool = False) -> dict[Key, tuple[float, float]]:
    """Node positions: rings by depth (or by type), evenly spaced by title order."""
    rings: dict[Any, list[Key]] = {}
    for key in graph.nodes:
        ring = graph.nodes[key]["type"] if by_type else graph.depth_of.get(key, 0)
        rings.setdefault(ring, []).append(key)
    order = sorted(rings, key=lambda r: (-len(rings[r]), str(r))) if by_type else sorted(rings)
    positions: dict[Key, tuple[float, float]] = {}
    radius = 0.0
    for index, ring in enumerate(order):
        members = sorted(rings[ring], key=lambda k: (k[1].casefold(), k[0]))
        if index == 0 and len(members) == 1:
            positions[members[0]] = (0.0, 0.0)
            continue
        # a ring long enough for its nodes (about 24 px each), and beyond the previous one
        radius = max(radius + RING, len(members) * 24 / (2 * math.pi))
        for i, key in enumerate(members):
            angle = 2 * math.pi * i / len(members) - math.pi / 2
            positions[key] = (radius * math.cos(angle), radius * math.sin(angle))
    return positions


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def to_svg(graph: Graph, url_of: Any, title: str, desc: str, by_type: bool = False) -> str:
    """The SVG document of ``graph`` (``url_of(Title)`` gives each node's link)."""
    from wikicoop.text.titles import make_title

    positions = layout(graph, by_type)
    extent = max((max(abs(x), abs(y)) for x, y in positions.values()), default=0) + MARGIN
    size = int(2 * extent)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="{-extent:.0f} {-extent:.0f} {size} {size}" width="{size}" height="{size}" '
        'aria-labelledby="graph-title graph-desc" font-family="system-ui, sans-serif" '
        'font-size="12">',
        f'<title id="graph-title">{escape(title)}</title>',
        f'<desc id="graph-desc">{escape(desc)}</desc>',
        '<rect x="-100%" y="-100%" width="300%" height="300%" fill="#ffffff"/>',
        '<g stroke-width="1">',
    ]
    for source, target, kind in sorted(graph.edges):
        x1, y1 = positions[source]
        x2, y2 = positions[target]
        dash = ' stroke-dasharray="4 3"' if kind == "category" else ""
        stroke = "#9aa5b1" if kind != "field" else "#3b7d3b"
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{stroke}"{dash}/>'
        )
    parts.append("</g>")
    for key in sorted(positions, key=lambda k: (k[0], k[1])):
        x, y = positions[key]
        page = make_title(*key)
        kind = graph.nodes[key]["type"]
        r = NODE_RADIUS + (3 if graph.depth_of.get(key, 1) == 0 and not by_type else 0)
        parts.append(
            f'<a href="{escape(url_of(page))}" target="_top">'
            f"<title>{escape(page.full)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour_of(kind)}"/>'
            f'<text x="{x + r + 3:.1f}" y="{y + 4:.1f}" fill="#222222">'
            f"{escape(_short(page.full))}</text></a>"
        )
    parts.append("</svg>\n")
    return "\n".join(parts)
