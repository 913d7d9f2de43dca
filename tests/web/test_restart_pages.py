"""Visitors' pages kept on disk across a restart of ``wikicoop run`` (issue 14).

A clean stop settles SQLite's database (its WAL written into the file) and records the
file's state beside the page files. The next run with the same code and settings serves
the pages the last one kept, while the database is still in that state. A write made
while the wiki was stopped is seen at the first view. Real servers, SQLite: on
PostgreSQL the change stamp is already the same from one run to the next, and the page
files' generation is tested in test_front_cache.py.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from server_support import RunningWiki, get

pytestmark = pytest.mark.any_database  # SQLite's settling at the stop

PAGES = ("/wiki/Accueil", "/wiki/Aide:Listes_et_tableaux")
SERVED_AGAIN = "pages kept by the last run served again"


def page_files(wiki: RunningWiki) -> dict[str, tuple[int, int]]:
    """The kept pages' files: name -> (inode, modification time); a page made again
    is written to a new file (renamed over the old one)."""
    folder = Path(wiki.env["WIKICOOP_INSTANCE"]) / "cache" / "pages"
    return {
        path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in folder.glob("*.page")
    }


def view_until_quiet(wiki: RunningWiki) -> dict[str, tuple[int, int]]:
    """View the pages until a round of views makes no page again (the start's own
    writes are over); returns the files then."""
    for _ in range(50):
        before = page_files(wiki)
        for path in PAGES:
            assert get(wiki.port, path)[0] == 200
        if page_files(wiki) == before and before:
            return before
        time.sleep(0.1)
    raise AssertionError("the wiki kept writing while its pages were viewed")


def test_a_clean_restart_serves_the_pages_the_last_run_kept(wiki: RunningWiki) -> None:
    wiki.start()
    wiki.wait_ready()
    kept = view_until_quiet(wiki)
    wiki.stop()
    wiki.start()
    wiki.wait_ready()
    for path in PAGES:
        assert get(wiki.port, path)[0] == 200
    now = page_files(wiki)
    assert {name: now.get(name) for name in kept} == kept  # none of them made again
    assert SERVED_AGAIN in wiki.output()


def test_a_write_made_while_the_wiki_was_stopped_is_seen_at_once(wiki: RunningWiki) -> None:
    wiki.start()
    wiki.wait_ready()
    view_until_quiet(wiki)
    wiki.stop()
    database = Path(wiki.env["WIKICOOP_INSTANCE"]) / "wikicoop.db"
    with sqlite3.connect(database) as connection:  # as a script run alone would
        connection.execute(
            "UPDATE render_cache SET html = html || '<p>Ajouté pendant l’arrêt.</p>'"
            " WHERE revision_id = (SELECT latest_revision_id FROM pages"
            " WHERE name = 'Listes et tableaux')"
        )
    connection.close()
    log_before = len(wiki.output())
    wiki.start()
    wiki.wait_ready()
    status, body = get(wiki.port, PAGES[1])
    assert status == 200 and "Ajouté pendant l’arrêt." in body
    assert SERVED_AGAIN not in wiki.output()[log_before:]
