"""What links here (with counts, HTML and JSON), the maintenance lists, and the related
pages ("cousins": JSON and panel)."""

from __future__ import annotations

from helpers import bearer_for, soup


def test_what_links_here_groups_and_counts(relier, app, client, make_page):
    make_page("Jardin", "Un jardin.")
    make_page("Quartier", "Voir [[Jardin]].")
    make_page("Aide:Jardiner", "Voir [[Jardin]] et [[Jardin|encore]].")
    make_page("Ancien jardin", "#REDIRECTION [[Jardin]]")
    make_page("Brouillon supprimé", "[[Jardin]]")
    admin = bearer_for(app, "Root", "admin")
    client.delete("/api/v1/pages/Brouillon_supprim%C3%A9", headers=admin, json={})

    page = soup(client.get("/liens-vers/Jardin"))
    assert page.select_one(".relier-total")["data-count"] == "3"
    groups = {
        s["data-namespace"]: [a.get_text() for a in s.select("li a")]
        for s in page.select(".relier-group")
    }
    assert groups == {"help": ["Aide:Jardiner"], "main": ["Ancien jardin", "Quartier"]}
    assert "redirection" in page.select(".relier-group")[1].get_text()
    make_page("Lien ancien", "Par [[Ancien jardin]].")
    page = soup(client.get("/liens-vers/Jardin"))
    assert [a.get_text() for a in page.select(".relier-via a")] == ["Lien ancien"]

    # the JSON twin is the core's
    answer = client.get("/api/v1/pages/Jardin/backlinks").get_json()
    assert sorted(answer["titles"]) == ["Aide:Jardiner", "Ancien jardin", "Quartier"]
    # the page's action tab leads there
    tabs = soup(client.get("/wiki/Jardin")).select("a[href^='/liens-vers/']")
    assert tabs and tabs[0]["href"] == "/liens-vers/Jardin"
    # a missing page may have links too; a bad title is a clear 400
    assert client.get("/liens-vers/Personne").status_code == 200
    assert client.get("/liens-vers/A%7CB").status_code == 400


def test_maintenance_lists(relier, client, make_page):
    make_page("Accueil", "Bienvenue : [[Jardin]], [[Verger]], [[Verger|encore]].")
    make_page("Jardin", "Voir [[Potager]] et [[Verger]].")
    make_page("Seul", "Personne ne me cite, je ne cite personne.")
    make_page("Impasse citée", "Rien.")
    make_page("Citant", "[[Impasse citée]] [[Potager]] [[Verger]]")

    def listed(name: str) -> list[str]:
        return [
            li.select_one("a").get_text()
            for li in soup(client.get(f"/reseau/maintenance/{name}")).select("ol li")
        ]

    assert listed("orphelines") == ["Citant", "Seul"]
    assert listed("impasses") == ["Impasse citée", "Seul"]
    wanted = soup(client.get("/reseau/maintenance/demandees")).select("ol li")
    assert [li.select_one("a").get_text() for li in wanted] == ["Verger", "Potager"]
    assert "3 lien(s)" in wanted[0].get_text() and "2 lien(s)" in wanted[1].get_text()
    index = soup(client.get("/reseau/maintenance"))
    totals = [s["data-total"] for s in index.select(".relier-count")]
    assert totals == ["2", "2", "2", "0"]
    assert client.get("/reseau/maintenance/orphelines?page=0").status_code == 400
    assert client.get("/reseau/maintenance/inconnue").status_code == 404


def test_pages_needing_licence_or_author_attention(relier, app, client, make_page):
    from sqlalchemy import update

    from wikicoop.core.models import Page, Revision
    from wikicoop.web.db import get_session

    make_page("Importée", "Texte d'ailleurs.")
    make_page("Anonyme", "Texte.")
    make_page("Propre", "Texte.")
    with app.app_context():  # as an old import left them
        session = get_session()
        session.execute(update(Page).where(Page.name == "Importée").values(licence="unknown"))
        anonymous = Revision.page_id.in_(
            session.query(Page.id).filter(Page.name == "Anonyme").scalar_subquery()
        )
        session.execute(update(Revision).where(anonymous).values(author_id=None))
        session.commit()
    rows = soup(client.get("/reseau/maintenance/a-verifier")).select("ol li")
    assert [r.get_text(" ", strip=True) for r in rows] == [
        "Anonyme — aucun auteur connu",
        "Importée — licence inconnue",
    ]


def test_related_pages_json_and_panel(relier, client, make_page):
    make_page(
        "Jardin A",
        "[[Compost]] [[Graines]] [[Catégorie:Jardins]]",
        page_type="fiche",
        fields={"quartier": "Bellevue"},
    )
    make_page(
        "Jardin B",
        "[[Compost]] [[Graines]] [[Catégorie:Jardins]]",
        page_type="fiche",
        fields={"quartier": "Bellevue"},
    )
    make_page("Jardin C", "[[Compost]]", page_type="fiche", fields={"quartier": "Centre"})
    make_page("Sans rapport", "[[Autre chose]]")
    answer = client.get("/api/v1/pages/Jardin_A/related").get_json()
    titles = [r["title"] for r in answer["related"]]
    assert titles == ["Jardin B", "Jardin C"]
    best = answer["related"][0]
    kinds = {(r["kind"], r["value"]) for r in best["reasons"]}
    assert {
        ("link", "Compost"),
        ("link", "Graines"),
        ("category", "Jardins"),
        ("field", "quartier=bellevue"),
    } <= kinds
    assert best["score"] > answer["related"][1]["score"]
    assert best["url"].endswith("/wiki/Jardin_B")

    panel = soup(client.get("/wiki/Jardin_A")).select_one(".relier-cousins")
    assert [a.get_text() for a in panel.select("a")] == ["Jardin B", "Jardin C"]

    make_page("Voisin", "Voir [[Jardin A]].")
    reasons = {
        r["title"]: r["reasons"]
        for r in client.get("/api/v1/pages/Jardin_A/related").get_json()["related"]
    }
    assert reasons["Voisin"] == [{"kind": "direct", "value": "from"}]

    assert client.get("/api/v1/pages/Personne/related").status_code == 404
    assert client.get("/api/v1/pages/Jardin_A/related?limit=0").status_code == 400
    assert client.get("/api/v1/pages/Jardin_A/related?limit=x").get_json()["error"]
