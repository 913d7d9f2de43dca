"""Pages in the browser: read, create, edit, preview, history, diff, restore, rename,
delete, licences, categories, backlinks, redirects, and bad input."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_from, edit_form, post_form, save, soup

from wikicoop.core.models import Revision
from wikicoop.web.db import get_session


def test_home_redirects_to_accueil(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/Accueil")


def test_missing_page_is_404_and_offers_creation(client, auth):
    response = client.get("/wiki/Nouvelle_page")
    assert response.status_code == 404
    assert "n'existe pas encore" in response.text
    auth.login()
    page = soup(client.get("/wiki/Nouvelle_page"))
    link = page.find("a", string=re.compile("Créer la page"))
    assert link is not None and link["href"] == "/wiki/Nouvelle_page?action=edit"


def test_create_edit_and_view(client, auth):
    auth.login()
    response = save(client, "%C3%89crit_public", "# Écrit public\n\nUn **premier** jet.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/%C3%89crit_public")
    page = soup(client.get("/wiki/%C3%89crit_public"))
    assert page.h1.get_text() == "Écrit public"
    assert page.select_one(".page-content strong").get_text() == "premier"
    assert "La page a été créée" in page.get_text()
    response = save(client, "%C3%89crit_public", "# Écrit public\n\nUn **second** jet.")
    assert response.status_code == 302
    page = soup(client.get("/wiki/%C3%89crit_public"))
    assert page.select_one(".page-content strong").get_text() == "second"


def test_canonical_url_redirects(client, make_page):
    make_page("Aide:Écrire une page", "Texte")
    for raw in ("aide:%C3%A9crire_une_page", "Help:%C3%89crire%20une%20page"):
        response = client.get(f"/wiki/{raw}")
        assert response.status_code == 301
        assert response.headers["Location"].endswith("/wiki/Aide:%C3%89crire_une_page")


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("A%5BB", "["),
        ("A%7CB", "|"),
        ("A~~~B", "~~~"),
        ("x" * 300, "255"),
        ("Aide:", "vide"),
        ("A%2520B", "%"),
    ],
)
def test_bad_titles_get_400_naming_the_rule(client, raw, rule):
    response = client.get(f"/wiki/{raw}")
    assert response.status_code == 400
    message = soup(response).select_one(".banner-error").get_text()
    assert message.startswith("Titre de page invalide")
    assert rule in message


def test_preview_does_not_save(client, auth, app):
    auth.login()
    fields = edit_form(client, "Brouillon")
    response = client.post(
        "/wiki/Brouillon?action=edit",
        data={**fields, "text": "## Titre\n\n[[Ailleurs]]", "preview": "Prévisualiser"},
    )
    assert response.status_code == 200
    preview = soup(response).select_one(".preview")
    assert preview.find("h2", id="h-titre") is not None
    assert "new" in preview.find("a", string="Ailleurs")["class"]
    assert client.get("/wiki/Brouillon").status_code == 404


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [("   \n  ", 400, "vide"), ("x" * 3000, 413, "trop long")],
)
def test_bad_text_is_refused_with_a_message(app, client, auth, text, status, words):
    app.config["MAX_PAGE_BYTES"] = 2000
    auth.login()
    response = save(client, "Essai", text)
    assert response.status_code == status
    assert words in soup(response).select_one(".banner-error").get_text()
    assert client.get("/wiki/Essai").status_code == 404  # nothing half-saved


def test_noop_edit_makes_no_revision(client, auth, make_page, app):
    make_page("Stable", "Même texte")
    auth.login()
    response = save(client, "Stable", "Même texte")
    assert response.status_code == 302
    assert "Aucune modification" in client.get("/wiki/Stable").text
    with app.app_context():
        assert get_session().query(Revision).count() == 1


def test_history_lists_revisions_newest_first_with_size_changes(client, make_page):
    for n in range(1, 5):
        make_page("Historique", "x" * (n * 10), author=f"Auteur{n}")
    page = soup(client.get("/wiki/Historique?action=history"))
    rows = page.select("table.history tbody tr")
    assert [r.select("td")[3].get_text(strip=True) for r in rows] == [
        "Auteur4",
        "Auteur3",
        "Auteur2",
        "Auteur1",
    ]
    assert [r.select_one(".size-change").get_text() for r in rows] == [
        "(+10)",
        "(+10)",
        "(+10)",
        "(+11)",
    ]
    assert "4 versions au total" in page.get_text()


def test_history_is_paginated(client, make_page):
    for n in range(7):
        make_page("Longue", f"version {n}")
    first = soup(client.get("/wiki/Longue?action=history&limit=3"))
    assert len(first.select("table.history tbody tr")) == 3
    next_link = first.find("a", rel="next")
    assert next_link is not None
    last = soup(client.get("/wiki/Longue?action=history&limit=3&offset=6"))
    assert len(last.select("table.history tbody tr")) == 1
    assert last.find("a", rel="prev") is not None
    assert client.get("/wiki/Longue?action=history&offset=abc").status_code == 400


def test_old_revision_has_a_banner(client, make_page):
    first = make_page("Versions", "ancien texte")
    make_page("Versions", "nouveau texte")
    page = soup(client.get(f"/wiki/Versions?revision={first}"))
    assert "ancienne version" in page.select_one(".banner-old").get_text()
    assert "ancien texte" in page.select_one(".page-content").get_text()
    assert client.get("/wiki/Versions?revision=999999").status_code == 404
    assert client.get("/wiki/Versions?revision=abc").status_code == 400


def test_diff_marks_changed_words_inline_and_side_by_side(client, make_page):
    a = make_page("Comparer", "Le chat dort.\nLigne stable.\n")
    b = make_page("Comparer", "Le chien dort.\nLigne stable.\nNouvelle ligne.\n")
    inline = soup(client.get(f"/wiki/Comparer?action=diff&from={a}&to={b}"))
    assert inline.select_one("del.diff-word").get_text() == "chat"
    assert inline.select_one("ins.diff-word").get_text() == "chien"
    assert "1 ligne(s) retirée(s)" in inline.get_text() or "retirée" in inline.get_text()
    side = soup(client.get(f"/wiki/Comparer?action=diff&from={a}&to={b}&view=side"))
    assert side.select_one("table.diff-side") is not None


def test_diff_refuses_revisions_of_another_page(client, make_page):
    a = make_page("Page A", "a")
    b = make_page("Page B", "b")
    response = client.get(f"/wiki/Page_A?action=diff&from={a}&to={b}")
    assert response.status_code == 400
    assert "n'appartient pas" in soup(response).get_text()


def test_restore_creates_a_new_revision(client, auth, make_page, app):
    old = make_page("Restaurer", "bon texte")
    make_page("Restaurer", "vandalisme")
    auth.login()
    confirm = client.get(f"/wiki/Restaurer?action=restore&revision={old}")
    assert confirm.status_code == 200
    response = client.post(
        "/wiki/Restaurer?action=restore",
        data={"csrf_token": csrf_from(confirm.text), "revision": str(old), "summary": "retour"},
    )
    assert response.status_code == 302
    assert "bon texte" in client.get("/wiki/Restaurer").text
    with app.app_context():
        revisions = get_session().query(Revision).order_by(Revision.id).all()
        assert len(revisions) == 3
        assert revisions[-1].action == "restore" and revisions[-1].text == revisions[0].text


def test_rename_leaves_a_redirect(client, auth, make_page):
    make_page("Ancien nom", "contenu")
    make_page("Lien", "vers [[Ancien nom]]")
    auth.login()
    data = {"new_title": "Nouveau nom", "reason": "plus clair", "leave_redirect": "y"}
    response = post_form(client, "/wiki/Ancien_nom?action=rename", data)
    assert response.status_code == 302
    old = client.get("/wiki/Ancien_nom")
    assert old.status_code == 302
    assert "/wiki/Nouveau_nom" in old.headers["Location"]
    followed = client.get(old.headers["Location"])
    assert "Redirigé depuis « Ancien nom »" in followed.text
    history = soup(client.get("/wiki/Nouveau_nom?action=history"))
    assert "renommée" in history.get_text()
    assert client.get("/wiki/Ancien_nom?redirect=no").status_code == 200


def test_rename_onto_an_existing_page_is_refused(client, auth, make_page):
    make_page("Premier", "1")
    make_page("Second", "2")
    auth.login()
    response = post_form(client, "/wiki/Premier?action=rename", {"new_title": "Second"})
    assert response.status_code == 409
    assert "existe déjà" in response.text
    assert "1" in soup(client.get("/wiki/Premier")).select_one(".page-content").get_text()


def test_delete_and_undelete_by_admin_only(client, auth, make_page):
    make_page("Spam", "achetez")
    auth.login("Contrib")
    assert client.get("/wiki/Spam?action=delete").status_code == 403
    auth.logout()
    auth.login("Chef", role="admin")
    response = post_form(client, "/wiki/Spam?action=delete", {"reason": "pub"})
    assert response.status_code == 302
    anonymous = client.application.test_client()
    assert anonymous.get("/wiki/Spam").status_code == 404
    response = post_form(client, "/wiki/Spam?action=undelete", {"reason": "erreur"})
    assert response.status_code == 302
    assert anonymous.get("/wiki/Spam").status_code == 200
    journal = client.get("/journal?action=undelete").text
    assert "erreur" in journal


def test_red_links_turn_blue_when_the_page_is_created(client, make_page):
    make_page("Source", "Voir [[Cible]].")
    link = soup(client.get("/wiki/Source")).find("a", string="Cible")
    assert "new" in link["class"]
    assert link["href"] == "/wiki/Cible?action=edit"
    make_page("Cible", "Je suis là.")
    link = soup(client.get("/wiki/Source")).find("a", string="Cible")
    assert "new" not in link["class"]
    assert link["href"] == "/wiki/Cible"


def test_categories_are_listed_at_the_foot_and_on_the_category_page(client, make_page):
    make_page("Atelier vidéo", "Un atelier.\n\n[[Catégorie:Ateliers]]")
    make_page("Atelier photo", "Un autre.\n\n[[Catégorie:Ateliers]]")
    page = soup(client.get("/wiki/Atelier_vid%C3%A9o"))
    foot = page.select_one(".page-categories")
    assert foot.find("a", string="Ateliers")["href"] == "/wiki/Cat%C3%A9gorie:Ateliers"
    category = client.get("/wiki/Cat%C3%A9gorie:Ateliers")
    assert category.status_code == 404  # the category page itself is not written yet
    members = [a.get_text() for a in soup(category).select(".category-members li a")]
    assert members == ["Atelier photo", "Atelier vidéo"]


def test_a_renamed_page_is_listed_in_its_categories_under_its_new_name(client, auth, make_page):
    make_page("Atelier photo", "Un atelier.\n\n[[Catégorie:Ateliers]]")
    make_page("Atelier vidéo", "Un autre.\n\n[[Catégorie:Ateliers]]")
    auth.login("Chef", role="admin")
    data = {"new_title": "Photographie en atelier", "leave_redirect": "y"}
    assert post_form(client, "/wiki/Atelier_photo?action=rename", data).status_code == 302
    category = soup(client.get("/wiki/Cat%C3%A9gorie:Ateliers"))
    members = [a.get_text() for a in category.select(".category-members li a")]
    assert members == ["Atelier vidéo", "Photographie en atelier"]  # by the new name


def test_licence_footer_and_machine_readable_metadata(client, make_page):
    make_page("Libre", "texte", licence="CC-BY-4.0", author="Alice")
    make_page("Libre", "texte modifié", author="Bob")
    page = soup(client.get("/wiki/Libre"))
    deed = "https://creativecommons.org/licenses/by/4.0/deed.fr"
    assert page.find("link", rel="license")["href"] == deed
    assert page.select_one(".licence-footer img")["alt"] == "CC BY 4.0"
    assert "Alice, Bob" in page.select_one(".licence-footer").get_text()
    import json

    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["license"] == deed
    assert [a["name"] for a in data["author"]] == ["Alice", "Bob"]


def test_authors_and_licence_page(client, make_page, auth):
    make_page("Partage", "texte", licence="CC-BY-4.0")
    info = soup(client.get("/wiki/Partage?action=info"))
    assert "CC BY 4.0" in info.get_text()
    assert info.select_one("main form") is None  # visitors cannot change the licence
    auth.login("Modo", role="moderator")
    info = client.get("/wiki/Partage?action=info")
    options = [o["value"] for o in soup(info).select("select[name=licence] option")]
    assert options == ["CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0"]
    response = client.post(
        "/wiki/Partage?action=info",
        data={"csrf_token": csrf_from(info.text), "licence": "CC-BY-SA-4.0"},
    )
    assert response.status_code == 302
    assert "CC BY-SA 4.0" in client.get("/wiki/Partage").text
    info = client.get("/wiki/Partage?action=info")
    response = client.post(
        "/wiki/Partage?action=info",
        data={"csrf_token": csrf_from(info.text), "licence": "CC-BY-4.0"},
    )
    assert response.status_code == 400  # CC BY-SA -> CC BY would drop share-alike


def test_contributor_cannot_change_licence(client, make_page, auth):
    make_page("Partage", "texte", licence="CC-BY-4.0")
    auth.login("Contrib")
    info = client.get("/wiki/Partage?action=info")
    response = client.post(
        "/wiki/Partage?action=info",
        data={"csrf_token": csrf_from(info.text), "licence": "CC-BY-SA-4.0"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("url", "anonymous", "contributor"),
    [
        ("/wiki/P", 200, 200),
        ("/wiki/P?action=history", 200, 200),
        ("/wiki/P?action=info", 200, 200),
        ("/wiki/P?action=edit", 401, 200),
        ("/wiki/P?action=rename", 401, 200),
        ("/wiki/P?action=delete", 401, 403),
        ("/wiki/P?action=undelete", 401, 403),
        ("/wiki/Nouvelle?action=edit", 401, 200),
        ("/wiki/P?action=nimportequoi", 400, 400),
    ],
)
def test_permission_matrix(client, auth, make_page, url, anonymous, contributor):
    make_page("P", "texte")
    assert client.get(url).status_code == anonymous
    auth.login("Contrib")
    assert client.get(url).status_code == contributor


def test_anonymous_editing_is_a_setting(app, client, make_page):
    make_page("Ouverte", "texte")
    assert client.get("/wiki/Ouverte?action=edit").status_code == 401
    app.config["ANONYMOUS_EDITING"] = True
    response = save(client, "Ouverte", "texte anonyme")
    assert response.status_code == 302
    # out of the box an anonymous edit waits for review: visitors do not see it yet
    history = soup(client.get("/wiki/Ouverte?action=history"))
    assert "127.0.0.1" not in history.get_text()
    assert "texte anonyme" not in client.get("/wiki/Ouverte").text
    # where the moderation mode is "open", it is published at once, signed by its address
    app.config["MODERATION_DEFAULT"] = "open"
    form = edit_form(client, "Ouverte")
    response = client.post(
        "/wiki/Ouverte?action=edit", data={**form, "text": "texte anonyme, publié", "save": "1"}
    )
    assert response.status_code == 302
    history = soup(client.get("/wiki/Ouverte?action=history"))
    assert "127.0.0.1" in history.get_text()
    assert "texte anonyme, publié" in client.get("/wiki/Ouverte").text


def test_post_without_csrf_token_is_refused(client, auth):
    auth.login()
    response = client.post(
        "/wiki/Sans_jeton?action=edit", data={"text": "x", "base_revision": "", "save": "1"}
    )
    assert response.status_code == 400
    assert "CSRF" in response.text
    assert client.get("/wiki/Sans_jeton").status_code == 404


def test_security_headers(client):
    response = client.get("/wiki/Accueil")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(app, auth):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    form = client.get("/compte/connexion")
    cookie = form.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_no_inline_script_or_style_in_pages(client, make_page):
    make_page("Tableau", "| a | b |\n|:--|--:|\n| 1 | 2 |")
    html = client.get("/wiki/Tableau").text
    page = soup(html)
    for script in page.find_all("script"):
        assert script.get("type") == "application/ld+json"
    assert not page.find_all(style=True), "inline style attributes are blocked by the CSP"


def test_method_not_allowed_and_unknown_urls(client):
    assert client.post("/wiki/Accueil").status_code in {400, 405}
    assert client.get("/nulle-part").status_code == 404
    assert "Oups" in client.get("/nulle-part").text


def test_theme_assets_are_served(client):
    page = soup(client.get("/wiki/Accueil"))
    for link in page.find_all("link", rel=["stylesheet", "icon"]):
        with client.get(link["href"]) as response:
            assert response.status_code == 200, link["href"]
    assert client.get("/theme/nothing-here.css").status_code == 404


def test_page_view_renders_once_per_revision_and_runs_few_queries(app, client, make_page):
    from sqlalchemy import event

    from wikicoop.core.db import engine_of

    links = "\n".join(f"- [[Page {n}]]" for n in range(200))
    make_page("Carrefour", f"# Beaucoup de liens\n\n{links}\n\n[[Catégorie:Tests]]")
    renderer = app.extensions["wikicoop.renderer"]
    calls = []
    original = renderer.render

    def counting_render(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    renderer.render = counting_render
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "pg_current_snapshot" not in statement:  # PostgreSQL's change stamp, no table
            statements.append(statement)

    event.listen(engine_of(app), "before_cursor_execute", count)
    try:
        for _ in range(3):
            statements.clear()
            assert client.get("/wiki/Carrefour").status_code == 200
            # page+revision, render cache row, discussion count: fixed, no N+1
            assert len(statements) <= 4, statements
    finally:
        event.remove(engine_of(app), "before_cursor_execute", count)
        del renderer.render
    assert calls == []  # rendered at save time, never again on view


def test_form_with_invalid_utf8_is_refused(client, auth):
    auth.login()
    fields = edit_form(client, "Encodage")
    body = (f"csrf_token={fields['csrf_token']}&base_revision=&save=1&text=caf%E9+cr%E8me").encode(
        "ascii"
    )
    response = client.post(
        "/wiki/Encodage?action=edit",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "UTF-8" in soup(response).select_one(".banner-error").get_text()
    assert client.get("/wiki/Encodage").status_code == 404
    good = f"csrf_token={fields['csrf_token']}&base_revision=&save=1&text=caf%C3%A9"
    response = client.post(
        "/wiki/Encodage?action=edit",
        data=good.encode("ascii"),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302


def test_anonymous_page_cache_follows_every_change(app, client, auth, make_page):
    make_page("Affiche", "Première version avec [[Plus tard]].")
    cache = app.extensions["wikicoop.page_html_cache"]
    first = client.get("/wiki/Affiche").text
    assert len(cache) == 1
    assert client.get("/wiki/Affiche").text == first  # served from the cache
    make_page("Plus tard", "La page existe maintenant.")  # the red link turns blue
    link = soup(client.get("/wiki/Affiche")).find("a", string="Plus tard")
    assert "new" not in link["class"]
    make_page("Affiche", "Deuxième version.")
    assert "Deuxième version" in client.get("/wiki/Affiche").text
    english = client.get("/wiki/Affiche", headers={"Accept-Language": "en"}).text
    assert 'lang="en"' in english and "Deuxième version" in english
    auth.login()  # a logged-in view is personal: never cached nor served from the cache
    size = len(cache)
    assert "Se déconnecter" in client.get("/wiki/Affiche").text
    assert len(cache) == size
