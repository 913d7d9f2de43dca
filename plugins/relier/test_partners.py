"""Partner wikis: admins list them; their feeds are fetched by the command or by a
background thread, never by a page view; a local feed server serves a valid Atom feed,
an RSS feed, an invalid one, a billion-laughs document, an error and one that never
answers, and a page view stays fast while a partner hangs."""

from __future__ import annotations

import time

from helpers import post_form, soup

from wikicoop.core.models import utcnow

from . import feeds, partners
from .relier_testing import LAUGHS, wait_for


def add_partners(client, auth, server, *paths: str) -> None:
    auth.login("Root", role="admin")
    for path in paths:
        answer = post_form(
            client,
            "/reseau/wikis-partenaires",
            {"name": f"Wiki {path}", "site_url": server.url("/"), "feed_url": server.url(path)},
        )
        assert answer.status_code == 302, answer.text
    auth.logout()


def sections(client) -> dict[str, object]:
    page = soup(client.get("/reseau/wikis-partenaires"))
    return {s["data-partner"]: s for s in page.select(".relier-partner")}


def test_fetch_command_reads_valid_feeds_and_records_failures(
    relier, app, client, auth, runner, feed_server
):
    app.config["RELIER_FEED_TIMEOUT"] = 1.0
    add_partners(client, auth, feed_server, "/atom", "/rss", "/invalid", "/laughs", "/500", "/hang")
    shown = sections(client)
    assert "revenez dans un instant" in shown["Wiki /atom"].get_text()  # not fetched yet

    started = time.monotonic()
    result = runner.invoke(args=["relier", "fetch-partners"])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 6  # the hanging partner costs its time-out only
    lines = set(result.output.strip().splitlines())
    assert lines == {
        "Wiki /atom: ok",
        "Wiki /rss: ok",
        "Wiki /invalid: invalid",
        "Wiki /laughs: unsafe",
        "Wiki /500: http",
        "Wiki /hang: timeout",
    }
    shown = sections(client)
    atom = shown["Wiki /atom"]
    links = [(a.get_text(), a.get("href")) for a in atom.select(".relier-entries li a")]
    assert links == [("Jardin partagé de Kerinou", "https://voisin.example/wiki/Jardin")]
    assert "Repair café <du samedi>" in atom.get_text()  # escaped, its javascript: link dropped
    assert "<du samedi>" not in client.get("/reseau/wikis-partenaires").text
    assert "Fete du quartier" in shown["Wiki /rss"].get_text()
    for name in ("Wiki /invalid", "Wiki /laughs", "Wiki /500", "Wiki /hang"):
        assert "wiki ne répond pas" in shown[name].get_text()


def test_a_failing_partner_keeps_its_last_good_entries(relier, app, client, auth, feed_server):
    add_partners(client, auth, feed_server, "/atom")
    maker = lambda: app.extensions["wikicoop.sessionmaker"]()  # noqa: E731
    assert partners.refresh(maker, 2.0) == {"Wiki /atom": "ok"}
    feed_server.httpd.shutdown()  # the partner goes down
    feed_server.httpd.server_close()
    assert partners.refresh(maker, 1.0) == {"Wiki /atom": "unreachable"}
    section = sections(client)["Wiki /atom"]
    assert "Jardin partagé de Kerinou" in section.get_text()
    notice = section.select_one(".relier-partner-down").get_text()
    assert notice.startswith("Dernière mise à jour il y a") and "ne répond pas" in notice


def test_a_page_view_never_waits_for_a_hanging_partner(relier, app, client, auth, feed_server):
    add_partners(client, auth, feed_server, "/hang", "/atom")
    app.config.update(RELIER_FEED_BACKGROUND=True, RELIER_FEED_TIMEOUT=2.0)
    started = time.monotonic()
    first = client.get("/reseau/wikis-partenaires")
    elapsed = time.monotonic() - started
    assert first.status_code == 200
    assert elapsed < 1.0, elapsed  # the view read the cache; the thread does the waiting
    thread = partners.refresher()
    assert thread is not None and thread.daemon
    # a second view while the first refresh runs starts no other thread
    assert client.get("/reseau/wikis-partenaires").status_code == 200
    assert partners.refresher() is thread
    wait_for(lambda: not thread.is_alive(), 15)
    shown = sections(client)
    assert "ne répond pas" in shown["Wiki /hang"].get_text()
    assert "Jardin partagé de Kerinou" in shown["Wiki /atom"].get_text()


def test_feed_parsing_refuses_entities_and_oversized_documents():
    for data in (LAUGHS, b'<?xml version="1.0"?><!ENTITY x SYSTEM "file:///etc/passwd">'):
        try:
            feeds.parse(data)
        except feeds.FeedError as err:
            assert err.code == "unsafe"
        else:
            raise AssertionError("an entity declaration was parsed")
    try:
        feeds.parse(b"<html><body>pas un flux</body></html>")
    except feeds.FeedError as err:
        assert err.code == "invalid"
    try:
        feeds.download("file:///etc/passwd", 1.0)
    except feeds.FeedError as err:
        assert err.code == "unreachable"


def test_a_redirect_out_of_http_is_not_followed(feed_server):
    try:
        feeds.download(feed_server.url("/to-ftp"), 2.0)
    except feeds.FeedError as err:
        assert err.code == "unreachable" and "redirected" in err.detail  # not an ftp attempt
    else:
        raise AssertionError("followed a redirect to ftp")


def test_oversized_feed_is_refused(feed_server, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_BYTES", 100)
    try:
        feeds.download(feed_server.url("/atom"), 2.0)
    except feeds.FeedError as err:
        assert err.code == "too-big"
    else:
        raise AssertionError("the size cap did not apply")


def test_partner_form_checks_and_admin_only(relier, client, auth, feed_server):
    auth.login("Alice")
    refused = post_form(
        client,
        "/reseau/wikis-partenaires",
        {"name": "X", "site_url": "https://x.example", "feed_url": "https://x"},
    )
    assert refused.status_code == 403
    auth.logout()
    auth.login("Root", role="admin")
    bad = post_form(
        client,
        "/reseau/wikis-partenaires",
        {"name": "X", "site_url": "ftp://x.example", "feed_url": "https://x"},
    )
    assert bad.status_code == 422
    assert "http://" in soup(bad).select_one(".banner-error").get_text()
    ok = {
        "name": "Wiki-Brest",
        "site_url": "https://www.wiki-brest.net",
        "feed_url": feed_server.url("/atom"),
    }
    assert post_form(client, "/reseau/wikis-partenaires", ok).status_code == 302
    again = post_form(client, "/reseau/wikis-partenaires", {**ok, "name": "wiki-brest"})
    assert again.status_code == 422
    section = sections(client)["Wiki-Brest"]
    form = section.select_one("form")
    removed = client.post(
        "/reseau/wikis-partenaires/retirer",
        data={
            "csrf_token": form.select_one("input[name=csrf_token]")["value"],
            "key": form.select_one("input[name=key]")["value"],
        },
    )
    assert removed.status_code == 302
    assert sections(client) == {}
    assert utcnow()  # the module's clock is the core's
