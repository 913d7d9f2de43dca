"""Search from the running wiki: in step with every change, the results page, the API."""

from __future__ import annotations

import pytest
from helpers import edit_form, found, post_form, soup

from wikicoop.search import ensure_in_step, rebuild, search_backend, wait_for_index
from wikicoop.web.db import get_session


def test_a_saved_page_is_found_at_once_accents_and_plurals_forgiven(app, make_page):
    make_page("Écrit public", "L'écrivain public aide à remplir les formulaires.")
    for query in ("ecrit", "écrits", "écriture publique", "ECRIVAIN", "formulaire"):
        assert found(app, query)[:1] == ["Écrit public"], query


def test_an_edit_replaces_the_indexed_text(app, make_page):
    make_page("Atelier", "On parle de jardinage.")
    make_page("Atelier", "On parle de photographie.")
    assert found(app, "photographie") == ["Atelier"]
    assert found(app, "jardinage") == []


def test_rename_delete_and_undelete_follow(app, client, auth, make_page):
    make_page("Ancien titre", "Une page sur les composteurs de quartier.")
    auth.login("Chef", role="admin")
    rename = {"new_title": "Nouveau titre", "leave_redirect": "y"}
    post_form(client, "/wiki/Ancien_titre?action=rename", rename)
    assert found(app, "composteurs") == ["Nouveau titre"]  # the redirect is not listed
    post_form(client, "/wiki/Nouveau_titre?action=delete")
    assert found(app, "composteurs") == []
    post_form(client, "/wiki/Nouveau_titre?action=undelete")
    assert found(app, "composteurs") == ["Nouveau titre"]


def test_start_up_repairs_a_missing_or_stale_index(app, make_page):
    make_page("Papi Bellevue", "Point d'accès public à internet du quartier de Bellevue.")
    make_page("Médiathèque", "Des ordinateurs en libre accès.")
    with app.app_context():
        backend = search_backend()
        backend.remove_pages([p for p in backend.indexed_revisions()][:1])
    assert len(found(app, "acces")) == 1  # the index is behind the database
    with app.app_context():
        assert ensure_in_step(app) == 1
    assert sorted(found(app, "acces")) == ["Médiathèque", "Papi Bellevue"]
    with app.app_context():
        assert ensure_in_step(app) == 0  # nothing left to repair


def test_rebuild_indexes_every_live_page(app, make_page):
    for n in range(5):
        make_page(f"Page {n}", f"Texte numéro {n} sur la cuisine solidaire.")
    with app.app_context():
        assert rebuild(app) == 5
    assert len(found(app, "cuisine")) == 5


def test_reindex_command_shows_progress(app, make_page):
    make_page("Une page", "du texte")
    from flask.cli import ScriptInfo

    from wikicoop.cli import cli

    result = app.test_cli_runner().invoke(cli, ["reindex"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "Indexation des pages" in result.output and "1 page(s) indexée(s)" in result.output


def test_results_page(client, make_page):
    make_page("Jardin partagé", "Un jardin partagé au cœur du quartier.\n\n[[Catégorie:Jardins]]")
    make_page("Aide:Jardiner", "Conseils pour jardiner.\n\n[[Catégorie:Jardins]]")
    page = soup(client.get("/recherche?q=jardin"))
    hits = [a.get_text() for a in page.select(".hits .hit-title")]
    assert set(hits) == {"Jardin partagé", "Aide:Jardiner"}
    assert page.select_one(".snippet mark") is not None
    facets = page.select_one(".facets").get_text()
    assert "Jardins" in facets and "(2)" in facets
    filtered = soup(client.get("/recherche?q=jardin&namespace=help"))
    assert [a.get_text() for a in filtered.select(".hits .hit-title")] == ["Aide:Jardiner"]


def test_exact_title_offers_to_go_straight_there(client, make_page):
    make_page("Papi Bellevue", "Accès à internet.")
    page = soup(client.get("/recherche?q=papi+bellevue"))
    link = page.find("a", string="Aller directement à la page « Papi Bellevue »")
    assert link is not None and link["href"] == "/wiki/Papi_Bellevue"


def test_no_result_says_so_and_offers_creation(client, auth):
    auth.login()
    page = soup(client.get("/recherche?q=Fanfare+du+port"))
    assert "Aucune page ne correspond" in page.get_text()
    create = page.find("a", string="Créer la page « Fanfare du port »")
    assert create["href"] == "/wiki/Fanfare_du_port?action=edit"


def test_misspelt_query_gets_a_suggestion(client, make_page):
    make_page("Atelier numérique", "Un atelier pour apprendre l'informatique.")
    page = soup(client.get("/recherche?q=informatiqe"))
    suggestion = page.select_one(".suggestion a")
    assert suggestion is not None and "informatique" in suggestion.get_text()


@pytest.mark.parametrize(
    "query",
    ["", "   ", "x" * 10000, '"jardin', "(jardin", "jardin)", "AND", "OR OR", "-", "*", "\x00\x07",
     "NOT", "a:b:c", "title:", "[x TO", "~~~", "%", "'", "\\"],
)  # fmt: skip
def test_bad_queries_never_fail(client, make_page, query):
    make_page("Jardin", "Un jardin.")
    response = client.get("/recherche", query_string={"q": query})
    assert response.status_code in {200, 400}
    api = client.get("/api/v1/search", query_string={"q": query})
    assert api.status_code in {200, 400}
    assert "error" in api.json or "results" in api.json


def test_api_search_and_suggest(client, make_page):
    make_page("École Jules Ferry", "Une école du quartier.\n\n[[Catégorie:Écoles]]")
    make_page("Écologie urbaine", "Des idées pour la ville.")
    body = client.get("/api/v1/search?q=ecole").json
    assert body["total"] >= 1
    first = body["results"][0]
    assert first["title"] == "École Jules Ferry"
    assert first["url"] == "/wiki/%C3%89cole_Jules_Ferry"
    assert set(first) >= {"title", "url", "snippet_html", "type", "score"}
    assert {"value": "Écoles", "count": 1} in body["facets"]["category"]
    titles = client.get("/api/v1/search/suggest?q=eco").json["titles"]
    assert set(titles) == {"École Jules Ferry", "Écologie urbaine"}
    assert client.get("/api/v1/search/suggest?q=").json == {"titles": []}
    assert client.get("/api/v1/search?q=").status_code == 400


def test_deleted_pages_are_never_found(app, make_page, auth, client):
    make_page("Secret", "Un texte retiré du wiki.")
    auth.login("Chef", role="admin")
    post_form(client, "/wiki/Secret?action=delete")
    assert wait_for_index(app)
    assert client.get("/api/v1/search?q=retire").json["total"] == 0
    with app.app_context():
        assert get_session() is not None


def test_concurrent_saves_are_all_indexed(app, make_page):
    """Saves from several threads at once: none fails, every page is found."""
    import threading

    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            make_page(
                f"Fil {n}", f"Texte du fil numéro {n} sur les vélos partagés.", author=f"Auteur{n}"
            )
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(found(app, "vélos partagés")) == 6


def test_without_redis_a_process_merges_at_most_once_in_a_while(app, monkeypatch):
    """A burst of writes asks for a merge after each; the process merges once, then
    again only after ``LOCAL_SECONDS`` (a merge holds the interpreter its requests share)."""
    from wikicoop.search import maintenance, whoosh_backend

    calls: list[str] = []
    monkeypatch.setattr(
        whoosh_backend.WhooshBackend, "maintain", lambda self, **how: calls.append("maintain")
    )
    for _ in range(5):
        maintenance.maintain_later(app)
    assert calls == ["maintain"]
    app.extensions[maintenance._LAST_LOCAL] -= maintenance.LOCAL_SECONDS
    maintenance.maintain_later(app)
    assert calls == ["maintain", "maintain"]


def test_web_saves_merge_index_segments_after_the_response(app, client, auth, monkeypatch):
    """A save commits its index update without merging; the indexing thread merges after
    writing, once the response is sent."""
    from wikicoop.search import whoosh_backend

    calls: list[str] = []
    original = whoosh_backend.WhooshBackend.maintain

    def maintain(self, **how: bool) -> None:
        calls.append("maintain")
        original(self, **how)

    monkeypatch.setattr(whoosh_backend.WhooshBackend, "maintain", maintain)
    auth.login("Alice")
    for n in range(whoosh_backend.SMALL_SEGMENTS_KEPT + 3):
        form = edit_form(client, f"Page_{n}")
        response = client.post(
            f"/wiki/Page_{n}?action=edit",
            data={**form, "text": f"Texte numéro {n} sur les composteurs.", "summary": ""},
        )
        assert response.status_code in (302, 303)
        response.close()
    assert wait_for_index(app)
    assert 1 <= len(calls) <= whoosh_backend.SMALL_SEGMENTS_KEPT + 3  # after each batch
    with app.app_context():
        backend = search_backend()
        assert len(backend._open()._segments()) <= whoosh_backend.SMALL_SEGMENTS_KEPT + 1
    assert len(found(app, "composteurs")) == whoosh_backend.SMALL_SEGMENTS_KEPT + 3


@pytest.mark.any_database
def test_a_search_while_the_index_is_missing_says_so_with_a_503(app, client, make_page):
    """A first start answers its first request before it builds the index; a search
    then (or while a new schema's index is rebuilt) is told to come back, in the
    reader's language, never given a 500."""
    import shutil

    make_page("Lavoir", "Le lavoir du quartier.")
    assert wait_for_index(app)
    with app.app_context():
        search_backend().close()
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])

    page = client.get("/recherche?q=lavoir", headers={"Accept-Language": "fr"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "La recherche se prépare" in soup(page.text).get_text()
    api = client.get("/api/v1/search?q=lavoir", headers={"Accept-Language": "en"})
    assert api.status_code == 503
    assert api.get_json()["error"].startswith("Search is getting ready")
    assert client.get("/wiki/Lavoir").status_code == 200  # pages still read as usual
    with app.app_context():
        rebuild(app)
    assert client.get("/recherche?q=lavoir").status_code == 200
