"""What a visitor's page view tells caches: its address in the worker's page cache, its
``ETag`` and ``Last-Modified`` (a browser that has the page gets a 304), and its
``Cache-Control``.

- **Without a proxy** (the default, ``PROXY_CACHE_SECONDS = 0``) a visitor's page is
  ``no-cache``: a browser may keep it but asks each time, and gets a 304 while the page
  is unchanged, so an edit is visible at once to everyone.
- **Behind a caching proxy** (``PROXY_CACHE_SECONDS = N``) it is ``public, s-maxage=N,
  stale-while-revalidate=PROXY_STALE_SECONDS``: the proxy answers for N seconds, then
  serves the old copy while it asks again. Browsers still ask each time (``max-age=0``).
  A logged-in reader's pages, and any answer to a request that carries a session (an
  anonymous editor's: the edit form keeps its CSRF token there), are ``private,
  no-cache``: their author always sees their edit at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable

from flask import current_app, request
from flask import session as flask_session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from ..core.change_stamp import CHANGE_STAMP_KEY, ChangeStamp
from ..core.models import utcnow
from ..text.titles import Title
from .front_cache import SHAREABLE, STAMP
from .page_cache import CachedPage
from .themes import current_theme_name


def change_stamp() -> Hashable:
    """The database's change stamp, read before what it guards (by the front cache when
    the request came through it)."""
    if STAMP in request.environ:
        return request.environ[STAMP]
    stamp: ChangeStamp = current_app.extensions[CHANGE_STAMP_KEY]
    return stamp.current()


def share_with_visitors(page: CachedPage) -> None:
    """Tell the front cache this answer (``page``) is the same for every visitor with the
    request's key (:mod:`wikicoop.web.front_cache`); it keeps the page's compressed bytes
    rather than a copy of its own."""
    request.environ[SHAREABLE] = page.gzipped


def anonymous_address(title: Title) -> Hashable | None:
    """Where a visitor's plain view of ``title`` is remembered in the page cache, or None
    for a view that is personal (a reader, a query string, a message to show)."""
    if current_user.is_authenticated or request.args or "_flashes" in flask_session:
        return None
    # the host as sent (not request.host_url, whose IRI decoding cost 0.1 ms a view)
    host = (request.scheme, request.host)
    return (title.namespace, title.name, host, str(get_locale()), current_theme_name())


def finished_page(html: str, key: Hashable) -> CachedPage:
    """A visitor's page made now, with an ETag drawn from ``key`` (everything the page
    shows depends on; the same in every worker). Its ``Last-Modified`` is now: later
    than the page's last change, never earlier (a list on it may have moved without the
    page), so an ``If-Modified-Since`` never gets a 304 it should not."""
    etag = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    return CachedPage.of(html, etag, utcnow().replace(microsecond=0))


def visitor_response(page: CachedPage) -> Response:
    """The response for a visitor: a 304 when their copy is current."""
    response = Response(page.body, mimetype="text/html")
    response.set_etag(page.etag)
    response.last_modified = page.last_modified
    seconds = int(current_app.config.get("PROXY_CACHE_SECONDS") or 0)
    if _has_session():
        response.headers["Cache-Control"] = "private, no-cache"
    elif seconds > 0:
        stale = int(current_app.config.get("PROXY_STALE_SECONDS") or 0)
        response.headers["Cache-Control"] = (
            f"public, max-age=0, s-maxage={seconds}, stale-while-revalidate={stale}"
        )
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def _has_session() -> bool:
    """Whether this request carries a session (an anonymous editor's: the edit form put
    its CSRF token there)."""
    return bool(request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])) and bool(
        flask_session
    )


def personal_cache_control(response: Response) -> Response:
    """A reader's page: never kept by a shared cache, asked again each time."""
    response.headers["Cache-Control"] = "private, no-cache"
    return response
