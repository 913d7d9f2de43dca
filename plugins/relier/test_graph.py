"""The network view: JSON around a page (depths 1 to 3) and the overview, the SVG
document (escaped labels, links, title and description, nosniff) and its page with the
same links as a list; bad input answers 400/404, never 500."""

from __future__ import annotations

from xml.etree import ElementTree

from helpers import soup

SVG = "{http://www.w3.org/2000/svg}"
TRAP = 'R&D "Café"'


def small_network(make_page) -> None:
    make_page("Centre", "[[Voisin]] [[Catégorie:Lieux]]")
    make_page("Voisin", "[[Loin]]")
    make_page("Loin", "[[Très loin]]")
    make_page("Très loin", "Fin.")
    make_page("Autre lieu", "[[Catégorie:Lieux]]")
    make_page("Atelier", "Un atelier.", page_type="fiche", fields={"lieu": "Centre"})


def test_graph_json_around_a_page_by_depth(relier, client, make_page):
    small_network(make_page)
    one = client.get("/api/v1/graph?around=Centre&depth=1").get_json()
    ids = {n["id"] for n in one["nodes"]}
    assert ids == {"Centre", "Voisin", "Catégorie:Lieux", "Atelier"}
    centre = next(n for n in one["nodes"] if n["id"] == "Centre")
    assert centre["url"].endswith("/wiki/Centre") and centre["namespace"] == "main"
    kinds = {(e["source"], e["target"], e["kind"]) for e in one["edges"]}
    assert ("Centre", "Voisin", "link") in kinds
    assert ("Centre", "Catégorie:Lieux", "category") in kinds
    assert ("Atelier", "Centre", "field") in kinds
    atelier = next(n for n in one["nodes"] if n["id"] == "Atelier")
    assert atelier["type"] == "fiche"

    two = client.get("/api/v1/graph?around=Centre&depth=2").get_json()
    assert {"Loin", "Autre lieu"} <= {n["id"] for n in two["nodes"]}
    assert "Très loin" not in {n["id"] for n in two["nodes"]}
    three = client.get("/api/v1/graph?around=Centre&depth=3").get_json()
    assert "Très loin" in {n["id"] for n in three["nodes"]}


def test_graph_bad_input(relier, client, make_page):
    make_page("Centre", "Texte.")
    assert client.get("/api/v1/graph?around=Personne").status_code == 404
    assert "Personne" in client.get("/api/v1/graph?around=Personne").get_json()["error"]
    for depth in ("0", "4", "x", "-1"):
        answer = client.get(f"/api/v1/graph?around=Centre&depth={depth}")
        assert answer.status_code == 400 and answer.get_json()["error"]
    assert client.get("/reseau/graphe?around=Personne").status_code == 404
    assert client.get("/reseau/graphe.svg?around=Centre&depth=9").status_code == 400


def test_overview_keeps_people_and_typed_pages_within_the_limit(relier, app, client, make_page):
    app.config["RELIER_GRAPH_TYPES"] = ["fiche"]
    make_page("Utilisateur:Alice", "Je vais à [[Atelier 1]].")
    for n in range(1, 5):
        make_page(f"Atelier {n}", "Atelier.", page_type="fiche", fields={"quartier": "B"})
    make_page("Page ordinaire", "[[Atelier 1]]")
    answer = client.get("/api/v1/graph").get_json()
    ids = {n["id"] for n in answer["nodes"]}
    assert ids == {"Utilisateur:Alice", "Atelier 1", "Atelier 2", "Atelier 3", "Atelier 4"}
    assert {"source": "Utilisateur:Alice", "target": "Atelier 1", "kind": "link"} in answer["edges"]
    person = next(n for n in answer["nodes"] if n["id"] == "Utilisateur:Alice")
    assert person["type"] == "person"
    app.config["RELIER_GRAPH_MAX_NODES"] = 2
    small = client.get("/api/v1/graph").get_json()
    assert len(small["nodes"]) == 2 and small["truncated"] is True
    assert "Atelier 1" in {n["id"] for n in small["nodes"]}  # the most linked first


def test_svg_document_and_its_page(relier, client, make_page):
    make_page("Centre", '[[R&D "Café"]] [[Voisin]]')
    make_page(TRAP, "Titre piégé.")
    make_page("Voisin", "Texte.")
    response = client.get("/reseau/graphe.svg?around=Centre&depth=1")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "R&amp;D &#34;Café&#34;" in response.text or "R&amp;D &quot;Café&quot;" in response.text
    root = ElementTree.fromstring(response.data)
    assert root.find(SVG + "title").text == "Réseau autour de « Centre »"
    assert "3 pages" in root.find(SVG + "desc").text
    links = root.findall(f"{SVG}a")
    labels = sorted(a.find(SVG + "title").text for a in links)
    assert labels == ["Centre", TRAP, "Voisin"]
    assert all(a.get("href").startswith("/wiki/") for a in links)
    # deterministic: the same drawing twice
    assert client.get("/reseau/graphe.svg?around=Centre&depth=1").data == response.data

    page = soup(client.get("/reseau/graphe?around=Centre&depth=1"))
    assert page.select_one("figure img")["src"].startswith("/reseau/graphe.svg?")
    listed = [a.get_text() for a in page.select(".relier-graph-list > li > a")]
    assert sorted(listed) == ["Centre", TRAP, "Voisin"]
    overview = client.get("/reseau/graphe.svg")
    assert overview.status_code == 200 and overview.mimetype == "image/svg+xml"
