"""The call for projects' own test fixtures (the wiki's come from tests/wiki_fixtures.py,
loaded by the root conftest.py): a moderator, a call open or closed today, plausible
initiatives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import make_user

from wikicoop.community.accounts import find_user
from wikicoop.core.typed_pages import published_of_type
from wikicoop.web.db import get_session


@pytest.fixture
def moderator(app):
    """The name of a moderator account ("Modo"), made on first use."""
    with app.app_context():
        missing = find_user(get_session(), "Modo") is None
    if missing:
        make_user(app, "Modo", "moderator")
    return "Modo"


@pytest.fixture
def make_call(make_page, moderator):
    """``make_call(opens_in=-10, closes_in=10, year=None)``: publish the call of
    ``year`` (today's by default) opening and closing that many days from today."""

    def _make(opens_in: int = -10, closes_in: int = 10, year: int | None = None) -> int:
        today = date.today()
        year = year or today.year
        fields = {
            "annee": year,
            "ouverture": (today + timedelta(days=opens_in)).isoformat(),
            "cloture": (today + timedelta(days=closes_in)).isoformat(),
            "themes": ["expression", "innovation"],
        }
        return make_page(
            f"Appel à projets {year}",
            "Le règlement de l'appel.",
            author=moderator,
            page_type="appel",
            fields=fields,
        )

    return _make


@pytest.fixture
def initiative():
    """``initiative(**fields)``: the fields of a plausible initiative, changed by
    ``fields``."""

    def _fields(**changes: object) -> dict[str, object]:
        base = {
            "porteur": "Nolwenn Le Bras",
            "quartier": "Bellevue",
            "annee": date.today().year,
            "themes": ["expression"],
            "quartier_prioritaire": True,
            "statut": "proposée",
            "montant_demande": 1200,
        }
        base.update(changes)
        return {key: value for key, value in base.items() if value is not None}

    return _fields


@pytest.fixture
def published_initiatives(app):
    """``published_initiatives()``: the titles of the published initiatives."""

    def _titles() -> list[str]:
        with app.app_context():
            return [p.title.full for p in published_of_type(get_session(), "initiative")]

    return _titles


#: title → fields changed from the ``initiative`` fixture's
PROJECTS = {
    "Café numérique": {"annee": 2025, "quartier": "Kerourien", "statut": "réalisée"},
    "Repair café": {
        "annee": 2025,
        "quartier": "Recouvrance",
        "themes": ["mutualisation"],
        "quartier_prioritaire": False,
        "statut": "abandonnée",
    },
    "Radio des jeunes": {"annee": 2026, "quartier": "Kerourien", "statut": "en cours"},
    "Écrivain public": {
        "annee": 2026,
        "themes": ["prendre soin des personnes", "expression"],
        "statut": "retenue",
    },
    '=HYPERLINK("x")': {"annee": 2026, "porteur": "@moi", "statut": "proposée"},
}


@pytest.fixture
def projects(make_page, initiative, moderator) -> None:
    """Five published initiatives of 2025 and 2026 (:data:`PROJECTS`)."""
    for title, changes in PROJECTS.items():
        make_page(
            title,
            "Le projet.",
            author=moderator,
            page_type="initiative",
            fields=initiative(**changes),
        )
