"""The network plugin's own fixtures (the wiki's, such as ``app``, ``client``,
``make_page`` and ``auth``, come from ``tests/wiki_fixtures.py``): its tables, and a
local feed server for the partner wikis (plain helpers in :mod:`.relier_testing`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.search import ensure_in_step

from .relier_testing import FICHE, VERSIONS, FeedServer, drop_relier_tables
from .tables import forget_installed


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A :class:`FeedServer` running on a free loopback port."""
    server = FeedServer()
    server.thread.start()
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def app(make_app) -> Flask:
    """The wiki's ``app`` fixture, with the tests' page type ``fiche``."""
    application = make_app(PAGE_TYPES=[FICHE])
    ensure_in_step(application)
    return application


@pytest.fixture
def relier(app: Flask) -> Iterator[Flask]:
    """``app`` with the plugin's tables (its Alembic branch upgraded, as ``wikicoop
    upgrade`` does). Dropped at teardown with its recorded version: a PostgreSQL schema
    is shared by the run's tests."""
    engine = engine_of(app)
    upgrade_schema(engine, [str(VERSIONS)])
    forget_installed(engine)  # an earlier look found none
    app.config["RELIER_FEED_BACKGROUND"] = False
    yield app
    from . import partners

    thread = partners.refresher()
    if thread is not None:
        thread.join(timeout=20)
    drop_relier_tables(engine)
