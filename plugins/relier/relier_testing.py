"""Plain helpers of the network plugin's tests (its fixtures are in ``conftest.py``,
which imports them from here: tests never import from a module named conftest): the
local feed server and its documents, the tests' page type, dropping the plugin's
tables, waiting for a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from helpers import free_port
from sqlalchemy import Engine, text

from .tables import forget_installed, metadata

VERSIONS = Path(__file__).parent / "versions"

ATOM_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Wiki voisin</title>
  <id>tag:voisin.example,2026:feed</id>
  <updated>2026-12-04T10:00:00Z</updated>
  <entry>
    <title>Jardin partag\xc3\xa9 de Kerinou</title>
    <id>tag:voisin.example,2026:1</id>
    <link rel="alternate" href="https://voisin.example/wiki/Jardin"/>
    <updated>2026-12-04T09:00:00Z</updated>
  </entry>
  <entry>
    <title>Repair caf\xc3\xa9 &lt;du samedi&gt;</title>
    <id>tag:voisin.example,2026:2</id>
    <link href="javascript:alert(1)"/>
    <updated>2026-12-03T09:00:00Z</updated>
  </entry>
</feed>
"""

RSS_FEED = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Autre wiki</title>
<item><title>Fete du quartier</title><link>https://autre.example/Fete</link>
<pubDate>Thu, 03 Dec 2026 18:00:00 GMT</pubDate></item>
</channel></rss>
"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>
"""


class FeedServer:
    """A local HTTP server: ``/atom`` and ``/rss`` valid feeds, ``/invalid`` not XML,
    ``/laughs`` a billion-laughs document, ``/500`` an error, ``/hang`` answering after
    ``hang`` seconds (longer than the time-out)."""

    def __init__(self) -> None:
        self.hang = 8.0
        self.port = free_port()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                bodies = {
                    "/atom": ATOM_FEED,
                    "/rss": RSS_FEED,
                    "/invalid": b"<feed><oops",
                    "/laughs": LAUGHS,
                }
                if self.path == "/to-ftp":
                    self.send_response(302)
                    self.send_header("Location", "ftp://127.0.0.1/feed.xml")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/hang":
                    server.release.wait(server.hang)
                    return
                if self.path in bodies:
                    body = bodies[self.path]
                    self.send_response(200)
                    self.send_header("Content-Type", "application/atom+xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Quiet: the test's output is not a server's access log."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


#: a page type of the tests' own (the plugin must not need another plugin's types)
FICHE = {
    "name": "fiche",
    "label": {"fr": "Fiche", "en": "Card"},
    "fields": [
        {"name": "quartier", "kind": "text", "label": {"fr": "Quartier", "en": "Area"}},
        {"name": "lieu", "kind": "page", "label": {"fr": "Lieu", "en": "Place"}},
    ],
}


def drop_relier_tables(engine: Engine) -> None:
    """Drop the plugin's tables and forget its branch's recorded version."""
    forget_installed(engine)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.execute(text("DELETE FROM alembic_version WHERE version_num LIKE 'relier_%'"))


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait until ``condition()`` is true (a background thread's work)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)
