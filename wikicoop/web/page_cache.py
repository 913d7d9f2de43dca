"""Whole page views for anonymous visitors, kept in memory per worker.

The Markdown of a revision is rendered once and stored (``render_cache``); this layer
also spares the page template for the visitors who see exactly the same page. The key
holds everything the page depends on: the revision, the moment its HTML was rendered
(which changes when link colours change), when the page was last touched, the host
and the language. A new revision, a re-render or a rename therefore makes a new key;
old keys simply fall out of the LRU.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock


class PageHtmlCache:
    """A small thread-safe LRU of finished page HTML."""

    def __init__(self, capacity: int = 512) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> str | None:
        """The page stored under ``key``, or None."""
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
            return html

    def put(self, key: Hashable, html: str) -> None:
        """Store a page, dropping the least recently used one when full."""
        with self._lock:
            self._entries[key] = html
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
