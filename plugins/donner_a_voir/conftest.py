"""The magazine's own test fixtures (the wiki's, such as ``app`` and ``client``, come from
``tests/wiki_fixtures.py``, loaded by the root ``conftest.py``): articles written through
the API, and the plugin's tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for
from sqlalchemy import Engine, text

from wikicoop.core.db import engine_of, upgrade_schema

from .subscriptions import metadata

VERSIONS = Path(__file__).parent / "versions"


@pytest.fixture
def write_article(app: Flask, client: FlaskClient):
    """``write_article(title, day, section="Culture", **fields)``: an article made
    through the API by a moderator (published at once), or by a trusted contributor
    with ``by="Alice"`` (then waiting for review); the API's answer."""
    moderator = bearer_for(app, "Modo", "moderator")

    def write(title: str, day: str, section: str = "Culture", by: str = "", **fields: str):
        headers = bearer_for(app, by) if by else moderator
        values = {"rubrique": section, "signature": "Hélène Q.", "date_publication": day}
        body = {
            "text": f"Le récit de « {title} ».",
            "base_revision": None,
            "type": "article",
            "fields": {**values, **fields},
        }
        return Api(client, headers).put(title, body, 202 if by else 201)

    return write


@pytest.fixture
def magazine(app: Flask) -> Iterator[Flask]:
    """``app`` with the plugin's tables (its Alembic branch upgraded, as ``wikicoop
    upgrade`` does): the test databases are migrated for the core only. Dropped at
    teardown, version row included: a PostgreSQL schema is shared by the run's tests,
    whose own migrations must not meet this branch."""
    engine = engine_of(app)
    upgrade_schema(engine, [str(VERSIONS)])
    yield app
    drop_magazine_tables(engine)


@pytest.fixture
def drop_tables() -> Callable[[Engine], None]:
    """``drop_tables(engine)``: what the ``magazine`` fixture does at teardown."""
    return drop_magazine_tables


def drop_magazine_tables(engine: Engine) -> None:
    """Drop the plugin's tables and forget its branch's recorded version."""
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.execute(
            text("DELETE FROM alembic_version WHERE version_num LIKE 'donner_a_voir_%'")
        )
