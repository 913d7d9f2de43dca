"""Visitors' pages kept on disk across a restart of ``wikicoop run`` (issue 14).

A clean stop settles SQLite's database (its WAL written into the file) and records the
file's state beside the page files. The next run with the same code and settings serves
the pages the last one kept, while the database is still in that state: first from the
thread of wikicoop.early_answers while the app is built, then from its workers. A write
made while the wiki was stopped is seen at the first view. Real servers, SQLite: on
PostgreSQL the change stamp is already the same from one run to the next, and the page
files' generation is tested in test_front_cache.py.
"""

from __future__ import annotations

import http.client
import re
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from server_support import START_WAIT, WIKICOOP, RunningWiki, catching_up, get

from wikicoop.page_files import read_stop_record, sqlite_state

pytestmark = pytest.mark.any_database  # SQLite's settling at the stop

PAGES = ("/wiki/Accueil", "/wiki/Aide:Listes_et_tableaux", "/wiki/Bac_%C3%A0_sable")
SERVED_AGAIN = "pages kept by the last run served again"


@pytest.fixture(autouse=True)
def cousins_never_stored(wiki: RunningWiki) -> None:
    """The « Pages cousines » a view computes are stored by the first view 30 s later
    (RELIER_COUSINS_STORE_SECONDS): on a loaded machine a run can last that long, and
    that commit then fell between the views that kept the pages and the stop (the
    pages kept were not those of the state recorded: the app answered; seen once in
    CI). Here they wait an hour: no view of these runs commits."""
    wiki.env["WIKICOOP_RELIER_COUSINS_STORE_SECONDS"] = "3600"


def page_files(wiki: RunningWiki) -> dict[str, tuple[int, int]]:
    """The kept pages' files: name -> (inode, modification time); a page made again
    is written to a new file (renamed over the old one)."""
    folder = Path(wiki.env["WIKICOOP_INSTANCE"]) / "cache" / "pages"
    return {
        path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in folder.glob("*.page")
    }


def view_until_quiet(wiki: RunningWiki) -> dict[str, tuple[int, int]]:
    """View the pages until the start's own work is over (the index's catch-up ended)
    and a round of views makes no page again; returns the files then."""
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        before = page_files(wiki)
        for path in PAGES:
            assert get(wiki.port, path)[0] == 200
        if page_files(wiki) == before and before and not catching_up(wiki):
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


def add_to_stored_rendering(wiki: RunningWiki, paragraph: str) -> None:
    """Commit, from another process (as a script run alone would), ``paragraph`` at the
    end of the stored rendering of « Listes et tableaux » (PAGES[1])."""
    database = Path(wiki.env["WIKICOOP_INSTANCE"]) / "wikicoop.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE render_cache SET html = html || ? WHERE revision_id ="
            " (SELECT latest_revision_id FROM pages WHERE name = 'Listes et tableaux')",
            (f"<p>{paragraph}</p>",),
        )
    connection.close()


def test_a_write_made_while_the_wiki_was_stopped_is_seen_at_once(wiki: RunningWiki) -> None:
    wiki.start()
    wiki.wait_ready()
    view_until_quiet(wiki)
    wiki.stop()
    add_to_stored_rendering(wiki, "Ajouté pendant l’arrêt.")
    log_before = len(wiki.output())
    wiki.start()
    wiki.wait_ready()
    status, body = get(wiki.port, PAGES[1])
    assert status == 200 and "Ajouté pendant l’arrêt." in body
    assert SERVED_AGAIN not in wiki.output()[log_before:]


def first_answer(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """The first answer to ``path`` of a server starting (polled until it listens)."""
    deadline = time.monotonic() + START_WAIT
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(
                "GET", path, headers={"Accept-Encoding": "identity", **(headers or {})}
            )
            answer = connection.getresponse()
            headers = {name.lower(): value for name, value in answer.getheaders()}
            return answer.status, headers, answer.read()
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
        finally:
            connection.close()


def test_a_restart_answers_kept_pages_before_its_app_is_built(wiki: RunningWiki) -> None:
    """Issue 14, point 4: the start answers the pages the last run kept while it builds
    its app (no gunicorn yet: no ``Server`` header, one answer a connection); a request
    they cannot answer waits for the app, which answers it."""
    wiki.start()
    wiki.wait_ready()
    view_until_quiet(wiki)
    before = {path: first_answer(wiki.port, path)[2] for path in PAGES[1:]}
    wiki.stop()
    wiki.start()
    for path in PAGES[1:]:  # (the second's address has an accented letter)
        status, headers, body = first_answer(wiki.port, path)
        assert status == 200 and body == before[path]
        early = "server" not in headers and headers["connection"] == "close"
        assert early, f"{headers}\n{wiki.output()[-4000:]}"  # the log says why not
    status, _, body = first_answer(wiki.port, "/recherche?q=tableaux")  # a query: the app
    assert status == 200 and b"Listes et tableaux" in body
    wiki.wait_ready()
    assert '"GET /recherche?q=tableaux HTTP/1.1" 200' in wiki.output()  # held, then answered
    assert get(wiki.port, PAGES[1]) == (200, before[PAGES[1]].decode())  # gunicorn's now


def recorded_while_quiet(wiki: RunningWiki) -> None:
    """Wait until the running wiki recorded the state its database is in now
    (wikicoop.server.RecordWhenQuiet, once nothing was committed for a second)."""
    instance = Path(wiki.env["WIKICOOP_INSTANCE"])
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        record = read_stop_record(instance / "cache" / "pages")
        if record and record["database_state"] == sqlite_state(str(instance / "wikicoop.db")):
            return
        time.sleep(0.2)
    raise AssertionError(f"no record of the quiet database:\n{wiki.output()[-3000:]}")


def test_a_start_after_a_crash_answers_the_pages_kept_while_the_wiki_was_quiet(
    wiki: RunningWiki,
) -> None:
    """Issue 14, point 4, after a crash: the running wiki recorded its quiet database,
    so the start after a ``kill -9`` answers the pages kept under it before its app is
    built, as a restart does."""
    wiki.start()
    wiki.wait_ready()
    view_until_quiet(wiki)
    recorded_while_quiet(wiki)
    before = {path: first_answer(wiki.port, path)[2] for path in PAGES[1:]}
    wiki.crash()
    wiki.start()
    for path in PAGES[1:]:
        status, headers, body = first_answer(wiki.port, path)
        assert status == 200 and body == before[path]
        early = "server" not in headers and headers["connection"] == "close"
        assert early, f"{headers}\n{wiki.output()[-4000:]}"
    wiki.wait_ready()
    assert "2 page views answered from the kept pages while starting" in wiki.output()


def test_a_write_after_the_quiet_record_is_seen_after_a_crash(wiki: RunningWiki) -> None:
    """A commit after the record (here by another process) changes the WAL it names:
    after a crash, the start answers nothing early, and the write is seen."""
    wiki.start()
    wiki.wait_ready()
    view_until_quiet(wiki)
    recorded_while_quiet(wiki)
    add_to_stored_rendering(wiki, "Ajouté avant la panne.")
    wiki.crash()  # before the wiki is quiet again
    log_before = len(wiki.output())
    wiki.start()
    status, headers, body = first_answer(wiki.port, PAGES[1])
    assert status == 200 and "Ajouté avant la panne." in body.decode()
    assert "server" in headers  # the app's answer
    wiki.wait_ready()
    assert "answered from the kept pages while starting" not in wiki.output()[log_before:]


def wikicoop(wiki: RunningWiki, *args: str) -> str:
    """Run a ``wikicoop`` command on the wiki's instance folder; its output."""
    done = subprocess.run(
        [str(WIKICOOP), *args], env=wiki.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_wikicoop_upgrade_makes_the_pages_of_the_next_start(wiki: RunningWiki) -> None:
    """Issue 14, point 4, after an upgrade: ``wikicoop upgrade`` makes again, with the
    new code and settings, the pages the last run kept, and records the database's
    state for the next start, which answers them before its app is built. (A setting
    changed stands for new code: both give the pages another generation.)"""
    wiki.start()
    wiki.wait_ready()
    view_until_quiet(wiki)
    assert "servi en ce moment" in wikicoop(wiki, "upgrade")  # its stop would undo them
    wiki.stop()
    wiki.env["WIKICOOP_SITE_NAME"] = "Wiki mis à jour"
    made = re.search(r"(\d+) pages prêtes pour le prochain démarrage", wikicoop(wiki, "upgrade"))
    assert made and int(made[1]) >= len(PAGES)  # and the warm-up's view, in French
    wiki.start()
    early = {}
    for path in PAGES[1:]:
        status, headers, early[path] = first_answer(wiki.port, path)
        assert status == 200 and "Wiki mis à jour" in early[path].decode()
        assert "server" not in headers and headers["connection"] == "close", headers
    for path, body in early.items():  # the very page the new version's app makes
        assert first_answer(wiki.port, path, {"Cookie": "essai=1"})[2] == body  # (not kept)
    wiki.wait_ready()
    assert "2 page views answered from the kept pages while starting" in wiki.output()


def test_wikicoop_upgrade_without_a_clean_stop_makes_no_page(wiki: RunningWiki) -> None:
    output = wikicoop(wiki, "upgrade")
    assert "Aucune page préparée pour le prochain démarrage" in output
    assert "aucun arrêt propre" in output
