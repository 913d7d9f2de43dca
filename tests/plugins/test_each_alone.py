"""Each bundled facette plugin works alone: a wiki with only that plugin enabled is set up
as `wikicoop init` does (its tables, the seed pages and what seed_loaded adds), serves
its pages, and answers 404 where the other plugins' pages would be."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from wikicoop.bundled_data import bundled_dir
from wikicoop.cli import initialize

#: a few public pages of each plugin (their seed pages make them non-empty)
PAGES: dict[str, list[str]] = {
    "annonces": ["/annonces"],
    "faire_avec": ["/lieux", "/lieux/carte", "/lieux/statistiques", "/lieux.geojson"],
    "etre_en_attention": ["/appel-a-projets", "/appel-a-projets/tableau-de-bord"],
    "donner_a_voir": ["/magazine", "/magazine/atom.xml", "/magazine/abonnement"],
    "mettre_en_communs": ["/fichiers", "/ressources", "/communs/licences", "/reutiliser/Accueil"],
    "outiller": ["/ateliers", "/apprendre", "/agenda.ics"],
    "relier": ["/reseau", "/categories", "/interwiki", "/reseau/maintenance"],
}
BUNDLED = sorted(
    path.name
    for path in bundled_dir("plugins").iterdir()
    if (path / "__init__.py").is_file() and not path.name.startswith(("_", "."))
)

# SQLite only: each test sets its own database up with one plugin's tables (the
# PostgreSQL run shares one schema between tests)
pytestmark = pytest.mark.any_database


def test_every_bundled_plugin_is_listed_here() -> None:
    assert set(BUNDLED) == set(PAGES)


@pytest.mark.parametrize("name", BUNDLED)
def test_the_plugin_works_alone(name: str, make_app: Callable[..., Flask]) -> None:
    others = [other for other in BUNDLED if other != name]
    app = make_app(DISABLED_PLUGINS=others, SEED_ON_FIRST_RUN=True, ADMIN_PASSWORD="x" * 16)
    said: list[str] = []
    initialize(app, echo=said.append)
    assert any("pages de départ" in line for line in said), said
    client = app.test_client()
    for path in PAGES[name]:
        response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
    for other in others:
        for path in PAGES[other]:
            assert client.get(path).status_code == 404, (name, path)
    assert client.get("/wiki/Accueil").status_code == 200
