"""Visitors' pages answered while ``wikicoop run`` starts (issue 14, point 4).

Building the app takes most of a second: Flask, SQLAlchemy, the models, the plugins.
Meanwhile a restarted wiki already holds its visitors' pages on disk
(:mod:`wikicoop.page_files`), and the last clean stop recorded the state it left the
database in. :func:`start` runs before anything heavy is imported (from
:mod:`wikicoop.launcher`): it binds the port itself and, in a thread, answers the page
views it can prove current. The proof has three parts. The start's inputs (code,
command line, settings, environment) are those of the run that stopped, so the app
will be the same (:func:`wikicoop.page_generation.start_inputs`). The SQLite database
file is still in the state that run left it in, and its WAL is empty: nothing was
committed since. The page was kept under the stamp of that state. All other requests
wait for the app: a POST, a logged-in visitor, a page not kept, a proxy's headers.

The first request that cannot be answered early is **held**, unread: the thread stops
accepting. Once the app is built, :func:`hand_over` (called by
:func:`wikicoop.server.serve` before its warm-up and fork) answers it with the app
(:mod:`wsgiref`). It then hands the listening socket to gunicorn (``fd://``). Requests
that come meanwhile wait in the socket's backlog, as at any start.

Only SQLite settles at a stop: on PostgreSQL nothing is answered early. Standard library
only, and the two light modules above: this runs before the app's imports.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import select
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_to_bytes

from .config import instance_path_from_env
from .page_files import (
    PageFiles,
    accepts_gzip,
    pages_folder,
    read_stop_record,
    request_key,
    sqlite_file_state,
    weak_etags,
)
from .page_generation import start_inputs

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


class EarlyAnswers:
    """The thread answering page views from the kept pages (see the module's docstring).

    Args:
        listener: the listening socket, bound by :func:`start`.
        files: the page files of the last run's generation.
        stamps: the stamps its pages were kept under (the data as it left them).
        database: the SQLite file, and ``database_state`` the state it was left in.
        private_cookies: the ``name=`` of the cookies that make a request personal.
    """

    def __init__(
        self,
        listener: socket.socket,
        files: PageFiles,
        stamps: tuple[Any, ...],
        database: str,
        database_state: bytes,
        private_cookies: Iterable[str],
    ) -> None:
        self.listener = listener
        self._files = files
        # a stamp of its own, equal to none read from a database, standing for the
        # stamps of the data as the last run left them
        self._stamp = b"early " + os.urandom(8)
        files.adopt(self._stamp, stamps)
        self._database = database
        self._database_state = database_state
        self._private = tuple(private_cookies)
        self._stopping = threading.Event()
        self._held: socket.socket | None = None
        self._thread = threading.Thread(target=self._serve, name="wikicoop-early", daemon=True)
        #: page views answered early
        self.answered = 0

    def begin(self) -> None:
        self._thread.start()

    def stop(self) -> socket.socket | None:
        """Stop answering; returns the connection held for the app, if any."""
        self._stopping.set()
        self._thread.join()
        held, self._held = self._held, None
        return held

    def _serve(self) -> None:
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
        head = _peek_head(connection)
        if head is None:
            return False
        environ = _environ(head)
        key = request_key(environ, self._private) if environ is not None else None
        if environ is None or key is None or not self._unchanged():
            return False
        record = self._files.get(key, self._stamp)
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
        """Whether the database is still as the last run left it: its file unchanged,
        and nothing in its WAL (a commit since would have written frames there)."""
        try:
            if sqlite_file_state(self._database) != self._database_state:
                return False
        except OSError:
            return False
        try:
            return os.stat(self._database + "-wal").st_size == 0
        except FileNotFoundError:
            return True
        except OSError:
            return False


def start(argv: list[str]) -> EarlyAnswers | None:
    """Start answering early for ``wikicoop run`` when the last clean stop allows it
    (see the module's docstring); None otherwise, and nothing is bound then."""
    global _running
    address = _run_address(argv)
    if address is None:
        return None
    instance = instance_path_from_env()
    kept = read_stop_record(pages_folder(instance))
    if kept is None:
        return None
    early = kept["start"]
    database = early.get("database") or ""
    if not database or early.get("behind_proxy") or "folders" not in early:
        return None
    if start_inputs(instance, early["folders"]) != early.get("inputs"):
        return None  # other code, settings or command line: another app
    listener = _listen(*address)
    if listener is None:
        return None
    files = PageFiles(pages_folder(instance), budget=1, generation=kept["generation"])
    _running = EarlyAnswers(
        listener,
        files,
        tuple(kept["stamps"]),
        database,
        kept["database_state"],
        early.get("private_cookies", ()),
    )
    _running.begin()
    return _running


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


def _run_address(argv: list[str]) -> tuple[str, int] | None:
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
        body = gzip.decompress(compressed)
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
