"""The access point page type (``lieu_acces``): its declaration and the rules the core's
field kinds do not know (a plausible year, a count that is not negative)."""

from __future__ import annotations

from datetime import date
from typing import Any

from wikicoop.core.page_types import FieldError
from wikicoop.error_messages import N_, register

#: not "lieu": sites and the core's tests declare a generic "lieu" type of their own
TYPE_NAME = "lieu_acces"

KINDS = [
    "centre social",
    "maison de quartier",
    "médiathèque",
    "association",
    "mairie de quartier",
    "autre",
]
SERVICES = [
    "accès libre",
    "accès accompagné",
    "ateliers",
    "impression",
    "wifi",
    "scanner",
]
#: the network of access points started in the late 1990s
FIRST_YEAR = 1995


def _field(name: str, kind: str, fr: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": kind, "label": {"fr": fr, "en": en}, **extra}


LIEU_ACCES: dict[str, Any] = {
    "name": TYPE_NAME,
    "label": {"fr": "Lieu d'accès public à internet", "en": "Public internet access point"},
    "fields": [
        _field("structure", "text", "Structure d'accueil", "Hosting organisation", required=True),
        _field("genre", "choice", "Genre de lieu", "Kind of place", choices=KINDS, required=True),
        _field("adresse", "text", "Adresse", "Address", required=True),
        _field("quartier", "text", "Quartier", "Neighbourhood", required=True),
        _field("position", "point", "Position", "Location"),
        _field("horaires", "hours", "Horaires d'ouverture", "Opening hours"),
        _field("services", "choices", "Services", "Services", choices=SERVICES),
        _field(
            "accessible",
            "bool",
            "Accessible aux personnes à mobilité réduite",
            "Accessible to people with reduced mobility",
        ),
        _field("telephone", "phone", "Téléphone", "Phone"),
        _field("courriel", "email", "Courriel", "E-mail"),
        _field("site", "url", "Site web", "Website"),
        _field("adhesion", "number", "Année d'entrée dans le réseau", "Year it joined the network"),
        _field("postes", "number", "Nombre d'ordinateurs", "Number of computers"),
    ],
    # newcomers' first edits wait for a reader; trusted residents publish at once
    "moderation": "newcomers",
}

register(
    {
        "invalid-field:faire-avec-year": N_(
            "Le champ « %(field)s » attend une année entre %(low)s et %(high)s."
        ),
        "invalid-field:faire-avec-count": N_(
            "Le champ « %(field)s » attend un nombre entier, zéro ou plus."
        ),
    }
)


def check_fields(fields: dict[str, Any], today: date | None = None) -> None:
    """Refuse a year outside the network's life or a negative or fractional count,
    with a :class:`FieldError` naming the field (the core checked the kinds already)."""
    high = (today or date.today()).year + 1
    year = fields.get("adhesion")
    if year is not None and (year != int(year) or not FIRST_YEAR <= year <= high):
        raise FieldError("adhesion", "faire-avec-year", low=FIRST_YEAR, high=high)
    count = fields.get("postes")
    if count is not None and (count != int(count) or count < 0):
        raise FieldError("postes", "faire-avec-count")
