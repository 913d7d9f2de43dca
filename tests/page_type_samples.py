"""Page type declarations shared by the unit and web tests of structured page types."""

from __future__ import annotations

PLACE = {
    "name": "lieu",
    "label": {"fr": "Lieu", "en": "Place"},
    "fields": [
        {"name": "nom", "kind": "text", "label": {"fr": "Nom", "en": "Name"}, "required": True},
        {"name": "notes", "kind": "longtext", "label": "Notes"},
        {"name": "places", "kind": "number", "label": "Places"},
        {"name": "ouverture", "kind": "date", "label": "Ouverture"},
        {"name": "rdv", "kind": "datetime", "label": "Rendez-vous"},
        {"name": "horaires", "kind": "hours", "label": {"fr": "Horaires", "en": "Opening hours"}},
        {"name": "acces", "kind": "choice", "label": "Accès", "choices": ["libre", "rdv"]},
        {"name": "publics", "kind": "choices", "label": "Publics", "choices": ["a", "b", "c"]},
        {"name": "wifi", "kind": "bool", "label": "Wifi"},
        {"name": "site", "kind": "url", "label": "Site"},
        {"name": "courriel", "kind": "email", "label": "Courriel"},
        {"name": "tel", "kind": "phone", "label": "Téléphone"},
        {"name": "position", "kind": "point", "label": "Position"},
        {"name": "structure", "kind": "page", "label": "Structure"},
    ],
}
WORKSHOP = {
    # not "atelier": the outiller plugin declares that one
    "name": "rencontre",
    "label": {"fr": "Rencontre", "en": "Meeting"},
    "moderation": "a_priori",
    "fields": [{"name": "date", "kind": "date", "label": "Date", "required": True}],
}
