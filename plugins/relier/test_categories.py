"""Categories with sub-categories: the tree view, the panel on a category page, and a
circular category refused at save time (the text kept), while cycles already in the
database (seed, imports) never make the tree loop."""

from __future__ import annotations

from helpers import bearer_for, save, soup

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session


def system_page(app, title: str, text: str) -> None:
    """A page written as the seed writes it (no plugin check): how a cycle may already be
    in the database."""
    with app.app_context():
        session = get_session()
        edit = writing.Edit(
            author=rev.Author(user=None),
            title=parse_title(title),
            text=text,
            base_revision_id=None,
            system=True,
        )
        writing.save(writing.context_for(app, session), edit)


def test_tree_nests_sub_categories_with_counts(relier, client, make_page):
    make_page("Catégorie:Brest", "La ville.")
    make_page("Catégorie:Quartiers", "[[Catégorie:Brest]]")
    make_page("Catégorie:Bellevue", "[[Catégorie:Quartiers]]")
    make_page("Jardin", "[[Catégorie:Bellevue]]")
    make_page("Médiathèque", "[[Catégorie:Bellevue]]")
    page = soup(client.get("/categories"))
    top = page.select_one("ul.relier-tree > li")
    assert top.select_one("a").get_text() == "Brest"
    nested = [a.get_text() for a in top.select("details > ul.relier-tree > li > a")]
    assert nested == ["Quartiers", "Bellevue"]
    leaf = top.select_one("details details ul.relier-tree li")
    assert "Bellevue" in leaf.get_text() and "2 page(s)" in leaf.get_text()

    # the sub-categories panel of a category page
    panel = soup(client.get("/wiki/Catégorie:Quartiers")).select_one(".relier-subcats")
    assert panel is not None and "Bellevue" in panel.get_text()
    assert "(2 page(s))" in panel.get_text()


def test_a_circular_category_is_refused_and_the_text_kept(relier, app, client, auth, make_page):
    make_page("Catégorie:A", "[[Catégorie:B]]")
    make_page("Catégorie:B", "[[Catégorie:C]]")
    auth.login("Alice")
    text = "Texte précieux.\n\n[[Catégorie:A]]"
    response = save(client, "Catégorie:C", text)
    assert response.status_code == 409
    page = soup(response)
    message = page.select_one(".banner-error").get_text(" ", strip=True)
    assert "C → A → B → C" in message
    assert page.select_one("textarea[name=text]").get_text().strip() == text
    assert client.get("/wiki/Catégorie:C").status_code == 404  # nothing saved

    # the API says it too, in English when asked
    headers = {**bearer_for(app, "Bob"), "Accept-Language": "en"}
    answer = client.put(
        "/api/v1/pages/Catégorie:C",
        headers=headers,
        json={"text": text, "base_revision": None},
    )
    assert answer.status_code == 409
    assert answer.get_json()["code"] == "relier-category-cycle"
    assert "its own sub-category (C → A → B → C)" in answer.get_json()["error"]

    # a category in itself too
    alone = client.put(
        "/api/v1/pages/Catégorie:D",
        headers=headers,
        json={"text": "[[Catégorie:D]]", "base_revision": None},
    )
    assert alone.status_code == 409
    # a harmless parent is fine
    fine = client.put(
        "/api/v1/pages/Catégorie:C",
        headers=headers,
        json={"text": "[[Catégorie:Z]]", "base_revision": None},
    )
    assert fine.status_code == 201, fine.text


def test_the_tree_never_loops_on_cycles_already_stored(relier, app, client):
    system_page(app, "Catégorie:Un", "[[Catégorie:Deux]]")
    system_page(app, "Catégorie:Deux", "[[Catégorie:Trois]]")
    system_page(app, "Catégorie:Trois", "[[Catégorie:Un]]")
    system_page(app, "Catégorie:Racine", "Sans parent.")
    system_page(app, "Catégorie:Quatre", "[[Catégorie:Racine]] [[Catégorie:Un]]")
    response = client.get("/categories")
    assert response.status_code == 200
    page = soup(response)
    names = {a.get_text() for a in page.select("ul.relier-tree a")}
    assert {"Un", "Deux", "Trois", "Racine", "Quatre"} <= names
    assert page.select(".relier-loop"), "the cycle is marked where it closes"
