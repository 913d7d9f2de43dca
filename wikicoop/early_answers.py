"""The port bound at once by ``wikicoop run``, and visitors' pages answered while it
starts (issue 14, point 4).

Building the app takes most of a second: Flask, SQLAlchemy, the models, the plugins.
:func:`start` runs before anything heavy is imported (from :mod:`wikicoop.launcher`):
it binds the port itself, so that a browser waits for the wiki instead of being
refused, and the first request is answered as soon as the app exists, before the
warm-up and the workers' fork (as systemd's socket activation would).

Meanwhile a restarted wiki already holds its visitors' pages on disk
(:mod:`wikicoop.page_files`), and the last clean stop recorded the state it left the
database in. A thread answers the page views it can prove current. The proof has three
parts. The start's inputs (code, command line, settings, environment) are those of the
run that stopped, so the app will be the same
(:func:`wikicoop.page_generation.start_inputs`). The database is still in the state
that run left it in: on SQLite, its file is as the stop left it and its WAL is empty
(nothing was committed since); on PostgreSQL, its change stamp, read again before each
answer on a connection of the thread's own, is the one recorded at the stop
(:mod:`wikicoop.postgres_stamp`). The page was kept under the stamp of that state. All
other requests wait for the app: a POST, a logged-in visitor, a page not kept, a
proxy's headers. Without such a record (a first start, a crash, an upgrade not
followed by ``wikicoop upgrade``, which records one for the new code:
:mod:`wikicoop.pages_for_next_start`), nothing is answered early.

The first request that cannot be answered early is **held**, unread: the thread stops
accepting. Once the app is built, :func:`hand_over` (called by ``wikicoop run`` before
the search index is checked, the warm-up and the fork) answers it with the app
(:mod:`wsgiref`). It then hands the listening socket to gunicorn (``fd://``). Requests
that come meanwhile wait in the socket's backlog, as at any start.

Standard library only, and the light modules of the foundation above (settings, page
files, generation, PostgreSQL's stamp): this runs before the app's imports. On
PostgreSQL the thread imports psycopg, which the app imports anyway.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import socket
import sys
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote_to_bytes

from .config import database_url_setting, instance_path_from_env
from .page_files import (
    PageFiles,
    accepts_gzip,
    gunzipped,
    pages_folder,
    read_stop_record,
    request_key,
    sqlite_state,
    weak_etags,
)
from .page_generation import start_inputs
from .postgres_stamp import PostgresStamp

#: ``wikicoop run``'s address when none is given (the command line's defaults)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
#: where the app keeps what the next start checks (``app.extensions``)
EARLY_START_KEY = "wikicoop.early_start"
#: the socket's backlog (gunicorn's default)
BACKLOG = 2048
#: the longest request head read early; a longer one waits for the app
HEAD_MAX = 16 * 1024
#: seconds a connection has to send its request head before it waits for the app
HEAD_WAIT = 1.0
#: seconds a client has to take an answer (then the connection is closed)
SEND_WAIT = 10.0
#: headers that send a request to the app: a proxy's (gunicorn reads some of them), a
#: body, a check of the browser's copy (the app answers 304 or not)
_HELD_HEADERS = frozenset(
    {
        b"forwarded",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"x-forwarded-port",
        b"content-length",
        b"transfer-encoding",
        b"if-none-match",
        b"if-modified-since",
    }
)
#: a header's name: an HTTP token without "_" (gunicorn drops those)
_TOKEN = re.compile(rb"[-!#$%&'*+.^`|~0-9a-z]+")

_running: EarlyAnswers | None = None


class KeptPages(NamedTuple):
    """What the last clean stop left for the early answers (:func:`start` reads it)."""

    #: the page files of the last run's generation
    files: PageFiles
    #: the stamps its pages were kept under (the data as it left them)
    stamps: tuple[Any, ...]
    #: the SQLite file, and the state it was left in ("" and b"" on PostgreSQL)
    database: str
    database_state: bytes
    #: the ``name=`` of the cookies that make a request personal
    private_cookies: tuple[str, ...]
    #: PostgreSQL: the database's URL (its stamp is read again before each answer)
    postgres_url: str = ""


class EarlyAnswers:
    """The thread answering page views from the kept pages, and holding the first
    request they cannot answer (see the module's docstring).

    Args:
        listener: the listening socket, bound by :func:`start`.
        kept: what the last clean stop left, or None: the first request is held.
    """

    def __init__(self, listener: socket.socket, kept: KeptPages | None) -> None:
        self.listener = listener
        self._kept = kept
        # a stamp of its own, equal to none read from a database, standing for the
        # stamps of the data as the last run left them
        self._stamp = b"early " + os.urandom(8)
        if kept is not None:
            kept.files.adopt(self._stamp, kept.stamps)
        # PostgreSQL: a connection of the thread's own, opened when it starts
        self._postgres = PostgresStamp(kept.postgres_url) if kept and kept.postgres_url else None
        self._stopping = threading.Event()
        self._held: socket.socket | None = None
        self._thread = threading.Thread(target=self._serve, name="wikicoop-early", daemon=True)
        #: page views answered early
        self.answered = 0

    def begin(self) -> None:
        self._thread.start()

    def stop(self) -> socket.socket | None:
        """Stop answering; returns the connection held for the app, if any: the one
        the thread held, else one waiting now (the app answers it before gunicorn)."""
        self._stopping.set()
        self._thread.join()
        held, self._held = self._held, None
        if held is None:
            self.listener.setblocking(False)
            with contextlib.suppress(OSError):  # none waiting: gunicorn takes the next
                held, _ = self.listener.accept()
                held.setblocking(True)
            self.listener.setblocking(True)
        return held

    def _serve(self) -> None:
        try:
            if self._postgres is not None:  # connected before the first request comes
                self._unchanged()
            self._accept_until_held()
        finally:
            if self._postgres is not None:  # never left open for gunicorn's workers
                with contextlib.suppress(Exception):
                    self._postgres.close()

    def _accept_until_held(self) -> None:
        while not self._stopping.is_set():
            ready, _, _ = select.select([self.listener], [], [], 0.05)
            if not ready:
                continue
            try:
                connection, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return
            try:
                if self._answer(connection):
                    continue
            except OSError:  # the client went away: nothing to answer
                connection.close()
                continue
            self._held = connection  # for the app; accept no more
            return

    def _answer(self, connection: socket.socket) -> bool:
        """Answer ``connection`` from the kept pages and close it; False (nothing read,
        nothing sent) when the app must answer it."""
        if self._kept is None:
            return False
        head = _peek_head(connection)
        if head is None:
            return False
        environ = _environ(head)
        kept = self._kept
        key = request_key(environ, kept.private_cookies) if environ is not None else None
        if environ is None or key is None or not self._unchanged():
            return False
        record = kept.files.get(key, self._stamp)
        if record is None:
            return False
        status, headers, compressed = record[0], record[1], record[2]
        unread = len(head)  # the request, consumed now that it is answered: a socket
        while unread:  # closed with unread bytes resets the connection
            chunk = connection.recv(unread)
            if not chunk:
                raise ConnectionResetError("the client went away")
            unread -= len(chunk)
        connection.settimeout(SEND_WAIT)
        connection.sendall(_response(status, headers, compressed, environ))
        connection.shutdown(socket.SHUT_WR)
        connection.close()
        self.answered += 1
        return True

    def _unchanged(self) -> bool:
        """Whether the database is still as the last run left it. SQLite: its file and
        its WAL as recorded (a commit since would have written frames there), empty at a
        clean stop. PostgreSQL: its stamp, read now, is the one recorded."""
        if self._kept is None:
            return False
        if self._postgres is not None:
            try:
                return self._postgres.read() in self._kept.stamps
            except Exception:  # no psycopg, no server: the app answers, and says why
                self._postgres.close()
                self._kept = None
                return False
        try:
            return sqlite_state(self._kept.database) == self._kept.database_state
        except OSError:
            return False


def start(argv: list[str]) -> EarlyAnswers | None:
    """Bind the port of ``wikicoop run`` and answer early what the last clean stop
    allows (see the module's docstring); None, and nothing bound, for another command
    or when the address cannot be bound here (the usual start then says why)."""
    global _running
    address = run_address(argv)
    if address is None:
        return None
    kept = _kept_pages(instance_path_from_env())
    listener = _listen(*address)
    if listener is None:
        return None
    _running = EarlyAnswers(listener, kept)
    _running.begin()
    return _running


def _kept_pages(instance: Path) -> KeptPages | None:
    """What the last clean stop left for early answers, if this start may use it: the
    same inputs (code, settings, command line), no proxy in front."""
    record = read_stop_record(pages_folder(instance))
    if record is None:
        return None
    early = record["start"]
    database = early.get("database") or ""
    postgres_url = ""
    if early.get("postgresql"):
        postgres_url = _database_url(instance)
        if not postgres_url:
            return None
    elif not database:
        return None
    if early.get("behind_proxy") or "folders" not in early:
        return None
    if start_inputs(instance, early["folders"]) != early.get("inputs"):
        return None  # other code, settings or command line: another app
    return KeptPages(
        PageFiles(pages_folder(instance), budget=1, generation=record["generation"]),
        tuple(record["stamps"]),
        database,
        record["database_state"],
        tuple(early.get("private_cookies", ())),
        postgres_url,
    )


def _database_url(instance: Path) -> str:
    """The database URL the app will read, or an empty string when the settings cannot
    be read (the app then says why)."""
    try:
        return database_url_setting(instance)
    except Exception:
        return ""


def hand_over(app: Callable[..., Any]) -> int | None:
    """Stop answering early: the held request, if any, answered by ``app`` (a WSGI
    app); returns the listening socket's descriptor for gunicorn (``fd://``), or None
    when nothing was started early."""
    global _running
    running, _running = _running, None
    if running is None:
        return None
    held = running.stop()
    if held is not None:
        _answer_with_app(held, app, running.listener.getsockname())
    if running.answered:
        import logging

        logging.getLogger("wikicoop").info(
            "%d page views answered from the kept pages while starting", running.answered
        )
    return running.listener.detach()


def run_address(argv: list[str]) -> tuple[str, int] | None:
    """The host and port of a ``wikicoop run`` command line (not ``--debug`` nor
    ``--help``), or None."""
    if not argv or argv[0] != "run":
        return None
    host, port = DEFAULT_HOST, DEFAULT_PORT
    options = list(argv[1:])
    while options:
        option = options.pop(0)
        name, _, value = option.partition("=")
        if name in ("--host", "--port", "--workers") and not value:
            if not options:
                return None
            value = options.pop(0)
        if name == "--host":
            host = value
        elif name == "--port":
            if not value.isdigit():
                return None
            port = int(value)
        elif name != "--workers":  # --debug, --help or anything new: the usual start
            return None
    return host, port


def _listen(host: str, port: int) -> socket.socket | None:
    """A socket listening on ``host:port`` as gunicorn makes it, or None (the address
    in use, or not one this machine has: the usual start then says so)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(BACKLOG)
        listener.set_inheritable(True)
    except OSError:
        listener.close()
        return None
    return listener


def _peek_head(connection: socket.socket) -> bytes | None:
    """The request head (up to its blank line), read without consuming it; None when it
    does not come whole within :data:`HEAD_WAIT` or :data:`HEAD_MAX`."""
    deadline = time.monotonic() + HEAD_WAIT
    connection.settimeout(HEAD_WAIT)
    while True:
        data = connection.recv(HEAD_MAX, socket.MSG_PEEK)
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            return data[: end + 4]
        if not data or len(data) >= HEAD_MAX or time.monotonic() > deadline:
            return None
        time.sleep(0.002)  # more of it is on the way


def _environ(head: bytes) -> dict[str, str] | None:
    """The WSGI environ keys a kept page's key reads, from a plain HTTP/1.x head as
    gunicorn builds them; None for anything else (it waits for the app)."""
    lines = head[:-4].split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[2] not in (b"HTTP/1.1", b"HTTP/1.0"):
        return None
    method, target = parts[0], parts[1]
    if not target.startswith(b"/") or b"?" in target or b"#" in target:
        return None
    environ = {
        "REQUEST_METHOD": method.decode("latin-1"),
        "PATH_INFO": unquote_to_bytes(target).decode("latin-1"),
        "wsgi.url_scheme": "http",
    }
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        name = name.lower()
        if not colon or not _TOKEN.fullmatch(name) or name in _HELD_HEADERS:
            return None
        key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
        if key in environ:  # a header twice: gunicorn joins them, the app answers
            return None
        environ[key] = value.strip().decode("latin-1")
    return environ


def _response(status: str, headers: Any, compressed: bytes, environ: dict[str, str]) -> bytes:
    """The HTTP answer of a kept page, as :class:`FrontCache` sends it."""
    lines = [(str(name), str(value)) for name, value in headers]
    if accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")):
        lines = weak_etags(lines)
        body = compressed
        lines.append(("Content-Encoding", "gzip"))
    else:
        body = gunzipped(compressed)
    lines += [
        ("Content-Length", str(len(body))),
        ("Date", formatdate(usegmt=True)),
        ("Connection", "close"),
    ]
    text = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in lines) + "\r\n"
    return text.encode("latin-1") + body


def _answer_with_app(
    connection: socket.socket, app: Callable[..., Any], address: tuple[str, int]
) -> None:
    """Answer the held ``connection`` (its request still unread) with ``app``."""
    from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

    ServerHandler.server_software = "wikicoop"  # not Python's version for all to read

    class OneRequest(WSGIServer):
        def __init__(self) -> None:  # no socket of its own: the held connection only
            self.server_address = address
            self.server_name, self.server_port = socket.getfqdn(address[0]), address[1]
            self.setup_environ()
            self.set_app(app)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # gunicorn logs the rest
            sys.stderr.write(f"early start: {format % args}\n")

    connection.settimeout(HEAD_WAIT * 5)
    with contextlib.suppress(OSError):  # the client went away
        QuietHandler(connection, connection.getpeername(), OneRequest())
    with contextlib.suppress(OSError):
        connection.close()
