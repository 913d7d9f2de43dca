"""Transclusion ``{{:Titre}}`` through the running app: the source's published text in
the host, kept fresh when the source changes (edit, creation, deletion, rename, depth
two), loops and depth, missing pages, escaping, and the licence checks (the editor's
notices, the moderators' list)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from wikicoop.rendering.pipeline import Renderer

from .reuse_transclusion import CLASSES, transcluded_titles, transclusion_plugin


def writer(app: Flask, client: FlaskClient, role: str = "moderator") -> Api:
    return Api(client, bearer_for(app, "Modo", role))


def view(client: FlaskClient, path: str) -> object:
    """The content of a page as an anonymous reader sees it."""
    answer = client.get(path)
    assert answer.status_code == 200, answer.status_code
    return soup(answer)


def test_a_page_shows_the_published_text_of_another_and_follows_its_edits(
    media: Flask, client: FlaskClient
):
    api = writer(media, client)
    api.create("Horaires du jardin", "Ouvert le **samedi** matin.")
    api.create("Jardin partagé", "Présentation.\n\n{{:Horaires du jardin}}\n\nFin de page.")
    page = view(client, "/wiki/Jardin_partag%C3%A9")
    (box,) = page.select("div.transclusion")
    assert box.strong.get_text() == "samedi"
    caption = box.select_one(".transclusion-source")
    assert "Contenu inclus depuis" in caption.get_text()
    assert caption.a["href"] == "/wiki/Horaires_du_jardin" and "wikilink" in caption.a["class"]
    assert "CC BY-SA 4.0" in caption.get_text() and "Modo" in caption.get_text()
    # an edit of the source shows in the host at its next view (anonymous cache included)
    api.edit("Horaires du jardin", "Ouvert le **dimanche** matin.")
    box = view(client, "/wiki/Jardin_partag%C3%A9").select_one("div.transclusion")
    assert box.strong.get_text() == "dimanche"
    # the inclusion is a link of the host (what links here)
    assert "Jardin partagé" in api.get("/api/v1/pages/Horaires_du_jardin/backlinks")["titles"]


def test_a_pending_edit_of_the_source_is_not_shown(media: Flask, client: FlaskClient):
    writer(media, client).create("Règlement", "Version relue.")
    writer(media, client).create("Accueil du jardin", "{{:Règlement}}")
    newcomer = Api(client, bearer_for(media, "Nouveau", trust="none"))
    base = newcomer.page("Règlement")["revision"]["id"]
    answer = newcomer.put("Règlement", {"text": "Version non relue.", "base_revision": base})
    assert answer.status_code in (200, 202), answer.get_json()
    text = view(client, "/wiki/Accueil_du_jardin").select_one("div.transclusion").get_text()
    assert "Version relue." in text and "non relue" not in text


def test_loops_render_a_notice(media: Flask, client: FlaskClient):
    api = writer(media, client)
    api.create("Boucle A", "Texte A.\n\n{{:Boucle B}}")
    api.create("Boucle B", "Texte B.\n\n{{:Boucle A}}")
    page = view(client, "/wiki/Boucle_A")
    content = page.select_one("div.transclusion")
    assert "Texte B." in content.get_text()
    (notice,) = page.select(".transclusion-notice")
    assert "boucle" in notice.get_text().lower() and "Boucle A" in notice.get_text()
    assert page.get_text().count("Texte A.") == 1
    # a page including itself
    api.create("Miroir", "Reflet.\n\n{{:Miroir}}")
    page = view(client, "/wiki/Miroir")
    assert page.select("div.transclusion") == []
    assert "boucle" in page.select_one(".transclusion-notice").get_text().lower()
    assert page.get_text().count("Reflet.") == 1


def test_depth_two_at_most_and_fresh_two_levels_up(media: Flask, client: FlaskClient):
    api = writer(media, client)
    api.create("Niveau 4", "quatrième")
    api.create("Niveau 3", "troisième\n\n{{:Niveau 4}}")
    api.create("Niveau 2", "deuxième\n\n{{:Niveau 3}}")
    api.create("Niveau 1", "premier\n\n{{:Niveau 2}}")
    page = view(client, "/wiki/Niveau_1")
    text = page.get_text()
    assert "deuxième" in text and "troisième" in text and "quatrième" not in text
    (notice,) = page.select(".transclusion-notice")
    assert "profonde" in notice.get_text() and notice.a["href"] == "/wiki/Niveau_4"
    assert len(page.select("div.transclusion")) == 2
    # the page two levels down changes: the top page shows it
    api.edit("Niveau 3", "troisième revu\n\n{{:Niveau 4}}")
    assert "troisième revu" in view(client, "/wiki/Niveau_1").get_text()


def test_a_missing_page_is_a_red_link_until_it_is_created(media: Flask, client: FlaskClient):
    api = writer(media, client)
    api.create("Programme", "{{:Fête des voisins}}")
    page = view(client, "/wiki/Programme")
    (link,) = page.select("a.wikilink.new")
    assert link["href"] == "/wiki/F%C3%AAte_des_voisins?action=edit"
    assert page.select("div.transclusion") == []
    api.create("Fête des voisins", "Le 29 mai, rue de la Paix.")
    page = view(client, "/wiki/Programme")
    assert "Le 29 mai" in page.select_one("div.transclusion").get_text()
    # deleted: the red link again
    Api(client, bearer_for(media, "Admin", "admin")).call(
        "DELETE", "/api/v1/pages/F%C3%AAte_des_voisins", 200, json_body={"reason": "test"}
    )
    page = view(client, "/wiki/Programme")
    assert page.select("div.transclusion") == [] and page.select("a.wikilink.new")


def test_a_redirect_is_followed_and_a_rename_refreshes(media: Flask, client: FlaskClient):
    api = writer(media, client)
    api.create("Ancien nom", "Texte déplacé.")
    api.create("Hôte", "{{:Ancien nom}}")
    api.call(
        "POST",
        "/api/v1/pages/Ancien_nom/rename",
        200,
        json_body={"to": "Nouveau nom", "reason": "test", "leave_redirect": True},
    )
    box = view(client, "/wiki/H%C3%B4te").select_one("div.transclusion")
    assert box is not None and "Texte déplacé." in box.get_text()
    assert box.select_one(".transclusion-source a")["href"] == "/wiki/Nouveau_nom"
    # without a redirect left, a page including the new title shows it
    api.create("Autre hôte", "{{:Dernier nom}}")
    api.call(
        "POST",
        "/api/v1/pages/Nouveau_nom/rename",
        200,
        json_body={"to": "Dernier nom", "reason": "test", "leave_redirect": False},
    )
    box = view(client, "/wiki/Autre_h%C3%B4te").select_one("div.transclusion")
    assert box is not None and "Texte déplacé." in box.get_text()


def test_html_in_the_source_stays_inert(media: Flask, client: FlaskClient):
    api = writer(media, client)
    api.create(
        "Piège",
        '<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n'
        "[clic](javascript:alert(1))\n\n## Titre <b>gras</b>",
    )
    api.create("Victime", "{{:Piège}}")
    answer = client.get("/wiki/Victime")
    html = answer.text
    box = soup(answer).select_one("div.transclusion")
    assert box is not None
    assert "<script>alert" not in html and box.find("script") is None
    assert box.find("img") is None and box.find("b") is None
    assert all("javascript:" not in a.get("href", "") for a in box.find_all("a"))
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in str(box) or "&lt;script" in str(box)
    # the included heading's id is renamed, so it stays unique in the host
    heading = box.find("h2")
    assert heading["id"].startswith("h-t1-")


def test_a_share_alike_page_in_a_cc_by_page_is_flagged_listed_and_cleared(
    media: Flask, client: FlaskClient, auth
):
    api = writer(media, client)
    api.put(
        "Charte partagée",
        {"text": "Nos règles communes.", "base_revision": None, "license": "CC-BY-SA-4.0"},
        201,
    )
    saved = api.put(
        "Page ouverte",
        {"text": "{{:Charte partagée}}", "base_revision": None, "license": "CC-BY-4.0"},
        201,
    ).get_json()
    (notice,) = saved["notices"]
    assert "Charte partagée" in notice and "CC BY-SA 4.0" in notice and "CC BY 4.0" in notice
    (row,) = api.get("/api/v1/licences/conflicts")["conflicts"]
    assert (row["title"], row["item"], row["kind"], row["reason"]) == (
        "Page ouverte",
        "Charte partagée",
        "text",
        "sa",
    )
    auth.login("Modo", role="moderator")
    listed = soup(client.get("/communs/licences/a-verifier"))
    (line,) = listed.select(".reuse-conflicts tbody tr")
    assert line["data-reason"] == "sa" and "Charte partagée" in line.get_text()
    auth.logout()
    # the host stops including it: no notice, nothing listed
    fixed = api.edit("Page ouverte", "Nos règles, réécrites pour cette page.")
    assert fixed["notices"] == []
    assert api.get("/api/v1/licences/conflicts")["conflicts"] == []


def test_the_preview_warns_about_an_included_page(media: Flask, client: FlaskClient, auth):
    writer(media, client).create("Texte sous BY-SA", "Un texte.")
    auth.login("Alice")
    form = soup(client.get("/wiki/Brouillon_ouvert?action=edit")).find("form", class_="edit-form")
    data = {f["name"]: f.get("value", "") for f in form.find_all("input") if f.get("name")}
    data.update({"text": "{{:Texte sous BY-SA}}", "licence": "CC0-1.0", "preview": "1"})
    notices = soup(client.post("/wiki/Brouillon_ouvert?action=edit", data=data))
    box = notices.select_one(".edit-notices")
    assert box is not None and "Texte sous BY-SA" in box.get_text()


def test_a_source_created_or_relicensed_later_updates_the_hosts_conflicts(
    media: Flask, client: FlaskClient
):
    api = writer(media, client)
    api.put(
        "Fiche ouverte",
        {"text": "{{:Recette commune}}", "base_revision": None, "license": "CC-BY-4.0"},
        201,
    )
    assert api.get("/api/v1/licences/conflicts")["conflicts"] == []  # a red link
    api.put(
        "Recette commune",
        {"text": "Trois pommes.", "base_revision": None, "license": "CC-BY-4.0"},
        201,
    )
    assert api.get("/api/v1/licences/conflicts")["conflicts"] == []  # same licence
    caption = view(client, "/wiki/Fiche_ouverte").select_one(".transclusion-source")
    assert "CC BY 4.0" in caption.get_text()
    api.call(
        "PUT",
        "/api/v1/pages/Recette_commune/license",
        200,
        json_body={"license": "CC-BY-SA-4.0", "reason": "test"},
    )
    (row,) = api.get("/api/v1/licences/conflicts")["conflicts"]
    assert (row["title"], row["item"], row["reason"]) == ("Fiche ouverte", "Recette commune", "sa")
    caption = view(client, "/wiki/Fiche_ouverte").select_one(".transclusion-source")
    assert "CC BY-SA 4.0" in caption.get_text()


def test_a_render_without_a_session_shows_a_link():
    renderer = Renderer(extra_plugins=[transclusion_plugin], extra_allowlist={"classes": CLASSES})
    html = renderer.render("Avant.\n\n{{:Jardin partagé}}\n\nAprès.").html
    assert '<p class="transclusion-link"><a class="wikilink" href="/wiki/' in html
    assert "Jardin partagé</a>" in html and "{{" not in html


def test_the_titles_a_text_transcludes():
    text = (
        "{{:Un}}\n  {{:Aide:Deux}}  \n```\n{{:Dans le code}}\n```\n"
        "texte {{:Pas seul}}\n{{:Un}}\n{{:Mauvais<titre}}\nsuite\n{{:Trois}}\n\n"
        "- liste\n\n  {{:Dans la liste}}\n\n> {{:Dans la citation}}\n\n    {{:Code indenté}}\n"
    )
    assert [t.full for t in transcluded_titles(text)] == ["Un", "Aide:Deux", "Trois"]
    assert transcluded_titles("Rien à inclure.") == []


def test_refreshing_the_hosts_costs_the_same_for_one_or_many(media: Flask, client: FlaskClient):
    import threading

    from sqlalchemy import event

    from wikicoop.core.db import engine_of

    api = writer(media, client)
    for source, hosts in (("Source seule", 1), ("Source partagée", 6)):
        api.put(source, {"text": "v1", "base_revision": None, "license": "CC-BY-SA-4.0"}, 201)
        for n in range(hosts):
            api.put(
                f"{source} hôte {n}",
                {"text": f"{{{{:{source}}}}}", "base_revision": None, "license": "CC-BY-4.0"},
                201,
            )
    counts = {}
    engine = engine_of(media)
    me = threading.get_ident()  # the search indexer works in a thread of its own
    for source in ("Source seule", "Source partagée"):
        seen: list[str] = []

        def count(conn, cursor, statement, *args, seen=seen):
            mine = "mettre_en_communs_transclusions" in statement or (
                "mettre_en_communs_licence_conflicts" in statement
            )
            if threading.get_ident() == me and (mine or "DELETE FROM render_cache" in statement):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            api.edit(source, "v2")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts[source] = len(seen)
    assert counts["Source seule"] == counts["Source partagée"], counts
    assert len(api.get("/api/v1/licences/conflicts")["conflicts"]) == 7
    for n in range(6):
        assert "v2" in view(client, f"/wiki/Source_partag%C3%A9e_h%C3%B4te_{n}").get_text()
