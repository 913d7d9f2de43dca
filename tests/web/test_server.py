"""Serving: `wikicoop run` and gunicorn as people run them, and the server log.

Most tests start a real gunicorn master with two workers in a subprocess (instance
folder in tmp_path, a free loopback port, SQLite or the PostgreSQL of the run), talk to
it over HTTP and stop it; the others use the app in process (issue 8, points 2, 18, 20).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from failing_app import add_failing_routes
from flask import Flask
from helpers import free_port, front_cache_of, render_stored_meanwhile
from server_support import WIKICOOP, RunningWiki, get
from sqlalchemy import event
from sqlalchemy.orm import Session

from wikicoop import processes, server
from wikicoop.core.db import engine_of
from wikicoop.core.models import Page, RenderCache, Revision
from wikicoop.core.render_cache import cached_render
from wikicoop.server import warm_up
from wikicoop.web.db import get_session

#: serving checks that do not depend on the database: the SQLite pass runs them (real
#: gunicorn servers on PostgreSQL are in tests/web/test_two_servers.py)
serving_only = pytest.mark.any_database


# ----------------------------------------------------------------- point 2: search after fork

SEARCHES = ("page", "aide", "licence", "lien", "historique", "portail", "titre", "wiki")


@serving_only
def test_searches_right_after_a_restart_never_fail(wiki: RunningWiki) -> None:
    """Each worker opens its own search index: workers sharing the parent's open index
    files (and their read offsets) answered about one search in six with a 500."""
    wiki.start()
    wiki.wait_ready()  # first start: seed pages loaded, search index built
    wiki.stop()
    wiki.start()  # the index exists before the fork, as after any restart
    wiki.wait_ready()
    assert_searches_never_fail(wiki)


@serving_only
def test_searches_under_gunicorn_preload_never_fail(wiki: RunningWiki) -> None:
    """``gunicorn --preload 'wikicoop.wsgi:app'`` builds the app (and checks the index)
    in the master: each forked worker must open its own index all the same."""
    subprocess.run([str(WIKICOOP), "init"], env=wiki.env, check=True, capture_output=True)
    gunicorn = str(WIKICOOP.with_name("gunicorn"))
    bind = f"127.0.0.1:{wiki.port}"
    wiki.start(command=[gunicorn, "--preload", "-w", "2", "-b", bind, "wikicoop.wsgi:app"])
    wiki.wait_ready()
    assert_searches_never_fail(wiki)


@serving_only
def test_the_index_catches_up_once_serving(wiki: RunningWiki, tmp_path: Path) -> None:
    """A page the index lost while the wiki was stopped is indexed again after a
    restart of ``wikicoop run``, whose start leaves that to its first worker (that the
    start itself does not: test_cli's test of ``initialize(index_check=False)``)."""
    from wikicoop import create_app
    from wikicoop.search import backend_of, pages_behind

    wiki.start()
    wiki.wait_ready()
    wiki.stop()
    offline = create_app({"INSTANCE_PATH": wiki.env["WIKICOOP_INSTANCE"]})
    try:
        with offline.app_context():
            page_id = get_session().query(Page.id).filter_by(name="Accueil").scalar()
        backend_of(offline).remove_pages([page_id])
        assert pages_behind(offline) == {page_id}
        wiki.start()
        wiki.wait_ready()
        deadline = time.monotonic() + 60
        while pages_behind(offline) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pages_behind(offline) == set(), wiki.output()[-3000:]
    finally:
        processes.release_inherited_handles(offline, in_child=False)


def assert_searches_never_fail(wiki: RunningWiki) -> None:
    """A few page views, then 300 searches on 6 connections at once: all answer 200."""
    for path in ("/wiki/Accueil", "/wiki/Aide:Sommaire", "/wiki/Bac_%C3%A0_sable"):
        assert get(wiki.port, path)[0] == 200

    paths = [f"/recherche?q={quote(SEARCHES[i % len(SEARCHES)])}" for i in range(300)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda p: get(wiki.port, p), paths))

    failed = [status for status, _ in answers if status != 200]
    assert not failed, f"{len(failed)} of 300 searches failed:\n{wiki.output()[-3000:]}"
    # and they found something: the index is really read
    assert all("Aide" in body for status, body in answers if status == 200)


# ------------------------------------------------------------- point 18: restart after kill -9


@serving_only
def test_starts_again_at_once_after_the_master_is_killed(wiki: RunningWiki) -> None:
    """Workers die with their master, so the port is free again; the pid file the
    killed master left behind does not block the next start."""
    wiki.start()
    wiki.wait_ready()
    # visitors' connections in progress: a request still being sent, an idle keep-alive
    slow = [socket.create_connection(("127.0.0.1", wiki.port)) for _ in range(4)]
    for sock in slow:
        sock.sendall(b"GET /wiki/Accueil HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    try:
        wiki.crash()
        assert (Path(wiki.env["WIKICOOP_INSTANCE"]) / "wikicoop.pid").exists()
        wiki.start()
        wiki.wait_ready()
    finally:
        for sock in slow:
            sock.close()


@serving_only
def test_a_live_server_of_the_instance_is_not_started_twice(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    """The pid file counts only when it names a live wikicoop process."""
    pid_path = Path(server_env["WIKICOOP_INSTANCE"]) / "wikicoop.pid"
    pid_path.parent.mkdir(parents=True)
    port = str(free_port())
    sleepers = {
        "other": subprocess.Popen(["sleep", "60"]),  # a pid reused by someone else
        "wikicoop": subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)", "wikicoop", "run"]
        ),
    }
    try:
        pid_path.write_text(f"{sleepers['wikicoop'].pid}\n")
        refused = subprocess.run(
            [str(WIKICOOP), "run", "--port", port],
            env=server_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 1
        assert f"déjà servi par le processus {sleepers['wikicoop'].pid}" in refused.stderr
        assert pid_path.exists()

        pid_path.write_text(f"{sleepers['other'].pid}\n")
        wiki = RunningWiki(server_env, tmp_path / "server.log")
        wiki.port = int(port)
        wiki.start()
        try:
            wiki.wait_ready()
            assert pid_path.read_text().strip() == str(wiki.process.pid)
            wiki.stop(grace=45)  # a clean stop, even if a worker was still booting
        finally:
            wiki.close()
        assert not pid_path.exists()  # removed by a clean stop
    finally:
        for sleeper in sleepers.values():
            sleeper.kill()
            sleeper.wait()


# ------------------------------------------------------- point 20: every 500 in the server log


@serving_only
@pytest.mark.parametrize(
    ("path", "marker"),
    [("/test-raises", "boom-marker-raise"), ("/test-aborts", ", in aborts")],
)
def test_every_500_is_logged_with_its_traceback(
    app: Flask, caplog: pytest.LogCaptureFixture, path: str, marker: str
) -> None:
    add_failing_routes(app)
    with caplog.at_level(logging.INFO):
        response = app.test_client().get(path + "?x=1")
    assert response.status_code == 500
    assert "Une erreur inattendue" in response.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, caplog.text
    assert errors[0].exc_info, "no traceback"
    assert f"GET {path}?x=1" in errors[0].getMessage()
    assert marker in caplog.text  # the traceback itself


SERVERS = {
    "wikicoop run": [sys.executable, "-c", "import failing_app; failing_app.run_command()", "run"],
    "gunicorn": [str(WIKICOOP.with_name("gunicorn")), "-w", "2", "failing_app:wsgi_app()"],
}


@serving_only
@pytest.mark.parametrize("server", SERVERS)
def test_a_real_server_logs_500s_with_their_traceback(wiki: RunningWiki, server: str) -> None:
    """The default logging of ``wikicoop run`` and of plain gunicorn on wikicoop.wsgi."""
    wiki.env["PYTHONPATH"] = str(Path(__file__).parent)
    if server == "gunicorn":  # the documented way: init, then gunicorn
        subprocess.run([str(WIKICOOP), "init"], env=wiki.env, check=True, capture_output=True)
    bind = (
        ["--port", str(wiki.port)] if server == "wikicoop run" else ["-b", f"127.0.0.1:{wiki.port}"]
    )
    wiki.start(command=[*SERVERS[server], *bind])
    wiki.wait_ready()
    assert get(wiki.port, "/test-raises")[0] == 500
    assert get(wiki.port, "/test-aborts")[0] == 500
    wiki.stop()

    log = wiki.output()
    for path, marker in (
        ("/test-raises", "RuntimeError: boom-marker-raise"),
        ("/test-aborts", ", in aborts"),
    ):
        line = next((li for li in log.splitlines() if f"500 on GET {path}" in li), "")
        assert "ERROR" in line, log
        assert marker in log.split(line, 1)[1], "no traceback after the line"


def test_two_first_views_of_a_page_rendering_it_at_once(app: Flask, make_page) -> None:
    """The cause of the rare 500 under load: two workers render a page whose cached HTML
    was dropped (a link target created meanwhile, as during an import); both find no
    cache row, the second one's INSERT breaks the unique key. Here the other worker's
    rendering is stored just before this view's flush, deterministically."""
    revision_id = make_page("Lavoir", "Le lavoir, près de la [[Fontaine]].")
    make_page("Fontaine", "Une fontaine.")  # a red link turns blue: the cache is dropped
    with app.app_context():
        assert get_session().get(RenderCache, revision_id) is None

    staged: list[int] = []

    def other_worker_first(session: Session, _context: object, _instances: object) -> None:
        if not staged and any(isinstance(obj, RenderCache) for obj in session.new):
            staged.append(revision_id)
            with app.app_context(), Session(engine_of(app)) as other:
                revision = other.get(Revision, revision_id)
                cached_render(other, app.extensions["wikicoop.renderer"], revision)

    maker = app.extensions["wikicoop.sessionmaker"]
    event.listen(maker, "before_flush", other_worker_first)
    try:
        response = app.test_client().get("/wiki/Lavoir")
    finally:
        event.remove(maker, "before_flush", other_worker_first)
    assert staged, "no race staged"
    assert response.status_code == 200
    assert 'href="/wiki/Fontaine"' in response.text
    with app.app_context():
        assert get_session().get(RenderCache, revision_id) is not None


def test_a_rendering_stored_meanwhile_by_another_worker_is_kept(
    app: Flask, make_page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other order of the same race: while this view renders, another worker (the
    search indexer's thread, another gunicorn worker) stores and commits the rendering.
    Replacing it would give it a new ``rendered_at``, which keys the visitors'
    whole-page cache: the page just cached by the other would be rendered again."""
    revision_id = make_page("Lavoir", "Le lavoir, près de la [[Fontaine]].")
    make_page("Fontaine", "Une fontaine.")  # a red link turns blue: the cache is dropped
    theirs = render_stored_meanwhile(app, revision_id, monkeypatch)
    response = app.test_client().get("/wiki/Lavoir")
    assert theirs, "no race staged"
    assert response.status_code == 200
    assert 'href="/wiki/Fontaine"' in response.text
    with app.app_context():
        assert get_session().get(RenderCache, revision_id).rendered_at == theirs[0]


# ----------------------------------------------------------------- issue 14: before forking


def test_the_master_warms_up_before_forking(app: Flask, make_page) -> None:
    """What each worker's first view would do alone (templates, locale data, SQL) is
    done once in the master, on the page touched last, in the wiki's first language;
    the page it made is kept, for the workers to share."""
    make_page("Accueil", "Bienvenue.")
    make_page("Lavoir", "Le lavoir.")
    warm_up(app)
    kept = [
        (path, language) for path, _host, _scheme, language, _ in front_cache_of(app).kept_keys()
    ]
    assert kept == [("/wiki/Lavoir", "fr")]


def test_a_failed_warm_up_never_stops_the_start(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(_app: Flask) -> str | None:
        raise OSError("database away")

    monkeypatch.setattr(server, "_page_touched_last", unreachable)
    with caplog.at_level(logging.ERROR):
        warm_up(app)
    assert "warm-up before forking failed" in caplog.text


@serving_only
def test_the_master_freezes_its_objects_for_the_workers(server_env: dict[str, str]) -> None:
    code = (
        "import gc; from wikicoop.app import create_app; from wikicoop import server; "
        "app = create_app(); server.share_with_workers(app); print(gc.get_freeze_count())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=server_env, capture_output=True, text=True, check=True
    )
    assert int(done.stdout.split()[-1]) > 100_000  # the app's objects, out of the collector


_COUNT_ARENAS = """
import ctypes, ctypes.util, sys, tempfile, threading
from wikicoop.server import limit_malloc_arenas

capped = limit_malloc_arenas() if sys.argv[1] == "capped" else False
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fopen.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
started = threading.Barrier(8)


def allocate():
    kept = [bytes(4096) for _ in range(64)]  # through malloc: over Python's small objects
    started.wait()  # the eight threads live at once


threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(capped, open(out.name).read().count("<heap nr="))
"""


@pytest.mark.any_database
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
def test_the_server_caps_the_malloc_arenas_of_its_threads() -> None:
    """Issue 14 (memory): eight threads allocating get at most two arenas under the cap
    ``wikicoop run`` sets, where glibc alone gives them more; a MALLOC_ARENA_MAX the host
    set wins."""
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}

    def arenas(mode: str, **extra: str) -> tuple[str, int]:
        done = subprocess.run(
            [sys.executable, "-c", _COUNT_ARENAS, mode],
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        capped, heaps = done.stdout.split()
        return capped, int(heaps)

    assert arenas("capped") == ("True", 2)
    assert arenas("free")[1] > 2
    assert arenas("capped", MALLOC_ARENA_MAX="4") == ("False", 4)
