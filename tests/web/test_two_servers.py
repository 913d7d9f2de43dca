"""Several app servers: two ``wikicoop run`` (gunicorn, real processes) with their own
instance folders on one PostgreSQL, one Redis and one secret key (issue 13, point 2).

Both start at the same moment on the emptied database, as after a first deployment
(without the setup lock, the second one's migrations broke on the first one's, most
runs). What one server does is seen at once on the other: a save in the page, the API,
recent changes, the Atom feed and search (PostgreSQL backend); a session opened on one
works on the other (and a logout on one ends it on both); the rate limits are counted
once, in Redis; the anonymous whole-page cache, kept in each worker's memory, never
serves a page older than the database.

Runs in the PostgreSQL pass only, and needs Redis (``WIKICOOP_TEST_REDIS_URL``,
default redis://127.0.0.1:6379/0): skipped, with the reason, without them (without
Redis it fails instead when ``WIKICOOP_REQUIRE_REDIS`` is set). The two
servers are started once for the module; every test works on pages and accounts of its
own, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import os
import random
import signal
import string
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from helpers import PASSWORD, REDIS_URL, redis_or_skip, soup
from server_support import Browser, RunningWiki
from wiki_fixtures import _truncate_all

ADMIN = "admin"
ATOM = {"a": "http://www.w3.org/2005/Atom"}
#: failed logins allowed per account (LOGIN_ACCOUNT_RATE_LIMIT), low for the test
ACCOUNT_TRIES = 4


@dataclass
class Pair:
    """Two servers of one wiki, a Browser per visitor made with ``browser()``."""

    a: RunningWiki
    b: RunningWiki
    prefix: str
    redis: object

    @property
    def ports(self) -> tuple[int, int]:
        return self.a.port, self.b.port

    def logs(self) -> str:
        """The end of both servers' logs, for a failure message."""
        return f"--- A ---\n{self.a.output()[-3000:]}\n--- B ---\n{self.b.output()[-3000:]}"


@pytest.fixture(scope="module")
def pair(postgres_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Servers A (two workers) and B (one worker: its page cache is in one process, so
    a page viewed twice there is certainly served from that cache the second time)."""
    if not postgres_url or not postgres_url.startswith("postgresql"):
        pytest.skip("several servers share a PostgreSQL database: set WIKICOOP_DATABASE_URL")
    redis = redis_or_skip("several servers share one Redis")
    _truncate_all(postgres_url)
    prefix = f"wikicoop-two-servers-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    root = tmp_path_factory.mktemp("two-servers")
    common = {k: v for k, v in os.environ.items() if not k.startswith("WIKICOOP_")}
    common.update(
        WIKICOOP_DATABASE_URL=postgres_url,
        WIKICOOP_SECRET_KEY=uuid.uuid4().hex,  # one key: one session on every server
        WIKICOOP_REDIS_URL=REDIS_URL,
        WIKICOOP_JOBS_QUEUE=prefix,  # also the rate limits' key prefix in Redis
        WIKICOOP_SEARCH_BACKEND="postgresql",
        WIKICOOP_PASSWORD_HASH_METHOD="scrypt:1024:8:1",
        WIKICOOP_ADMIN_PASSWORD=PASSWORD,
        WIKICOOP_LOGIN_RATE_LIMIT="1000 per hour",  # per address: every test is 127.0.0.1
        WIKICOOP_LOGIN_ACCOUNT_RATE_LIMIT=f"{ACCOUNT_TRIES} per hour",
    )
    servers = []
    for name in ("a", "b"):
        env = {**common, "WIKICOOP_INSTANCE": str(root / name / "instance")}
        servers.append(RunningWiki(env, root / f"{name}.log"))
    a, b = servers
    try:
        # both at once on the empty database, as after a first deployment: one sets it
        # up (schema, admin, seed pages) while the other waits (core/setup_lock.py)
        a.start(workers=2)
        b.start(workers=1)
        a.wait_ready()
        b.wait_ready()
        yield Pair(a, b, prefix, redis)
    finally:
        for server in servers:  # both stop at once (each waits for its workers)
            if server.process is not None and server.process.poll() is None:
                server.process.send_signal(signal.SIGINT)
        for server in servers:
            server.close()
        for key in redis.scan_iter(match=f"*{prefix}*"):  # our keys only, never a flush
            redis.delete(key)


def admin_browser(pair: Pair, port: int) -> Browser:
    """A browser logged in as the admin on the server on ``port``."""
    browser = Browser()
    answer = browser.login(port, ADMIN, PASSWORD)
    assert answer.status == 302, f"{answer!r}\n{pair.logs()}"
    return browser


def saved(pair: Pair, browser: Browser, port: int, title: str, text: str) -> None:
    """Save ``text`` in ``title`` through the edit form of the server on ``port``."""
    answer = browser.save(port, quote(title.replace(" ", "_")), text)
    assert answer.status == 302, f"{answer!r}\n{pair.logs()}"


def article_text(answer_text: str) -> str:
    """The article's text in a page view (the HTML of a whole page)."""
    article = soup(answer_text).select_one(".page-content")
    assert article is not None, answer_text[:2000]
    return article.get_text(" ", strip=True)


# --------------------------------------------------------------------- a save, seen on B


def test_a_save_on_one_server_is_seen_at_once_on_the_other(pair: Pair) -> None:
    a, b = pair.ports
    title, word = "Lavoir de Kerbonne", f"mot{uuid.uuid4().hex[:10]}"
    editor = admin_browser(pair, a)
    saved(pair, editor, a, title, f"Le lavoir est restauré : {word}.")
    visitor, path = Browser(), quote(title.replace(" ", "_"))

    view = visitor.get(b, f"/wiki/{path}")
    assert view.status == 200 and word in article_text(view.text), pair.logs()

    api = visitor.get(b, f"/api/v1/pages/{path}")
    assert api.status == 200, api
    assert word in api.json()["text"]

    changes = visitor.get(b, "/modifications-recentes")
    assert changes.status == 200 and title in changes.text

    api_changes = visitor.get(b, "/api/v1/recent-changes")
    assert title in [change["page"] for change in api_changes.json()["changes"]]

    feed = visitor.get(b, "/flux/modifications-recentes.atom")
    assert feed.status == 200
    titles = [e.findtext("a:title", namespaces=ATOM) for e in ET.fromstring(feed.text).iter()]
    assert any(title in (t or "") for t in titles), feed.text[:2000]


def test_a_save_on_one_server_is_found_by_the_search_of_the_other(pair: Pair) -> None:
    """SEARCH_BACKEND=postgresql: the search entries are written with the save, in the
    shared database (each server's Whoosh folder would follow its own saves only)."""
    a, b = pair.ports
    word = "lavandiere" + "".join(random.choices(string.ascii_lowercase, k=8))
    saved(pair, admin_browser(pair, a), a, "Lavandières", f"Les {word} du bourg.")
    found = Browser().get(b, f"/recherche?q={word}")
    assert found.status == 200
    results = soup(found.text).select_one("#contenu")
    assert results is not None and "Lavandières" in results.get_text(), found.text[:3000]


# ------------------------------------------------------------------ one session, two servers


def test_a_session_opened_on_one_server_works_on_the_other(pair: Pair) -> None:
    a, b = pair.ports
    browser = admin_browser(pair, a)
    account = browser.get(b, "/compte/mot-de-passe")
    assert account.status == 200, account  # not a redirection to the login form
    menu = soup(account.text).select_one("nav.user-menu")
    assert menu is not None and "Se déconnecter" in menu.get_text()
    assert ADMIN in menu.get_text().lower()

    # a save through B with the session opened on A
    word = f"ecluse{uuid.uuid4().hex[:8]}"
    saved(pair, browser, b, "Écluse du canal", f"L'écluse {word}.")
    assert word in article_text(Browser().get(a, "/wiki/%C3%89cluse_du_canal").text)

    # a logout on B ends the session everywhere (the account's session nonce)
    replayed = Browser()
    replayed.cookies = dict(browser.cookies)  # a copy of the cookies, kept by someone
    logout = browser.post_form(b, "/compte/deconnexion", {}, form_path="/compte/mot-de-passe")
    assert logout.status == 302, logout
    assert replayed.get(a, "/compte/mot-de-passe").status == 302  # to the login form


# ----------------------------------------------------------------- rate limits counted once


def test_a_rate_limit_is_counted_once_across_both_servers(pair: Pair) -> None:
    """Failed logins on one account, alternately on A and B: the limit (per account,
    LOGIN_ACCOUNT_RATE_LIMIT) is reached after ACCOUNT_TRIES in all, not per process."""
    name = f"essai{uuid.uuid4().hex[:6]}"
    browser = Browser()
    ports = pair.ports
    statuses = [browser.login(ports[i % 2], name, "mauvais").status for i in range(ACCOUNT_TRIES)]
    assert statuses == [401] * ACCOUNT_TRIES, pair.logs()
    for port in ports:
        refused = browser.login(port, name, "mauvais")
        assert refused.status == 429, refused
    keys = [key.decode() for key in pair.redis.scan_iter(match=f"*{pair.prefix}*")]
    assert any("login" in key for key in keys), keys  # counted in Redis, under our prefix


# ---------------------------------------------------------- the anonymous page cache on B


def test_the_anonymous_page_cache_never_serves_a_page_edited_on_the_other_server(
    pair: Pair,
) -> None:
    a, b = pair.ports
    editor, visitor = admin_browser(pair, a), Browser()
    title = f"Fontaine {uuid.uuid4().hex[:6]}"
    target = f"Source {uuid.uuid4().hex[:6]}"
    path = quote(title.replace(" ", "_"))
    saved(pair, editor, a, title, f"Première version, près de la [[{target}]].")

    def view() -> str:
        answer = visitor.get(b, f"/wiki/{path}")
        assert answer.status == 200, answer
        return answer.text

    first = view()
    assert view() == first  # the second view comes from B's cache
    assert "Première version" in article_text(first)
    assert "new" in link_classes(first, target)  # a red link: the page does not exist

    saved(pair, editor, a, title, f"Deuxième version, près de la [[{target}]].")
    assert "Deuxième version" in article_text(view()), "stale page from B's cache"

    saved(pair, editor, a, target, "La source.")  # the red link turns blue
    assert "new" not in link_classes(view(), target), "stale link colour from B's cache"

    # the home's lists: B's cached home shows the new page made on A
    home = visitor.get(b, "/wiki/Accueil").text
    assert visitor.get(b, "/wiki/Accueil").text == home
    newest = f"Moulin {uuid.uuid4().hex[:6]}"
    saved(pair, editor, a, newest, "Le moulin.")
    assert newest in visitor.get(b, "/wiki/Accueil").text, "stale home from B's cache"


def link_classes(html: str, target: str) -> list[str]:
    """The classes of the wiki link to ``target`` in a page view."""
    link = soup(html).select_one(f'#contenu a[href*="{quote(target.replace(" ", "_"))}"]')
    assert link is not None, html[:2000]
    return list(link.get("class") or [])
