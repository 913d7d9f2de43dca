"""Hooks and helpers of rendering that plugins build on: interwiki_prefixes, the session
of a render (``RenderContext.session``) and ``render_cache.forget_renders``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from helpers import login, make_user, save, soup
from sqlalchemy import func, select

from wikicoop.core.models import Page, PageLink, RenderCache
from wikicoop.core.render_cache import forget_renders, render_text
from wikicoop.plugins import hookimpl
from wikicoop.rendering.markdown import get_context
from wikicoop.rendering.pipeline import Renderer
from wikicoop.web.db import get_session


class Interwiki:
    """A table kept in memory, counting how often the renderer asks for it."""

    def __init__(self) -> None:
        self.table = {"Wikipedia": "https://fr.wikipedia.org/wiki/$1"}
        self.calls: list[Any] = []

    @hookimpl
    def interwiki_prefixes(self, session: Any) -> dict[str, str]:
        self.calls.append(session)
        return dict(self.table)


def _page_id(app: Flask, name: str) -> int:
    with app.app_context():
        return get_session().scalar(select(Page.id).where(Page.name == name))


def test_interwiki_links_are_external_and_not_page_links(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    table = plugin(Interwiki())
    make_user(app, "Alice")
    login(client, "Alice")
    text = (
        "Voir [[wikipedia:Brest]], [[WIKIPEDIA:Rade de Brest#Histoire|la rade]], "
        "[[:wikipedia:Île d'Ouessant]] et [[Inconnu:Page]]."
    )
    assert save(client, "Liens", text).status_code == 302
    links = soup(client.get("/wiki/Liens")).select("article.wiki-page a")
    by_text = {a.text: a for a in links}
    brest = by_text["wikipedia:Brest"]
    assert brest["href"] == "https://fr.wikipedia.org/wiki/Brest"
    assert brest["class"] == ["interwiki", "external"]
    assert "nofollow" in brest["rel"]
    assert by_text["la rade"]["href"] == "https://fr.wikipedia.org/wiki/Rade_de_Brest#Histoire"
    assert by_text["wikipedia:Île d'Ouessant"]["href"] == (
        "https://fr.wikipedia.org/wiki/%C3%8Ele_d'Ouessant"
    )
    # an unknown prefix stays a (red) link to a page of this wiki
    assert "new" in by_text["Inconnu:Page"]["class"]
    assert len(table.calls) == 1 and table.calls[0] is not None  # once per render, a session
    with app.app_context():
        targets = get_session().scalars(
            select(PageLink.target_name).where(PageLink.source_page_id == _page_id(app, "Liens"))
        )
        assert set(targets) == {"Inconnu:Page"}  # interwiki links are no wanted pages


def test_forget_renders_renders_again_with_the_new_table(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    table = plugin(Interwiki())
    make_user(app, "Alice")
    login(client, "Alice")
    assert save(client, "Wp", "[[wikipedia:Brest]]").status_code == 302
    assert save(client, "Autre", "[[wikipedia:Quimper]]").status_code == 302
    client.get("/wiki/Wp")
    calls = len(table.calls)
    client.get("/wiki/Wp")
    assert len(table.calls) == calls  # cached: the table is not asked again
    table.table = {"wikipedia": "https://en.wikipedia.org/wiki/$1"}
    assert "fr.wikipedia" in soup(client.get("/wiki/Wp")).select_one("a.interwiki")["href"]
    with app.app_context():
        session = get_session()
        forget_renders(session, [_page_id(app, "Wp")])
        session.commit()
        cached = session.scalar(select(func.count()).select_from(RenderCache))
    assert "en.wikipedia" in soup(client.get("/wiki/Wp")).select_one("a.interwiki")["href"]
    assert cached >= 1  # the other page kept its rendering
    with app.app_context():
        session = get_session()
        forget_renders(session)
        session.commit()
        assert session.scalar(select(func.count()).select_from(RenderCache)) == 0


def test_a_plugin_rule_reads_the_render_session(app: Flask) -> None:
    seen: list[Any] = []

    def count_pages(md: Any) -> None:
        def parse(inline: Any, m: Any, state: Any) -> int:
            session = get_context(state).session
            seen.append(session)
            count = session.scalar(select(func.count()).select_from(Page))
            state.append_token({"type": "text", "raw": f"{count} pages"})
            return m.end()

        md.inline.register("page_count", r"\{\{nombre de pages\}\}", parse, before="link")

    renderer = Renderer(extra_plugins=[count_pages])
    with app.app_context():
        session = get_session()
        html = render_text(session, renderer, "Il y a {{nombre de pages}}.").html
        expected = session.scalar(select(func.count()).select_from(Page))
    assert f"Il y a {expected} pages." in html
    assert seen == [session]


def test_forgotten_renders_are_indexed_again_after_the_commit(
    app: Flask, client: FlaskClient, monkeypatch: Any
) -> None:
    """The search reads a page's rendering: pages named to forget_renders (a portal, a
    page including another) are re-indexed once the change commits, not on rollback."""
    import wikicoop.search as search

    make_user(app, "Alice")
    login(client, "Alice")
    assert save(client, "Portail:Lieux", "Une liste.").status_code == 302
    page_id = _page_id(app, "Lieux")  # Portail:Lieux
    indexed: list[set[int]] = []
    monkeypatch.setattr(search, "index_later", lambda _app, ids: indexed.append(set(ids)))
    with app.app_context():
        session = get_session()
        forget_renders(session, [page_id])
        session.rollback()
        assert indexed == []
        forget_renders(session, [page_id])
        session.commit()
        assert indexed == [{page_id}]
        forget_renders(session)  # every page: left to `wikicoop reindex`
        session.commit()
        assert indexed == [{page_id}]
