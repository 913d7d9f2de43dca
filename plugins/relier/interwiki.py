"""Interwiki prefixes: ``[[wikipedia:Brest]]`` links to French Wikipedia's page.

The table lives in ``relier_interwiki`` (seeded with :data:`DEFAULT_INTERWIKI` by the
plugin's migration); the core asks it through the ``interwiki_prefixes`` hook at render
time and renders such links as external links, never as page links. Admins change it at
``/interwiki``; every change drops every cached render (:func:`forget_renders`), so links
follow the table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wikicoop.core import render_cache
from wikicoop.core.models import utcnow
from wikicoop.text.titles import lookup_namespace

from .tables import installed, interwiki

DEFAULT_INTERWIKI: Mapping[str, str] = {
    "wikipedia": "https://fr.wikipedia.org/wiki/$1",
    "wikipedia-en": "https://en.wikipedia.org/wiki/$1",
    "wiktionnaire": "https://fr.wiktionary.org/wiki/$1",
    "wikibrest": "https://www.wiki-brest.net/index.php/$1",
    "commons": "https://commons.wikimedia.org/wiki/$1",
    "wikidata": "https://www.wikidata.org/wiki/$1",
    "osm": "https://www.openstreetmap.org/$1",
}

PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
URL_RE = re.compile(r"^https?://[^\s<>\"'`]+$")
MAX_URL = 500


class BadInterwiki(ValueError):
    """A prefix or template refused: ``key`` names the text to say, ``field`` the input."""

    def __init__(self, key: str, field: str) -> None:
        super().__init__(key)
        self.key, self.field = key, field


def prefixes(session: Session | None) -> dict[str, str]:
    """The table ``{prefix: template}``: the stored one, or the defaults without it."""
    if session is None or not installed(session):
        return dict(DEFAULT_INTERWIKI)
    rows = session.execute(select(interwiki.c.prefix, interwiki.c.url_template))
    return {prefix: url for prefix, url in rows}


def rows(session: Session) -> list[tuple[str, str]]:
    """The table sorted by prefix."""
    return sorted(prefixes(session).items())


def check(prefix: str, url: str) -> tuple[str, str]:
    """The cleaned ``(prefix, template)``; :class:`BadInterwiki` when one is wrong."""
    prefix = prefix.strip().casefold()
    url = url.strip()
    if not PREFIX_RE.match(prefix):
        raise BadInterwiki("iw_bad_prefix", "prefix")
    if lookup_namespace(prefix) is not None:  # [[Aide:X]] must stay a page of the wiki
        raise BadInterwiki("iw_namespace", "prefix")
    if len(url) > MAX_URL or not URL_RE.match(url) or "$1" not in url:
        raise BadInterwiki("iw_bad_url", "url")
    return prefix, url


def put(session: Session, prefix: str, url: str) -> None:
    """Add or change a prefix (checked with :func:`check` first); renders are dropped."""
    session.execute(delete(interwiki).where(interwiki.c.prefix == prefix))
    session.execute(interwiki.insert().values(prefix=prefix, url_template=url, updated_at=utcnow()))
    render_cache.forget_renders(session)


def remove(session: Session, prefix: str) -> bool:
    """Remove a prefix; False when there was none. Renders are dropped."""
    gone = session.execute(delete(interwiki).where(interwiki.c.prefix == prefix)).rowcount
    if gone:
        render_cache.forget_renders(session)
    return bool(gone)
