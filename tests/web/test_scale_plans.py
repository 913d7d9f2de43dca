"""The lists of changes stay on their indexes in a 100,000-page wiki (SQLite with the
statistics of such a wiki): the newest revisions first, their pages looked up by primary
key, never a pass over all pages (a bloom filter on ``pages`` cost 60–100 ms)."""

from __future__ import annotations

import pytest
from plan_support import plans, pretend_big, sqlite_only

from wikicoop.community import changes as ch
from wikicoop.community import feeds
from wikicoop.core.db import engine_of
from wikicoop.web.db import get_session


def no_pass_over_pages(lines: list[str]) -> None:
    assert lines
    for line in lines:
        assert "BLOOM FILTER" not in line, lines
        assert not line.startswith("SCAN pages") and not line.startswith("SCAN listed"), lines


def test_lists_of_changes_read_pages_by_key(app, make_page):
    engine = engine_of(app)
    sqlite_only(engine, pytest.skip)
    make_page("Jardin", "Texte.")
    make_page("Aide:Jardin", "Aide.")
    pretend_big(engine)
    with app.app_context():
        session = get_session()
        with plans(engine) as lines:
            found = ch.list_changes(session, ch.ChangeFilter())
            in_help = ch.list_changes(session, ch.ChangeFilter(namespace="help"))
            everything = ch.list_changes(session, ch.ChangeFilter(include_deleted_pages=True))
        no_pass_over_pages(lines)
        assert {c.title.full for c in found.changes} == {"Jardin", "Aide:Jardin"}
        assert [c.title.full for c in in_help.changes] == ["Aide:Jardin"]
        assert len(everything.changes) == 2
        with plans(engine) as lines:
            recent = feeds.recent_changes(session)
            in_main = feeds.recent_changes(session, namespace="main")
        no_pass_over_pages(lines)
        assert {c.title.full for c in recent} == {"Jardin", "Aide:Jardin"}
        assert [c.title.full for c in in_main] == ["Jardin"]
