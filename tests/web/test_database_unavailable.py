"""When the database does not answer (PostgreSQL restarting, a SQLite file gone): a 503
in the reader's language with ``Retry-After``, one log line, never a 500 with a
traceback; and the wiki answers again as soon as the database does (bench/faults.py
restarts a real PostgreSQL under load: no acknowledged save lost)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from helpers import soup
from sqlalchemy.engine import make_url

from wikicoop.core.db import engine_of

#: the fault is made on the SQLite file: the SQLite pass runs it
pytestmark = pytest.mark.any_database


@contextmanager
def database_unreachable(app: Flask) -> Iterator[None]:
    """The database file replaced by a folder (no connection can open it), then back."""
    path = Path(make_url(app.config["DATABASE_URL"]).database)
    saved = path.with_suffix(".saved")
    engine_of(app).dispose()
    path.rename(saved)
    path.mkdir()
    try:
        yield
    finally:
        engine_of(app).dispose()
        shutil.rmtree(path)
        saved.rename(path)


@pytest.fixture
def database_gone(app: Flask, make_page) -> Iterator[None]:
    make_page("Lavoir", "Le lavoir du quartier.")
    with database_unreachable(app):
        yield


def test_a_page_view_says_to_try_again(app: Flask, database_gone, caplog) -> None:
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        response = client.get("/wiki/Lavoir", headers={"Accept-Language": "fr"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "ne joint pas sa base de données" in soup(response).get_text()
    logged = [r for r in caplog.records if "503 on GET /wiki/Lavoir" in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_api_answers_json_in_english(app: Flask, database_gone) -> None:
    response = app.test_client().get("/api/v1/pages/Lavoir", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "database" in response.json["error"]


def test_the_wiki_answers_again_when_the_database_does(app: Flask, make_page) -> None:
    make_page("Lavoir", "Le lavoir du quartier.")
    client = app.test_client()
    with database_unreachable(app):
        assert client.get("/wiki/Lavoir").status_code == 503
    response = client.get("/wiki/Lavoir")
    assert response.status_code == 200 and "Le lavoir du quartier" in response.text
