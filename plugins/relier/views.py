"""The network's pages for readers: the hub ``/reseau``, "what links here"
(``/liens-vers/<title>``), the category tree (``/categories``), the maintenance lists
(``/reseau/maintenance/<list>``) and the network drawing (``/reseau/graphe`` and its SVG
document ``/reseau/graphe.svg``). Admin pages are in :mod:`.admin_views`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from wikicoop.text.titles import make_title
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.helpers import parse_or_fail
from wikicoop.web.urls import page_url

from . import categories, drawing, macros, maintenance
from .graph_params import GraphAsk, graph_for
from .texts import say

bp = Blueprint("relier", __name__, static_folder="static", static_url_path="/reseau/static")

LISTS = {
    "orphelines": ("orphans", maintenance.orphans),
    "demandees": ("wanted", maintenance.wanted),
    "impasses": ("deadends", maintenance.dead_ends),
    "a-verifier": ("attention", maintenance.attention),
}


def _page(template: str, **context: object) -> str:
    return render_template(f"relier/{template}", say=say, **context)


@bp.route("/reseau")
def hub() -> str:
    """Links to every view of the network, and the portals."""
    query = macros.Query(namespace="portal", limit=macros.MAX_LIMIT)
    portals = [make_title(ns, name) for ns, name in macros.run(get_session(), query)]
    return _page("reseau.html", lists=LISTS, portals=portals)


@bp.route("/liens-vers/<path:title>")
def links_to(title: str) -> str:
    """The live pages linking to ``title``, grouped by namespace, with their count."""
    target = parse_or_fail(title)
    found = maintenance.backlinks(get_session(), target)
    return _page("liens_vers.html", target=target, found=found)


@bp.route("/categories")
def category_tree() -> str:
    """Every category nested under its parents (collapsible, no script)."""
    forest = categories.tree(categories.category_graph(get_session()))
    return _page("categories.html", forest=forest)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        fail(400, say("bad_page"))
    return int(raw)


@bp.route("/reseau/maintenance")
def maintenance_index() -> str:
    """The maintenance lists with their totals."""
    session = get_session()
    totals = {slug: fn(session, 1, 1).total for slug, (_key, fn) in LISTS.items()}
    return _page("maintenance.html", lists=LISTS, totals=totals)


@bp.route("/reseau/maintenance/<name>")
def maintenance_list(name: str) -> str:
    """One maintenance list, 50 rows a page, with backlink counts for the pages."""
    if name not in LISTS:
        fail(404, say("unknown_page", title=name))
    key, function = LISTS[name]
    session = get_session()
    listing = function(session, _page_number())
    counts = {}
    if name != "demandees":
        counts = maintenance.backlink_counts(session, [row.title for row in listing.rows])
    return _page("liste.html", key=key, slug=name, listing=listing, counts=counts)


@bp.route("/reseau/graphe")
def graph_page() -> str:
    """The network drawing (an ``<img>`` of the SVG document) and the same pages as a
    list of links."""
    ask = GraphAsk.from_request(request.args, current_app.config, json=False)
    graph, heading = graph_for(get_session(), ask)
    neighbours: dict = {}
    for source, target, _kind in sorted(graph.edges):
        neighbours.setdefault(source, [])
        if target not in neighbours[source]:
            neighbours[source].append(target)
    return _page(
        "graphe.html",
        graph=graph,
        heading=heading,
        ask=ask,
        neighbours=neighbours,
        make_title=make_title,
    )


@bp.route("/reseau/graphe.svg")
def graph_svg() -> Response:
    """The network as an SVG document (links to the pages inside)."""
    ask = GraphAsk.from_request(request.args, current_app.config, json=False)
    graph, heading = graph_for(get_session(), ask)
    desc = say("graph_desc", nodes=len(graph.nodes), edges=len(graph.edges))
    svg = drawing.to_svg(graph, page_url, heading, desc, by_type=ask.around is None)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # nothing may load or run from the drawing (it has no style or script of its own)
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
