"""The network of pages as nodes and edges (``GET /api/v1/graph``, ``/reseau/graphe``).

- around a page: the pages reached in ``depth`` steps (1 to 3) along links (both ways),
  categories (a page and its category page) and page fields (a workshop's place);
- without a page: the initiatives, places, workshops (the types of the setting
  ``RELIER_GRAPH_TYPES``) and people (user pages), with the edges between them.

Both stop at ``max_nodes`` nodes (the setting ``RELIER_GRAPH_MAX_NODES``). Each step is
a few queries on the indexed link and category tables, never one per node.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from wikicoop.core.models import CategoryMembership, Page, PageLink, Revision
from wikicoop.text.titles import Title, TitleError, make_title, parse_title

Key = tuple[str, str]


@dataclass
class Graph:
    """Nodes by key ``(namespace, name)`` with their type, and typed edges."""

    nodes: dict[Key, dict[str, Any]] = field(default_factory=dict)
    edges: set[tuple[Key, Key, str]] = field(default_factory=set)
    depth_of: dict[Key, int] = field(default_factory=dict)
    truncated: bool = False

    def add_node(self, key: Key, page_type: str | None, depth: int, limit: int) -> bool:
        if key in self.nodes:
            return True
        if len(self.nodes) >= limit:
            self.truncated = True
            return False
        self.nodes[key] = {"type": page_type or ("category" if key[0] == "category" else "page")}
        self.depth_of[key] = depth
        return True

    def add_edge(self, source: Key, target: Key, kind: str) -> None:
        if source != target and source in self.nodes and target in self.nodes:
            self.edges.add((source, target, kind))


def _page_info(session: Session, keys: Iterable[Key]) -> dict[Key, tuple[int, str | None, Any]]:
    """``{key: (page id, page type, fields)}`` of the live pages among ``keys``."""
    found: dict[Key, tuple[int, str | None, Any]] = {}
    by_ns: dict[str, list[str]] = {}
    for ns, name in keys:
        by_ns.setdefault(ns, []).append(name)
    for ns, names in by_ns.items():
        for start in range(0, len(names), 400):
            rows = session.execute(
                select(Page.id, Page.name, Revision.page_type, Revision.fields)
                .join(Revision, Revision.id == Page.latest_revision_id)
                .where(
                    Page.namespace == ns,
                    Page.name.in_(names[start : start + 400]),
                    Page.deleted_at.is_(None),
                )
            )
            for pid, name, page_type, fields in rows:
                found[(ns, name)] = (pid, page_type, fields)
    return found


def _field_targets(fields: Any) -> set[Key]:
    """Page titles a page's field values may name (checked against the pages later)."""
    keys = set()
    for value in (fields or {}).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and 0 < len(item) <= 255 and "\n" not in item:
                try:
                    keys.add(parse_title(item, allow_fragment=False).key)
                except TitleError:
                    continue
    return keys


def _neighbours(
    session: Session,
    keys: list[Key],
    info: dict[Key, tuple[int, str | None, Any]],
    reverse: bool = True,
    field_index: dict[Key, list[Key]] | None = None,
) -> list[tuple[Key, Key, str]]:
    """Every edge from or to the nodes ``keys``: out and in links, categories (a page's,
    a category's members), fields. Edges may name pages that do not exist (the caller
    keeps the nodes it wants)."""
    found: list[tuple[Key, Key, str]] = []
    ids = {info[k][0]: k for k in keys if k in info}
    id_list = list(ids)
    for start in range(0, len(id_list), 400):
        chunk = id_list[start : start + 400]
        for source, ns, name in session.execute(
            select(PageLink.source_page_id, PageLink.target_namespace, PageLink.target_name).where(
                PageLink.source_page_id.in_(chunk)
            )
        ):
            found.append((ids[source], (ns, name), "link"))
        for pid, category in session.execute(
            select(CategoryMembership.page_id, CategoryMembership.category).where(
                CategoryMembership.page_id.in_(chunk)
            )
        ):
            found.append((ids[pid], ("category", category), "category"))
    if reverse:  # what points at the nodes (the overview's edges all start at one)
        found.extend(_pointing_at(session, keys))
    for key in keys:
        if key in info:
            for target in _field_targets(info[key][2]):
                found.append((key, target, "field"))
    if field_index is not None:  # the typed pages naming the nodes
        for key in keys:
            found.extend((source, key, "field") for source in field_index.get(key, ()))
    return found


def _pointing_at(session: Session, keys: list[Key]) -> list[tuple[Key, Key, str]]:
    """Links to the nodes ``keys``, and the members of the category nodes."""
    found: list[tuple[Key, Key, str]] = []
    by_ns: dict[str, list[str]] = {}
    for ns, name in keys:
        by_ns.setdefault(ns, []).append(name)
    for ns, names in by_ns.items():
        for start in range(0, len(names), 400):
            chunk = names[start : start + 400]
            for src_ns, src_name, target in session.execute(
                select(Page.namespace, Page.name, PageLink.target_name)
                .join(PageLink, PageLink.source_page_id == Page.id)
                .where(
                    PageLink.target_namespace == ns,
                    PageLink.target_name.in_(chunk),
                    Page.deleted_at.is_(None),
                )
            ):
                found.append(((src_ns, src_name), (ns, target), "link"))
            if ns != "category":
                continue
            for src_ns, src_name, category in session.execute(
                select(Page.namespace, Page.name, CategoryMembership.category)
                .join(CategoryMembership, CategoryMembership.page_id == Page.id)
                .where(CategoryMembership.category.in_(chunk), Page.deleted_at.is_(None))
            ):
                found.append(((src_ns, src_name), ("category", category), "category"))
    return found


#: the last index built per database: ``{engine id: (newest revision, index)}``
_INDEXES: dict[int, tuple[Any, dict[Key, list[Key]]]] = {}
_INDEX_LOCK = threading.Lock()


def _field_index(session: Session) -> dict[Key, list[Key]]:
    """``{named page: [typed pages whose field values name it]}``. Built from one query
    on the typed pages (fields are JSON: searched in Python), then kept while no revision
    is added (every change of a page's fields or title adds one; deleted sources are left
    out later, with the nodes that are not live pages)."""
    # the newest revision, by id and time: a database emptied and filled again (tests)
    # may reach the same id, not at the same moment
    newest = session.execute(
        select(Revision.id, Revision.created_at).order_by(Revision.id.desc()).limit(1)
    ).first()
    newest = tuple(newest) if newest is not None else None
    engine_id = id(session.get_bind())
    with _INDEX_LOCK:
        cached = _INDEXES.get(engine_id)
        if cached is not None and cached[0] == newest:
            return cached[1]
    index: dict[Key, list[Key]] = {}
    rows = session.execute(
        select(Page.namespace, Page.name, Revision.fields)
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(Revision.page_type.is_not(None))
    )
    for ns, name, fields in rows:
        for target in _field_targets(fields):
            index.setdefault(target, []).append((ns, name))
    with _INDEX_LOCK:
        _INDEXES[engine_id] = (newest, index)
    return index


def around(session: Session, start: Title, depth: int, max_nodes: int) -> Graph:
    """The pages within ``depth`` steps of ``start`` (breadth first, nearest kept first
    when the node limit is reached)."""
    graph = Graph()
    info = _page_info(session, [start.key])
    graph.add_node(start.key, info[start.key][1] if start.key in info else None, 0, max_nodes)
    frontier = [start.key]
    field_index: dict[Key, list[Key]] | None = None
    all_edges: list[tuple[Key, Key, str]] = []
    for level in range(1, depth + 1):
        if field_index is None:
            field_index = _field_index(session)
        edges = _neighbours(session, frontier, info, field_index=field_index)
        all_edges.extend(edges)
        new_keys = {k for edge in edges for k in edge[:2] if k not in graph.nodes}
        new_info = _page_info(session, new_keys)
        info.update(new_info)
        frontier = []
        for key in sorted(new_keys):
            exists = key in new_info
            if not exists and key[0] != "category":
                continue  # a missing page is not a node (categories are, page or not)
            if graph.add_node(key, new_info[key][1] if exists else None, level, max_nodes):
                frontier.append(key)
        if graph.truncated:
            break
    for source, target, kind in all_edges:
        graph.add_edge(source, target, kind)
    return graph


def overview(session: Session, types: list[str], max_nodes: int) -> Graph:
    """Initiatives, places, workshops (pages of ``types``) and people (user pages), the
    most linked to first, and the links, categories and fields between them. Two queries
    choose and describe the nodes (the count of links in SQL, the limit applied there)."""
    graph = Graph()
    count = func.count(PageLink.source_page_id)
    chosen = session.execute(
        select(Page.id, Page.namespace, Page.name, Revision.page_type, count)
        .join(Revision, Revision.id == Page.latest_revision_id)
        .outerjoin(
            PageLink,
            and_(PageLink.target_namespace == Page.namespace, PageLink.target_name == Page.name),
        )
        .where(
            Page.deleted_at.is_(None),
            Page.redirect_target.is_(None),
            or_(Revision.page_type.in_(types), Page.namespace == "user"),
        )
        .group_by(Page.id, Page.namespace, Page.name, Revision.page_type)
        .order_by(count.desc(), Page.namespace, Page.name)
        .limit(max_nodes + 1)
    ).all()
    graph.truncated = len(chosen) > max_nodes
    kept = chosen[:max_nodes]
    fields = dict(
        session.execute(
            select(Page.id, Revision.fields)
            .join(Revision, Revision.id == Page.latest_revision_id)
            .where(Page.id.in_([row[0] for row in kept] or [0]))
        ).all()
    )
    info = {}
    for pid, ns, name, page_type, _links in kept:
        info[(ns, name)] = (pid, page_type, fields.get(pid))
        graph.add_node((ns, name), page_type or ("person" if ns == "user" else None), 0, max_nodes)
    # both ends are nodes: the forward field edges are all of them
    for source, target, kind in _neighbours(session, list(graph.nodes), info, reverse=False):
        graph.add_edge(source, target, kind)
    return graph


def as_json(graph: Graph, url_of: Any) -> dict[str, Any]:
    """``{nodes, edges}`` as the API answers it (ids are full titles)."""
    nodes = []
    for key in sorted(graph.nodes, key=lambda k: (graph.depth_of.get(k, 0), k)):
        title = make_title(*key)
        nodes.append(
            {
                "id": title.full,
                "title": title.full,
                "url": url_of(title),
                "type": graph.nodes[key]["type"],
                "namespace": key[0],
                "depth": graph.depth_of.get(key, 0),
            }
        )
    edges = [
        {"source": make_title(*s).full, "target": make_title(*t).full, "kind": kind}
        for s, t, kind in sorted(graph.edges)
    ]
    return {"nodes": nodes, "edges": edges, "truncated": graph.truncated}
