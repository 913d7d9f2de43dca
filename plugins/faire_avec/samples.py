"""Sample access points for the plugin's tests and its bench (not used while serving)."""

from __future__ import annotations

from typing import Any

from .lieu import TYPE_NAME

#: open Monday to Friday 09:00-12:00 and 14:00-18:00
WEEKDAYS = {
    day: [["09:00", "12:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}


def lieu_fields(**changes: Any) -> dict[str, Any]:
    """Valid field values of an access point, with ``changes`` (None removes a field)."""
    fields: dict[str, Any] = {
        "structure": "Maison pour tous",
        "genre": "maison de quartier",
        "adresse": "3 rue de la Paix, Brest",
        "quartier": "Saint-Martin",
        "position": {"lat": 48.3958, "lon": -4.4857},
        "horaires": WEEKDAYS,
        "services": ["accès libre", "wifi"],
        "accessible": True,
        "telephone": "02 98 00 00 00",
        "adhesion": 2003,
        "postes": 5,
    }
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


def lieu_body(text: str = "Un lieu du quartier.", **changes: Any) -> dict[str, Any]:
    """The JSON body of ``PUT /api/v1/pages/<title>`` creating an access point."""
    return {
        "text": text,
        "base_revision": None,
        "type": TYPE_NAME,
        "fields": lieu_fields(**changes),
    }
