"""The plugin's words for residents, French first, English too (the reader's language)."""

from __future__ import annotations

from typing import Any

from wikicoop.web.labels import english, in_reader_language

TEXTS: dict[str, dict[str, str]] = {
    "menu": {"fr": "Lieux d'accès", "en": "Access points"},
    "panel": {"fr": "Autour de ce lieu", "en": "Around this place"},
    "nearby": {"fr": "Les lieux d'accès les plus proches", "en": "The nearest access points"},
    "directory": {"fr": "Lieux d'accès public à internet", "en": "Public internet access points"},
    "count": {"fr": "{n} lieu(x) trouvé(s)", "en": "{n} place(s) found"},
    "none": {"fr": "Aucun lieu ne correspond.", "en": "No place matches."},
    "filter": {"fr": "Filtrer", "en": "Filter"},
    "pages": {"fr": "Pages de l'annuaire", "en": "Directory pages"},
    "previous": {"fr": "← Précédents", "en": "← Previous"},
    "next": {"fr": "Suivants →", "en": "Next →"},
    "page_of": {"fr": "Page {n} sur {last}", "en": "Page {n} of {last}"},
    "any": {"fr": "Tous", "en": "All"},
    "neighbourhood": {"fr": "Quartier", "en": "Neighbourhood"},
    "kind": {"fr": "Genre de lieu", "en": "Kind of place"},
    "services": {"fr": "Services", "en": "Services"},
    "accessible": {"fr": "Accessible (mobilité réduite)", "en": "Step-free access"},
    "open_now": {"fr": "Ouvert maintenant", "en": "Open now"},
    "open": {"fr": "ouvert", "en": "open"},
    "closed": {"fr": "fermé", "en": "closed"},
    "address": {"fr": "Adresse", "en": "Address"},
    "host": {"fr": "Structure", "en": "Organisation"},
    "place": {"fr": "Lieu", "en": "Place"},
    "places": {"fr": "Lieux", "en": "Places"},
    "now_is": {"fr": "Il est {time} ({zone}).", "en": "It is {time} ({zone})."},
    "near": {"fr": "Près de chez moi", "en": "Near me"},
    "near_intro": {
        "fr": "Tapez des coordonnées, choisissez un quartier ou utilisez votre position.",
        "en": "Type coordinates, pick a neighbourhood or use your location.",
    },
    "lat": {"fr": "Latitude", "en": "Latitude"},
    "lon": {"fr": "Longitude", "en": "Longitude"},
    "within": {"fr": "Distance (mètres)", "en": "Distance (metres)"},
    "search": {"fr": "Chercher", "en": "Search"},
    "locate": {"fr": "Utiliser ma position", "en": "Use my location"},
    "from_point": {"fr": "Depuis {lat}, {lon}", "en": "From {lat}, {lon}"},
    "from_quarter": {
        "fr": "Depuis le centre du quartier {name} ({lat}, {lon})",
        "en": "From the centre of {name} ({lat}, {lon})",
    },
    "distance": {"fr": "Distance", "en": "Distance"},
    "metres": {"fr": "{m} m", "en": "{m} m"},
    "rule_ok": {
        "fr": "Règle respectée : un lieu à moins de {within} m ({title}, {m} m).",
        "en": "Rule met: a place within {within} m ({title}, {m} m).",
    },
    "rule_ko": {
        "fr": "Règle non respectée : aucun lieu à moins de {within} m (le plus proche à {m} m).",
        "en": "Rule not met: no place within {within} m (the nearest is {m} m away).",
    },
    "no_located": {
        "fr": "Aucun lieu n'a encore de position.",
        "en": "No place has a location yet.",
    },
    "exports": {"fr": "Télécharger : ", "en": "Download: "},
    "stats": {"fr": "Statistiques des lieux d'accès", "en": "Access point statistics"},
    "by_quarter": {"fr": "Lieux par quartier", "en": "Places by neighbourhood"},
    "by_year": {"fr": "Lieux par année d'entrée dans le réseau", "en": "Places by year joined"},
    "year": {"fr": "Année", "en": "Year"},
    "totals": {
        "fr": "{n} lieu(x) d'accès, {computers} ordinateur(s) en tout.",
        "en": "{n} access point(s), {computers} computer(s) in all.",
    },
    "unknown": {"fr": "non renseigné", "en": "not given"},
    "map": {"fr": "Carte des lieux d'accès", "en": "Map of access points"},
    "plan": {
        "fr": "Plan des lieux (sans fond de carte)",
        "en": "Plan of the places (no map background)",
    },
    "map_list": {"fr": "Les mêmes lieux en liste", "en": "The same places as a list"},
    # bad input (directory, near me, API)
    "bad-point": {
        "fr": "Coordonnées illisibles « {value} » : attendu LATITUDE,LONGITUDE en degrés décimaux.",
        "en": 'Unreadable coordinates "{value}": expected LATITUDE,LONGITUDE in decimal degrees.',
    },
    "out-of-range": {
        "fr": "Coordonnées hors limites « {value} » : la latitude va de -90 à 90, "
        "la longitude de -180 à 180.",
        "en": 'Coordinates out of range "{value}": latitude goes from -90 to 90, '
        "longitude from -180 to 180.",
    },
    "bad-distance": {
        "fr": "Distance invalide « {value} » : attendu un nombre de mètres, zéro ou plus.",
        "en": 'Invalid distance "{value}": expected a number of metres, zero or more.',
    },
    "bad-moment": {
        "fr": "Date et heure invalides « {value} » : attendu ISO 8601, par exemple "
        "2026-12-03T14:30.",
        "en": 'Invalid date and time "{value}": expected ISO 8601, for example 2026-12-03T14:30.',
    },
    "within-needs-near": {
        "fr": "« within » se mesure depuis un point : donnez aussi near=LAT,LON.",
        "en": '"within" is measured from a point: give near=LAT,LON too.',
    },
    "unknown-choice": {
        "fr": "Valeur inconnue : {value}.",
        "en": "Unknown value: {value}.",
    },
    "no-points": {
        "fr": "Aucun point donné : attendu points=LAT,LON;LAT,LON.",
        "en": "No point given: expected points=LAT,LON;LAT,LON.",
    },
    "too-many-points": {
        "fr": "Trop de points : {value} au plus.",
        "en": "Too many points: {value} at most.",
    },
    "unknown-quarter": {
        "fr": "Aucun lieu situé dans le quartier « {value} ».",
        "en": 'No located place in the neighbourhood "{value}".',
    },
    "need-origin": {
        "fr": "Donnez une latitude et une longitude, ou choisissez un quartier.",
        "en": "Give a latitude and a longitude, or pick a neighbourhood.",
    },
}

#: English names of the declaration's French choices (the stored values stay French)
CHOICES_EN = {
    "centre social": "social centre",
    "maison de quartier": "neighbourhood house",
    "médiathèque": "library",
    "association": "association",
    "mairie de quartier": "town hall annex",
    "autre": "other",
    "accès libre": "free access",
    "accès accompagné": "accompanied access",
    "ateliers": "workshops",
    "impression": "printing",
    "wifi": "wifi",
    "scanner": "scanner",
}


def say(key: str, **params: Any) -> str:
    """A text of :data:`TEXTS` in the reader's language, filled with ``params``."""
    return in_reader_language(TEXTS[key], **params)


def choice(value: str) -> str:
    """A stored choice (French) as the reader reads it."""
    return CHOICES_EN.get(value, value) if english() else value
