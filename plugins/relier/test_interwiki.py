"""Interwiki: the default table renders [[wikipedia:Brest]] as an external link (not a
page link, not a wanted page); admins change the table through a CSRF form, and pages
follow at once; everyone reads it, as HTML and JSON."""

from __future__ import annotations

from helpers import csrf_from, post_form, soup


def test_default_prefixes_render_external_links(relier, client, make_page):
    make_page("Brest", "Voir [[wikipedia:Brest]] et [[Wikibrest:Bellevue|le wiki]].")
    links = soup(client.get("/wiki/Brest")).select(".page-content a.interwiki")
    assert [(a["href"], a.get_text()) for a in links] == [
        ("https://fr.wikipedia.org/wiki/Brest", "wikipedia:Brest"),
        ("https://www.wiki-brest.net/index.php/Bellevue", "le wiki"),
    ]
    # not a page link: no wanted page, nothing in "what links here"
    wanted = soup(client.get("/reseau/maintenance/demandees")).select("ol.relier-list li")
    assert wanted == []


def test_the_table_is_public_in_html_and_json(relier, client):
    table = client.get("/api/v1/interwiki").get_json()["interwiki"]
    assert {"prefix": "wikipedia", "url": "https://fr.wikipedia.org/wiki/$1"} in table
    assert {row["prefix"] for row in table} >= {"wikipedia-en", "wiktionnaire", "osm"}
    page = client.get("/interwiki")
    assert "https://fr.wikipedia.org/wiki/$1" in page.text
    assert soup(page).select_one("form input[name=prefix]") is None  # readers only read


def test_admins_change_the_table_and_links_follow(relier, app, client, auth, make_page):
    make_page("Brest", "Voir [[wikipedia:Brest]] et [[kerwiki:Port]].")
    visitor = app.test_client()  # anonymous views are cached whole: they must follow too
    before = soup(visitor.get("/wiki/Brest")).select(".page-content a.interwiki")
    assert len(before) == 1

    auth.login("Root", role="admin")
    added = post_form(
        client, "/interwiki", {"prefix": "KerWiki", "url": "https://ker.example/w/$1"}
    )
    assert added.status_code == 302
    changed = post_form(
        client, "/interwiki", {"prefix": "wikipedia", "url": "https://br.wikipedia.org/wiki/$1"}
    )
    assert changed.status_code == 302
    hrefs = [a["href"] for a in soup(client.get("/wiki/Brest")).select("a.interwiki")]
    assert hrefs == ["https://br.wikipedia.org/wiki/Brest", "https://ker.example/w/Port"]
    seen = [a["href"] for a in soup(visitor.get("/wiki/Brest")).select("a.interwiki")]
    assert seen == hrefs

    form = client.get("/interwiki").text
    removed = client.post(
        "/interwiki/retirer", data={"csrf_token": csrf_from(form), "key": "kerwiki"}
    )
    assert removed.status_code == 302
    hrefs = [a["href"] for a in soup(client.get("/wiki/Brest")).select("a.interwiki")]
    assert hrefs == ["https://br.wikipedia.org/wiki/Brest"]


def test_bad_prefixes_and_addresses_are_refused(relier, client, auth):
    auth.login("Root", role="admin")
    for prefix, url, needle in [
        ("wiki pédia", "https://x.example/$1", "lettres sans accent"),
        ("ok", "javascript:alert(1)//$1", "https://"),
        ("ok", "https://x.example/sans-dollar", "$1"),
        ("Portail", "https://x.example/$1", "nom d'un espace"),
    ]:
        response = post_form(client, "/interwiki", {"prefix": prefix, "url": url})
        assert response.status_code == 422
        assert needle in soup(response).select_one(".banner-error").get_text()
        assert soup(response).select_one("input[name=url]")["value"] == url  # kept
    prefixes = [r["prefix"] for r in client.get("/api/v1/interwiki").get_json()["interwiki"]]
    assert "ok" not in prefixes


def test_only_admins_change_the_table_and_csrf_is_required(relier, client, auth):
    auth.login("Alice")
    refused = post_form(client, "/interwiki", {"prefix": "x", "url": "https://x.example/$1"})
    assert refused.status_code == 403
    auth.logout()
    auth.login("Root", role="admin")
    no_token = client.post("/interwiki", data={"prefix": "x", "url": "https://x.example/$1"})
    assert no_token.status_code == 400
    prefixes = [r["prefix"] for r in client.get("/api/v1/interwiki").get_json()["interwiki"]]
    assert "x" not in prefixes
