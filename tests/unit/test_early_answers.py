"""The early answers of a starting ``wikicoop run`` (wikicoop.early_answers): which
command lines, requests and database states they answer, and the answer's bytes."""

from __future__ import annotations

import gzip
import select
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from helpers import free_port, scratch_database
from sqlalchemy import text

from wikicoop import early_answers
from wikicoop.core.change_stamp import CHANGE_STAMP_KEY, ChangeStamp
from wikicoop.core.db import engine_of
from wikicoop.early_answers import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    EarlyAnswers,
    KeptPages,
    _environ,
    _response,
    run_address,
)
from wikicoop.page_files import (
    STOP_RECORD,
    PageFiles,
    accepts_gzip,
    pages_folder,
    read_stop_record,
    request_key,
    sqlite_file_state,
    sqlite_state,
)
from wikicoop.page_generation import start_inputs
from wikicoop.server import RecordWhenQuiet, keep_pages_for_the_next_run

PRIVATE = ("session=", "remember_token=")


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
@pytest.mark.parametrize(
    ("argv", "address"),
    [
        (["run"], (DEFAULT_HOST, DEFAULT_PORT)),
        (["run", "--port", "8000", "--workers", "4"], (DEFAULT_HOST, 8000)),
        (["run", "--host=0.0.0.0", "--port=8080"], ("0.0.0.0", 8080)),
        (["run", "--debug"], None),  # Flask's server: nothing early
        (["run", "--help"], None),
        (["run", "--port"], None),
        (["run", "--port", "huit"], None),
        (["init"], None),
        ([], None),
    ],
)
@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_only_a_plain_run_answers_early(argv: list[str], address: tuple | None) -> None:
    assert run_address(argv) == address


def head(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_a_visitor_s_page_view_has_the_front_cache_s_key() -> None:
    environ = _environ(
        head(
            "GET /wiki/Bac_%C3%A0_sable HTTP/1.1",
            "Host: wiki.example",
            "Accept-Language: fr-FR,fr;q=0.9",
            "Cookie: theme=contraste",
        )
    )
    assert environ is not None
    assert request_key(environ, PRIVATE) == (
        "/wiki/Bac_\u00c3\u00a0_sable",  # the bytes as latin-1, as gunicorn's PATH_INFO
        "wiki.example",
        "http",
        "fr-FR,fr;q=0.9",
        "theme=contraste",
    )


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
@pytest.mark.parametrize(
    "request_head",
    [
        head("POST /wiki/Accueil HTTP/1.1", "Host: w"),
        head("GET /wiki/Accueil?action=edit HTTP/1.1", "Host: w"),
        head("GET /wiki/Accueil HTTP/1.1", "Host: w", "Cookie: session=abc"),
        head("GET /wiki/Accueil HTTP/1.1", "Host: w", "Authorization: Bearer wkc_x"),
        head("GET /recherche HTTP/1.1", "Host: w"),
    ],
)
@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_what_kept_pages_never_answer(request_head: bytes) -> None:
    environ = _environ(request_head)
    assert environ is None or request_key(environ, PRIVATE) is None


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
@pytest.mark.parametrize(
    "request_head",
    [
        head("GET /wiki/Accueil HTTP/1.1", "Host: w", "X-Forwarded-Proto: https"),
        head("GET /wiki/Accueil HTTP/1.1", "Host: w", "Forwarded: for=1.2.3.4"),
        head("GET /wiki/Accueil HTTP/1.1", "Host: w", "Host: x"),  # twice
        head("GET /wiki/Accueil HTTP/1.1", "Host: w", "Accept_Language: en"),  # gunicorn drops
        head("GET /wiki/Accueil HTTP/1.1", "Host: w", 'If-None-Match: W/"x"'),
        head("GET /wiki/Accueil HTTP/1.1", "Host: w", "Content-Length: 4"),
        head("GET /wiki/Accueil HTTP/2.0", "Host: w"),
        head("GET http://w/wiki/Accueil HTTP/1.1", "Host: w"),
        head("GET /wiki/Accueil HTTP/1.1", "Bad header line"),
        head("GET  /wiki/Accueil HTTP/1.1", "Host: w"),
    ],
)
@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_anything_unusual_waits_for_the_app(request_head: bytes) -> None:
    assert _environ(request_head) is None


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
@pytest.mark.parametrize(
    ("accept_encoding", "gzip_accepted"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("gzip;q=x", False),
        ("gzip;q=0, *", False),  # gzip's own quality, not that of *
        ("br, *;q=0.1", True),
        ("GZIP", True),
    ],
)
@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_gzip_as_the_front_cache_reads_accept_encoding(
    accept_encoding: str, gzip_accepted: bool
) -> None:
    assert accepts_gzip(accept_encoding) is gzip_accepted


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_the_answer_is_the_kept_one() -> None:
    page = b"<main>Le lavoir</main>"
    headers = (("Content-Type", "text/html; charset=utf-8"), ("ETag", '"abc"'))
    plain = _response("200 OK", headers, gzip.compress(page), {})
    top, _, body = plain.partition(b"\r\n\r\n")
    assert top.startswith(b"HTTP/1.1 200 OK\r\n") and body == page
    assert b'ETag: "abc"' in top and b"Content-Length: %d" % len(page) in top
    assert b"Connection: close" in top and b"Content-Encoding" not in top
    zipped = _response("200 OK", headers, gzip.compress(page), {"HTTP_ACCEPT_ENCODING": "gzip"})
    top, _, body = zipped.partition(b"\r\n\r\n")
    assert gzip.decompress(body) == page and b"Content-Encoding: gzip" in top
    assert b'ETag: W/"abc"' in top  # another representation: a weak tag, as the workers give


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_nothing_is_answered_once_the_database_changed(tmp_path: Path) -> None:
    """A commit since the last stop writes WAL frames (then, checkpointed, changes the
    file): either way the early thread no longer answers."""
    database = tmp_path / "wiki.db"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    state = sqlite_file_state(str(database))
    listener = socket.socket()
    kept = KeptPages(PageFiles(tmp_path / "pages", 1), (b"s",), str(database), state, PRIVATE)
    answers = EarlyAnswers(listener, kept)
    try:
        assert answers._unchanged()
        writer = sqlite3.connect(database)
        writer.execute("INSERT INTO notes VALUES ('x')")
        writer.commit()
        assert not answers._unchanged()  # frames in the WAL
        writer.close()  # the last connection: the WAL written into the file
        assert not answers._unchanged()
    finally:
        listener.close()


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_the_start_s_inputs_follow_settings_not_the_running_wiki(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SITE_NAME = 'Wiki du quartier'\n")
    code = tmp_path / "code"
    code.mkdir()
    (code / "views.py").write_text("")
    first = start_inputs(instance, [code])
    (instance / "wikicoop.db").write_bytes(b"data")  # the database and the pid file: no
    (instance / "wikicoop.pid").write_text("123")
    (instance / "cache").mkdir()
    assert start_inputs(instance, [code]) == first
    monkeypatch.setenv("WIKICOOP_SITE_NAME", "Autre")
    assert start_inputs(instance, [code]) != first
    monkeypatch.delenv("WIKICOOP_SITE_NAME")
    (instance / "config.py").write_text("SITE_NAME = 'Autre wiki'\n")
    assert start_inputs(instance, [code]) != first


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_without_a_stop_record_the_port_is_bound_and_the_first_request_waits_for_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first start, or one after an upgrade: nothing is answered from files, but the
    port is bound at once and the first request is answered as soon as the app exists,
    before gunicorn (issue 14, point 4)."""
    monkeypatch.setenv("WIKICOOP_INSTANCE", str(tmp_path))
    port = free_port()
    running = early_answers.start(["run", "--port", str(port)])
    assert running is not None
    try:
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(b"GET /wiki/Accueil HTTP/1.1\r\nHost: wiki\r\n\r\n")
        seen: list[str] = []

        def app(environ, start_response):
            seen.append(environ["PATH_INFO"])
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"from the app"]

        descriptor = early_answers.hand_over(app)
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
        client.close()
        assert seen == ["/wiki/Accueil"] and answer.endswith(b"from the app")
        assert running.answered == 0
        assert descriptor is not None  # the listening socket, for gunicorn
        with socket.socket(fileno=descriptor) as listener:
            assert listener.getsockname()[1] == port
    finally:
        early_answers._running = None


@pytest.mark.any_database  # parsing, files, a SQLite file of its own
def test_an_address_in_use_is_left_to_the_usual_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIKICOOP_INSTANCE", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert early_answers.start(["run", "--port", str(port)]) is None
        assert early_answers.hand_over(lambda environ, start_response: []) is None


def keep_a_page(instance: Path, code: Path, stamp: object) -> None:
    """The page files and stop record a clean stop of a run on PostgreSQL leaves: one
    page, ``/wiki/Lavoir``, kept under ``stamp``."""
    files = PageFiles(pages_folder(instance), budget=2**20, generation=b"generation")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/wiki/Lavoir", "HTTP_HOST": "w"}
    environ["wsgi.url_scheme"] = "http"
    headers = (("Content-Type", "text/html; charset=utf-8"),)
    record = ("200 OK", headers, gzip.compress(b"kept page"), None, None, None)
    files.put(request_key(environ, PRIVATE), stamp, record)
    start = {
        "inputs": start_inputs(instance, [code]),
        "folders": [str(code)],
        "database": "",
        "postgresql": True,
        "private_cookies": list(PRIVATE),
        "behind_proxy": False,
    }
    files.keep_state_at_stop(stamp, b"", start=start)


def view_while_starting(running: EarlyAnswers) -> tuple[bytes, bool]:
    """View ``/wiki/Lavoir`` on a start's port; returns the answer, and whether it came
    from the kept pages (else the thread held it, and the app answered it)."""
    client = socket.create_connection(running.listener.getsockname()[:2], timeout=5)
    client.sendall(b"GET /wiki/Lavoir HTTP/1.1\r\nHost: w\r\n\r\n")

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"from the app"]

    deadline = time.monotonic() + 5
    while not select.select([client], [], [], 0.005)[0] and running._held is None:
        assert time.monotonic() < deadline, "neither answered nor held"
    early = running._held is None
    early_answers.hand_over(app)
    answer = b""
    while chunk := client.recv(4096):
        answer += chunk
    client.close()
    return answer, early


@pytest.fixture
def postgres_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    """An instance folder on a PostgreSQL schema of its own (the URL in the
    environment, as a deployment sets it), its code folder, and the app's stamp."""
    with scratch_database("postgresql", tmp_path, "early") as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        instance, code = tmp_path / "instance", tmp_path / "code"
        instance.mkdir()
        code.mkdir()
        monkeypatch.setenv("WIKICOOP_INSTANCE", str(instance))
        monkeypatch.setenv("WIKICOOP_DATABASE_URL", engine.url.render_as_string(False))
        stamp = ChangeStamp(engine)
        try:
            yield instance, code, stamp, engine
        finally:
            stamp.close()
            early_answers._running = None


def test_postgresql_a_restart_answers_kept_pages_while_nothing_commits(
    postgres_instance: tuple,
) -> None:
    """On PostgreSQL the thread reads the change stamp on a connection of its own: the
    same stamp as at the stop, the kept page is answered before the app exists (other
    test processes commit on the same server: a start whose stamp moved is tried again)."""
    instance, code, stamp, _engine = postgres_instance
    for _ in range(30):
        recorded = stamp.current()
        keep_a_page(instance, code, recorded)
        running = early_answers.start(["run", "--port", str(free_port())])
        assert running is not None
        answer, early = view_while_starting(running)
        if stamp.current() == recorded:  # nothing committed meanwhile: answered early
            assert early and running.answered == 1
            assert answer.startswith(b"HTTP/1.1 200 OK") and answer.endswith(b"kept page")
            break
    else:
        pytest.fail("the server's snapshot moved during every start")


def test_postgresql_after_a_commit_the_app_answers(postgres_instance: tuple) -> None:
    instance, code, stamp, engine = postgres_instance
    keep_a_page(instance, code, stamp.current())
    with engine.begin() as conn:  # as a command run while the wiki was stopped
        conn.execute(text("INSERT INTO notes VALUES ('x')"))
    running = early_answers.start(["run", "--port", str(free_port())])
    assert running is not None
    answer, early = view_while_starting(running)
    assert not early and answer.endswith(b"from the app") and running.answered == 0


@pytest.mark.any_database  # no server at all
def test_postgresql_out_of_reach_the_app_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance, code = tmp_path / "instance", tmp_path / "code"
    instance.mkdir()
    code.mkdir()
    monkeypatch.setenv("WIKICOOP_INSTANCE", str(instance))
    monkeypatch.setenv(
        "WIKICOOP_DATABASE_URL", f"postgresql+psycopg://wiki@127.0.0.1:{free_port()}/w"
    )
    keep_a_page(instance, code, "1/2/3:3:")
    running = early_answers.start(["run", "--port", str(free_port())])
    try:
        assert running is not None
        answer, early = view_while_starting(running)
        assert not early and answer.endswith(b"from the app")
    finally:
        early_answers._running = None


def test_a_clean_stop_records_the_database_the_next_start_checks(app: Flask) -> None:
    """The SQLite file and its state, or on PostgreSQL that it is PostgreSQL and the
    stamp alone: its URL (a password, perhaps) is read again from the settings by the
    next start, never written with the pages."""
    keep_pages_for_the_next_run(app)
    instance = Path(app.instance_path)
    record = read_stop_record(pages_folder(instance))
    assert record is not None
    written = (pages_folder(instance) / STOP_RECORD).read_bytes()
    assert app.config["DATABASE_URL"].encode() not in written
    kept = early_answers._kept_pages(instance)
    assert kept is not None
    if engine_of(app).dialect.name == "postgresql":
        assert record["start"]["postgresql"] and record["database_state"] == b""
        assert isinstance(record["stamps"][0], str) and kept.postgres_url
    else:
        assert not record["start"]["postgresql"] and kept.postgres_url == ""
        assert kept.database == str(Path(engine_of(app).url.database).resolve())


def test_a_running_wiki_records_its_quiet_database_once_until_the_next_commit(
    app: Flask,
) -> None:
    """What a start after a crash checks (RecordWhenQuiet, in the master of wikicoop
    run): the state of the database's files once nothing has been committed for a
    while, recorded once; a commit, then quiet again, records the new state. Not on
    PostgreSQL, where the master holds no connection."""
    record = RecordWhenQuiet(app, quiet=0.0)
    engine = engine_of(app)
    if engine.dialect.name != "sqlite":
        assert not record.enabled and not record()
        return
    instance = Path(app.instance_path)
    stamp = app.extensions[CHANGE_STAMP_KEY]
    states = []
    for _ in range(2):
        assert not record()  # a stamp not seen before: not quiet yet
        time.sleep(0.05)  # the files still for more than a step of their clock
        assert record() and not record()  # recorded, once
        kept = early_answers._kept_pages(instance)
        assert kept is not None and kept.stamps[0] == stamp.current()
        assert kept.database_state == sqlite_state(kept.database)
        states.append(kept.database_state)
        with engine.begin() as connection:  # any commit
            connection.execute(text("CREATE TABLE IF NOT EXISTS scratch (x)"))
            connection.execute(text("INSERT INTO scratch VALUES (1)"))
    assert states[0] != states[1]
