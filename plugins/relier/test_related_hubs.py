"""Related pages at scale: hubs (link targets, categories and pages with more than
HUB_SIZE members) are left out of the scores, and the best-scored pages are kept even
when the candidates are cut in SQL."""

from __future__ import annotations

import pytest

from . import related


def ranked(client, path: str = "Jardin_A", limit: int = 10) -> dict[str, list]:
    answer = client.get(f"/api/v1/pages/{path}/related?limit={limit}").get_json()
    return {
        r["title"]: sorted((x["kind"], x["value"]) for x in r["reasons"]) for r in answer["related"]
    }


@pytest.fixture
def small_hubs(monkeypatch):
    """Hubs from four members on, so that a test needs a handful of pages."""
    monkeypatch.setattr(related, "HUB_SIZE", 3)


def test_a_hub_link_target_or_category_says_nothing(relier, small_hubs, client, make_page):
    make_page("Jardin A", "[[Accueil]] [[Rare]] [[Catégorie:Tout]] [[Catégorie:Jardins]]")
    make_page("Jardin B", "[[Rare]] [[Catégorie:Jardins]]")
    for name in ("C", "D", "E"):  # Accueil and Tout: four members each, hubs
        make_page(f"Page {name}", "[[Accueil]] [[Catégorie:Tout]]")
    assert ranked(client) == {"Jardin B": [("category", "Jardins"), ("link", "Rare")]}

    make_page("Page C", "[[Catégorie:Tout]]")  # Accueil back to three linkers: not a hub
    found = ranked(client)
    assert found["Jardin B"] == [("category", "Jardins"), ("link", "Rare")]
    assert found["Page D"] == [("link", "Accueil")]
    assert "Page C" not in found


def test_a_page_linked_from_a_hub_of_pages_keeps_its_other_cousins(
    relier, small_hubs, client, make_page
):
    make_page("Accueil", "[[Rare]]")
    make_page("Voisin", "[[Rare]]")
    for name in ("A", "B", "C"):
        make_page(f"Page {name}", "[[Accueil]]")
    assert set(ranked(client, "Accueil")) == {"Voisin", "Page A", "Page B", "Page C"}
    make_page("Page D", "[[Accueil]]")  # four pages link to Accueil: no more « from »
    assert ranked(client, "Accueil") == {"Voisin": [("link", "Rare")]}


def test_the_best_scores_survive_the_cut_in_sql(relier, client, make_page):
    make_page("Jardin A", "[[Compost]] [[Graines]] [[Outils]] [[Catégorie:Jardins]]")
    for name in "BCDEFGH":  # seven weak cousins, alphabetically first
        make_page(f"Aaa {name}", "[[Compost]]")
    make_page("Zzz fort", "[[Compost]] [[Graines]] [[Outils]] [[Catégorie:Jardins]]")
    make_page("Zzz moyen", "[[Graines]] [[Outils]]")
    answer = client.get("/api/v1/pages/Jardin_A/related?limit=2").get_json()["related"]
    assert [(r["title"], r["score"]) for r in answer] == [("Zzz fort", 5), ("Zzz moyen", 2)]
