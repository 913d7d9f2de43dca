"""The magazine's pages through the running wiki: the front page, sections, weekly
editions and the Atom feed; published articles only, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, soup

from wikicoop.community import review
from wikicoop.community.accounts import find_user
from wikicoop.core import writing
from wikicoop.web.db import get_session

ATOM = "{http://www.w3.org/2005/Atom}"


def ago(days: int) -> str:
    """The day ``days`` before today (after it when negative), ISO."""
    return (date.today() - timedelta(days=days)).isoformat()


def listed(client: FlaskClient, path: str) -> list[str]:
    """The titles of the articles listed by a magazine page."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    return [a.text for a in soup(response.text).select(".magazine-article h2 a")]


def test_the_front_page_lists_published_articles_newest_first(
    client: FlaskClient, write_article: Callable[..., object]
) -> None:
    write_article("Le vide-grenier", ago(10), chapo="Des trésors.")
    write_article("La chorale", ago(1), image="https://exemple.org/chorale.jpg")
    write_article("Le jardin", ago(5), section="Environnement")
    write_article("Le concert à venir", ago(-3))  # planned: shown from its day
    write_article("Le brouillon", ago(2), by="Alice")  # waiting for a moderator
    assert listed(client, "/magazine") == ["La chorale", "Le jardin", "Le vide-grenier"]
    page = soup(client.get("/magazine").text)
    first = page.select_one(".magazine-article")
    assert first.select_one("img")["src"] == "https://exemple.org/chorale.jpg"
    assert "Hélène Q." in first.select_one(".magazine-meta").text
    assert "Des trésors." in page.text
    feeds = [link["href"] for link in page.select('link[type="application/atom+xml"]')]
    assert "/magazine/atom.xml" in feeds
    menu = {a.text: a["href"] for a in page.select(".site-nav a")}
    assert menu["Magazine"] == "/magazine"
    english = soup(client.get("/magazine?lang=en").text)
    assert english.select_one("h1").text == "The neighbourhood magazine"


def test_a_section_lists_its_articles(
    client: FlaskClient, write_article: Callable[..., object]
) -> None:
    write_article("Le jardin", ago(5), section="Environnement")
    write_article("Le composteur", ago(3), section="Environnement")
    write_article("La chorale", ago(1))
    assert listed(client, "/magazine/rubrique/environnement") == ["Le composteur", "Le jardin"]
    assert listed(client, "/magazine/rubrique/numerique") == []
    links = soup(client.get("/magazine").text).select(".magazine-sections a")
    assert "/magazine/rubrique/numerique" in [a["href"] for a in links]
    missing = client.get("/magazine/rubrique/sport")
    assert missing.status_code == 404 and "Cette rubrique n'existe pas." in soup(missing).text
    english = client.get("/magazine/rubrique/sport?lang=en")
    assert english.status_code == 404 and "There is no such section." in soup(english).text


def test_an_edition_lists_the_articles_of_its_week(
    client: FlaskClient, write_article: Callable[..., object]
) -> None:
    write_article("Lundi", "2026-11-23")  # week 48: Monday 23 to Sunday 29 November
    write_article("Dimanche", "2026-11-29")
    write_article("Lundi suivant", "2026-11-30")
    write_article("Dimanche d'avant", "2026-11-22")
    assert listed(client, "/magazine/edition/2026-W48") == ["Lundi", "Dimanche"]
    page = soup(client.get("/magazine/edition/2026-W48").text)
    assert page.select_one('a[rel="prev"]')["href"] == "/magazine/edition/2026-W47"
    assert page.select_one('a[rel="next"]')["href"] == "/magazine/edition/2026-W49"
    assert listed(client, "/magazine/edition/2027-W01") == []
    for bad in ("2026-W54", "2026-W00", "2026-48", "semaine"):
        refused = client.get(f"/magazine/edition/{bad}")
        assert refused.status_code == 404 and "2026-W49" in refused.text, bad


def test_the_atom_feed(client: FlaskClient, write_article: Callable[..., object]) -> None:
    write_article("Le jardin", ago(5), section="Environnement", chapo="On paille.")
    write_article("La chorale", ago(1))
    write_article("Le brouillon", ago(2), by="Alice")
    response = client.get("/magazine/atom.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["La chorale", "Le jardin"]
    garden = entries[1]
    assert garden.findtext(f"{ATOM}summary") == "On paille."
    assert garden.findtext(f"{ATOM}author/{ATOM}name") == "Hélène Q."
    assert garden.find(f"{ATOM}category").get("term") == "environnement"
    assert garden.find(f"{ATOM}link").get("href") == "http://localhost/wiki/Le_jardin"
    assert garden.findtext(f"{ATOM}published").startswith(ago(5))
    etag = response.headers["ETag"]
    assert client.get("/magazine/atom.xml", headers={"If-None-Match": etag}).status_code == 304


def test_the_magazine_works_alone(make_app: Callable[..., Flask]) -> None:
    app = make_app(DISABLED_PLUGINS=["faire_avec", "etre_en_attention", "annonces"])
    client = app.test_client()
    assert client.get("/magazine").status_code == 200
    assert client.get("/magazine/atom.xml").status_code == 200
    assert client.get("/annonces").status_code == 404


def test_the_json_twin_of_the_pages(
    client: FlaskClient, write_article: Callable[..., object]
) -> None:
    write_article("Lundi", "2026-11-23", section="Numérique", image="https://exemple.org/a.jpg")
    write_article("Dimanche", "2026-11-29", chapo="Le chapô.")
    write_article("Plus tard", ago(1))
    write_article("Le brouillon", ago(2), by="Alice")
    api = Api(client)
    everything = api.get("/api/v1/magazine/articles")
    assert [a["title"] for a in everything["articles"]] == ["Plus tard", "Dimanche", "Lundi"]
    assert everything["total"] == 3
    monday = everything["articles"][2]
    assert monday == {
        "title": "Lundi",
        "url": "http://localhost/wiki/Lundi",
        "section": "Numérique",
        "section_slug": "numerique",
        "byline": "Hélène Q.",
        "published": "2026-11-23",
        "edition": "2026-W48",
        "standfirst": "",
        "image": "https://exemple.org/a.jpg",
    }
    week = api.get("/api/v1/magazine/articles?edition=2026-W48")["articles"]
    assert [a["title"] for a in week] == ["Lundi", "Dimanche"]  # as the edition page lists them
    digital = api.get("/api/v1/magazine/articles", query={"section": "numerique"})
    assert [a["title"] for a in digital["articles"]] == ["Lundi"]
    one = api.get("/api/v1/magazine/articles?limit=1")
    assert len(one["articles"]) == 1 and one["total"] == 3
    for query, field in [
        ({"section": "sport"}, "section"),
        ({"edition": "2026-W60"}, "edition"),
        ({"limit": "0"}, "limit"),
        ({"limit": "beaucoup"}, "limit"),
    ]:
        refused = api.get("/api/v1/magazine/articles", 400, query=query)
        assert refused["field"] == field and refused["error"], query
    english = api.get("/api/v1/magazine/articles", 400, query={"section": "x", "lang": "en"})
    assert english["error"] == "There is no such section."


def test_an_article_shows_once_a_moderator_approves_it(
    app: Flask, client: FlaskClient, write_article: Callable[..., object]
) -> None:
    pending = write_article("Le récit d'Alice", ago(1), by="Alice").get_json()
    assert listed(client, "/magazine") == []
    with app.app_context():
        session = get_session()
        moderator = find_user(session, "Modo")
        ctx = writing.context_for(app, session)
        review.approve(ctx, revision_id=pending["revision"]["id"], moderator=moderator)
    assert listed(client, "/magazine") == ["Le récit d'Alice"]
    assert listed(client, "/magazine/rubrique/culture") == ["Le récit d'Alice"]
