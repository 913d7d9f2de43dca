"""The wiki with ``SEARCH_BACKEND=postgresql``: search entries written in the transaction
of each save (found at once, never out of step), facets, snippets, suggestions, and
``wikicoop reindex`` on both backends. Runs in the PostgreSQL pass only."""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable

import pytest
from flask import Flask
from flask.cli import ScriptInfo
from helpers import make_user, post_form, soup
from sqlalchemy import event, text

from wikicoop.cli import cli
from wikicoop.community import review
from wikicoop.community.accounts import find_user
from wikicoop.core.db import sessionmaker_of
from wikicoop.core.writing import context_for
from wikicoop.search import backend_of, ensure_in_step, search_backend
from wikicoop.search.backend import SearchQuery
from wikicoop.search.pg_backend import PostgresBackend
from wikicoop.web.db import get_session


@pytest.fixture
def app(make_app: Callable[..., Flask], postgres_url: str | None) -> Flask:
    if not postgres_url:
        pytest.skip("SEARCH_BACKEND=postgresql: set WIKICOOP_DATABASE_URL to run this test")
    application = make_app(SEARCH_BACKEND="postgresql")
    assert isinstance(backend_of(application), PostgresBackend)
    return application


def entries_of(app: Flask) -> list:
    """The search entries' rows (page id, revision id, title), by page id."""
    with app.app_context():
        return (
            get_session()
            .execute(
                text("SELECT page_id, revision_id, title FROM search_entries ORDER BY page_id")
            )
            .all()
        )


def titles(app: Flask, words: str, **filters: str) -> list[str]:
    """What a search finds, at once (there is nothing to wait for)."""
    with app.app_context():
        results = search_backend().search(SearchQuery(text=words, filters=filters))
        return [hit.title for hit in results.hits]


def test_a_save_is_found_at_once_and_its_entry_is_the_revision(app, make_page):
    revision_id = make_page("Écrit public", "L'écrivain public aide à remplir les formulaires.")
    for query in ("ecrit", "écrits", "ECRIVAIN", "formulaire"):
        assert titles(app, query) == ["Écrit public"], query
    assert [row.revision_id for row in entries_of(app)] == [revision_id]
    make_page("Écrit public", "On y parle désormais de photographie.")
    assert titles(app, "photographie") == ["Écrit public"]
    assert titles(app, "formulaire") == []


def test_a_failed_save_leaves_no_entry(app, make_page):
    make_page("Jardin", "Un jardin partagé.")
    maker = sessionmaker_of(app)

    def fail(session) -> None:  # after the search listener: the commit itself fails
        raise RuntimeError("the disk is full")

    event.listen(maker, "before_commit", fail)
    try:
        with pytest.raises(RuntimeError):
            make_page("Verger", "Un verger de pommiers.")
    finally:
        event.remove(maker, "before_commit", fail)
    assert titles(app, "pommiers") == []
    assert [row.title for row in entries_of(app)] == ["Jardin"]


def test_an_entry_that_cannot_be_written_never_fails_the_save(app, make_page, caplog):
    make_page("Jardin", "Un jardin partagé.")
    with app.app_context():
        session = get_session()
        session.execute(text("ALTER TABLE search_entries RENAME COLUMN body TO body_gone"))
        session.commit()
    try:
        make_page("Verger", "Un verger de pommiers.")  # saved; its entry is not
    finally:
        with app.app_context():
            session = get_session()
            session.execute(text("ALTER TABLE search_entries RENAME COLUMN body_gone TO body"))
            session.commit()
    assert "search entries not written" in caplog.text
    assert titles(app, "pommiers") == []
    with app.app_context():
        assert ensure_in_step(app) == 1  # the start-up check catches it up
    assert titles(app, "pommiers") == ["Verger"]


def test_rename_delete_and_undelete_follow(app, client, auth, make_page):
    make_page("Ancien titre", "Une page sur les composteurs de quartier.")
    auth.login("Chef", role="admin")
    post_form(client, "/wiki/Ancien_titre?action=rename", {"new_title": "Nouveau titre",
                                                          "leave_redirect": "y"})  # fmt: skip
    assert titles(app, "composteurs") == ["Nouveau titre"]  # the redirect is not listed
    assert titles(app, "ancien") == []
    post_form(client, "/wiki/Nouveau_titre?action=delete")
    assert titles(app, "composteurs") == []
    assert entries_of(app) == []
    post_form(client, "/wiki/Nouveau_titre?action=undelete")
    assert titles(app, "composteurs") == ["Nouveau titre"]


def test_estimated_counts_are_said_on_the_page_and_in_the_api(
    client, make_page, monkeypatch: pytest.MonkeyPatch
):
    """A big wiki's search reads only the first matches and estimates the rest: the
    page says « Environ », the API ``estimated``; a small result is exact."""
    from wikicoop.search import pg_backend

    for number in range(4):
        make_page(f"Verger {number}", "Un verger du quartier.")
    exact = client.get("/api/v1/search?q=verger").json
    assert exact["total"] == 4 and exact["estimated"] is False
    monkeypatch.setattr(pg_backend, "COUNT_EXACT", 2)  # a big wiki on a small one
    monkeypatch.setattr(pg_backend, "COUNT_ALL_BLOCKS", 0)
    assert client.get("/api/v1/search?q=verger").json["estimated"] is True
    heading = soup(client.get("/recherche?q=verger")).select_one("#resultats").get_text()
    assert heading.startswith("Environ ")


def test_a_pending_revision_is_not_found_until_approved(app, make_page):
    make_page("Atelier", "Atelier couture le mardi.")
    make_user(app, "Nouveau", trust="auto")
    make_user(app, "Modo", role="moderator")
    pending = make_page("Atelier", "Atelier tricot le jeudi.", author="Nouveau")
    assert titles(app, "tricot") == []
    assert titles(app, "couture") == ["Atelier"]
    with app.app_context():
        session = get_session()
        review.approve(
            context_for(app, session),
            revision_id=pending,
            moderator=find_user(session, "Modo"),
            reason="",
        )
    assert titles(app, "tricot") == ["Atelier"]
    assert titles(app, "couture") == []


def test_hiding_an_old_revision_keeps_the_page_found_by_its_current_text(app, make_page):
    old = make_page("Potager", "Un mot grossier ici.")
    make_page("Potager", "Des tomates et des courgettes.")
    make_user(app, "Modo", role="moderator")
    with app.app_context():
        session = get_session()
        review.hide(session, revision_id=old, moderator=find_user(session, "Modo"),
                    reason="propos injurieux")  # fmt: skip
    assert titles(app, "grossier") == []
    assert titles(app, "tomates") == ["Potager"]


def test_results_page_facets_and_filters(client, make_page):
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
    body = client.get("/api/v1/search?q=jardin&namespace=main").json
    assert [r["title"] for r in body["results"]] == ["Jardin partagé"]
    assert {"value": "Jardins", "count": 1} in body["facets"]["category"]
    assert client.get("/api/v1/search?q=jardin&nope=1").status_code in (200, 400)


def test_suggestions_and_did_you_mean(client, make_page):
    make_page("École Jules Ferry", "Une école du quartier.")
    make_page("Écologie urbaine", "Des idées pour la ville.")
    make_page("Atelier numérique", "Un atelier pour apprendre l'informatique.")
    titles_ = client.get("/api/v1/search/suggest?q=eco").json["titles"]
    assert set(titles_) == {"École Jules Ferry", "Écologie urbaine"}
    assert client.get("/api/v1/search/suggest?q=ferr").json["titles"] == ["École Jules Ferry"]
    page = soup(client.get("/recherche?q=informatiqe"))
    suggestion = page.select_one(".suggestion a")
    assert suggestion is not None and "informatique" in suggestion.get_text()


def test_concurrent_saves_are_all_found(app, make_page):
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            make_page(f"Fil {n}", f"Texte du fil {n} sur les vélos partagés.", author=f"Auteur{n}")
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(titles(app, "vélos partagés")) == 6


def _payloads() -> list[str]:
    from wiki_fixtures import shared_path

    data = json.loads(shared_path("xss-vectors", "all-payloads.json").read_text("utf-8"))
    return [item["payload"] for item in data]


def test_snippets_of_xss_text_stay_inert_and_say_the_text(app):
    """Page text with markup in it (as words: the renderer escapes it) gives snippets
    that are the text escaped, with only <mark> added, as the Whoosh backend's."""
    from wikicoop.search.backend import SearchDocument

    payloads = _payloads()
    documents: list[SearchDocument] = []
    groups = [payloads[i : i + 40] for i in range(0, len(payloads), 40)]
    with app.app_context():
        session = get_session()
        for n, group in enumerate(groups):
            session.execute(
                text(
                    "INSERT INTO pages (id, namespace, name, licence, language, created_at,"
                    " touched_at) VALUES (:id, 'main', :name, 'CC0-1.0', 'fr', now(), now())"
                ),
                {"id": 1000 + n, "name": f"Charge {n}"},
            )
            documents.append(
                SearchDocument(
                    page_id=1000 + n,
                    revision_id=1,
                    title=f"Charge {n}",
                    namespace="main",
                    text=" zorglub ".join(group) + " zorglub",
                )
            )
        session.commit()
        backend = search_backend()
        backend.index_pages(documents)
        sources = {doc.page_id: " ".join(doc.text.split()) for doc in documents}
        for query in ("zorglub", "script", "alert", "onerror", "img src", "charge"):
            results = backend.search(SearchQuery(query, per_page=100))
            assert results.total > 0, query
            for hit in results.hits:
                bare = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
                assert "<" not in bare and ">" not in bare, hit.snippet_html
                assert not re.search(r"&(?!amp;|lt;|gt;|quot;|#x27;)", bare), hit.snippet_html
                for fragment in html.unescape(bare).split("…"):
                    assert " ".join(fragment.split()) in sources[hit.page_id], query


def test_odd_and_huge_texts_never_fail_a_write(app, make_page):
    """NUL and control characters, lone surrogates, 2 MB of text: the entry is written;
    the words past the first 100,000 characters are not found (the tsvector is capped)."""
    make_page("Page", "texte")
    from wikicoop.search.backend import SearchDocument

    huge = " ".join(f"mot{n}" for n in range(300_000))  # about 2.3 MB
    odd = "a\x00b\x01c\ud800d \x02 \x03 <mark>x</mark> zorglub"
    with app.app_context():
        page_id = get_session().scalar(text("SELECT id FROM pages"))
        backend = search_backend()
        for body in (odd, huge + " zorglub"):
            backend.index_pages(
                [
                    SearchDocument(
                        page_id=page_id,
                        revision_id=1,
                        title="T\x00",
                        namespace="main",
                        text=body,
                        categories=("C" * 1000,),
                    )
                ]
            )
        assert backend.search(SearchQuery("mot12")).total == 1
        assert backend.search(SearchQuery("zorglub")).total == 0  # beyond the indexed part
        assert backend.indexed_revisions() == {page_id: 1}


@pytest.mark.parametrize("backend_name", ["whoosh", "postgresql"])
def test_reindex_command_on_both_backends(app, make_app, make_page, backend_name):
    for n in range(3):
        make_page(f"Page {n}", f"Texte numéro {n} sur la cuisine solidaire.")
    application = app if backend_name == "postgresql" else make_app(SEARCH_BACKEND="whoosh")
    ensure_in_step(application)  # Whoosh: the index built, as `wikicoop init` does
    with application.app_context():
        search_backend().remove_pages([1, 2])  # entries lost (or a Whoosh folder never built)
    result = application.test_cli_runner().invoke(
        cli, ["reindex"], obj=ScriptInfo(create_app=lambda: application)
    )
    assert result.exit_code == 0, result.output
    assert "3 page(s) indexée(s)" in result.output
    assert len(titles(application, "cuisine")) == 3
