"""The one copy of what tests do again and again: read HTML, log in, save a page through
the form, call the JSON API, make accounts and tokens, search.

Fixtures live in ``wiki_fixtures.py``; plain functions live here so that a test module imports
them (``from helpers import soup, save``) instead of writing its own copy.
``tests/unit/test_helpers_used.py`` fails when a test module defines one of these names.
"""

from __future__ import annotations

import os
import random
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from wikicoop.cli import cli as wikicoop_cli
from wikicoop.community.accounts import create_user, find_user
from wikicoop.community.credentials import create_token
from wikicoop.core.db import make_engine
from wikicoop.core.models import Page, Revision, User
from wikicoop.core.revisions import find_page
from wikicoop.search import search_backend, wait_for_index
from wikicoop.search.backend import SearchQuery
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

#: the password of every account the tests make
PASSWORD = "correct horse battery"
LOGIN = "/compte/connexion"
JSON_TYPE = "application/json"
TOKEN_RE = re.compile(r"^wkc_[A-Za-z0-9_-]{20,}$")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_UNSET = object()


# ---------------------------------------------------------------------------- HTML


def soup(page: TestResponse | str) -> BeautifulSoup:
    """The parsed HTML of a response (or of a string)."""
    return BeautifulSoup(page if isinstance(page, str) else page.text, "html.parser")


def banner(response: TestResponse) -> str:
    """The sentence of a refusal: the page's error banner (fails when there is none), or
    the ``error`` of a JSON answer."""
    if response.mimetype == JSON_TYPE:
        return response.get_json()["error"]
    node = soup(response).select_one(".banner-error")
    assert node is not None, response.text[:800]
    return node.get_text(" ", strip=True)


def page_text(client: FlaskClient, path: str) -> str:
    """The rendered text of ``/wiki/<path>`` as a reader sees it ("" when none)."""
    content = soup(client.get(f"/wiki/{path}")).select_one(".page-content")
    return content.get_text() if content else ""


# ---------------------------------------------------------------------------- forms


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def session_csrf(client: FlaskClient) -> str:
    """A CSRF token of the logged-in ``client``'s session (for the X-CSRFToken header)."""
    return csrf_from(client.get("/compte/mot-de-passe").text)


def edit_form(client: FlaskClient, title_path: str) -> dict[str, str]:
    """GET the edit form of a page and return its hidden fields (csrf, base revision)."""
    html = client.get(f"/wiki/{title_path}?action=edit").text
    base = re.search(r'name="base_revision"[^>]*value="([^"]*)"', html)
    return {"csrf_token": csrf_from(html), "base_revision": base.group(1) if base else ""}


def post_form(
    client: FlaskClient,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    form_url: str | None = None,
    **kw: Any,
) -> TestResponse:
    """GET the form at ``form_url`` (``url`` by default) and post ``data`` to ``url`` with
    its CSRF token, as a browser does; ``kw`` go to both requests (headers, environ_base)."""
    form = client.get(form_url or url, **kw)
    return client.post(url, data={"csrf_token": csrf_from(form.text), **(data or {})}, **kw)


def save(client: FlaskClient, path: str, text: str, **extra: str) -> TestResponse:
    """Submit the edit form of ``/wiki/<path>`` the way a browser does."""
    fields = edit_form(client, path)
    data = {**fields, "text": text, "summary": "", "save": "Enregistrer", **extra}
    return client.post(f"/wiki/{path}?action=edit", data=data)


# ---------------------------------------------------------------------------- accounts


def make_user(
    app: Flask, name: str = "Alice", role: str = "contributor", *, trust: str = "granted"
) -> User:
    """An account with :data:`PASSWORD`; trusted unless ``trust="auto"`` (a newcomer)."""
    with app.app_context():
        return create_user(get_session(), name, PASSWORD, role=role, trust=trust)


def login(
    client: FlaskClient,
    name: str = "Alice",
    password: str = PASSWORD,
    *,
    next_url: str | None = None,
    remember: bool = False,
    environ: dict[str, str] | None = None,
) -> TestResponse:
    """Post the real login form (``environ``: e.g. the REMOTE_ADDR); the answer, unchecked."""
    data = {"username": name, "password": password, **({"remember": "y"} if remember else {})}
    url = LOGIN if next_url is None else f"{LOGIN}?{urlencode({'next': next_url})}"
    extra = {"environ_base": environ} if environ else {}
    return post_form(client, url, data, form_url=LOGIN, **extra)


def change_password(
    client: FlaskClient, current: str, new: str = "un nouveau mot de passe"
) -> TestResponse:
    """Post the password-change form of the logged-in ``client``."""
    data = {"current": current, "password": new, "confirm": new}
    return post_form(client, "/compte/mot-de-passe", data)


def bearer(token: str) -> dict[str, str]:
    """``token`` as an Authorization header."""
    return {"Authorization": f"Bearer {token}"}


def cli_token(runner: FlaskCliRunner, name: str, label: str = "") -> str:
    """A token printed by the real ``wikicoop token create NAME --label LABEL`` command."""
    result = runner.invoke(wikicoop_cli, ["token", "create", name, "--label", label])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert TOKEN_RE.match(token), result.output
    return token


def bearer_for(
    app: Flask, name: str, role: str = "contributor", *, trust: str = "granted"
) -> dict[str, str]:
    """An API token of account ``name`` (made with ``role`` and ``trust`` when missing),
    as an Authorization header."""
    with app.app_context():
        session = get_session()
        user = find_user(session, name) or create_user(
            session, name, PASSWORD, role=role, trust=trust
        )
        token, row = create_token(user, "tests")
        session.add(row)
        session.commit()
    return bearer(token)


def add_revision(
    app: Flask,
    title: str,
    text: str,
    *,
    status: str,
    author: str = "Alice",
    summary: str = "",
    reason: str = "",
    hidden_from: str | None = None,
    create: bool = False,
    publish: bool = False,
) -> int:
    """Write a revision row directly, past the write path: a pending, rejected or hidden
    one (hidden from its published state unless ``hidden_from``), or a published one
    moved in as the page's public revision when ``publish``; the page is made first when
    ``create``. Its id."""
    with app.app_context():
        session = get_session()
        user = find_user(session, author) or create_user(session, author, PASSWORD)
        parsed = parse_title(title)
        page = find_page(session, parsed)
        if page is None:
            assert create, f"no page {title}"
            page = Page(namespace=parsed.namespace, name=parsed.name, licence="CC-BY-SA-4.0")
            session.add(page)
            session.flush()
        if hidden_from is None and status == "hidden":
            hidden_from = "published"
        revision = Revision(
            page_id=page.id,
            parent_id=page.latest_revision_id,
            author_id=user.id,
            summary=summary,
            size=len(text.encode()),
            text=text,
            licence=page.licence,
            status=status,
            review_reason=reason,
            hidden_from=hidden_from,
        )
        session.add(revision)
        session.flush()
        if publish:
            page.latest_revision_id = revision.id
        session.commit()
        return revision.id


# ---------------------------------------------------------------------------- the API


def page_path(title: str, suffix: str = "") -> str:
    """The API path of a page, percent-encoded the way a careful program would."""
    return "/api/v1/pages/" + quote(title, safe=":/") + suffix


def call_api(
    client: FlaskClient,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> TestResponse:
    """One JSON request (``body``, if any, sent as JSON); fails on a 5xx or an answer that
    is not JSON."""
    response = client.open(path, method=method, headers=headers or {}, json=body)
    assert response.status_code < 500, response.text
    assert response.mimetype == JSON_TYPE, response.text[:300]
    return response


class Api:
    """A test client speaking to the API, asserting that every answer is JSON (and that a
    refusal says why)."""

    def __init__(self, client: FlaskClient, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = dict(headers or {})

    def call(
        self,
        method: str,
        path: str,
        status: int | None = None,
        *,
        json_body: Any = _UNSET,
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = JSON_TYPE,
        query: dict[str, Any] | None = None,
    ) -> TestResponse:
        """One request; ``status``, when given, is the status expected."""
        kwargs: dict[str, Any] = {"headers": {**self.headers, **(headers or {})}}
        if json_body is not _UNSET:
            kwargs["json"] = json_body
        elif data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = content_type
        if query is not None:
            kwargs["query_string"] = query
        response = self.client.open(path, method=method, **kwargs)
        assert response.status_code < 500, response.text
        assert response.mimetype == JSON_TYPE, (response.status_code, response.text[:300])
        body = response.get_json()
        assert body is not None
        if status is not None:
            assert response.status_code == status, body
        if response.status_code >= 400:
            assert isinstance(body.get("error"), str) and body["error"].strip(), body
        return response

    def get(self, path: str, status: int | None = 200, **kw: Any) -> Any:
        """GET ``path``; the JSON body."""
        return self.call("GET", path, status, **kw).get_json()

    def put(self, title: str, body: Any, status: int | None = None, **kw: Any) -> TestResponse:
        """PUT a page's JSON body."""
        return self.call("PUT", page_path(title), status, json_body=body, **kw)

    def put_raw(
        self, title: str, data: str | bytes, status: int | None = None, **kw: Any
    ) -> TestResponse:
        """PUT a page with a raw body (malformed JSON, other content types)."""
        return self.call("PUT", page_path(title), status, data=data, **kw)

    def restore(self, title: str, body: Any, status: int | None = None, **kw: Any) -> TestResponse:
        """POST a restore of a page."""
        return self.call("POST", page_path(title, "/restore"), status, json_body=body, **kw)

    def page(self, title: str, status: int = 200, **kw: Any) -> Any:
        """GET a page; the JSON body."""
        return self.get(page_path(title), status, **kw)

    def history(self, title: str, status: int = 200, **kw: Any) -> Any:
        """GET a page's history; the JSON body."""
        return self.get(page_path(title, "/history"), status, **kw)

    def create(self, title: str, text: str, **fields: Any) -> dict[str, Any]:
        """Create a page (201); its new revision."""
        body = self.put(title, {"text": text, "base_revision": None, **fields}, 201).get_json()
        assert body["created"] is True
        return body["revision"]

    def edit(self, title: str, text: str, base: int | None = None, **fields: Any) -> Any:
        """Edit a page (on its latest revision unless ``base``); the JSON body."""
        if base is None:
            base = self.page(title)["revision"]["id"]
        return self.put(title, {"text": text, "base_revision": base, **fields}).get_json()


# ---------------------------------------------------------------------------- search


def found(app: Flask, words: str, *, wait: bool = True, **filters: str) -> list[str]:
    """Titles found for ``words`` (after the queued index updates, unless ``wait=False``;
    web saves answer before their pages are indexed)."""
    if wait:
        assert wait_for_index(app)
    with app.app_context():
        result = search_backend().search(SearchQuery(text=words, filters=filters))
        return [hit.title for hit in result.hits]


def front_cache_of(app: Flask):
    """The app's front cache (the WSGI layer in front of Flask)."""
    from wikicoop.web.front_cache import FrontCache

    layer = app.wsgi_app
    while not isinstance(layer, FrontCache):
        layer = layer.app  # type: ignore[attr-defined]
    return layer


# ---------------------------------------------------------------------------- races


def render_stored_meanwhile(
    app: Flask, revision_id: int, monkeypatch: pytest.MonkeyPatch
) -> list[datetime]:
    """Stage a race: the next rendering made in this process first lets another session
    (another worker, the search indexer's thread) render ``revision_id`` and commit it.
    Returns the list that receives that rendering's ``rendered_at``."""
    from wikicoop.core import render_cache
    from wikicoop.core.db import engine_of

    real_render_text = render_cache.render_text
    staged: list[bool] = []
    theirs: list[datetime] = []

    def other_worker_first(session: Session, renderer: Any, text_: str) -> Any:
        if not staged:
            staged.append(True)
            with app.app_context(), Session(engine_of(app)) as other:
                revision = other.get(Revision, revision_id)
                theirs.append(render_cache.cached_render(other, renderer, revision).rendered_at)
        return real_render_text(session, renderer, text_)

    monkeypatch.setattr(render_cache, "render_text", other_worker_first)
    return theirs


# ---------------------------------------------------------------------------- Redis

#: the machine's Redis for the tests that need one (jobs, shared rate limits, servers)
REDIS_URL = os.environ.get("WIKICOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_or_skip(needed_for: str) -> Any:
    """A client of the test Redis, or skip the test saying why (fail instead when
    ``WIKICOOP_REQUIRE_REDIS`` is set, as in CI: there a missing Redis is a fault)."""
    give_up = pytest.fail if os.environ.get("WIKICOOP_REQUIRE_REDIS") else pytest.skip
    try:
        import redis
    except ImportError:
        give_up(f"the redis package is not installed (pip install -e '.[redis]'): {needed_for}")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        give_up(f"Redis does not answer at {REDIS_URL} ({error}): {needed_for}")
    return client


# ------------------------------------------------------------------ e-mail and ports


class Inbox:
    """An aiosmtpd handler keeping what it receives (or refusing every recipient)."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.envelopes: list[Any] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if self.refuse:
            return "550 5.7.1 No mail for you"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def _ephemeral_ports() -> range:
    """The ports the OS gives connections as their own end (Linux's setting, else
    its default)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def free_port() -> int:
    """A loopback port nobody uses, below the OS's ephemeral range.

    Not one the OS picks (``bind(0)``) for a server restarted on the same port: while
    it is stopped, any test's outgoing connection may take that port as its own end,
    and the restart cannot bind it then (the early answers of test_restart_pages.py
    fell back to gunicorn's retries once in CI). Ports below the range are never given
    to connections."""
    ephemeral = _ephemeral_ports()
    ports = range(20000, ephemeral.start) if ephemeral.start > 21000 else ephemeral
    for _ in range(200):
        port = random.choice(ports)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # taken: another one
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


def use_smtp(app: Flask, port: int, **settings: Any) -> None:
    """Send ``app``'s e-mail to the local SMTP server on ``port``."""
    app.config.update(
        {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "MAIL_FROM": "wiki@example.org", **settings}
    )


# ---------------------------------------------------------------------- migrations


@contextmanager
def scratch_database(kind: str, tmp_path: Path, name: str) -> Iterator[Engine]:
    """An empty database for a migration test: a SQLite file, or (``kind="postgresql"``)
    a schema of its own in WIKICOOP_DATABASE_URL's database, dropped afterwards; the
    PostgreSQL case is skipped without that setting."""
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url = os.environ.get("WIKICOOP_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL: set WIKICOOP_DATABASE_URL to run this case")
    schema = f"wikicoop_{name}_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
