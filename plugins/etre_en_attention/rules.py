"""What the write path checks for the call's pages (the ``validate_edit`` hook), so that the
web form, the page editor and the API refuse the same things, with nothing saved:

- years between 1990 and 2100, amounts never negative, a call closing after it opens;
- a resident (anyone who may not moderate) creates an initiative only while the call of
  its year is open, with the status « proposée » and no amount granted;
- only moderators move an initiative's status or its amount granted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wikicoop.core.page_types import FieldError
from wikicoop.core.permissions import can
from wikicoop.error_messages import N_, register
from wikicoop.errors import ServiceError

from . import calls
from .declarations import AMOUNTS, APPEL, FIRST_YEAR, INITIATIVE, LAST_YEAR, PROPOSED

CLOSED = "etre-en-attention-closed"
MODERATORS_ONLY = "etre-en-attention-moderators"
DATES = "etre-en-attention-dates"

register(
    {
        CLOSED: N_(
            "L'appel à projets de %(year)s n'est pas ouvert : on ne peut pas proposer "
            "d'initiative pour cette année."
        ),
        MODERATORS_ONLY: N_(
            "Seul un modérateur change le statut d'une initiative ou le montant accordé."
        ),
        DATES: N_("La clôture de l'appel doit venir après son ouverture."),
    }
)


def _check_year(fields: dict[str, Any]) -> None:
    year = fields.get("annee")
    if year is not None and (year != int(year) or not FIRST_YEAR <= year <= LAST_YEAR):
        raise FieldError("annee", "out-of-range")


def check_edit(ctx: Any) -> None:
    """The ``validate_edit`` rule (see the module's docstring); raises to refuse."""
    edit = ctx.edit
    fields = dict(edit.fields or {})
    if edit.page_type == APPEL:
        _check_year(fields)
        opens, closes = fields.get("ouverture"), fields.get("cloture")
        if opens and closes and date.fromisoformat(closes) < date.fromisoformat(opens):
            raise ServiceError(DATES, status=400, field="cloture", reason="out-of-range")
        return
    if edit.page_type != INITIATIVE:
        return
    _check_year(fields)
    for name in AMOUNTS:
        if fields.get(name) is not None and fields[name] < 0:
            raise FieldError(name, "out-of-range")
    if can(edit.author.user, "moderate"):
        return
    previous = _published_fields(ctx.page)
    if previous is None:  # a resident's new initiative: the call of its year must be open
        call = calls.call_of_year(ctx.session, int(fields.get("annee") or 0))
        if call is None or not call.is_open(calls.today(ctx.settings)):
            raise ServiceError(CLOSED, status=422, year=int(fields.get("annee") or 0))
        if fields.get("statut") != PROPOSED or fields.get("montant_accorde") is not None:
            raise ServiceError(MODERATORS_ONLY, status=403)
        return
    for name in ("statut", "montant_accorde"):
        if fields.get(name) != previous.get(name):
            raise ServiceError(MODERATORS_ONLY, status=403)


def _published_fields(page: Any) -> dict[str, Any] | None:
    """The field values of the page's public version (None for a page without one)."""
    latest = getattr(page, "latest_revision", None) if page is not None else None
    if latest is None or latest.page_type != INITIATIVE:
        return None
    return dict(latest.fields or {})
