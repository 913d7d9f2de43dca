"""Categories with sub-categories: a category page put in another category is its
sub-category (``[[Catégorie:Brest]]`` in ``Catégorie:Lieux``).

- :func:`category_graph`: every category's parents and member counts, in two queries;
- :func:`tree`: the forest shown at ``/categories``, which never loops: a category met
  again below itself is shown once, marked, and categories caught in a cycle with no
  root (imported or seeded that way) are still listed;
- :func:`find_cycle`: the cycle a category page's new text would close, checked by
  ``validate_edit`` before the save (the edit is refused with status 409, the text kept
  in the editor).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from wikicoop.core.models import CategoryMembership, Page
from wikicoop.errors import ServiceError
from wikicoop.rendering.wikilinks import WIKILINK_PATTERN, parse_wikilink

#: deepest level drawn, and most nodes drawn, in the tree view
MAX_DEPTH = 12
MAX_NODES = 3000
_LINK_RE = re.compile(WIKILINK_PATTERN)


@dataclass
class CategoryGraph:
    """``parents[name]``: the categories the category page ``name`` is in;
    ``members[name]``: how many live pages are in ``name``; ``pages``: the categories
    that have a page."""

    parents: dict[str, set[str]] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    pages: set[str] = field(default_factory=set)

    def children(self) -> dict[str, list[str]]:
        """``{category: sorted sub-categories}``."""
        found: dict[str, list[str]] = defaultdict(list)
        for child, parents in self.parents.items():
            for parent in parents:
                found[parent].append(child)
        return {k: sorted(v, key=str.casefold) for k, v in found.items()}

    def names(self) -> set[str]:
        """Every category: with a page, with members, or named as a parent."""
        return set(self.pages) | set(self.members) | set(self.parents)


def category_graph(session: Session, counts: bool = True) -> CategoryGraph:
    """The categories of the wiki and how they nest: two queries (one without the
    member ``counts``)."""
    graph = CategoryGraph()
    if counts:
        graph.members = _member_counts(session)
    rows = session.execute(
        select(Page.name, CategoryMembership.category)
        .outerjoin(CategoryMembership, CategoryMembership.page_id == Page.id)
        .where(Page.namespace == "category", Page.deleted_at.is_(None))
    )
    for name, parent in rows:
        graph.pages.add(name)
        graph.parents.setdefault(name, set())
        if parent is not None:
            graph.parents[name].add(parent)
    return graph


def _member_counts(session: Session) -> dict[str, int]:
    """How many live pages each category has (one `GROUP BY`)."""
    counts = session.execute(
        select(CategoryMembership.category, func.count())
        .join(Page, Page.id == CategoryMembership.page_id)
        .where(Page.deleted_at.is_(None))
        .group_by(CategoryMembership.category)
    )
    return {name: count for name, count in counts}


@dataclass
class Node:
    """One category in the tree view; ``loop`` when it is one of its own ancestors."""

    name: str
    count: int
    has_page: bool
    children: list[Node] = field(default_factory=list)
    loop: bool = False


def tree(graph: CategoryGraph) -> list[Node]:
    """The forest of categories: roots first (no parent), then one entry per cycle that
    no root reaches. Each path keeps its ancestors, so a cycle stops at once."""
    children = graph.children()
    names = graph.names()
    budget = [MAX_NODES]
    reached: set[str] = set()

    def build(name: str, ancestors: frozenset[str], depth: int) -> Node:
        reached.add(name)
        budget[0] -= 1
        node = Node(name, graph.members.get(name, 0), name in graph.pages)
        if name in ancestors:
            node.loop = True
            return node
        if depth >= MAX_DEPTH or budget[0] <= 0:
            return node
        inside = ancestors | {name}
        node.children = [build(c, inside, depth + 1) for c in children.get(name, [])]
        return node

    roots = sorted((n for n in names if not graph.parents.get(n)), key=str.casefold)
    forest = [build(root, frozenset(), 0) for root in roots]
    for name in sorted(names, key=str.casefold):  # cycles nothing above them reaches
        if name not in reached:
            forest.append(build(name, frozenset(), 0))
    return forest


def subcategories(session: Session, name: str) -> list[tuple[str, int]]:
    """The sub-categories of ``name`` with their member counts: one query."""
    member = aliased(CategoryMembership)
    live = aliased(Page)
    count = (
        select(func.count())
        .select_from(member)
        .join(live, live.id == member.page_id)
        .where(member.category == Page.name, live.deleted_at.is_(None))
        .scalar_subquery()
    )
    rows = session.execute(
        select(Page.name, count)
        .join(CategoryMembership, CategoryMembership.page_id == Page.id)
        .where(
            Page.namespace == "category",
            Page.deleted_at.is_(None),
            CategoryMembership.category == name,
        )
    ).all()
    return sorted(((n, c) for n, c in rows), key=lambda row: row[0].casefold())


def categories_in(text: str, capitalize_first: bool = True) -> set[str]:
    """The categories ``[[Catégorie:X]]`` of a text (found without parsing Markdown: one
    inside code counts too)."""
    found = set()
    for match in _LINK_RE.finditer(text):
        link = parse_wikilink(match.group("wikilink_body"), capitalize_first=capitalize_first)
        if link.kind == "category" and link.title is not None:
            found.add(link.title.name)
    return found


def find_cycle(graph: CategoryGraph, name: str, new_parents: set[str]) -> list[str] | None:
    """The cycle ``[name, …, name]`` that giving category ``name`` these parents would
    make, or None. Depth-first up the parents, each category visited once."""
    parents = dict(graph.parents)
    parents[name] = set(new_parents)
    seen: set[str] = set()
    stack: list[tuple[str, list[str]]] = [(p, [name, p]) for p in sorted(new_parents)]
    while stack:
        current, path = stack.pop()
        if current == name:
            return path
        if current in seen:
            continue
        seen.add(current)
        for parent in sorted(parents.get(current, ())):
            stack.append((parent, [*path, parent]))
    return None


class CategoryCycle(ServiceError):
    """A category page whose categories would make it its own ancestor (409)."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("relier-category-cycle", status=409, cycle=" → ".join(cycle))


def check_edit(session: Session, title_name: str, text: str, capitalize_first: bool) -> None:
    """Refuse (:class:`CategoryCycle`) the text of category page ``title_name`` when its
    categories close a cycle."""
    wanted = categories_in(text, capitalize_first)
    if not wanted:
        return
    if title_name in wanted:
        raise CategoryCycle([title_name, title_name])
    cycle = find_cycle(category_graph(session, counts=False), title_name, wanted)
    if cycle is not None:
        raise CategoryCycle(cycle)
