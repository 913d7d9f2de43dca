"""Workshops are on the site's clock (TIMEZONE) unless OUTILLER_TIMEZONE says otherwise."""

from __future__ import annotations

from .common import tz
from .workshop import wiki_zone


def test_the_site_clock_unless_told_otherwise() -> None:
    site = {"TIMEZONE": "America/Montreal", "OUTILLER_TIMEZONE": ""}
    assert str(wiki_zone(site)) == "America/Montreal"
    assert str(wiki_zone({**site, "OUTILLER_TIMEZONE": "UTC"})) == "UTC"


def test_the_running_wiki_follows_its_timezone_setting(make_app) -> None:
    app = make_app(TIMEZONE="Pacific/Noumea")
    with app.test_request_context():
        assert str(tz()) == "Pacific/Noumea"
