"""The early answers of a starting ``wikicoop run`` (wikicoop.early_answers): which
command lines, requests and database states they answer, and the answer's bytes."""

from __future__ import annotations

import gzip
import socket
import sqlite3
from pathlib import Path

import pytest
from helpers import free_port

from wikicoop import early_answers
from wikicoop.early_answers import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    EarlyAnswers,
    KeptPages,
    _environ,
    _response,
    _run_address,
)
from wikicoop.page_files import PageFiles, accepts_gzip, request_key, sqlite_file_state
from wikicoop.page_generation import start_inputs

pytestmark = pytest.mark.any_database  # parsing, files and a SQLite file of its own

PRIVATE = ("session=", "remember_token=")


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
def test_only_a_plain_run_answers_early(argv: list[str], address: tuple | None) -> None:
    assert _run_address(argv) == address


def head(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


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
def test_what_kept_pages_never_answer(request_head: bytes) -> None:
    environ = _environ(request_head)
    assert environ is None or request_key(environ, PRIVATE) is None


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
def test_anything_unusual_waits_for_the_app(request_head: bytes) -> None:
    assert _environ(request_head) is None


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
def test_gzip_as_the_front_cache_reads_accept_encoding(
    accept_encoding: str, gzip_accepted: bool
) -> None:
    assert accepts_gzip(accept_encoding) is gzip_accepted


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
