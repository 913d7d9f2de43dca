"""Finding the pages that include a source (on every save) stays on the small table of
inclusions in a 100,000-page wiki (SQLite with the statistics of such a wiki): never a
pass over all pages, which cost 85 ms per save."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for
from plan_support import plans, pretend_big, sqlite_only

from wikicoop.core.db import engine_of
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

from .reuse_transclusion_usage import direct_hosts


def test_the_hosts_of_a_source_are_found_without_reading_every_page(
    media: Flask, client: FlaskClient
):
    engine = engine_of(media)
    sqlite_only(engine, pytest.skip)
    api = Api(client, bearer_for(media, "Modo", "moderator"))
    api.create("Horaires", "Le samedi.")
    api.create("Jardin", "{{:Horaires}}")
    api.create("Heures", "#REDIRECTION [[Horaires]]")
    api.create("Verger", "{{:Heures}}")
    api.create("Sans rapport", "Rien.")
    pretend_big(engine)
    with media.app_context():
        with plans(engine) as lines:
            hosts = direct_hosts(get_session(), [parse_title("Horaires")])
        assert sorted(written for *_host, written in hosts) == ["Heures", "Horaires"]
    assert lines
    assert not [line for line in lines if line.startswith("SCAN pages")], lines
