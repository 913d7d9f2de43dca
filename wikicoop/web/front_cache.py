"""The front door: visitors' page views answered before Flask while nothing changed.

Wikimedia serves most reads from caches that never reach PHP; a small wiki can do the
same inside each worker. :class:`FrontCache` is a WSGI middleware in front of the Flask
app. A request it may answer is a plain ``GET /wiki/…`` from a visitor: no query
string, no ``Authorization``, no session or "remember me" cookie. Its key is what the
page can depend on besides the database: the path, the host and scheme, the
``Accept-Language`` header and the cookies (language, theme).

- **A miss** goes to Flask. When the page view says its answer is the same for every
  visitor with that key (:data:`SHAREABLE`, set by the view), and Flask answered 200
  without setting a cookie, the whole answer (status, headers, body) is kept with the
  database's change stamp read *before* Flask read anything.
- **A hit** is an answer kept under the same change stamp: nothing was committed
  anywhere since, so Flask would answer the same. It is sent as kept, or as a 304
  when the browser's copy is current (``If-None-Match``, else ``If-Modified-Since``).

Bodies are kept gzip-compressed, within a byte budget per worker (``PAGE_CACHE_MB``),
the least recently used dropped first. Behind that memory, the answers are also kept on
disk for all the workers of the machine (:mod:`wikicoop.web.page_files`,
``PAGE_CACHE_DISK_MB``): the change stamp is the same in every process, so a page one
worker made serves the others while nothing was committed.

A browser that accepts gzip gets the kept bytes as they are (``Content-Encoding: gzip``,
a weak ``ETag`` as for any compressed variant); any other client gets them uncompressed,
read from a file the disk tier keeps of the body (:meth:`PageFiles.plain_body`) rather
than decompressed at each view. Both carry ``Vary: Accept-Encoding``. A failure to read
the stamp (a database away) sends the request to Flask, which answers as it does then.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_date

from ..core.change_stamp import ChangeStamp
from ..page_files import (
    PageFiles,
    Record,
    accepts_gzip,
    body_digest,
    gunzipped,
    gzipped,
    request_key,
    weak_etags,
)
from .page_cache import SizedLru

#: environ key: the view's answer is the same for every visitor with this request's key
#: (true; or the answer's body, gzip-compressed, which the cache then keeps as it is)
SHAREABLE = "wikicoop.front_cache.shareable"
#: environ key: the change stamp read by the front cache (the view reuses it)
STAMP = "wikicoop.front_cache.stamp"
#: header lines kept once for all the answers that carry them (CSP, Vary…)
_SHARED_LINES_MAX = 256

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


#: what an answer kept costs besides its body and its own header lines: the entry, its
#: key, the tuple of its lines (those many answers share are counted once, not here)
_ENTRY_OVERHEAD = 800


@dataclass(frozen=True, slots=True)
class _Answer:
    stamp: Hashable
    status: str
    headers: tuple[tuple[str, str], ...]  # as Flask sent them, without Content-Length
    gzipped: bytes
    etag: str | None
    last_modified: datetime | None
    digest: str  # names the gzip bytes (the uncompressed body's file, page_files)


class FrontCache:
    """WSGI middleware serving visitors' unchanged pages (see the module's docstring).

    Args:
        app: the WSGI app behind (Flask's ``wsgi_app``).
        stamp: the database's change stamp.
        budget: bytes of answers kept in memory (0: the front cache is off).
        private_cookies: names of the cookies that make a request personal.
        files: the answers kept on disk for all the workers (None: none).
    """

    def __init__(
        self,
        app: WSGIApp,
        stamp: ChangeStamp,
        *,
        budget: int,
        private_cookies: Iterable[str],
        files: PageFiles | None = None,
    ) -> None:
        self._app = app
        self._stamp = stamp
        self._budget = max(0, budget)
        self._files = files if files is not None and files.enabled else None
        self._private = tuple(f"{name}=" for name in private_cookies)
        self._answers: SizedLru[Hashable, _Answer] = SizedLru(self._budget)
        self._lines: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        key = self._key(environ)
        if key is None:
            return self._app(environ, start_response)
        try:
            stamp = self._stamp.current()  # before Flask reads anything
        except (SQLAlchemyError, OSError):
            return self._app(environ, start_response)
        environ[STAMP] = stamp
        kept = self._kept(key, stamp)
        if kept is None and self._files is not None:
            kept = self._from_disk(key, stamp)  # made by another worker, or before
        if kept is not None:
            return self._send(kept, environ, start_response)
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            if environ.get(SHAREABLE):  # it may be kept, and then sent gzip-compressed
                headers = _varying_on_encoding(headers)
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self._app(environ, capture)
        if not self._worth_keeping(environ, answered):
            return body
        try:
            content = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        compressed = environ[SHAREABLE]
        if not isinstance(compressed, bytes) or gunzipped(compressed) != content:
            compressed = gzipped(content)  # not the view's own bytes (changed on the way)
        self._keep(key, stamp, answered["status"], answered["headers"], compressed)
        return [content]

    def __len__(self) -> int:
        return len(self._answers)

    def kept_keys(self) -> list[Hashable]:
        """The keys of the answers kept now, least recently used first."""
        return self._answers.keys()

    @property
    def kept_bytes(self) -> int:
        """Bytes of the answers kept now."""
        return self._answers.kept_bytes

    @property
    def files(self) -> PageFiles | None:
        """The answers kept on disk for all the workers (None: none)."""
        return self._files

    def _key(self, environ: dict[str, Any]) -> Hashable | None:
        """The key of a request this cache may answer, or None."""
        return request_key(environ, self._private) if self._budget else None

    def _kept(self, key: Hashable, stamp: Hashable) -> _Answer | None:
        kept = self._answers.get(key)
        return kept if kept is not None and kept.stamp == stamp else None

    @staticmethod
    def _worth_keeping(environ: dict[str, Any], answered: dict[str, Any]) -> bool:
        if not environ.get(SHAREABLE) or not answered.get("status", "").startswith("200 "):
            return False
        return not any(name.lower() == "set-cookie" for name, _ in answered["headers"])

    def _keep(
        self,
        key: Hashable,
        stamp: Hashable,
        status: str,
        headers: list[tuple[str, str]],
        compressed: bytes,
    ) -> None:
        named = {name.lower(): value for name, value in headers}
        modified = parse_date(named["last-modified"]) if "last-modified" in named else None
        kept_headers = tuple(line for line in headers if line[0].lower() != "content-length")
        etag = named.get("etag")
        answer = _Answer(
            stamp, status, kept_headers, compressed, etag, modified, body_digest(compressed)
        )
        self._remember(key, answer)
        if self._files is not None:
            self._files.put(key, stamp, _record(answer))

    def _from_disk(self, key: Hashable, stamp: Hashable) -> _Answer | None:
        """The answer a worker (another, or this one before) kept on disk under
        ``stamp``; kept in memory too from now on."""
        assert self._files is not None
        record = self._files.get(key, stamp)
        if record is None:
            return None
        try:
            answer = _answer(stamp, record)
        except (TypeError, ValueError):  # a record of another layout
            return None
        return self._remember(key, answer)

    def _remember(self, key: Hashable, answer: _Answer) -> _Answer:
        """Keep ``answer`` in memory, its header lines shared with the other answers'."""
        headers = tuple(self._shared_line(line) for line in answer.headers)
        own_lines = sum(  # the lines no other answer shares (its ETag, its date)
            len(line[0]) + len(line[1]) + 100
            for line in headers
            if self._lines.get(line) is not line
        )
        answer = replace(answer, headers=headers)
        self._answers.put(key, answer, len(answer.gzipped) + own_lines + _ENTRY_OVERHEAD)
        return answer

    def _shared_line(self, line: tuple[str, str]) -> tuple[str, str]:
        """The one copy of a header line that many answers carry (not their own tags)."""
        if line[0].lower() in ("etag", "last-modified", "date"):
            return line
        shared = self._lines.get(line)
        if shared is None and len(self._lines) < _SHARED_LINES_MAX:
            shared = self._lines.setdefault(line, line)
        return shared or line

    def _send(self, answer: _Answer, environ: dict[str, Any], start_response: Callable[..., Any]):
        compressed = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
        headers = weak_etags(answer.headers) if compressed else list(answer.headers)
        if _unchanged_for_browser(answer, environ):
            start_response("304 NOT MODIFIED", headers)
            return [b""]
        if compressed:
            headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(answer.gzipped)))]
            start_response(answer.status, headers)
            return [answer.gzipped]
        if self._files is not None:  # from its own file: no decompression a view
            body = self._files.plain_body(answer.digest, answer.gzipped)
        else:
            body = gunzipped(answer.gzipped)
        start_response(answer.status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


def _record(answer: _Answer) -> Record:
    """What :class:`PageFiles` keeps of an answer (what :mod:`marshal` writes)."""
    modified = None if answer.last_modified is None else answer.last_modified.timestamp()
    return (answer.status, answer.headers, answer.gzipped, answer.etag, modified, answer.digest)


def _answer(stamp: Hashable, record: Record) -> _Answer:
    """The answer :func:`_record` kept."""
    status, headers, compressed, etag, modified, digest = record
    last_modified = None if modified is None else datetime.fromtimestamp(modified, UTC)
    headers = tuple(map(tuple, headers))
    return _Answer(stamp, status, headers, compressed, etag, last_modified, digest)


def _varying_on_encoding(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` with ``Accept-Encoding`` among the ``Vary`` ones."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            if "accept-encoding" in value.lower():
                return headers
            changed = list(headers)
            changed[index] = (name, f"{value}, Accept-Encoding")
            return changed
    return [*headers, ("Vary", "Accept-Encoding")]


def _opaque(tag: str) -> str:
    """An entity tag without its weakness mark (``If-None-Match`` compares weakly)."""
    return tag.strip().removeprefix("W/")


def _unchanged_for_browser(answer: _Answer, environ: dict[str, Any]) -> bool:
    """Whether the browser's copy is this answer (``If-None-Match`` first, as Werkzeug)."""
    tags = environ.get("HTTP_IF_NONE_MATCH")
    if tags:
        if answer.etag is None:
            return False
        return _opaque(answer.etag) in {_opaque(tag) for tag in tags.split(",")}
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since and answer.last_modified is not None:
        asked = parse_date(since)
        return asked is not None and answer.last_modified <= asked
    return False
