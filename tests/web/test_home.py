"""The home page (/wiki/Accueil): under its own text, the recent changes, the new pages and
a box per facette (the ``home_portal`` hook), always up to date and public only; and the
visible « S'abonner (flux Atom) » links of the lists that have a feed."""

from __future__ import annotations

import pytest
from helpers import add_revision, soup
from sqlalchemy import event

from wikicoop.core.db import engine_of
from wikicoop.plugins import hookimpl, manager_of
from wikicoop.web.helpers import page_html_cache

HOME = "/wiki/Accueil"
FEED_TEXT = "S'abonner (flux Atom)"


def _titles(html: str, section_id: str) -> list[str]:
    section = soup(html).find(id=section_id).find_parent("section")
    return [a.get_text() for a in section.select(".home-list li > a")]


def test_the_home_lists_recent_changes_and_new_pages_under_its_text(client, make_page):
    make_page("Accueil", "Bienvenue sur le wiki du quartier.")
    make_page("Jardin partagé", "Un jardin.")
    make_page("Fête de la rue", "Une fête.")
    page = client.get(HOME)
    assert page.status_code == 200
    html = soup(page)
    text = html.select_one(".page-content").get_text()
    assert "Bienvenue" in text
    # the panels come after the page's own text
    assert str(html).index("page-content") < str(html).index("home-panels")
    assert _titles(page.text, "accueil-modifications")[:3] == [
        "Fête de la rue",
        "Jardin partagé",
        "Accueil",
    ]
    assert _titles(page.text, "accueil-nouvelles")[:2] == ["Fête de la rue", "Jardin partagé"]


def test_a_new_edit_shows_at_once_even_for_a_cached_anonymous_visitor(client, make_page):
    make_page("Accueil", "Bienvenue.")
    assert "Nouveau lieu" not in client.get(HOME).text
    client.get(HOME)  # a second anonymous view (would be served from the page cache)
    make_page("Nouveau lieu", "Ici.")
    page = client.get(HOME)
    assert _titles(page.text, "accueil-modifications")[0] == "Nouveau lieu"
    assert _titles(page.text, "accueil-nouvelles")[0] == "Nouveau lieu"


def test_an_anonymous_home_is_cached_until_something_changes(app, client, make_page):
    make_page("Accueil", "Bienvenue.")
    with app.test_request_context():
        cache = page_html_cache()
    client.get(HOME)
    stored = len(cache)
    assert client.get(HOME).status_code == 200
    assert len(cache) == stored  # the second view came from the cache
    make_page("Autre page", "Du neuf.")
    assert "Autre page" in _titles(client.get(HOME).text, "accueil-modifications")
    assert len(cache) == stored + 1  # a new key: a new change


def test_pending_and_hidden_versions_never_show_on_the_home(app, client, auth, make_page):
    make_page("Accueil", "Bienvenue.")
    make_page("Atelier", "Première version.")
    add_revision(app, "Atelier", "Version en attente", status="pending", summary="en attente")
    add_revision(app, "Secret", "Caché", status="pending", create=True)
    hidden = make_page("Atelier", "Texte à masquer.", summary="à masquer")
    add_revision(app, "Atelier", "Suite publiée.", status="published", publish=True)
    auth.login("Modo", role="moderator")
    moderator_view = client.get(HOME)  # a moderator's home is public only too
    auth.logout()
    for page in (client.get(HOME), moderator_view):
        rows = soup(page).find(id="accueil-modifications").find_parent("section")
        revisions = [li["data-revision"] for li in rows.select("li[data-revision]")]
        assert str(hidden) in revisions  # published for now
        assert "Secret" not in _titles(page.text, "accueil-nouvelles")
        assert "Secret" not in _titles(page.text, "accueil-modifications")
    # a moderator hides the version: it leaves the home at once
    from wikicoop.community import review
    from wikicoop.community.accounts import find_user
    from wikicoop.web.db import get_session

    with app.app_context():
        session = get_session()
        review.hide(
            session, revision_id=hidden, moderator=find_user(session, "Modo"), reason="hors sujet"
        )
        session.commit()
    rows = soup(client.get(HOME)).find(id="accueil-modifications").find_parent("section")
    assert str(hidden) not in [li["data-revision"] for li in rows.select("li[data-revision]")]


def test_one_box_per_enabled_facette_in_the_policy_order(make_app, make_page):
    app = make_app()
    client = app.test_client()
    make_page("Accueil", "Bienvenue.")
    boxes = soup(client.get(HOME)).select(".portal-grid .portal")
    facettes = [box["data-facette"] for box in boxes]
    assert facettes == [
        "faire_avec",
        "etre_en_attention",
        "donner_a_voir",
        "mettre_en_communs",
        "outiller",
        "relier",
    ]
    lieux = boxes[0]
    assert lieux.select_one("a")["href"] == "/lieux"
    assert lieux.select_one(".portal-kicker").get_text() == "Faire avec"
    assert lieux.select_one("p:not(.portal-kicker)").get_text().strip()
    english = soup(app.test_client().get(HOME + "?lang=en"))
    assert english.select_one(".portal-grid h3").get_text() == "Access points"


def test_a_disabled_plugin_has_no_box(make_app, make_page):
    app = make_app(DISABLED_PLUGINS=["faire_avec", "relier"])
    make_page("Accueil", "Bienvenue.")
    facettes = [b["data-facette"] for b in soup(app.test_client().get(HOME)).select(".portal")]
    assert "faire_avec" not in facettes and "relier" not in facettes
    assert "outiller" in facettes


def test_a_plugins_home_portal_hook_adds_its_box(app, client, make_page):
    class Annuaire:
        @hookimpl
        def home_portal(self):
            return {
                "facette": "annuaire",
                "title": {"fr": "Annuaire", "en": "Directory"},
                "text": "Les associations du quartier.",
                "url": "/annuaire",
            }

    manager_of(app).register(Annuaire())
    make_page("Accueil", "Bienvenue.")
    boxes = soup(client.get(HOME)).select(".portal")
    assert boxes[-1]["data-facette"] == "annuaire"  # after the six facettes
    assert boxes[-1].select_one("h3 a")["href"] == "/annuaire"


def test_other_pages_have_no_home_panels(client, make_page):
    first = make_page("Accueil", "Bienvenue.")
    make_page("Accueil", "Bienvenue à toutes et à tous.")
    make_page("Jardin", "Un jardin.")
    assert soup(client.get("/wiki/Jardin")).select_one(".home-panels") is None
    old = soup(client.get(f"{HOME}?revision={first}"))
    assert old.select_one(".home-panels") is None  # an old version: just its text


def test_the_home_panels_cost_a_fixed_number_of_queries(app, client, make_page):
    make_page("Accueil", "Bienvenue.")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine_of(app), "before_cursor_execute", count)
    try:
        client.get(HOME)
        few = len(statements)
        for n in range(10):
            make_page(f"Page {n}", "Du texte.")
        statements.clear()
        client.get(HOME)
    finally:
        event.remove(engine_of(app), "before_cursor_execute", count)
    assert len(statements) <= few  # 10 more items, not one query more


@pytest.mark.parametrize(
    ("path", "feed"),
    [
        ("/modifications-recentes", "/flux/modifications-recentes.atom"),
        ("/wiki/Jardin?action=history", "/flux/historique/Jardin.atom"),
        ("/contributions/Alice", "/flux/contributions/Alice.atom"),
        ("/wiki/Cat%C3%A9gorie:Lieux_partag%C3%A9s", "/flux/categorie/Lieux_partag%C3%A9s.atom"),
        (HOME, "/flux/modifications-recentes.atom"),
    ],
)
def test_lists_with_a_feed_show_a_visible_subscribe_link(client, make_page, path, feed):
    make_page("Accueil", "Bienvenue.")
    make_page("Jardin", "Un jardin. [[Catégorie:Lieux partagés]]")
    make_page("Catégorie:Lieux partagés", "Les lieux où l'on partage.")
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    link = soup(page).select_one(".feed-link a")
    assert link is not None and link.get_text(strip=True) == FEED_TEXT
    assert link["href"] == feed
    icon = link.select_one("img.feed-icon")
    assert icon is not None and icon["alt"] == ""  # the icon, not read aloud
    picture = client.get(icon["src"])
    assert picture.status_code == 200
    picture.close()
    assert client.get(feed).status_code == 200
