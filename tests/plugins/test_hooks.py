"""Hooks called while the wiki serves, through the running app with a temporary
implementation (the ``plugin`` fixture): navigation_links, page_panels, page_actions,
permission_check, and the page events page_renamed, page_deleted, licence_changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, login, make_user, page_path, save, soup

from wikicoop.core.models import Page
from wikicoop.core.permissions import can
from wikicoop.plugins import hookimpl, hooks_of
from wikicoop.web.db import get_session


class Menu:
    @hookimpl
    def navigation_links(self, actor: Any) -> list[dict[str, Any]]:
        links = [{"label": {"fr": "Annonces", "en": "Notices"}, "url": "/annonces"}]
        if actor.is_authenticated:
            links.append({"label": f"Carnet de {actor.username}", "url": "/carnet"})
        return links


def test_navigation_links_in_the_menu_for_the_reader(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    plugin(Menu())

    def menu(path: str = "/wiki/Accueil") -> dict[str, str]:
        nav = soup(client.get(path)).select_one(".site-nav")
        return {a.get_text(strip=True): a["href"] for a in nav.select("a")}

    assert menu()["Annonces"] == "/annonces"
    assert "Carnet de Alice" not in menu()
    assert menu("/wiki/Accueil?lang=en")["Notices"] == "/annonces"
    make_user(app, "Alice")
    login(client, "Alice")
    assert menu()["Carnet de Alice"] == "/carnet"


class Panels:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    @hookimpl
    def page_panels(self, ctx: Any) -> Any:
        self.seen.append(ctx)
        if ctx.title.full != "Essai":
            return None
        words = len(ctx.revision.text.split())
        return {"title": {"fr": "Statistiques", "en": "Statistics"}, "html": f"<p>{words} mots</p>"}

    @hookimpl
    def page_actions(self, ctx: Any) -> list[dict[str, str]]:
        if ctx.page is None:
            return []
        return [{"label": "Imprimer", "url": f"/imprimer/{ctx.page.id}"}]


def test_page_panels_and_actions_on_the_page_view(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    panels = plugin(Panels())
    make_user(app, "Alice")
    login(client, "Alice")
    assert save(client, "Essai", "Trois mots ici").status_code == 302
    view = soup(client.get("/wiki/Essai"))
    panel = view.select_one("section.plugin-panel")
    assert panel.select_one("h2").text == "Statistiques"
    assert panel.select_one("p").text == "3 mots"  # trusted HTML from the plugin
    ctx = panels.seen[-1]
    assert (ctx.page.name, ctx.revision.text.strip(), ctx.actor.username) == (
        "Essai",
        "Trois mots ici",
        "Alice",
    )
    with app.app_context():
        page_id = get_session().query(Page).filter_by(name="Essai").one().id
    action = view.select_one(".page-tabs a.plugin-action")
    assert (action.text, action["href"]) == ("Imprimer", f"/imprimer/{page_id}")
    # the history has the tabs (actions) but no panel: panels belong to the page view
    history = soup(client.get("/wiki/Essai?action=history"))
    assert history.select_one(".page-tabs a.plugin-action") is not None
    assert history.select_one("section.plugin-panel") is None
    assert soup(client.get("/wiki/Autre")).select_one("a.plugin-action") is None  # no page yet


class NoEditsOnSundayPages:
    """Denies editing pages whose name starts with "Dimanche"; grants its own action."""

    @hookimpl
    def permission_check(self, actor: Any, action: str, page: Any) -> bool | None:
        if action == "edit" and page is not None and page.name.startswith("Dimanche"):
            return False
        if action == "annonces:publier" and getattr(actor, "is_authenticated", False):
            return True
        return None


def test_permission_check_denies_and_grants_in_can(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    plugin(NoEditsOnSundayPages())
    make_user(app, "Alice")
    login(client, "Alice")
    assert save(client, "Dimanche_matin", "Texte").status_code == 302
    assert save(client, "Lundi_matin", "Texte").status_code == 302
    # through the web: no "Modifier" tab, and the edit form is refused
    tabs = soup(client.get("/wiki/Dimanche_matin")).select_one(".page-tabs").get_text()
    assert "Modifier" not in tabs
    assert "Modifier" in soup(client.get("/wiki/Lundi_matin")).select_one(".page-tabs").get_text()
    assert client.get("/wiki/Dimanche_matin?action=edit").status_code == 403
    hooks = hooks_of(app)
    with app.app_context():
        session = get_session()
        alice = session.query(Page).filter_by(name="Dimanche matin").one().latest_revision.author
        sunday = session.query(Page).filter_by(name="Dimanche matin").one()
        monday = session.query(Page).filter_by(name="Lundi matin").one()
        assert can(alice, "edit", sunday)  # the core alone allows it
        assert not can(alice, "edit", sunday, hooks=hooks)  # False wins
        assert can(alice, "edit", monday, hooks=hooks)  # None abstains
        assert not can(alice, "annonces:publier")  # unknown to the core
        assert can(alice, "annonces:publier", hooks=hooks)  # the plugin's own action
        assert not can(None, "annonces:publier", hooks=hooks)


class Events:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def page_renamed(self, ctx: Any) -> None:
        self.calls.append(("renamed", (ctx.old_title, ctx.new_title, ctx.page.name, ctx.reason)))

    @hookimpl
    def page_deleted(self, ctx: Any) -> None:
        self.calls.append(("deleted", (ctx.page.name, ctx.actor.username, ctx.reason)))

    @hookimpl
    def licence_changed(self, ctx: Any) -> None:
        self.calls.append(("licence", (ctx.old_licence, ctx.new_licence, ctx.page.name)))


def test_page_renamed_deleted_and_licence_changed_fire_once_in_the_transaction(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    events = plugin(Events())
    api = Api(client, bearer_for(app, "Admin", "admin"))
    api.create("Brouillon", "Texte", license="CC-BY-4.0")
    api.call("PUT", page_path("Brouillon", "/license"), 200, json_body={"license": "CC-BY-SA-4.0"})
    assert events.calls == [("licence", ("CC-BY-4.0", "CC-BY-SA-4.0", "Brouillon"))]
    body = {"to": "Version finale", "reason": "titre définitif"}
    api.call("POST", page_path("Brouillon", "/rename"), 200, json_body=body)
    renamed = ("Brouillon", "Version finale", "Version finale", "titre définitif")
    assert events.calls[1:] == [("renamed", renamed)]
    api.call("DELETE", page_path("Version finale"), 200, json_body={"reason": "doublon"})
    assert events.calls[2:] == [("deleted", ("Version finale", "Admin", "doublon"))]
    # a refused act fires nothing
    api.call("DELETE", page_path("Version finale"), 409, json_body={})
    assert len(events.calls) == 3


class RollbackProbe:
    """A hook's rows are written with the act, in its transaction."""

    @hookimpl
    def page_deleted(self, ctx: Any) -> None:
        from wikicoop.core.moderation import audit

        audit(ctx.session, ctx.actor, "plugin-note", "page", ctx.page.id, page_id=ctx.page.id)


def test_event_hooks_write_in_the_act_s_transaction(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    plugin(RollbackProbe())
    api = Api(client, bearer_for(app, "Admin", "admin"))
    api.create("Essai", "Texte")
    api.call("DELETE", page_path("Essai"), 200, json_body={})
    with app.app_context():
        from wikicoop.core.models import AuditEntry

        actions = [e.action for e in get_session().query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["delete", "plugin-note"]


class Greeting:
    @hookimpl
    def template_context(self, ctx: Any) -> dict[str, str]:
        return {"salut": f"{ctx.template} pour {ctx.actor.is_authenticated}"}


def test_template_context_only_in_requests(app: Flask, plugin: Callable[..., Any]) -> None:
    from flask import render_template_string

    plugin(Greeting())
    with app.test_request_context("/"):
        assert render_template_string("{{ salut }}") == "None pour False"
    with app.app_context():  # no reader outside a request: the hook is not asked
        assert render_template_string("{{ salut }}") == ""
