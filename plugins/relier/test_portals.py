"""Portals: the ``{{pages}}`` macro lists matching pages through the running app, its
cached render follows publications, deletions and renames, and a wrong macro shows a
clear message instead of failing."""

from __future__ import annotations

from helpers import bearer_for, soup

PORTAL = "Portail:Quartier"


def portal_links(client, path: str = "Portail:Quartier") -> list[str]:
    page = soup(client.get(f"/wiki/{path}"))
    return [a.get_text() for a in page.select("ul.relier-pages a")]


def test_a_portal_lists_the_pages_of_a_category_and_follows_changes(relier, client, make_page):
    make_page("Jardin de Kerinou", "Un jardin.\n\n[[Catégorie:Lieux]]")
    make_page("Atelier vélo", "Des vélos.\n\n[[Catégorie:Lieux]]")
    make_page("Sans catégorie", "Rien.")
    make_page(PORTAL, 'Les lieux :\n\n{{pages catégorie="Lieux"}}\n\nFin.')
    assert portal_links(client) == ["Atelier vélo", "Jardin de Kerinou"]
    assert portal_links(client) == ["Atelier vélo", "Jardin de Kerinou"]  # the cached page

    # a new page in the category: the portal's cached render is dropped
    make_page("Bibliothèque", "Des livres.\n\n[[Catégorie:Lieux]]")
    assert portal_links(client) == ["Atelier vélo", "Bibliothèque", "Jardin de Kerinou"]

    # a page leaving the category; accents sort as their letter
    make_page("Atelier vélo", "Des vélos, ailleurs.")
    make_page("Écurie", "Des chevaux.\n\n[[Catégorie:Lieux]]")
    assert portal_links(client) == ["Bibliothèque", "Écurie", "Jardin de Kerinou"]


def test_deleting_and_renaming_refresh_the_portal(relier, app, client, auth, make_page):
    make_page("Jardin de Kerinou", "Un jardin.\n\n[[Catégorie:Lieux]]")
    make_page("Bibliothèque", "Des livres.\n\n[[Catégorie:Lieux]]")
    make_page(PORTAL, '{{pages catégorie="Lieux"}}')
    assert portal_links(client) == ["Bibliothèque", "Jardin de Kerinou"]

    admin = bearer_for(app, "Root", "admin")
    gone = client.delete("/api/v1/pages/Biblioth%C3%A8que", headers=admin, json={"reason": "x"})
    assert gone.status_code in (200, 204), gone.text
    assert portal_links(client) == ["Jardin de Kerinou"]

    moved = client.post(
        "/api/v1/pages/Jardin_de_Kerinou/rename",
        headers=admin,
        json={"to": "Jardin partagé de Kerinou", "reason": "nom complet"},
    )
    assert moved.status_code in (200, 201), moved.text
    assert portal_links(client) == ["Jardin partagé de Kerinou"]


def test_type_field_sort_and_limit(relier, client, make_page):
    lieu = {"quartier": "Bellevue"}
    for name in ("Centre B", "Centre A", "Centre C"):
        make_page(name, "Lieu.", page_type="fiche", fields=lieu)
    make_page("Centre D", "Lieu.", page_type="fiche", fields={"quartier": "Centre"})
    make_page(PORTAL, '{{pages type="fiche" champ="quartier=bellevue" limite=2}}')
    assert portal_links(client) == ["Centre A", "Centre B"]
    make_page(PORTAL, '{{pages type="fiche" tri="récent" limite=1}}')
    assert portal_links(client) == ["Centre D"]


def test_a_wrong_macro_says_so_and_never_fails(relier, client, make_page):
    make_page(PORTAL, '{{pages couleur="<b>bleu</b>"}}\n\n{{pages limite=0}}\n\n{{pages tri="x"}}')
    response = client.get(f"/wiki/{PORTAL}")
    assert response.status_code == 200
    errors = [p.get_text() for p in soup(response).select(".relier-macro-error")]
    assert len(errors) == 3
    assert "« couleur » n'existe pas" in errors[0]
    assert "<b>" not in response.text.split("relier-macro-error")[1][:200]
    assert "limite" in errors[1] and "récent" in errors[2]


def test_the_api_save_of_a_portal_shows_its_list(relier, app, client, make_page):
    make_page("Jardin", "[[Catégorie:Lieux]]")
    headers = bearer_for(app, "Modo", "moderator")
    body = {"text": '{{pages catégorie="Lieux"}}', "base_revision": None}
    saved = client.put(f"/api/v1/pages/{PORTAL}", headers=headers, json=body)
    assert saved.status_code == 201, saved.text
    assert portal_links(client) == ["Jardin"]


def test_namespace_filter_and_unclosed_quote(relier, client, make_page):
    make_page("Aide:Écrire", "Aide.")
    make_page("Aide:Relier", "Aide.")
    make_page("Écrire", "Pas une aide.")
    make_page(
        PORTAL,
        '{{pages espace="Aide"}}\n\n{{pages catégorie="Lieux}}\n\n{{pages espace="Nulle part:"}}',
    )
    page = soup(client.get(f"/wiki/{PORTAL}"))
    assert [a.get_text() for a in page.select("ul.relier-pages a")] == [
        "Aide:Écrire",
        "Aide:Relier",
    ]
    errors = [p.get_text() for p in page.select(".relier-macro-error")]
    assert len(errors) == 2
    assert "guillemet" in errors[0] and "« Nulle part: » n'est pas un espace" in errors[1]


def test_the_hub_lists_the_portals(relier, client, make_page):
    assert "Aucun portail" in client.get("/reseau").text
    make_page(PORTAL, "Un portail.")
    make_page("Portail:Ateliers", "Un autre.")
    links = [a.get_text() for a in soup(client.get("/reseau")).select(".relier-portals a")]
    assert links == ["Portail:Ateliers", "Portail:Quartier"]
