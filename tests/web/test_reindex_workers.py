"""A full reindex made by several processes (``wikicoop reindex --workers``): the same
index as one process builds, the renderings stored on the way, a rendering stored
meanwhile by someone else kept. On both search backends (PostgreSQL's only when
WIKICOOP_DATABASE_URL is set)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.cli import ScriptInfo
from helpers import found, make_user, render_stored_meanwhile
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wikicoop.cli import cli
from wikicoop.core import render_cache
from wikicoop.core.db import engine_of
from wikicoop.core.models import Page, RenderCache, Revision
from wikicoop.core.revisions import delete_page
from wikicoop.search import parallel, rebuild, search_backend
from wikicoop.web.db import get_session


@pytest.fixture(params=["whoosh", "postgresql"])
def app(request, make_app: Callable[..., Flask], postgres_url: str | None) -> Flask:
    if request.param == "postgresql" and not postgres_url:
        pytest.skip("SEARCH_BACKEND=postgresql: set WIKICOOP_DATABASE_URL to run this case")
    return make_app(SEARCH_BACKEND=request.param)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of two pages: a few pages are enough to spread over the workers."""
    monkeypatch.setattr(parallel, "CHUNK_PAGES", 2)


#: the titles of make_wiki's searchable pages, all of them about « cuisine »
SEARCHABLE = sorted(["Cuisine", *(f"Atelier {n}" for n in range(10))])


def make_wiki(app: Flask, make_page) -> None:
    """Eleven searchable pages, and three that search never shows."""
    for n in range(10):
        make_page(f"Atelier {n}", f"Atelier numéro {n} de cuisine solidaire, [[Atelier {n + 1}]].")
    make_page("Cuisine", "La cuisine du quartier.\n\n[[Catégorie:Cuisine]]")
    make_page("Vers la cuisine", "#REDIRECT [[Cuisine]]")
    make_page("Bac à sable", "On essaie la cuisine ici.")
    make_page("Effacée", "Une cuisine disparue.")
    admin = make_user(app, "Chef", role="admin")
    with app.app_context():
        session = get_session()
        page = session.scalar(select(Page).where(Page.name == "Effacée"))
        delete_page(session, page=page, actor=session.merge(admin), reason="essai")
        session.commit()


def snapshot(app: Flask) -> tuple[dict[int, int], list[str], list[str]]:
    with app.app_context():
        indexed = search_backend().indexed_revisions()
    return indexed, sorted(found(app, "cuisine")), found(app, "atelier 7")[:1]


def forget_every_render(app: Flask) -> None:
    with app.app_context():
        session = get_session()
        render_cache.forget_renders(session)
        session.commit()


def render_rows(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(RenderCache)) or 0


def test_workers_build_the_index_one_process_builds(app, make_page, small_chunks) -> None:
    make_wiki(app, make_page)
    forget_every_render(app)
    with app.app_context():
        assert rebuild(app) == 11
    alone = snapshot(app)
    assert len(alone[0]) == 11 and alone[1] == SEARCHABLE and alone[2] == ["Atelier 7"]
    assert "Vers la cuisine" not in alone[1] and "Bac à sable" not in alone[1]

    forget_every_render(app)
    with app.app_context():
        assert rebuild(app, workers=3) == 11
    assert snapshot(app) == alone
    assert render_rows(app) == 11  # the workers stored what they rendered


def test_the_reindex_command_takes_a_number_of_workers(app, make_page, small_chunks) -> None:
    make_wiki(app, make_page)
    forget_every_render(app)
    invoke = app.test_cli_runner().invoke
    result = invoke(cli, ["reindex", "--workers", "2"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "11 page(s) indexée(s)" in result.output
    assert sorted(found(app, "cuisine")) == SEARCHABLE
    refused = invoke(cli, ["reindex", "--workers", "0"], obj=ScriptInfo(create_app=lambda: app))
    assert refused.exit_code == 2 and "--workers" in refused.output


def test_a_batch_keeps_a_rendering_stored_meanwhile(
    app, make_page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process stores one of the batch's renderings while it renders: the batch
    keeps theirs (its stamp keys the visitors' page cache) and still returns all."""
    first = make_page("Lavoir", "Le lavoir, près de la [[Fontaine]].")
    second = make_page("Fontaine", "Une fontaine.")  # the lavoir's rendering is dropped
    forget_every_render(app)
    theirs = render_stored_meanwhile(app, first, monkeypatch)
    with app.app_context(), Session(engine_of(app), expire_on_commit=False) as session:
        revisions = [session.get(Revision, first), session.get(Revision, second)]
        renders = render_cache.cached_renders(
            session, app.extensions["wikicoop.renderer"], revisions
        )
    assert set(renders) == {first, second}
    assert 'href="/wiki/Fontaine"' in renders[first].html
    with app.app_context():
        session = get_session()
        assert session.get(RenderCache, first).rendered_at == theirs[0]
        assert session.get(RenderCache, second) is not None
        assert session.scalar(select(func.count()).select_from(Page)) == 2
