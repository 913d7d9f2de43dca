"""Whole page views for anonymous visitors, kept in memory per worker.

The Markdown of a revision is rendered once and stored (``render_cache``); this layer
also spares the page template for the visitors who see exactly the same page. The key
holds everything the page depends on: the revision, the moment its HTML was rendered
(which changes when link colours change), when the page was last touched, the host
and the language. A new revision, a re-render or a rename therefore makes a new key;
old keys simply fall out of the LRU.

Finding the key costs two queries. So each address (the page asked for, the host, the
language, the theme) also remembers the key it led to and the database's change stamp
(:mod:`wikicoop.core.change_stamp`) read before: while the stamp has not moved, nothing
was committed anywhere, the key is still right and the page is served without SQL.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from threading import Lock


@dataclass(frozen=True)
class CachedPage:
    """A finished page and what HTTP caching says of it."""

    html: str
    etag: str
    last_modified: datetime


class PageHtmlCache:
    """A small thread-safe LRU of finished pages, and of the addresses that led to them."""

    def __init__(self, capacity: int = 512) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Hashable, CachedPage] = OrderedDict()
        # address -> (change stamp read before the key was found, key)
        self._addresses: OrderedDict[Hashable, tuple[Hashable, Hashable]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> CachedPage | None:
        """The page stored under ``key``, or None."""
        with self._lock:
            page = self._entries.get(key)
            if page is not None:
                self._entries.move_to_end(key)
            return page

    def put(self, key: Hashable, page: CachedPage) -> None:
        """Store a page, dropping the least recently used one when full."""
        with self._lock:
            self._entries[key] = page
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def fresh(self, address: Hashable, stamp: Hashable) -> CachedPage | None:
        """The page ``address`` led to when the change stamp was ``stamp``, if any."""
        with self._lock:
            seen = self._addresses.get(address)
            if seen is None or seen[0] != stamp:
                return None
            page = self._entries.get(seen[1])
            if page is not None:
                self._entries.move_to_end(seen[1])
                self._addresses.move_to_end(address)
            return page

    def remember(self, address: Hashable, stamp: Hashable, key: Hashable) -> None:
        """``address`` leads to the page under ``key`` while the stamp is ``stamp``."""
        with self._lock:
            self._addresses[address] = (stamp, key)
            self._addresses.move_to_end(address)
            while len(self._addresses) > self._capacity:
                self._addresses.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
