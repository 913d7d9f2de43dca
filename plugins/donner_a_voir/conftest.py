"""The wiki's own test fixtures (tests/conftest.py: a real app on SQLite or PostgreSQL,
its client…) for this plugin's tests, which run with the suite from the source tree."""

from __future__ import annotations

import sys
from pathlib import Path

from _pytest.fixtures import FixtureFunctionDefinition

TESTS = Path(__file__).resolve().parents[2] / "tests"

if not (TESTS / "conftest.py").is_file():  # an installed copy: the suite is not there
    collect_ignore = [p.name for p in Path(__file__).parent.glob("test_*.py")]
else:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import conftest as wiki

    # every fixture of the wiki's conftest, found by name in this folder too
    globals().update(
        (name, value)
        for name, value in vars(wiki).items()
        if isinstance(value, FixtureFunctionDefinition)
    )

    import pytest
    from flask import Flask
    from flask.testing import FlaskClient
    from helpers import Api, bearer_for

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
