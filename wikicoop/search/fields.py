"""Structured fields in the search index: one facet per declared field, and the plugins' own.

A page type's field ``horaires`` becomes the search field ``f_horaires``: exact values,
filterable (``?field.horaires=sat`` on the search page and the API) and counted as a
facet. What is indexed for each kind: the value as text; ``choices`` each choice;
``bool`` ``true``/``false``; ``number`` its digits; ``datetime`` its day; ``hours`` the
days it is open (``mon``…``sun``). ``longtext`` is searched with the page's words instead;
a ``point`` is not indexed. Plugins add fields through the ``search_fields()`` hook
(``{name: "keyword" | "text"}``) and values through ``search_document(ctx)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.field_kinds import DAYS
from ..core.models import Page, Revision
from ..core.page_types import PageTypeRegistry
from .backend import CORE_FACETS

#: search field name of a page type's field, and the URL parameter that filters on it
PREFIX = "f_"
PARAM_PREFIX = "field."

#: a plugin's search field: its name, and its kinds
_FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_EXTRA_KINDS = ("keyword", "text")

#: facet/filter name -> schema field, for the core fields (same names)
CORE_FIELDS = {name: name for name in CORE_FACETS}
#: names that can be filtered on but are not counted as facets
FILTER_ONLY_FIELDS = {"authors": "authors", "language": "language"}
_RESERVED_NAMES = frozenset(
    {
        *CORE_FIELDS,
        *FILTER_ONLY_FIELDS,
        "page_id",
        "revision_id",
        "title",
        "content",
        "text",
        "updated",
        "author",
        "categories",
        "page_type",
    }
)


def check_extra_fields(extra_fields: Mapping[str, str]) -> dict[str, str]:
    """The fields declared by plugins, sorted by name, or ValueError for a bad one.

    A name is lowercase ASCII (40 characters at most) and not one of the index's own
    fields; a kind is ``"keyword"`` (exact values, filterable, counted as a facet) or
    ``"text"`` (searched like page text).
    """
    for name, kind in extra_fields.items():
        if not _FIELD_NAME_RE.match(name) or name in _RESERVED_NAMES:
            raise ValueError(f"invalid search field name {name!r}")
        if kind not in _EXTRA_KINDS:
            raise ValueError(f"search field {name!r}: kind must be 'keyword' or 'text'")
    return dict(sorted(extra_fields.items()))


#: how each kind is indexed (None: not indexed)
_INDEXED_AS = {"longtext": "text", "point": None}


@dataclass(frozen=True)
class SearchDocumentContext:
    """What ``search_document(ctx)`` implementations get: the page and the indexed revision."""

    page: Page
    revision: Revision


def search_name(field_name: str) -> str:
    """The search field of a page type's field: ``horaires`` → ``f_horaires``."""
    return PREFIX + field_name


def param_name(search_field: str) -> str:
    """The URL parameter of a search field: ``f_horaires`` → ``field.horaires``."""
    if search_field.startswith(PREFIX):
        return PARAM_PREFIX + search_field[len(PREFIX) :]
    return search_field


def field_of_param(param: str) -> str | None:
    """The search field of a URL parameter ``field.<name>`` (None for other parameters)."""
    if param.startswith(PARAM_PREFIX) and len(param) > len(PARAM_PREFIX):
        return PREFIX + param[len(PARAM_PREFIX) :]
    return None


def declared_fields(registry: PageTypeRegistry | None, hooks: Any = None) -> dict[str, str]:
    """The extra search fields: ``{name: "keyword" | "text"}`` from the page types and the
    plugins' ``search_fields()`` (a field declared keyword anywhere stays keyword)."""
    out: dict[str, str] = {}
    for page_type in registry.all() if registry is not None else ():
        for item in page_type.fields:
            kind = _INDEXED_AS.get(item.kind, "keyword")
            if kind is None:
                continue
            name = search_name(item.name)
            out[name] = "keyword" if out.get(name) == "keyword" else kind
    if hooks is not None:
        for declared in hooks.search_fields() or ():
            for name, kind in (declared or {}).items():
                out[str(name)] = str(kind)
    return out


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def indexed_values(kind: str, value: Any) -> list[str]:
    """The index values of one field value (see the module docstring)."""
    if value is None or _INDEXED_AS.get(kind, "keyword") is None:
        return []
    if kind == "choices":
        return [str(item) for item in value]
    if kind == "bool":
        return ["true" if value else "false"]
    if kind == "number":
        return [_number(value)]
    if kind == "datetime":
        return [str(value)[:10]]
    if kind == "hours":
        return [day for day in DAYS if isinstance(value, Mapping) and value.get(day)]
    return [str(value)]


def document_fields(
    registry: PageTypeRegistry | None, hooks: Any = None
) -> Callable[[Page, Revision], dict[str, list[str]]]:
    """A function giving the extra search values of a page's indexed revision."""

    def values(page: Page, revision: Revision) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        page_type = registry.get(revision.page_type) if registry is not None else None
        if page_type is not None:
            stored = revision.fields or {}
            for item in page_type.fields:
                found = indexed_values(item.kind, stored.get(item.name))
                if found:
                    out[search_name(item.name)] = found
        if hooks is not None:
            context = SearchDocumentContext(page=page, revision=revision)
            for extra in hooks.search_document(ctx=context) or ():
                for name, value in (extra or {}).items():
                    listed = [value] if isinstance(value, str) else [str(v) for v in value]
                    out.setdefault(str(name), []).extend(listed)
        return out

    return values
