"""The media library's own test fixtures (the wiki's, such as ``app``, ``client`` and
``auth``, come from ``tests/wiki_fixtures.py``): the plugin's tables and an upload
helper. Plain helpers are in ``media_testing.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.search import wait_for_index

from .media_testing import VERSIONS, drop_plugin_tables, multipart


@pytest.fixture
def media(app: Flask) -> Iterator[Flask]:
    """``app`` with the plugin's tables (its Alembic folder upgraded, as ``wikicoop
    upgrade`` does: the test databases are migrated for the core only). Dropped at
    teardown with their recorded versions: a PostgreSQL schema is shared by the run."""
    engine = engine_of(app)
    upgrade_schema(engine, [str(VERSIONS)])
    yield app
    # the indexing thread and pooled connections may still hold locks on the pages (a
    # DROP of a table pointing to them waits for those: a deadlock on PostgreSQL)
    wait_for_index(app)
    engine.dispose()
    drop_plugin_tables(engine)


@pytest.fixture
def send_file(media: Flask, client: FlaskClient) -> Callable[..., Any]:
    """``send_file(data, filename, headers=None, **form)``: POST /api/v1/files as
    multipart; the answer."""

    def send(data: bytes, filename: str, headers: dict | None = None, **form: str) -> Any:
        body, content_type = multipart(data, filename, **form)
        return client.post(
            "/api/v1/files", data=body, headers=headers or {}, content_type=content_type
        )

    return send
