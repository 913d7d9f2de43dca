"""Search for visitors: the results page and the JSON API (search, title suggestions)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...core import revisions as rev
from ...core.field_kinds import DAYS
from ...search import search_backend
from ...search.backend import CORE_FACETS, QueryError, SearchQuery, SearchResults
from ...search.fields import PREFIX, field_of_param, param_name
from ...text.titles import Title, TitleError, fold_key, parse_title
from ..db import get_session
from ..errors import json_error
from ..fields import creatable_types, day_label, language, registry, type_label
from ..helpers import allowed
from ..labels import N_, facet_label, localized
from ..urls import page_url

#: headings of the core facets
_CORE_HEADINGS = {
    "namespace": N_("Espace"),
    "category": N_("Catégorie"),
    "type": N_("Type"),
    "licence": N_("Licence"),
}


def _field_named(search_field: str) -> Any:
    """The declaration of a structured field's facet (the first type that has it)."""
    name = search_field[len(PREFIX) :]
    for page_type in registry().all():
        item = page_type.field(name)
        if item is not None:
            return item
    return None


def facet_heading(name: str) -> str:
    """The heading of a facet: a core one, or a structured field's label."""
    if name in _CORE_HEADINGS:
        return _(_CORE_HEADINGS[name])
    item = _field_named(name) if name.startswith(PREFIX) else None
    return item.label_for(language()) if item is not None else name


def facet_value_label(name: str, value: str) -> str:
    """How a facet value is shown: page types by their label, days and yes/no in words."""
    if name == "type":
        return type_label(value) if value != "page" else facet_label(name, value)
    item = _field_named(name) if name.startswith(PREFIX) else None
    if item is not None and item.kind == "hours" and value in DAYS:
        return day_label(value)
    if item is not None and item.kind == "bool":
        return _("oui") if value == "true" else _("non")
    return facet_label(name, value)


bp = Blueprint("search", __name__)

PER_PAGE = 20
MAX_QUERY_CHARS = 500
SORTS = ("relevance", "date")


def _query_from_request() -> SearchQuery:
    """The visitor's query: words, facet filters, page and order, all bounded."""
    text = request.args.get("q", "")[:MAX_QUERY_CHARS]
    filters = {name: request.args[name][:200] for name in CORE_FACETS if request.args.get(name)}
    for param, value in request.args.items():
        name = field_of_param(param)  # field.<name>=<value>: a structured field's facet
        if name is not None and value:
            filters[name] = value[:200]
    # the keyword fields of plugins (search_fields() hook) filter under their own name
    extra: dict[str, str] = getattr(search_backend(), "extra_fields", {})
    for name, kind in extra.items():
        if kind == "keyword" and not name.startswith(PREFIX) and request.args.get(name):
            filters[name] = request.args[name][:200]
    try:
        page = max(1, min(500, int(request.args.get("page", "1"))))
    except ValueError:
        page = 1
    sort = request.args.get("sort", "relevance")
    return SearchQuery(
        text=text,
        filters=filters,
        page=page,
        per_page=PER_PAGE,
        sort=sort if sort in SORTS else "relevance",
    )


def _existing_title(text: str) -> Title | None:
    """The page whose title is what was typed, give or take case and accents."""
    try:
        title = parse_title(text, capitalize_first=current_app.config["CAPITALIZE_FIRST"])
    except TitleError:
        return None
    if rev.find_page(get_session(), title, include_deleted=False) is not None:
        return title
    wanted = fold_key(title.full)
    for candidate in search_backend().suggest_titles(text, limit=10):
        if fold_key(candidate) == wanted:
            return parse_title(candidate)
    return None


def _creatable_title(text: str) -> Title | None:
    try:
        return parse_title(
            text, capitalize_first=current_app.config["CAPITALIZE_FIRST"], allow_fragment=False
        )
    except TitleError:
        return None


def search_url(query: SearchQuery, **changes: Any) -> str:
    """The results URL for ``query`` with some parameters changed (None removes one)."""
    params: dict[str, Any] = {"q": query.text, **query.filters}
    if query.sort != "relevance":
        params["sort"] = query.sort
    params.update(changes)
    params = {param_name(name): value for name, value in params.items()}
    clean = {k: v for k, v in params.items() if v not in (None, "", 1) or k == "q"}
    return "/recherche?" + urlencode(clean)


@bp.route("/recherche")
def results() -> tuple[str, int] | str:
    query = _query_from_request()
    if not query.text.strip():
        return render_template("search.html", query=query, results=None, error=None)
    try:
        found: SearchResults | None = search_backend().search(query)
        error = None
    except QueryError as err:
        found, error = None, localized(err)
    exact = _existing_title(query.text)
    context = {
        "query": query,
        "results": found,
        "error": error,
        "exact": exact,
        "create": None if exact else _creatable_title(query.text),
        "can_create": allowed("create"),
        "page_types": creatable_types(),
        "search_url": search_url,
        "per_page": PER_PAGE,
        "facet_heading": facet_heading,
        "facet_label": facet_value_label,
    }
    return render_template("search.html", **context), 400 if error else 200


@bp.get("/api/v1/search")
def api_search() -> Response:
    query = _query_from_request()
    if not query.text.strip():
        return json_error(400, _("Tapez au moins un mot à chercher (paramètre « q »)."))
    try:
        found = search_backend().search(query)
    except QueryError as err:
        return json_error(400, localized(err), code=err.code)
    return jsonify(
        {
            "total": found.total,
            "estimated": found.estimated,
            "page": query.page,
            "per_page": query.per_page,
            "results": [
                {
                    "title": hit.title,
                    "url": page_url(parse_title(hit.title)),
                    "snippet_html": hit.snippet_html,
                    "type": hit.page_type,
                    "namespace": hit.namespace,
                    "score": round(hit.score, 4),
                    "updated": hit.updated.isoformat() if hit.updated else None,
                }
                for hit in found.hits
            ],
            "facets": {
                param_name(name): [{"value": value, "count": count} for value, count in counts]
                for name, counts in found.facets.items()
            },
            "suggestion": found.suggestion,
        }
    )


@bp.get("/api/v1/search/suggest")
def api_suggest() -> Response:
    prefix = " ".join(request.args.get("q", "").split())[:100]
    if not prefix:
        return jsonify({"titles": []})
    return jsonify({"titles": search_backend().suggest_titles(prefix, limit=10)})
