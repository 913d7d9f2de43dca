"""Atom feeds: valid RFC 4287 documents of published content only, announced in page heads,
with conditional GET, clear 400/404 answers, escaped content and no N+1 queries."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

import pytest
from helpers import PASSWORD, add_revision, soup
from inert import page_problems
from sqlalchemy import event, select
from wiki_fixtures import shared_path

from wikicoop.community import feeds
from wikicoop.community.accounts import create_user, find_user
from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.db import engine_of
from wikicoop.core.models import CategoryMembership, Page, utcnow
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}
RC = "/flux/modifications-recentes.atom"


# ------------------------------------------------------------------------ helpers


def get_feed(client, url: str, status: int = 200, **kwargs) -> ET.Element:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.data)


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall("a:entry", NS)


def entry_titles(feed: ET.Element) -> list[str]:
    return [e.findtext("a:title", namespaces=NS) for e in entries(feed)]


def contents(feed: ET.Element) -> str:
    """Every entry's content and title as one string (to look for leaked text)."""
    parts = []
    for entry in entries(feed):
        parts.append(entry.findtext("a:title", default="", namespaces=NS))
        parts.append(entry.findtext("a:content", default="", namespaces=NS))
    return "\n".join(parts)


def assert_valid_atom(feed: ET.Element, self_url: str | None = None) -> None:
    """The elements RFC 4287 requires, on the feed and on every entry."""
    assert feed.tag == f"{{{ATOM}}}feed"
    for name in ("id", "title", "updated"):
        assert feed.findtext(f"a:{name}", namespaces=NS), name
    links = {link.get("rel"): link for link in feed.findall("a:link", NS)}
    assert links["self"].get("type") == "application/atom+xml"
    assert urlsplit(links["self"].get("href")).scheme in {"http", "https"}
    if self_url is not None:
        assert links["self"].get("href") == self_url
    assert links["alternate"].get("href").startswith(("http://", "https://"))
    ids = set()
    for entry in entries(feed):
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"a:{name}", namespaces=NS), name
        assert entry.findtext("a:author/a:name", namespaces=NS)
        # no rel means "alternate" (RFC 4287, 4.2.7.2); feedgen 1.0 writes it so
        link = entry.find("a:link", NS)
        assert link.get("rel", "alternate") == "alternate"
        assert link.get("href").startswith(("http://", "https://"))
        entry_id = entry.findtext("a:id", namespaces=NS)
        assert entry_id.startswith("tag:") and entry_id not in ids
        ids.add(entry_id)
        content = entry.find("a:content", NS)
        if content is not None:
            assert content.get("type") == "html"
    # nothing but Atom elements: no markup from a page can become an element
    for element in feed.iter():
        assert element.tag.startswith(f"{{{ATOM}}}"), element.tag


def updated_times(feed: ET.Element) -> list[str]:
    return [e.findtext("a:updated", namespaces=NS) for e in entries(feed)]


def head_feeds(client, url: str) -> dict[str, str]:
    """The Atom feeds a page announces: title -> href."""
    response = client.get(url, follow_redirects=True)
    found = {}
    for link in soup(response).head.find_all("link", rel="alternate"):
        assert link["type"] == "application/atom+xml"
        found[link["title"]] = link["href"]
    return found


# ------------------------------------------------------------------- recent changes


def test_recent_changes_feed_is_valid_atom_newest_first(client, make_page):
    make_page("Jardin partagé", "Des **tomates**.", author="Alice")
    make_page("Aide:Écrire", "Comment écrire.", author="Bruno")
    make_page("Jardin partagé", "Des **tomates** et des courges.", author="Chloé")
    feed = get_feed(client, RC)
    assert_valid_atom(feed, self_url="http://localhost/flux/modifications-recentes.atom")
    assert entry_titles(feed) == ["Jardin partagé", "Aide:Écrire", "Jardin partagé"]
    authors = [e.findtext("a:author/a:name", namespaces=NS) for e in entries(feed)]
    assert authors == ["Chloé", "Bruno", "Alice"]
    times = updated_times(feed)
    assert times == sorted(times, reverse=True)
    assert all(t.endswith("+00:00") for t in times)
    assert feed.findtext("a:updated", namespaces=NS) == times[0]
    newest = entries(feed)[0]
    content = html.unescape(newest.findtext("a:content", namespaces=NS))
    assert "courges" in content and "<li>+" in content
    link = newest.find("a:link", NS).get("href")
    assert link.startswith("http://localhost/wiki/Jardin_partag%C3%A9?action=diff")
    author_uri = newest.findtext("a:author/a:uri", namespaces=NS)
    assert author_uri == "http://localhost/wiki/Utilisateur:Chlo%C3%A9"
    first = entries(feed)[-1]
    assert "Nouvelle page." in first.findtext("a:content", namespaces=NS)
    assert "revision=" in first.find("a:link", NS).get("href")


def test_feed_is_limited_to_fifty_entries(app, client, make_page):
    make_page("Compteur", "0")
    for n in range(1, 56):
        add_revision(app, "Compteur", str(n), status="published", publish=True)
    feed = get_feed(client, RC)
    assert len(entries(feed)) == 50
    first = entries(feed)[0].findtext("a:content", namespaces=NS)
    assert "55" in first


def test_site_url_setting_gives_absolute_links(app, client, make_page):
    app.config["SITE_URL"] = "https://wiki.exemple.org/"
    make_page("Accueil", "Bienvenue")
    feed = get_feed(client, RC)
    assert_valid_atom(feed, self_url="https://wiki.exemple.org/flux/modifications-recentes.atom")
    entry = entries(feed)[0]
    assert entry.find("a:link", NS).get("href").startswith("https://wiki.exemple.org/wiki/")
    assert entry.findtext("a:id", namespaces=NS).startswith("tag:wiki.exemple.org,")


def test_namespace_filter(client, make_page):
    make_page("Accueil", "Bienvenue")
    make_page("Aide:Écrire", "Comment écrire.")
    for value in ("help", "Aide", "aide:", "HELP"):
        feed = get_feed(client, f"{RC}?namespace={quote(value)}")
        assert entry_titles(feed) == ["Aide:Écrire"], value
    assert entry_titles(get_feed(client, f"{RC}?namespace=main")) == ["Accueil"]
    assert len(entries(get_feed(client, f"{RC}?namespace="))) == 2
    self_link = get_feed(client, f"{RC}?namespace=Aide").find("a:link[@rel='self']", NS)
    assert self_link.get("href").endswith("/flux/modifications-recentes.atom?namespace=help")


# ----------------------------------------------------------------- page history


def test_history_feed_of_a_title_with_slash_colon_and_accents(client, make_page):
    title = parse_title("Aide:Écrire/Été 2025 : bilan")
    make_page(title.full, "Première version")
    make_page(title.full, "Deuxième version", author="Bruno")
    make_page("Autre page", "Rien à voir")
    url = f"/flux/historique/{title.url_path}.atom"
    feed = get_feed(client, url)
    assert_valid_atom(feed, self_url="http://localhost" + url)
    assert len(entries(feed)) == 2
    assert "Autre page" not in contents(feed)
    assert feed.findtext("a:title", namespaces=NS) == f"Historique de « {title.full} »"
    authors = [e.findtext("a:author/a:name", namespaces=NS) for e in entries(feed)]
    assert authors == ["Bruno", "Alice"]
    assert feed.findtext("a:id", namespaces=NS).startswith("tag:localhost,")
    # the same feed under another spelling of the title
    again = get_feed(client, "/flux/historique/aide:%C3%89crire/%C3%89t%C3%A9_2025_:_bilan.atom")
    assert feed.findtext("a:id", namespaces=NS) == again.findtext("a:id", namespaces=NS)


def test_history_feed_of_a_title_ending_in_atom(client, make_page):
    make_page("Flux.atom", "Un titre piège")
    feed = get_feed(client, "/flux/historique/Flux.atom.atom")
    assert len(entries(feed)) == 1


def test_history_entries_are_titled_by_summary(app, client, make_page):
    make_page("Recette", "Farine")
    add_revision(app, "Recette", "Farine, œufs", status="published", publish=True, summary="œufs")
    feed = get_feed(client, "/flux/historique/Recette.atom")
    assert entry_titles(feed) == ["œufs", "Modification de Alice"]


# ---------------------------------------------------------------- contributions


def test_contributions_feed(app, client, make_page):
    make_page("Marché", "Le samedi", author="Jean Dupont")
    make_page("Bibliothèque", "Ouverte", author="Bruno")
    make_page("Marché", "Le samedi matin", author="Jean Dupont")
    feed = get_feed(client, "/flux/contributions/Jean_Dupont.atom")
    assert_valid_atom(feed)
    assert entry_titles(feed) == ["Marché", "Marché"]
    assert feed.findtext("a:title", namespaces=NS) == "Contributions de Jean Dupont"
    # any spelling of the name finds the account
    assert entry_titles(get_feed(client, "/flux/contributions/jean%20dupont.atom")) == [
        "Marché",
        "Marché",
    ]


def test_contributions_feed_of_a_user_without_edits_is_empty_and_stable(app, client, auth):
    auth.make_user("Zoé")
    first = client.get("/flux/contributions/Zo%C3%A9.atom")
    second = client.get("/flux/contributions/Zo%C3%A9.atom")
    assert first.status_code == 200 and entries(ET.fromstring(first.data)) == []
    assert first.data == second.data  # no "now" in the document: the ETag holds


# --------------------------------------------------------------------- category


def test_category_feed_lists_new_pages_newest_first(app, client, make_page):
    make_page("Catégorie:Jardins", "Les jardins du quartier.")
    make_page("Potager", "Tomates\n\n[[Catégorie:Jardins]]")
    make_page("Verger", "# Pommes\n\nDes *pommiers* & des poiriers.\n\n[[Catégorie:Jardins]]")
    make_page("Cuisine", "Pas un jardin.")
    # editing an older page does not make it new again
    make_page("Potager", "Tomates et courges\n\n[[Catégorie:Jardins]]")
    feed = get_feed(client, "/flux/categorie/Jardins.atom")
    assert_valid_atom(feed, self_url="http://localhost/flux/categorie/Jardins.atom")
    assert entry_titles(feed) == ["Verger", "Potager"]
    assert feed.findtext("a:title", namespaces=NS) == "Nouvelles pages de la catégorie « Jardins »"
    verger = entries(feed)[0]
    # a plain-text excerpt of the rendering: no Markdown, no markup
    excerpt = verger.findtext("a:content", namespaces=NS)
    assert "Pommes Des pommiers &amp; des poiriers." in excerpt
    assert verger.find("a:link", NS).get("href") == "http://localhost/wiki/Verger"
    assert verger.findtext("a:id", namespaces=NS).startswith("tag:localhost,")


def test_category_feed_excerpt_from_the_text_when_the_rendering_is_not_cached(
    app, client, make_page
):
    """Revision texts are stored compressed: the excerpt of a page whose rendering was
    dropped (an import, a link colour change) is cut from the text in Python, not SQL."""
    from wikicoop.core.models import RenderCache

    make_page("Catégorie:Vergers", "Les vergers.")
    make_page("Pommiers", "Des *pommes* reinettes.\n\n[[Catégorie:Vergers]]")
    with app.app_context():
        session = get_session()
        session.execute(RenderCache.__table__.delete())
        session.commit()
    feed = get_feed(client, "/flux/categorie/Vergers.atom")
    assert entry_titles(feed) == ["Pommiers"]
    assert "reinettes" in entries(feed)[0].findtext("a:content", namespaces=NS)


def test_category_with_members_but_no_page_and_page_without_members(client, make_page):
    make_page("Balade", "[[Catégorie:Sentiers de randonnée]]")
    feed = get_feed(client, "/flux/categorie/Sentiers_de_randonn%C3%A9e.atom")
    assert entry_titles(feed) == ["Balade"]
    make_page("Catégorie:Vide", "Rien encore.")
    assert entries(get_feed(client, "/flux/categorie/Vide.atom")) == []


# ------------------------------------------------------------------ 400 and 404


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{RC}?namespace=inconnu", 400),
        (f"{RC}?namespace=%3Cscript%3E", 400),
        ("/flux/historique/Page_absente.atom", 404),
        ("/flux/historique/A%5Bb%5D.atom", 400),
        ("/flux/historique/A%23b.atom", 400),
        ("/flux/historique/..%2F...atom", 400),
        ("/flux/contributions/Personne.atom", 404),
        ("/flux/contributions/%3Cscript%3E.atom", 404),
        ("/flux/categorie/Inconnue.atom", 404),
        ("/flux/categorie/a%7Cb.atom", 400),
        ("/flux/categorie/:x.atom", 400),
        ("/flux/historique/.atom", 404),
    ],
)
def test_bad_requests_get_clear_errors(client, make_page, url, status):
    make_page("Accueil", "Bienvenue")
    response = client.get(url)
    assert response.status_code == status, url
    assert soup(response).find("main").get_text(strip=True)
    assert not page_problems(response.text)


def test_errors_speak_english_too(client):
    response = client.get("/flux/historique/Page_absente.atom", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert 'The page "Page absente" does not exist.' in html.unescape(response.text)


# ------------------------------------------------------------- published only


def test_unpublished_revisions_and_deleted_pages_never_appear(app, client, make_page):
    make_page("Catégorie:Quartier", "Le quartier.")
    make_page("Place", "Texte public\n\n[[Catégorie:Quartier]]")
    add_revision(app, "Place", "SECRET-PENDING", status="pending", summary="RÉSUMÉ-PENDING")
    add_revision(app, "Place", "SECRET-REJECTED", status="rejected", summary="RÉSUMÉ-REJECTED")
    # a page whose only revision waits for review, even if it were filed in the category
    brouillon = add_revision(
        app, "Brouillon", "SECRET-NEW [[Catégorie:Quartier]]", status="pending", create=True
    )
    # a published revision later hidden, followed by a published one built on it
    make_page("Fontaine", "Texte d'origine")
    add_revision(
        app,
        "Fontaine",
        "SECRET-HIDDEN insulte",
        status="hidden",
        hidden_from="published",
        publish=True,
        summary="RÉSUMÉ-HIDDEN",
    )
    add_revision(app, "Fontaine", "Texte réparé", status="published", publish=True)
    # a deleted page
    make_page("Ancienne", "SECRET-DELETED\n\n[[Catégorie:Quartier]]")
    with app.app_context():
        session = get_session()
        page = session.scalars(select(Page).where(Page.name == "Brouillon")).one()
        assert page.latest_revision_id is None
        session.add(CategoryMembership(page_id=page.id, category="Quartier", sort_key="Brouillon"))
        old = rev.find_page(session, parse_title("Ancienne"))
        rev.delete_page(session, page=old, actor=find_user(session, "Alice"), reason="doublon")
        session.commit()
    assert brouillon
    urls = [
        RC,
        f"{RC}?namespace=main",
        "/flux/historique/Place.atom",
        "/flux/historique/Fontaine.atom",
        "/flux/contributions/Alice.atom",
        "/flux/categorie/Quartier.atom",
    ]
    for url in urls:
        feed = get_feed(client, url)
        assert_valid_atom(feed)
        text = contents(feed)
        for secret in ("SECRET", "RÉSUMÉ-", "Brouillon", "Ancienne"):
            assert secret not in text, (url, secret)
    # the repaired text is compared with the last published text, not the hidden one
    fontaine = entries(get_feed(client, "/flux/historique/Fontaine.atom"))
    assert len(fontaine) == 2
    newest = html.unescape(fontaine[0].findtext("a:content", namespaces=NS))
    assert "origine" in newest and "réparé" in newest
    assert entry_titles(get_feed(client, "/flux/categorie/Quartier.atom")) == ["Place"]
    for url in ("/flux/historique/Brouillon.atom", "/flux/historique/Ancienne.atom"):
        assert client.get(url).status_code == 404, url


def test_newcomer_edit_appears_only_once_approved(app, client, make_page):
    from wikicoop.community import review

    make_page("Lavoir", "Le vieux lavoir.")
    with app.app_context():
        session = get_session()
        newcomer = create_user(session, "Nouveau", PASSWORD)  # trust "auto": a newcomer
        result = writing.save(
            writing.context_for(app, session),
            writing.Edit(
                title=parse_title("Lavoir"),
                text="Le vieux lavoir, restauré en 2024.",
                base_revision_id=rev.find_page(session, parse_title("Lavoir")).latest_revision_id,
                author=rev.Author(user=newcomer),
                summary="restauration",
            ),
        )
        assert result.pending
        pending_id = result.revision.id
    for url in (RC, "/flux/historique/Lavoir.atom", "/flux/contributions/Nouveau.atom"):
        assert "restauré" not in contents(get_feed(client, url)), url
    with app.app_context():
        session = get_session()
        moderator = create_user(session, "Modo", PASSWORD, role="moderator")
        review.approve(
            writing.context_for(app, session),
            revision_id=pending_id,
            moderator=moderator,
        )
    for url in (RC, "/flux/historique/Lavoir.atom", "/flux/contributions/Nouveau.atom"):
        assert "restauré" in contents(get_feed(client, url)), url


# --------------------------------------------------------------------- escaping


@pytest.fixture(scope="module")
def payloads() -> list[str]:
    data = json.loads(shared_path("xss-vectors", "all-payloads.json").read_text("utf-8"))
    assert len(data) >= 1200
    return [item["payload"] for item in data]


def test_every_payload_stays_inert_in_entry_content(app, payloads):
    """Each payload as a changed line, an added line and a summary: inert, and kept as
    text (a reader shows it, nothing runs)."""
    with app.test_request_context("/"):
        for n, payload in enumerate(payloads):
            change = feeds.Change(
                revision_id=n + 2,
                title=parse_title("Piège"),
                author="<b>Alice</b>",
                registered=True,
                created_at=utcnow(),
                summary=payload[:500],
                minor=False,
                size=10,
                text=f"Avant\n{payload}\nAprès\n{payload} fin",
                previous_id=n + 1,
                previous_size=5,
                previous_text="Avant\nrien\nAprès\nrien fin",
            )
            content = feeds.change_html(change)
            assert not page_problems(content), (payload, content)
            assert "<script" not in content.lower()
            new_page = feeds.NewPage(
                page_id=1,
                title=parse_title("Piège"),
                created_at=utcnow(),
                first_published_at=utcnow(),
                author="x",
                registered=False,
                summary=payload[:500],
                excerpt=payload,
            )
            assert not page_problems(feeds.new_page_html(new_page)), payload


def test_payloads_in_text_summaries_and_titles_stay_escaped_in_feeds(
    app, client, make_page, payloads
):
    title = 'Tom & Jerry "l\'entrée" javascript:alert(1)'
    make_page(title, "Début\n\n[[Catégorie:Pièges]]")
    make_page(title, "Début\n\n" + "\n\n".join(payloads[:40]) + "\n\n[[Catégorie:Pièges]]")
    for payload in payloads[:60]:
        add_revision(
            app, title, f"texte {payload}", status="published", publish=True, summary=payload[:500]
        )
    add_revision(
        app,
        title,
        # controls XML cannot carry (PostgreSQL refuses NUL itself: see the unit test below)
        "<script>alert('texte')</script>\x0b\x1f\ufffe",
        status="published",
        publish=True,
        summary="<script>alert('résumé')</script>",
    )
    path = parse_title(title).url_path
    for url in (
        RC,
        f"/flux/historique/{path}.atom",
        "/flux/contributions/Alice.atom",
        "/flux/categorie/Pi%C3%A8ges.atom",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        feed = ET.fromstring(response.data)
        assert_valid_atom(feed)
        assert b"<script" not in response.data, url
        for entry in entries(feed):
            content = entry.findtext("a:content", default="", namespaces=NS)
            assert not page_problems(content), (url, content[:300])
            assert entry.find("a:title", NS).get("type") in {None, "text"}
    newest = entries(get_feed(client, RC))[0]
    assert newest.findtext("a:title", namespaces=NS) == parse_title(title).full
    assert "&lt;script&gt;alert(&#39;résumé&#39;)" in newest.findtext("a:content", namespaces=NS)


# --------------------------------------------------------------- <head> links


def test_head_links_on_home_page_user_page_and_category(app, client, make_page, auth):
    make_page("Accueil", "Bienvenue")
    home = head_feeds(client, "/")
    assert home["wikicoop : modifications récentes"] == "/flux/modifications-recentes.atom"
    assert home["Historique de « Accueil »"] == "/flux/historique/Accueil.atom"
    # the cached anonymous view carries them too
    assert head_feeds(client, "/wiki/Accueil") == home

    auth.make_user("Jean Dupont")
    make_page("Utilisateur:Jean Dupont", "Ma page", author="Jean Dupont")
    user_page = head_feeds(client, "/wiki/Utilisateur:Jean_Dupont")
    assert user_page["Contributions de Jean Dupont"] == "/flux/contributions/Jean_Dupont.atom"
    assert "Historique de « Utilisateur:Jean Dupont »" in user_page
    # a user's subpage, and a user page not written yet
    make_page("Utilisateur:Jean Dupont/Brouillon", "Notes", author="Jean Dupont")
    assert "Contributions de Jean Dupont" in head_feeds(
        client, "/wiki/Utilisateur:Jean_Dupont/Brouillon"
    )
    auth.make_user("Zoé")
    missing = head_feeds(client, "/wiki/Utilisateur:Zo%C3%A9")
    assert missing["Contributions de Zoé"] == "/flux/contributions/Zo%C3%A9.atom"
    assert not any(t.startswith("Historique") for t in missing)
    # a user page for no account announces no contributions
    make_page("Utilisateur:Fantôme", "Personne")
    ghost = head_feeds(client, quote_path("Utilisateur:Fantôme"))
    assert not any(t.startswith("Contributions") for t in ghost)

    make_page("Catégorie:Jardins", "Les jardins.")
    make_page("Potager", "[[Catégorie:Jardins]]")
    category = head_feeds(client, "/wiki/Cat%C3%A9gorie:Jardins")
    assert category["Nouvelles pages de la catégorie « Jardins »"] == "/flux/categorie/Jardins.atom"
    # a category without a page of its own but with members
    make_page("Balade", "[[Catégorie:Sentiers]]")
    assert "Nouvelles pages de la catégorie « Sentiers »" in head_feeds(
        client, "/wiki/Cat%C3%A9gorie:Sentiers"
    )
    # every announced feed answers
    for found in (home, user_page, missing, category):
        for href in found.values():
            assert client.get(href).status_code == 200, href


def test_head_links_on_pages_about_a_user(app, auth):
    """A page given a ``user`` (such as the contributions list) announces their feed."""
    from flask import render_template_string

    auth.make_user("Jean Dupont")
    with app.test_request_context("/contributions/Jean%20Dupont"):
        user = find_user(get_session(), "Jean Dupont")
        page = render_template_string('{% extends "base.html" %}', user=user)
    hrefs = [link["href"] for link in soup(page).head.find_all("link", rel="alternate")]
    assert hrefs == ["/flux/modifications-recentes.atom", "/flux/contributions/Jean_Dupont.atom"]


def quote_path(title: str) -> str:
    return "/wiki/" + parse_title(title).url_path


def test_head_links_not_for_missing_or_unpublished_pages(app, client, make_page):
    missing = head_feeds(client, "/wiki/Page_absente")
    assert list(missing) == ["wikicoop : modifications récentes"]
    add_revision(app, "En attente", "Pas encore", status="pending", create=True)
    assert list(head_feeds(client, "/wiki/En_attente")) == ["wikicoop : modifications récentes"]


def test_head_links_are_inert_and_translated(client, make_page):
    make_page("Accueil", "Bienvenue")
    response = client.get("/wiki/Accueil", headers={"Accept-Language": "en"})
    assert not page_problems(response.text)
    assert len(soup(response).head.find_all("link", rel="alternate")) == 2


# --------------------------------------------------------------- conditional GET


def test_conditional_get_answers_304_until_the_feed_changes(client, make_page):
    make_page("Accueil", "Bienvenue")
    first = client.get(RC)
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"]
    again = client.get(RC, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(RC, headers={"If-None-Match": '"autre"'}).status_code == 200
    make_page("Accueil", "Bienvenue à tous")
    changed = client.get(RC, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    history = client.get("/flux/historique/Accueil.atom")
    assert (
        client.get(
            "/flux/historique/Accueil.atom", headers={"If-None-Match": history.headers["ETag"]}
        ).status_code
        == 304
    )


# ---------------------------------------------------------------------- queries


def test_one_query_per_feed_whatever_the_number_of_entries(app, client, make_page):
    make_page("Catégorie:Lieux", "Les lieux.")
    for n in range(12):
        make_page(f"Lieu {n}", f"Texte {n}\n\n[[Catégorie:Lieux]]", author=f"Auteur {n}")
        make_page(f"Lieu {n}", f"Texte {n} modifié\n\n[[Catégorie:Lieux]]", author="Alice")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    expected = {
        RC: 1,
        "/flux/historique/Lieu_3.atom": 2,  # the page, its revisions
        "/flux/contributions/Alice.atom": 2,  # the user, their revisions
        "/flux/categorie/Lieux.atom": 1,
    }
    event.listen(engine_of(app), "before_cursor_execute", count)
    try:
        for url, most in expected.items():
            statements.clear()
            feed = get_feed(client, url)
            assert entries(feed)
            assert len(statements) <= most, (url, statements)
    finally:
        event.remove(engine_of(app), "before_cursor_execute", count)
    assert len(entries(get_feed(client, RC))) == 25


def test_long_texts_are_not_compared_in_the_feed(app, client, make_page):
    make_page("Longue", "court")
    add_revision(app, "Longue", "x" * (feeds.MAX_DIFF_BYTES + 1), status="published", publish=True)
    entry = entries(get_feed(client, "/flux/historique/Longue.atom"))[0]
    assert "trop long" in entry.findtext("a:content", namespaces=NS)


def test_characters_xml_cannot_carry_are_dropped():
    assert (
        feeds.xml_safe("a\x00b\x0bc\x1fd\ufffee\ud800f\tg\nh\U0001f600") == "abcdef\tg\nh\U0001f600"
    )


def test_new_page_excerpt_is_plain_text():
    assert feeds._excerpt("<h1>Titre</h1><p>Un <em>texte</em> &amp; la suite</p>", None) == (
        "Titre Un texte & la suite"
    )
    assert feeds._excerpt('<p>Début</p><a href="https://exemple.org/lo', None) == "Début"
    assert feeds._excerpt(None, "# Source\n\nbrute") == "# Source brute"
    long = feeds._excerpt(None, "mot " * 500)
    assert len(long) <= feeds.PAGE_EXCERPT_CHARS + 1 and long.endswith("mot…")


def test_diff_is_short(app):
    old = "\n".join(f"ligne {n}" for n in range(100))
    new = "\n".join(f"LIGNE {n}" for n in range(100))
    with app.test_request_context("/"):
        out = feeds.diff_html(old, new)
        assert out.count("<li>") == 2 * feeds.MAX_DIFF_ROWS
        assert "80 autres lignes modifiées" in out
        long_line = feeds.diff_html("a", "<b>" + "mot " * 2000)
        assert len(long_line) < 1000 and "&lt;b&gt;" in long_line
        assert feeds.diff_html("a\nb", "a\nb") == "<p>Le texte n&#39;a pas changé.</p>"
        assert "lignes vides" in feeds.diff_html("a\nb", "a\n\nb")


@pytest.mark.any_database
def test_the_characters_dropped_are_exactly_those_xml_1_0_cannot_carry() -> None:
    """XML 1.0's ``Char`` production, over every character (the pattern lists the few
    characters outside it, which compiles 100 times faster than its complement)."""
    allowed = ((0x9, 0x9), (0xA, 0xA), (0xD, 0xD), (0x20, 0xD7FF), (0xE000, 0xFFFD))
    for code in range(0x110000):
        in_xml = code >= 0x10000 or any(low <= code <= high for low, high in allowed)
        assert bool(feeds._NOT_XML.fullmatch(chr(code))) != in_xml, hex(code)
