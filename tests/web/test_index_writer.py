"""The index writer process of ``wikicoop run`` (issue 14, point 3: the index's work out
of the save's path): the workers' saves are indexed by it, the workers take over when
it dies, and a clean stop (Ctrl+C) waits for what it still holds.

Real servers (gunicorn, two workers, SQLite: the writer does not depend on the
database), real signals. The writer is found by its process name.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_support import START_WAIT, Browser, RunningWiki, catching_up, get, group_processes

from wikicoop.index_writer import PROCESS_NAME

pytestmark = pytest.mark.any_database

ADMIN, PASSWORD = "admin", "correct horse battery"  # server_env's admin
#: how long a save stays unfound while the writer is paused: the gathering (0.5 s)
#: and a write many times over; a worker writing it would have been seen
PAUSED_SECONDS = 2.0


def writer_pid(wiki: RunningWiki) -> int:
    """The pid of this server's index writer (a child of its master)."""
    assert wiki.process is not None
    found = [pid for pid, name, _ in group_processes(wiki) if name == PROCESS_NAME]
    assert len(found) == 1, (group_processes(wiki), wiki.output()[-3000:])
    stat = Path(f"/proc/{found[0]}/stat").read_text()
    assert int(stat.rsplit(")", 1)[1].split()[1]) == wiki.process.pid  # the master's child
    return found[0]


def finds_now(wiki: RunningWiki, word: str) -> bool:
    """Whether the wiki's search API finds ``word`` now."""
    status, body = get(wiki.port, f"/api/v1/search?q={word}")
    assert status == 200, body
    return json.loads(body)["total"] > 0


def finds_within(wiki: RunningWiki, word: str, seconds: float) -> bool:
    """Whether the search finds ``word`` within ``seconds`` (bounded polling)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if finds_now(wiki, word):
            return True
        time.sleep(0.2)
    return finds_now(wiki, word)


@pytest.fixture
def serving(wiki: RunningWiki) -> Iterator[tuple[RunningWiki, Browser]]:
    """A started wiki whose start-up indexing is over, and its admin's browser."""
    wiki.start()
    wiki.wait_ready()
    deadline = time.monotonic() + START_WAIT
    while catching_up(wiki) and time.monotonic() < deadline:  # it indexes pages too
        time.sleep(0.1)
    browser = Browser()
    assert browser.login(wiki.port, ADMIN, PASSWORD).status == 302, wiki.output()[-3000:]
    yield wiki, browser
    pid = next((p for p, name, _ in group_processes(wiki) if name == PROCESS_NAME), None)
    if pid is not None:  # never leave it paused: the stop waits for it
        os.kill(pid, signal.SIGCONT)


def form_edit(wiki: RunningWiki, browser: Browser, title: str, text: str) -> None:
    answer = browser.save(wiki.port, title, text)
    assert answer.status == 302, f"{answer!r}\n{wiki.output()[-3000:]}"


def test_the_workers_saves_are_indexed_by_the_writer(
    serving: tuple[RunningWiki, Browser],
) -> None:
    """While the writer is paused (SIGSTOP) a save is not found, however long one
    waits: no worker indexed it; once it goes on, the search finds the save."""
    wiki, browser = serving
    writer = writer_pid(wiki)
    assert f"search index writer started (pid {writer})" in wiki.output()
    os.kill(writer, signal.SIGSTOP)
    try:
        form_edit(wiki, browser, "Atelier_quenouille", "Le mot rare zanzibarite, écrit un mardi.")
        assert not finds_within(wiki, "zanzibarite", PAUSED_SECONDS)
    finally:
        os.kill(writer, signal.SIGCONT)
    assert finds_within(wiki, "zanzibarite", START_WAIT), wiki.output()[-3000:]


def test_the_workers_index_again_once_the_writer_is_dead(
    serving: tuple[RunningWiki, Browser],
) -> None:
    """``kill -9`` of the writer: the next saves are indexed by the workers, and what
    the writer held when it died is found by their "behind the database" check."""
    wiki, browser = serving
    writer = writer_pid(wiki)
    os.kill(writer, signal.SIGSTOP)
    form_edit(wiki, browser, "Atelier_fuseau", "Le mot perdu kolkhozite reste dans le tuyau.")
    time.sleep(0.5)  # the worker sent it: the ids sit in the pipe or the writer's queue
    os.kill(writer, signal.SIGKILL)
    deadline = time.monotonic() + START_WAIT
    while any(pid == writer for pid, _, _ in group_processes(wiki)):
        assert time.monotonic() < deadline, "the writer outlived kill -9"
        time.sleep(0.05)
    # each worker finds the writer gone at its first send, and indexes from then on
    words = ("rouetite", "bobinoir", "canettine", "devidoirique")
    for number, word in enumerate(words):
        form_edit(wiki, browser, f"Atelier_rouet_{number}", f"Le mot neuf {word}.")
    for word in words:
        assert finds_within(wiki, word, START_WAIT), wiki.output()[-3000:]
    assert finds_within(wiki, "kolkhozite", START_WAIT), wiki.output()[-3000:]
    assert get(wiki.port, "/wiki/Atelier_fuseau")[0] == 200


def test_a_clean_stop_waits_for_what_the_writer_holds(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    """Ctrl+C (SIGINT to the whole process group) right after a save whose update the
    writer is still gathering: the writer ignores the signal, the master closes the
    pipe once its workers are gone and waits, the writer writes the page and ends."""
    from wikicoop import create_app
    from wikicoop.processes import release_inherited_handles
    from wikicoop.search import pages_behind

    env = {**server_env, "WIKICOOP_SEARCH_INDEX_GATHER_SECONDS": "5"}
    wiki = RunningWiki(env, tmp_path / "server.log")
    try:
        wiki.start()
        wiki.wait_ready()
        deadline = time.monotonic() + START_WAIT
        while catching_up(wiki) and time.monotonic() < deadline:
            time.sleep(0.1)
        writer = writer_pid(wiki)
        browser = Browser()
        assert browser.login(wiki.port, ADMIN, PASSWORD).status == 302
        form_edit(wiki, browser, "Atelier_navette", "Le mot du soir tisserandite.")
        assert wiki.process is not None
        master = wiki.process
        os.killpg(master.pid, signal.SIGINT)  # as a terminal's Ctrl+C
        master.wait(timeout=START_WAIT)
        assert not Path(f"/proc/{writer}").exists() or _is_zombie(writer)
        assert "search index writer still busy" not in wiki.output()
    finally:
        wiki.close()
    offline = create_app({"INSTANCE_PATH": env["WIKICOOP_INSTANCE"]})
    try:
        assert pages_behind(offline) == set(), wiki.output()[-3000:]
    finally:
        release_inherited_handles(offline, in_child=False)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
