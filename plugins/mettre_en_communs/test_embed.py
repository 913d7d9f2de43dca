"""Files shown in pages: the wiki and Markdown syntaxes, red links, escaping, the file
page's panel and "utilisé dans"."""

from __future__ import annotations

from flask import Flask
from helpers import bearer_for, front_cache_of, soup

from .media_api import embedded_files
from .media_testing import fetch, image_bytes


def upload(send_file, app: Flask, name: str, size=(1200, 800), **form: str) -> dict:
    answer = send_file(image_bytes("PNG", size), name, bearer_for(app, "Alice"), **form)
    assert answer.status_code == 201, answer.text
    return answer.json


def content(client, path: str):
    return soup(client.get(path)).select_one(".page-content")


def test_embedded_file_names_are_read_from_both_syntaxes() -> None:
    text = (
        "[[Fichier:port du_matin.jpg|vignette|Le port]] [[:Fichier:Lien.png]] "
        "![Le plan](Image:plan.png) `[[Fichier:Code.png]]` [[File:port du matin.jpg]]\n"
        "```\n[[Fichier:Bloc.png]]\n```\n![ailleurs](https://example.org/a.png)"
    )
    assert embedded_files(text) == ["Port du matin.jpg", "Plan.png"]


def test_wiki_syntax_renders_a_thumbnail_with_its_caption(
    media: Flask, client, send_file, make_page
) -> None:
    body = upload(send_file, media, "jardin.png")
    make_page("Jardin partagé", "Voici :\n\n[[Fichier:Jardin.png|vignette|droite|Les bacs]]\n")
    html = content(client, "/wiki/Jardin_partagé")
    figure = html.select_one("figure.mec-figure.mec-thumb.mec-right")
    assert figure is not None, html
    assert figure.parent.name == "div" and html.select("p:empty") == []  # a block of its own
    img = figure.select_one("img")
    assert img["src"].startswith("/fichiers/Jardin.png/vignette/800?v=" + body["sha256"][:16])
    assert (img["width"], img["height"]) == ("220", "147")
    assert img["alt"] == "Les bacs"
    assert figure.select_one("a")["href"] == "/wiki/Fichier:Jardin.png"
    assert figure.select_one("figcaption").get_text() == "Les bacs"


def test_a_width_and_markdown_syntax(media: Flask, client, send_file, make_page) -> None:
    upload(send_file, media, "plan.png", size=(1000, 500))
    make_page(
        "Plan", "[[Fichier:Plan.png|100px|alt=Le plan du quartier]]\n\n![Vue](Fichier:Plan.png)"
    )
    html = content(client, "/wiki/Plan")
    small, full = html.select("img")
    assert small["src"].startswith("/fichiers/Plan.png/vignette/320?v=")
    assert (small["width"], small["alt"]) == ("100", "Le plan du quartier")
    assert full["src"].startswith("/fichiers/Plan.png/brut?v=")
    assert (full["width"], full["height"], full["alt"]) == ("1000", "500", "Vue")


def test_a_missing_file_is_a_red_link_to_the_upload_form(media: Flask, client, make_page) -> None:
    make_page(
        "Projet", "[[Fichier:Affiche du projet.jpg|vignette|L'affiche]] et ![x](Fichier:Autre.png)"
    )
    links = content(client, "/wiki/Projet").select("a.new.mec-missing")
    assert [a["href"] for a in links] == [
        "/fichiers/televerser?nom=Affiche%20du%20projet.jpg",
        "/fichiers/televerser?nom=Autre.png",
    ]
    assert content(client, "/wiki/Projet").select("img") == []
    # the upload form is prefilled with the name
    from helpers import login

    from wikicoop.web.db import get_session  # noqa: F401

    bearer_for(media, "Alice")
    login(client, "Alice")
    form = soup(client.get(links[0]["href"]))
    assert form.select_one("#mec-name")["value"] == "Affiche du projet.jpg"


def test_the_page_turns_to_the_image_once_uploaded(
    media: Flask, client, send_file, make_page
) -> None:
    make_page("Fête", "[[Fichier:Fete.png|vignette|La fête]]")
    assert content(client, "/wiki/Fête").select("a.mec-missing")
    upload(send_file, media, "fete.png")
    assert content(client, "/wiki/Fête").select_one("figure img") is not None


def test_captions_and_descriptions_are_inert(media: Flask, client, send_file, make_page) -> None:
    upload(
        send_file,
        media,
        "danger.png",
        description='<img src=x onerror="alert(1)"><script>alert(2)</script>',
        author='"><script>alert(3)</script>',
    )
    make_page(
        "Piège",
        '[[Fichier:Danger.png|vignette|<script>alert(4)</script>"onmouseover="x]]\n\n'
        '![<b onclick="y">alt</b>](Fichier:Danger.png "<script>t</script>")',
    )
    for path in ("/wiki/Piège", "/wiki/Fichier:Danger.png"):
        page = soup(client.get(path))
        main = page.select_one("main") or page
        assert main.select("script") == []
        handlers = [
            (tag.name, name)
            for tag in main.find_all(True)
            for name in tag.attrs
            if name.startswith("on")
        ]
        assert handlers == []
    html = content(client, "/wiki/Piège")
    assert "<script>alert(4)</script>" in html.select_one("figcaption").get_text()


def test_the_file_page_shows_the_image_versions_and_where_it_is_used(
    media: Flask, client, send_file, make_page
) -> None:
    upload(send_file, media, "carte.png", author="Yann", source="Travail personnel")
    upload_v2 = send_file(
        image_bytes("PNG", (900, 600), color=(1, 2, 3)),
        "carte.png",
        bearer_for(media, "Alice"),
        comment="Couleurs corrigées",
    )
    assert upload_v2.status_code == 201
    make_page("Quartier", "[[Fichier:Carte.png|vignette|La carte]]")
    make_page("Autre page", "Rien ici.")
    page = soup(client.get("/wiki/Fichier:Carte.png"))
    panel = page.select_one(".plugin-panel")
    assert panel is not None
    assert panel.select_one(".mec-preview img")["src"].startswith("/fichiers/Carte.png/")
    rows = panel.select("table.mec-versions tbody tr")
    assert len(rows) == 2
    assert "Couleurs corrigées" in rows[0].get_text()
    assert "900 × 600 px" in rows[0].get_text()
    assert rows[1].select_one("a")["href"] == "/fichiers/Carte.png/version/1"
    assert panel.select_one('a[rel="license"]').get_text() == "CC BY-SA 4.0"
    used = [a.get_text() for a in panel.select("ul a")]
    assert used == ["Quartier"]
    # the infobox shows the page type's fields, the page its licence
    assert "Yann" in page.get_text()
    # the page stops using the file: the list follows
    make_page("Quartier", "Plus d'image.")
    panel = soup(client.get("/wiki/Fichier:Carte.png")).select_one(".plugin-panel")
    assert not panel.select("ul a")


def test_a_new_version_renders_the_pages_using_it_again(
    media: Flask, client, send_file, make_page
) -> None:
    upload(send_file, media, "affiche.png", size=(400, 200))
    make_page("Concert", "[[Fichier:Affiche.png]]")
    first = content(client, "/wiki/Concert").select_one("img")
    assert (first["width"], first["height"]) == ("400", "200")
    again = send_file(image_bytes("PNG", (300, 300)), "affiche.png", bearer_for(media, "Alice"))
    assert again.status_code == 201
    second = content(client, "/wiki/Concert").select_one("img")
    assert (second["width"], second["height"]) == ("300", "300")


def test_a_renamed_file_is_still_shown_under_its_new_name(
    media: Flask, client, send_file, make_page
) -> None:
    upload(send_file, media, "ancien.png", size=(300, 200))
    make_page("Album", "[[Fichier:Ancien.png|vignette|Souvenir]]")
    moved = client.post(
        "/api/v1/pages/Fichier:Ancien.png/rename",
        json={"to": "Fichier:Nouveau.png", "reason": "un meilleur nom"},
        headers=bearer_for(media, "Modo", "moderator"),
    )
    assert moved.status_code == 200, moved.text
    img = content(client, "/wiki/Album").select_one("figure img")
    assert img["src"].startswith("/fichiers/Nouveau.png/")
    assert fetch(client, "/fichiers/Ancien.png/brut").status_code == 200  # old links work
    described = client.get("/api/v1/files/Nouveau.png").json
    assert described["used_in"] == ["Album"]
    assert client.get("/api/v1/files/Ancien.png").json["name"] == "Nouveau.png"


def test_the_file_page_costs_the_same_queries_whatever_its_versions_and_users(
    media: Flask, client, send_file, make_page, monkeypatch
) -> None:
    from sqlalchemy import event

    from wikicoop.core.db import engine_of
    from wikicoop.search import wait_for_index

    headers = bearer_for(media, "Alice")
    # every view checks its page the usual way (as after a commit anywhere), rather than
    # trusting the change stamp (in the front cache, its memory or its files, or in
    # Flask): the queries counted
    # are those of that check
    monkeypatch.setattr(media.extensions["wikicoop.page_html_cache"], "fresh", lambda *_: None)
    monkeypatch.setattr(front_cache_of(media), "_kept", lambda *_: None)
    monkeypatch.setattr(front_cache_of(media), "_from_disk", lambda *_: None)  # its files

    def statements_of_view() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            if "pg_current_snapshot" not in statement:  # PostgreSQL's change stamp
                seen.append(statement)

        # the search indexer's thread renders the pages the saves touched: once it is
        # done, nobody stores a newer rendering between these two views
        assert wait_for_index(media)
        client.get("/wiki/Fichier:Compte.png")  # rendered, cached
        event.listen(engine_of(media), "before_cursor_execute", count)
        try:
            assert client.get("/wiki/Fichier:Compte.png").status_code == 200
        finally:
            event.remove(engine_of(media), "before_cursor_execute", count)
        return len(seen)

    assert send_file(image_bytes("PNG", (40, 40)), "compte.png", headers).status_code == 201
    make_page("Usage 0", "[[Fichier:Compte.png]]")
    few = statements_of_view()
    for n in range(1, 4):
        color = (n, n, n)
        assert (
            send_file(image_bytes("PNG", (40, 40), color), "compte.png", headers).status_code == 201
        )
        make_page(f"Usage {n}", "[[Fichier:Compte.png|vignette|x]]")
    assert statements_of_view() == few


def test_visitors_see_a_new_version_and_a_new_user_at_once(
    media: Flask, client, send_file, make_page
) -> None:
    headers = bearer_for(media, "Alice")
    assert send_file(image_bytes("PNG", (40, 40)), "vue.png", headers).status_code == 201
    rows = lambda: soup(client.get("/wiki/Fichier:Vue.png")).select("table.mec-versions tbody tr")  # noqa: E731
    assert len(rows()) == 1  # the visitors' whole-page cache holds this view now
    assert send_file(image_bytes("PNG", (40, 40), (7, 7, 7)), "vue.png", headers).status_code == 201
    assert len(rows()) == 2
    make_page("Galerie du quartier", "[[Fichier:Vue.png]]")
    panel = soup(client.get("/wiki/Fichier:Vue.png")).select_one(".plugin-panel")
    assert [a.get_text() for a in panel.select("ul a")] == ["Galerie du quartier"]
