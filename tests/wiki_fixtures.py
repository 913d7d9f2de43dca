"""Shared fixtures: a real app on a real database (SQLite file, or PostgreSQL when
WIKICOOP_DATABASE_URL is set), a client, an auth helper and page factories."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import fast_routes
import pytest
import shared_statements
from aiosmtpd.controller import Controller
from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, Inbox, bearer_for, csrf_from, edit_form, free_port, login, make_user
from sqlalchemy import Connection, Engine, create_engine, make_url, text

import wikicoop
from wikicoop import create_app
from wikicoop.community.accounts import create_user, find_user
from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.db import alembic_config, upgrade_schema
from wikicoop.core.models import Base, User
from wikicoop.search import backend_of, ensure_in_step
from wikicoop.search.whoosh_backend import WhooshBackend
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

# the helpers older test modules import from here (new code imports them from helpers)
__all__ = ["PASSWORD", "bearer_for", "csrf_from", "edit_form"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

fast_routes.install()  # each test's create_app compiles no URL builder twice
shared_statements.install()  # nor any SQL statement an earlier test of the process ran


PLUGINS_DIR = Path(__file__).resolve().parents[1] / "plugins"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip what this run does not cover, saying why: on PostgreSQL, the tests that do not
    depend on the database (packaging, page widths: the SQLite run has run them); with a
    bundled plugin turned off by ``WIKICOOP_DISABLED_PLUGINS``, that plugin's own tests."""
    on_postgres = bool(os.environ.get("WIKICOOP_DATABASE_URL"))
    disabled = set(json.loads(os.environ.get("WIKICOOP_DISABLED_PLUGINS") or "[]"))
    any_database = pytest.mark.skip(reason="does not depend on the database: run on SQLite")
    for item in items:
        if on_postgres and item.get_closest_marker("any_database"):
            item.add_marker(any_database)
        plugin = _bundled_plugin_of(item.path)
        if plugin in disabled:
            reason = f"the {plugin} plugin is disabled by WIKICOOP_DISABLED_PLUGINS"
            item.add_marker(pytest.mark.skip(reason=reason))


def _bundled_plugin_of(path: Path) -> str | None:
    """The plugin folder of ``plugins/`` a test file lives in, if any."""
    try:
        return path.resolve().relative_to(PLUGINS_DIR).parts[0]
    except ValueError:
        return None


def shared_path(*parts: str) -> Path:
    """A file of ../shared/testdata, or skip the test saying it is absent."""
    path = SHARED.joinpath("testdata", *parts)
    if not path.exists():
        pytest.skip(f"../shared/testdata is absent ({path} not found)")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """The PostgreSQL URL under test, in a schema of this test run, migrated once.

    A private schema keeps parallel runs on the same database from truncating each
    other's tables; it is dropped at the end.
    """
    url = os.environ.get("WIKICOOP_DATABASE_URL")
    if not url:
        yield None
        return
    schema = f"wikicoop_test_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    # commits not waiting for the disk (the suite's data dies with the run anyway)
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    scoped = make_url(url).update_query_dict({"options": options})
    scoped_url = scoped.render_as_string(hide_password=False)
    engine = create_engine(scoped_url)
    upgrade_schema(engine)
    engine.dispose()
    yield scoped_url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is enough)."""
    path = tmp_path_factory.mktemp("template") / "wiki.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    engine.dispose()
    return path


def _truncate_all(url: str) -> None:
    """Empty the core's tables, and drop the plugins' (with their recorded versions):
    a test that upgraded every branch (`wikicoop init`, `load-seed`) must not leave the
    next test of this schema with tables that change what a page view does.

    The tables hold a few rows: ``DELETE`` costs a tenth of ``TRUNCATE`` (which makes
    new files for every table), with the foreign keys unchecked meanwhile (replica
    role: the order of the deletes does not matter) and the sequences started again at
    1, as ``RESTART IDENTITY`` would. Without the rights for the replica role,
    ``TRUNCATE`` as before.
    """
    engine = _engine_for(url)
    core = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
        others = set(tables) - {*core, "alembic_version"}
        if others:
            conn.execute(text(f"DROP TABLE IF EXISTS {', '.join(sorted(others))} CASCADE"))
            conn.execute(
                text("DELETE FROM alembic_version WHERE NOT (version_num = ANY(:core))"),
                {"core": _core_revisions(engine)},
            )
        if not _superuser(conn):
            conn.execute(text(f"TRUNCATE {', '.join(core)} RESTART IDENTITY CASCADE"))
            return
        sequences = conn.execute(
            text(
                "SELECT sequence_name FROM information_schema.sequences"
                " WHERE sequence_schema = current_schema()"
            )
        ).scalars()
        statements = [
            "SET LOCAL session_replication_role = replica",
            *(f"DELETE FROM {table}" for table in core),
            *(f"ALTER SEQUENCE {sequence} RESTART" for sequence in sequences),
        ]
        # one round trip, not seventy (the driver's cursor: several statements, no
        # parameters)
        with conn.connection.dbapi_connection.cursor() as cursor:
            cursor.execute("; ".join(statements))


@cache
def _engine_for(url: str) -> Engine:
    """One engine per database URL for the emptying between tests (a connection each
    time would cost more than the emptying)."""
    return create_engine(url)


@cache
def _core_revisions(engine: Engine) -> list[str]:
    """The core's migration revisions (read once)."""
    return [
        script.revision
        for script in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()
    ]


def _superuser(conn: Connection) -> bool:
    return conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()


@pytest.fixture
def wiki_settings(tmp_path: Path, postgres_url: str | None, sqlite_template: Path) -> dict:
    """The settings of a test's wiki: an empty, migrated database of its own (a copy of
    the SQLite template, or the run's PostgreSQL schema emptied) and an instance folder."""
    if postgres_url:
        _truncate_all(postgres_url)
        database_url = postgres_url
    else:
        shutil.copyfile(sqlite_template, tmp_path / "wiki.db")
        database_url = f"sqlite:///{tmp_path / 'wiki.db'}"
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SEED_ON_FIRST_RUN": False,
        # a real scrypt, with a cost that keeps the suite fast
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        # PostgreSQL: no write mark for the apps made in the test processes. With it,
        # each app holds a connection of its own from its first write (its presence),
        # and three test processes with several apps alive each went past the server's
        # 100 connections. The mark is tested where it runs as deployed: the live
        # servers (tests/web/test_one_server_postgres.py, test_two_servers.py: the
        # default) and tests/unit/test_write_mark.py
        "CHANGE_CHECK_SECONDS": 0.0,
    }


@pytest.fixture
def closing_apps() -> Iterator[list[Flask]]:
    """A list the test appends the apps it makes to; each is closed at teardown."""
    made: list[Flask] = []
    yield made
    for application in reversed(made):
        # its index is thrown away with the test's folder: the last saves left unindexed
        wikicoop.close_app(application, index_queued=False)


@pytest.fixture
def make_app(wiki_settings: dict, closing_apps: list[Flask]) -> Callable[..., Flask]:
    """``make_app(**settings)``: a wiki on the test's database with other settings (the
    same database as ``app``'s when both are used); every app made is closed at teardown."""

    def _make(**settings: Any) -> Flask:
        application = create_app({**wiki_settings, **settings})
        closing_apps.append(application)
        return application

    return _make


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """A fresh wiki on an empty, migrated database."""
    application = make_app()
    empty_index = _empty_index_copied(application, tmp_path_factory)
    ensure_in_step(application)  # an empty search index, as `wikicoop init` makes it
    if empty_index is not None and not empty_index.exists():
        shutil.copytree(application.config["SEARCH_INDEX_DIR"], empty_index)
    return application


def _empty_index_copied(application: Flask, factory: pytest.TempPathFactory) -> Path | None:
    """Copy into ``application``'s index folder the empty Whoosh index an earlier test of
    this process built for the same schema, so that ``ensure_in_step`` only checks it
    (building one costs ~20 ms a test). Returns where that copy lives (None: PostgreSQL's
    search, nothing to copy); missing until the first build."""
    backend = backend_of(application)
    if not isinstance(backend, WhooshBackend):
        return None
    empty_index = factory.getbasetemp() / "empty-indexes" / backend.index_name
    if empty_index.exists():
        shutil.copytree(empty_index, backend.index_dir, dirs_exist_ok=True)
    return empty_index


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class Auth:
    """Log clients in and out through the real login form."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client

    def make_user(
        self, name: str = "Alice", role: str = "contributor", *, trust: str = "granted"
    ) -> User:
        """An account; trusted unless ``trust="auto"`` (a newcomer whose edits wait)."""
        return make_user(self.app, name, role, trust=trust)

    def login(
        self,
        name: str = "Alice",
        *,
        client: FlaskClient | None = None,
        role: str = "contributor",
        trust: str = "granted",
    ):
        """Log in as ``name``, creating the account first (trusted unless ``trust="auto"``)."""
        client = client or self.client
        with self.app.app_context():
            missing = find_user(get_session(), name) is None
        if missing:
            make_user(self.app, name, role, trust=trust)
        response = login(client, name)
        assert response.status_code == 302, response.text
        return response

    def logout(self, *, client: FlaskClient | None = None):
        client = client or self.client
        page = client.get("/compte/mot-de-passe")
        return client.post("/compte/deconnexion", data={"csrf_token": csrf_from(page.text)})


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> Auth:
    return Auth(app, client)


@pytest.fixture
def make_page(app: Flask):
    """Create or edit a page through the real write path; returns the new revision id
    (a pending one when ``author`` is an existing newcomer). Other keywords are fields of
    the edit: licence, summary, minor, page_type, fields."""

    def _make(title: str, text: str, *, author: str = "Alice", **edit: Any) -> int:
        with app.app_context():
            from wikicoop.community.accounts import find_user

            session = get_session()
            # a trusted account: these pages are published at once (moderation tests make
            # newcomers explicitly)
            user = find_user(session, author) or create_user(
                session, author, PASSWORD, trust="granted"
            )
            page = rev.find_page(session, parse_title(title))
            edit = writing.Edit(
                author=rev.Author(user=user),
                title=parse_title(title),
                text=text,
                base_revision_id=page.latest_revision_id if page else None,
                **edit,
            )
            result = writing.save(writing.context_for(app, session), edit)
            assert result.revision is not None
            return result.revision.id

    return _make


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free loopback port: (its inbox, the port)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()
