"""Reading a partner wiki's feed: fetch with time-outs and a size cap, parse Atom or
RSS 2.0 with the standard library, refusing DTDs and entities (no feedparser, no
defusedxml: a document type or an entity declaration is refused before parsing, which
closes "billion laughs" and external entities).

:func:`fetch_entries` returns the entries or raises :class:`FeedError` whose ``code``
says what went wrong in a word the partner page turns into plain words.
"""

from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree import ElementTree

#: most bytes read from a feed
MAX_BYTES = 2 * 1024 * 1024
#: most entries kept per partner
MAX_ENTRIES = 10
ATOM = "{http://www.w3.org/2005/Atom}"
_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
USER_AGENT = "wikicoop-relier/1.0 (+partner wikis portal)"


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) addresses only (urllib would follow one to ftp)."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not newurl.lower().startswith(("http://", "https://")):
            raise FeedError("unreachable", "redirected out of http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


class FeedError(Exception):
    """A feed that could not be read: ``code`` among timeout, unreachable, http,
    too-big, unsafe, invalid."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


def download(url: str, timeout: float) -> bytes:
    """The body at ``url``, at most :data:`MAX_BYTES`: connecting and each read wait at
    most ``timeout`` seconds, and reading stops once ``timeout`` has passed in all."""
    if not url.lower().startswith(("http://", "https://")):
        raise FeedError("unreachable", "not an http(s) address")
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:  # a partner trickling bytes for ever
                    raise FeedError("timeout")
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FeedError("too-big")
                chunks.append(chunk)
            return b"".join(chunks)
    except FeedError:
        raise
    except urllib.error.HTTPError as err:
        raise FeedError("http", str(err.code)) from None
    except TimeoutError:
        raise FeedError("timeout") from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError | socket.timeout):
            raise FeedError("timeout") from None
        raise FeedError("unreachable", str(err.reason)[:200]) from None
    except (OSError, ValueError) as err:
        raise FeedError("unreachable", str(err)[:200]) from None


def _text(node: ElementTree.Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def _date(value: str) -> str:
    """An ISO 8601 date from an Atom or RSS date ("" when unreadable)."""
    value = value.strip()
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat()


def _safe_url(url: str) -> str:
    url = url.strip()
    return url if url.lower().startswith(("http://", "https://")) and len(url) < 1000 else ""


def parse(data: bytes) -> list[dict[str, Any]]:
    """The entries of an Atom or RSS 2.0 document, newest first (as given), each
    ``{"title", "url", "updated"}``; :class:`FeedError` ``unsafe`` or ``invalid``."""
    if _DANGEROUS.search(data):
        raise FeedError("unsafe", "document type or entity declaration")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as err:
        raise FeedError("invalid", str(err)[:200]) from None
    entries: list[dict[str, Any]] = []
    if root.tag == ATOM + "feed":
        for entry in root.findall(ATOM + "entry")[:MAX_ENTRIES]:
            url = ""
            for link in entry.findall(ATOM + "link"):
                if link.get("rel", "alternate") == "alternate":
                    url = link.get("href", "")
                    break
            when = _text(entry.find(ATOM + "updated")) or _text(entry.find(ATOM + "published"))
            entries.append(
                {
                    "title": _text(entry.find(ATOM + "title"))[:300],
                    "url": _safe_url(url),
                    "updated": _date(when),
                }
            )
    elif root.tag == "rss" and root.find("channel") is not None:
        for item in root.findall("channel/item")[:MAX_ENTRIES]:
            entries.append(
                {
                    "title": _text(item.find("title"))[:300],
                    "url": _safe_url(_text(item.find("link"))),
                    "updated": _date(_text(item.find("pubDate"))),
                }
            )
    else:
        raise FeedError("invalid", "neither Atom nor RSS 2.0")
    return [e for e in entries if e["title"] or e["url"]]


def fetch_entries(url: str, timeout: float) -> list[dict[str, Any]]:
    """Download and parse a feed (see :func:`download` and :func:`parse`)."""
    return parse(download(url, timeout))
