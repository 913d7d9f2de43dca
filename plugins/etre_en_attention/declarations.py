"""The two page types of the call for projects: ``initiative`` (one project a resident
carries) and ``appel`` (one call per year, with its dates, themes and rules as its text).

Values are French: they are what residents read and what the API and CSV give.
"""

from __future__ import annotations

from typing import Any

INITIATIVE = "initiative"
APPEL = "appel"

#: the call's themes, in the order the forms and the dashboard show them
THEMES = (
    "aller vers les publics éloignés du numérique",
    "prendre soin des personnes",
    "expression",
    "mutualisation",
    "logiciels libres et biens communs",
    "compétences",
    "innovation",
)

PROPOSED = "proposée"
SELECTED = "retenue"
IN_PROGRESS = "en cours"
COMPLETED = "réalisée"
ABANDONED = "abandonnée"
#: an initiative's life, in order
STATUSES = (PROPOSED, SELECTED, IN_PROGRESS, COMPLETED, ABANDONED)
#: the statuses the completion rate counts: every initiative that was selected
SELECTED_ONES = (SELECTED, IN_PROGRESS, COMPLETED, ABANDONED)

#: the years a call or an initiative may have (a typo such as 20266 is refused)
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _label(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


INITIATIVE_TYPE: dict[str, Any] = {
    "name": INITIATIVE,
    "label": _label("Initiative", "Initiative"),
    # a resident's proposal waits for a moderator before anyone sees it
    "moderation": "a_priori",
    "fields": [
        {
            "name": "porteur",
            "kind": "text",
            "label": _label("Porteur", "Carrier"),
            "required": True,
        },
        {"name": "organisation", "kind": "text", "label": _label("Organisation", "Organisation")},
        {
            "name": "quartier",
            "kind": "text",
            "label": _label("Quartier", "Neighbourhood"),
            "required": True,
        },
        {"name": "annee", "kind": "number", "label": _label("Année", "Year"), "required": True},
        {
            "name": "themes",
            "kind": "choices",
            "label": _label("Thèmes", "Themes"),
            "choices": list(THEMES),
        },
        {
            "name": "quartier_prioritaire",
            "kind": "bool",
            "label": _label("Quartier prioritaire", "Priority neighbourhood"),
        },
        {
            "name": "statut",
            "kind": "choice",
            "label": _label("Statut", "Status"),
            "choices": list(STATUSES),
            "required": True,
        },
        {
            "name": "montant_demande",
            "kind": "number",
            "label": _label("Montant demandé (€)", "Amount requested (€)"),
        },
        {
            "name": "montant_accorde",
            "kind": "number",
            "label": _label("Montant accordé (€)", "Amount granted (€)"),
        },
        {"name": "partenaires", "kind": "longtext", "label": _label("Partenaires", "Partners")},
        {"name": "bilan", "kind": "longtext", "label": _label("Bilan", "Outcome")},
        {
            "name": "lieu_acces",
            "kind": "page",
            "label": _label("Lieu d'accès public", "Public access point"),
        },
        {
            "name": "ateliers",
            "kind": "longtext",
            "label": _label(
                "Ateliers et autres lieux (liens)", "Workshops and other places (links)"
            ),
        },
    ],
}

APPEL_TYPE: dict[str, Any] = {
    "name": APPEL,
    "label": _label("Appel à projets", "Call for projects"),
    # the call's dates decide who may submit: only moderators publish them
    "moderation": "a_priori",
    "fields": [
        {"name": "annee", "kind": "number", "label": _label("Année", "Year"), "required": True},
        {
            "name": "ouverture",
            "kind": "date",
            "label": _label("Ouverture", "Opens"),
            "required": True,
        },
        {"name": "cloture", "kind": "date", "label": _label("Clôture", "Closes"), "required": True},
        {
            "name": "themes",
            "kind": "choices",
            "label": _label("Thèmes", "Themes"),
            "choices": list(THEMES),
        },
    ],
}

#: the money fields, never negative
AMOUNTS = ("montant_demande", "montant_accorde")
