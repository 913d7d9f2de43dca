"""Issue 8, point 8: the small breaks a newcomer meets on their first day.

The sandbox publishes at once and is never indexed; « Créer la page » comes first when no
page has the title searched; a visitor's history links no diff they cannot open; the
pending banner has no stray separator; seeded pages are not « à vérifier ».
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import test_moderation
from helpers import PASSWORD, found, login, page_text, save, soup
from test_moderation import act

from wikicoop.community.accounts import create_user, find_user
from wikicoop.core import moderation
from wikicoop.core.models import Block, Revision, utcnow
from wikicoop.core.writing import context_for
from wikicoop.seed import load_seed
from wikicoop.web.db import get_session

SANDBOX = "Bac_%C3%A0_sable"
#: a visitor, a newcomer, a trusted contributor and a moderator (test_moderation's fixture)
people = test_moderation.people


# -- a. the sandbox -------------------------------------------------------------------------


def test_a_newcomers_sandbox_edit_is_published_at_once(app, people):
    visitor, newcomer, _alice, _modo = people
    assert save(newcomer, SANDBOX, "Mon premier essai de **gras**.").status_code == 302
    assert "Mon premier essai" in page_text(visitor, SANDBOX)
    assert "Mon premier essai" in page_text(newcomer, SANDBOX)
    assert "en attente" not in soup(newcomer.get(f"/wiki/{SANDBOX}")).get_text()
    # even with many links to other sites (the page is never indexed, by us or by robots)
    links = " ".join(f"https://exemple{i}.org" for i in range(5))
    assert save(newcomer, SANDBOX, f"Des liens : {links}").status_code == 302
    assert "exemple4.org" in page_text(visitor, SANDBOX)
    assert 'name="robots" content="noindex' in visitor.get(f"/wiki/{SANDBOX}").text
    # other pages still wait for review
    save(newcomer, "Atelier", "Ailleurs, on attend une relecture.")
    assert visitor.get("/wiki/Atelier").status_code == 404


def test_a_blocked_account_still_may_not_write_in_the_sandbox(app, people):
    _visitor, newcomer, _alice, _modo = people
    with app.app_context():
        session = get_session()
        user = find_user(session, "Nouveau")
        session.add(Block(user_id=user.id, reason="essai", created_at=utcnow()))
        session.commit()
    assert save(newcomer, SANDBOX, "Je ne devrais pas pouvoir.").status_code == 403


def test_the_sandbox_is_never_found_by_the_search(app, people):
    visitor, newcomer, alice, _modo = people
    save(alice, SANDBOX, "Un texte avec le mot zygomatique.")
    save(newcomer, SANDBOX, "Encore zygomatique, par un nouveau.")
    save(alice, "Rire", "Le muscle zygomatique sert à sourire.")
    assert found(app, "zygomatique") == ["Rire"]
    hits = soup(visitor.get("/recherche?q=zygomatique")).select_one("ol.hits")
    assert hits is not None and "Bac à sable" not in hits.get_text()
    assert found(app, "sable") == []


def test_sandbox_titles_are_a_setting_normalised_like_titles(app, people):
    _visitor, newcomer, _alice, _modo = people
    app.config["SANDBOX_PAGES"] = ["brouillon_libre", "Aide:bac d'essai"]
    save(newcomer, "Brouillon_libre", "Publié tout de suite.")
    save(newcomer, "Aide:Bac_d'essai", "Publié tout de suite aussi.")
    save(newcomer, SANDBOX, "Plus un bac à sable : attend une relecture.")
    statuses = {}
    with app.app_context():
        for revision in get_session().query(Revision).all():
            statuses[revision.page.title.full] = revision.status
    assert statuses == {
        "Brouillon libre": "published",
        "Aide:Bac d'essai": "published",
        "Bac à sable": "pending",
    }


def test_sandbox_edits_do_not_earn_trust(app):
    app.config.update(TRUST_MIN_APPROVED_EDITS=2, TRUST_MIN_ACCOUNT_DAYS=0)
    with app.app_context():
        session = get_session()
        user = create_user(session, "Nouveau", PASSWORD, trust="auto")
        user.created_at = utcnow() - timedelta(days=30)
        session.commit()
    client = app.test_client()
    login(client, "Nouveau")
    for n in range(3):
        assert save(client, SANDBOX, f"Essai numéro {n}.").status_code == 302
    with app.app_context():
        session = get_session()
        user = find_user(session, "Nouveau")
        assert moderation.approved_edit_count(session, user, app.config) == 0
        assert not moderation.is_trusted(session, user, app.config)
    save(client, "Atelier", "Ailleurs, on attend encore une relecture.")
    assert app.test_client().get("/wiki/Atelier").status_code == 404


def test_each_person_has_sandboxes_of_their_own(app, people):
    """PERSONAL_SANDBOXES: "Utilisateur:<name>/Bac à sable" and ".../Brouillon" follow the
    sandbox rules (at once, never indexed, noindex, no trust earned)."""
    visitor, newcomer, _alice, _modo = people
    mine = "Utilisateur:Nouveau/Bac_%C3%A0_sable"
    draft = "Utilisateur:Nouveau/Brouillon"
    assert (
        save(
            newcomer,
            mine,
            "Mon essai zygomatique avec https://a.org et https://b.org et https://c.org.",
        ).status_code
        == 302
    )
    assert save(newcomer, draft, "Mon brouillon zygomatique.").status_code == 302
    assert "Mon essai" in page_text(visitor, mine)
    assert "Mon brouillon" in page_text(visitor, draft)
    assert 'name="robots" content="noindex' in visitor.get(f"/wiki/{draft}").text
    assert found(app, "zygomatique") == []
    with app.app_context():
        session = get_session()
        user = find_user(session, "Nouveau")
        assert moderation.approved_edit_count(session, user, app.config) == 0
        assert moderation.personal_sandbox_title(app.config, "Nouveau") == (
            "Utilisateur:Nouveau/Bac à sable"
        )
        assert moderation.is_sandbox(app.config, "user", "Nouveau/Brouillon")
        # not a sub-page of a person's page, nor another sub-page
        assert not moderation.is_sandbox(app.config, "main", "Nouveau/Brouillon")
        assert not moderation.is_sandbox(app.config, "user", "Nouveau/Brouillons")
        assert not moderation.is_sandbox(app.config, "user", "Nouveau")
    # any other sub-page of a newcomer still waits for review
    save(newcomer, "Utilisateur:Nouveau/Notes", "Des notes.")
    assert visitor.get("/wiki/Utilisateur:Nouveau/Notes").status_code == 404
    app.config["PERSONAL_SANDBOXES"] = ["Essais"]
    save(newcomer, draft, "Plus un bac à sable.")
    assert "Mon brouillon" in page_text(visitor, draft)  # the new version waits


# -- c. « Créer la page » first --------------------------------------------------------------


def test_create_link_comes_before_the_hits_when_no_page_has_the_title(client, auth, make_page):
    make_page("Jardins de Brest", "Un jardin partagé au bout de la rue.")
    make_page("Compost", "Le compost du jardin partagé.")
    auth.login("Alice")
    page = soup(client.get("/recherche?q=jardin+partag%C3%A9"))
    create = page.find("a", string=lambda s: s and "Créer la page « Jardin partagé »" in s)
    hits = page.select_one("ol.hits")
    assert create is not None and hits is not None
    assert create.sourceline < hits.sourceline, "the offer to create comes first"


def test_no_create_link_when_the_page_exists(client, auth, make_page):
    make_page("Compost", "Le compost du quartier.")
    auth.login("Alice")
    text = client.get("/recherche?q=compost").text
    assert "Créer la page" not in text and "Aller directement à la page" in text


# -- d. no diff link a reader cannot follow ---------------------------------------------------


def second_version_hidden(make_page, modo, versions: int) -> int:
    """« Atelier » in ``versions`` versions (3 or 4), the second hidden by the moderator
    ``modo``; the hidden one's id."""
    make_page("Atelier", "Version un.")
    second = make_page("Atelier", "Version deux, avec une insulte.")
    for word in ("trois", "quatre")[: versions - 2]:
        make_page("Atelier", f"Version {word}.")
    assert act(modo, "revision", second, "hide", "insulte").status_code == 302
    return second


def diff_links(reader, path: str) -> list[str]:
    """The addresses of the diff links on ``path`` as ``reader`` sees it."""
    return [a["href"] for a in soup(reader.get(path)).select("a") if "action=diff" in a["href"]]


@pytest.mark.parametrize("who", ["visitor", "contributor"])
def test_history_links_only_diffs_the_reader_may_open(app, people, make_page, who):
    visitor, _newcomer, alice, modo = people
    second_version_hidden(make_page, modo, 4)
    reader = visitor if who == "visitor" else alice
    links = diff_links(reader, "/wiki/Atelier?action=history")
    assert links, "diffs between visible versions stay linked"
    for href in links:
        assert reader.get(href).status_code == 200, href
    # a moderator still gets every diff
    assert len(diff_links(modo, "/wiki/Atelier?action=history")) == 3


@pytest.mark.parametrize("path", ["/modifications-recentes", "/contributions/Alice"])
def test_lists_of_changes_link_only_diffs_the_reader_may_open(app, people, make_page, path):
    visitor, _newcomer, _alice, modo = people
    second = second_version_hidden(make_page, modo, 3)
    third_diff = f"/wiki/Atelier?action=diff&to={second + 1}"
    for reader, linked in ((visitor, False), (modo, True)):
        links = diff_links(reader, path)
        for href in links:
            assert reader.get(href).status_code == 200, href
        # version three's parent is hidden: only a moderator may compare them
        assert (third_diff in links) is linked, links


# -- e. the pending banner --------------------------------------------------------------------


def test_pending_banner_has_no_stray_separator(app, people, make_page):
    _visitor, newcomer, _alice, _modo = people
    make_page("Atelier", "Version publiée.")
    save(newcomer, "Atelier", "Ma version à relire.")
    banner = soup(newcomer.get("/wiki/Atelier")).select_one(".banner-pending")
    assert banner is not None
    for paragraph in banner.select("p"):
        text = paragraph.get_text(" ", strip=True)
        assert not text.endswith("·") and not text.startswith("·"), text
    assert "Voir la version publiée" in banner.get_text()


# -- f. seeded pages are patrolled ------------------------------------------------------------


def test_seed_pages_are_not_to_check_in_recent_changes(app, client, auth):
    with app.app_context():
        created = load_seed(context_for(app, get_session()))
        assert created
        revisions = get_session().query(Revision).all()
        assert revisions and all(r.patrolled_at is not None for r in revisions)
    auth.login("Modo", role="moderator")
    html = client.get("/modifications-recentes?limit=100").text
    assert "à vérifier</strong>" not in html


def test_the_account_menu_leads_to_ones_own_draft(app, people):
    """« Mon brouillon » in the account menu: the beginner's draft, not somebody else's;
    gone when the site keeps no such page."""
    visitor, newcomer, _alice, _modo = people
    menu = soup(newcomer.get("/wiki/Accueil")).select_one("nav.user-menu")
    link = menu.find("a", string="Mon brouillon")
    assert link["href"] == "/wiki/Utilisateur:Nouveau/Brouillon"
    assert newcomer.get(link["href"]).status_code == 404  # not written yet: the editor offers it
    assert soup(visitor.get("/wiki/Accueil")).find("a", string="Mon brouillon") is None
    app.config["PERSONAL_SANDBOXES"] = ["Bac à sable"]
    assert soup(newcomer.get("/wiki/Accueil")).find("a", string="Mon brouillon") is None
