"""``GET /api/v1/initiatives``: the JSON twin of the list (``/appel-a-projets``) and, with
``year``, of the year's page (``/appel-a-projets/<year>``).

Same filters, validation, order and paging as the list and the CSV export (:mod:`.stats`
and :mod:`.views` do the work), with the English parameter names of the stats API.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from wikicoop.core.typed_pages import TypedPage
from wikicoop.web.db import get_session
from wikicoop.web.helpers import ApiError

from . import calls, stats
from .blueprint import api
from .texts import say
from .views import initiatives, page_address, page_of

#: the API's parameter → the list's filter of the same meaning (:data:`stats.FILTERS`)
PARAMETERS = {
    "year": "annee",
    "theme": "theme",
    "neighbourhood": "quartier",
    "status": "statut",
    "priority": "prioritaire",
}
#: ``priority``'s values → the list's (true/false, like the access points' ``accessible``)
PRIORITY = {"true": "oui", "false": "non"}


def _bad(name: str, raw: str) -> ApiError:
    """The 400 naming the bad parameter; a bad year answers as the stats API does."""
    if name == "year":
        return ApiError(400, say("bad_year"), code="bad-year", parameter=name)
    message = say("bad_filter", name=name, value=raw[:60])
    return ApiError(400, message, code="bad-filter", parameter=name)


def selection() -> stats.Selection:
    """The request's filters, read by the list's own parser (:func:`stats.selection_from`)."""
    args = {PARAMETERS[name]: value for name, value in request.args.items() if name in PARAMETERS}
    priority = args.get("prioritaire") or None
    if priority is not None:
        if priority not in PRIORITY:
            raise _bad("priority", priority)
        args["prioritaire"] = PRIORITY[priority]
    try:
        return stats.selection_from(args)
    except stats.BadFilter as bad:
        name = next(name for name, french in PARAMETERS.items() if french == bad.name)
        raise _bad(name, bad.value) from None


def call_json(call: calls.Call | None) -> dict[str, Any] | None:
    """A year's call as JSON (None when that year has none)."""
    if call is None:
        return None
    return {
        "title": call.page.title.full,
        "url": page_address(call.page),
        "opens": call.opens.isoformat(),
        "closes": call.closes.isoformat(),
        "themes": list(call.themes),
        "open": call.is_open(calls.today(current_app.config)),
    }


def initiative_json(page: TypedPage) -> dict[str, Any]:
    """One initiative: its title, full address and field values."""
    return {"title": page.title.full, "url": page_address(page), "fields": page.fields}


@api.get("/initiatives")
def initiatives_api() -> dict[str, Any]:
    """GET /api/v1/initiatives?year=&theme=&neighbourhood=&status=&priority=&page=: the
    list's page as JSON (latest year first, then by title), with the year's call when
    ``year`` is given."""
    chosen = selection()
    shown = stats.select_pages(initiatives(), chosen)
    raw_page = request.args.get("page", "1")
    try:
        rows, number, pages = page_of(shown, raw_page)
    except ValueError:
        raise _bad("page", raw_page) from None
    body: dict[str, Any] = {
        "initiatives": [initiative_json(page) for page in rows],
        "total": len(shown),
        "page": number,
        "pages": pages,
    }
    if chosen.annee is not None:
        body["call"] = call_json(calls.call_of_year(get_session(), chosen.annee))
    return body
