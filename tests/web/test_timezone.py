"""Dates and times on the site's clock (the TIMEZONE setting, Europe/Paris by default),
never in UTC: history, recent changes, a block's end (outiller's workshops: its own test)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from helpers import make_user, soup

from wikicoop.app import create_app
from wikicoop.community.accounts import find_user
from wikicoop.core.models import Block, Revision
from wikicoop.core.moderation import block_refusal
from wikicoop.web.db import get_session

# 11:05 UTC on a winter day: 12:05 in Paris (CET), 06:05 in Montreal (EST)
WINTER_NOON_UTC = datetime(2026, 1, 15, 11, 5, tzinfo=UTC)


def _date_revisions(app: Flask, when: datetime) -> None:
    with app.app_context():
        session = get_session()
        for revision in session.query(Revision):
            revision.created_at = when
        session.commit()


def _history_times(client) -> list[str]:
    page = soup(client.get("/wiki/Horaires?action=history"))
    return [row.get_text(" ", strip=True) for row in page.select("table.history tbody tr")]


def test_history_is_on_the_paris_clock_by_default(app: Flask, client, make_page):
    assert app.config["TIMEZONE"] == "Europe/Paris"
    make_page("Horaires", "Ouvert le mercredi.")
    _date_revisions(app, WINTER_NOON_UTC)
    rows = _history_times(client)
    assert any("12:05" in row for row in rows), rows
    assert not any("11:05" in row for row in rows), rows


def test_another_site_clock(make_app, make_page):
    app = make_app(TIMEZONE="America/Montreal")
    with app.app_context():
        make_user(app, "Alice")
    client = app.test_client()
    # make_page writes through the fixture's app: write here through this one instead
    from wikicoop.core import writing
    from wikicoop.core.revisions import Author
    from wikicoop.text.titles import parse_title

    with app.app_context():
        session = get_session()
        writing.save(
            writing.context_for(app, session),
            writing.Edit(
                author=Author(user=find_user(session, "Alice")),
                title=parse_title("Horaires"),
                text="Ouvert.",
                base_revision_id=None,
            ),
        )
    _date_revisions(app, WINTER_NOON_UTC)
    rows = _history_times(client)
    assert any("06:05" in row for row in rows), rows


def test_recent_changes_show_the_site_clock(app: Flask, client, make_page):
    make_page("Horaires", "Ouvert le mercredi.")
    _date_revisions(app, WINTER_NOON_UTC)
    times = [t.get_text() for t in soup(client.get("/modifications-recentes")).select("time")]
    assert "12:05" in times, times


def test_an_unknown_time_zone_is_refused_at_start(wiki_settings):
    with pytest.raises(ValueError, match=r"TIMEZONE.*Europe/Atlantide"):
        create_app({**wiki_settings, "TIMEZONE": "Europe/Atlantide"})


def test_a_blocks_end_is_told_on_the_site_clock():
    block = Block(user_id=1, reason="essai", expires_at=WINTER_NOON_UTC)
    refusal = block_refusal(block, "Europe/Paris")
    assert refusal.params["until"] == "15/01/2026 12:05 (CET)"
    assert "UTC" not in str(refusal.params)
