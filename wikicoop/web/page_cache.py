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

Pages are kept gzip-compressed, within a byte budget: a page is about a third of its
UTF-8 size that way (a ``str`` with one character outside Latin-1 takes two or four
bytes a character), and a worker's memory is what limits how many it keeps.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Generic, TypeVar

from ..page_files import gunzipped, gzipped

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: what a kept page costs besides its body (the entry, its key and its tags), in bytes
_ENTRY_OVERHEAD = 300
#: addresses remembered per MiB of the pages' budget: about four per page the budget
#: holds (a page takes about 4 KB gzip-compressed; an address, its stamp and its key
#: about 1 KB). More would point to pages long dropped: 4 MiB of a worker's memory for
#: nothing at 4,096 addresses.
ADDRESSES_PER_MIB = 1024
#: addresses remembered, whatever the budget
MIN_ADDRESSES = 64


@dataclass(frozen=True)
class CachedPage:
    """A finished page (its UTF-8 HTML, gzip-compressed) and what HTTP caching says of
    it."""

    gzipped: bytes
    etag: str
    last_modified: datetime

    @classmethod
    def of(cls, html: str, etag: str, last_modified: datetime) -> CachedPage:
        """The page for ``html``, compressed once here."""
        return cls(gzipped(html.encode("utf-8")), etag, last_modified)

    @property
    def body(self) -> bytes:
        """The page's HTML in UTF-8."""
        return gunzipped(self.gzipped)

    @property
    def size(self) -> int:
        """What keeping it costs, in bytes."""
        return len(self.gzipped) + _ENTRY_OVERHEAD


class SizedLru(Generic[K, V]):
    """A thread-safe LRU within a byte budget: each value comes with its size, and the
    least recently used ones are dropped while the sizes exceed the budget (the front
    cache's answers and the view's pages)."""

    def __init__(self, budget: int) -> None:
        self._budget = max(0, budget)
        self._bytes = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: K) -> V | None:
        """The value under ``key`` (now the most recently used), or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep ``value`` under ``key`` (not at all when it alone exceeds the budget)."""
        if size > self._budget:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self._budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def keys(self) -> list[K]:
        """The keys kept now, least recently used first."""
        with self._lock:
            return list(self._items)

    @property
    def kept_bytes(self) -> int:
        """The summed sizes of the values kept now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


class PageHtmlCache:
    """Finished pages within a byte budget (:class:`SizedLru`), and the addresses that
    led to them."""

    def __init__(self, budget: int = 8 * 2**20) -> None:
        self._pages: SizedLru[Hashable, CachedPage] = SizedLru(budget)
        # address -> (change stamp read before the key was found, key)
        self._addresses: OrderedDict[Hashable, tuple[Hashable, Hashable]] = OrderedDict()
        self._address_capacity = max(MIN_ADDRESSES, int(budget / 2**20 * ADDRESSES_PER_MIB))
        self._lock = Lock()

    def get(self, key: Hashable) -> CachedPage | None:
        """The page stored under ``key``, or None."""
        return self._pages.get(key)

    def put(self, key: Hashable, page: CachedPage) -> None:
        """Store a page, dropping the least recently used ones beyond the budget."""
        self._pages.put(key, page, page.size)

    def fresh(self, address: Hashable, stamp: Hashable) -> CachedPage | None:
        """The page ``address`` led to when the change stamp was ``stamp``, if any."""
        with self._lock:
            seen = self._addresses.get(address)
            if seen is None or seen[0] != stamp:
                return None
            self._addresses.move_to_end(address)
        return self._pages.get(seen[1])

    def remember(self, address: Hashable, stamp: Hashable, key: Hashable) -> None:
        """``address`` leads to the page under ``key`` while the stamp is ``stamp``."""
        with self._lock:
            self._addresses[address] = (stamp, key)
            self._addresses.move_to_end(address)
            while len(self._addresses) > self._address_capacity:
                self._addresses.popitem(last=False)

    @property
    def kept_bytes(self) -> int:
        """Bytes of the pages kept now."""
        return self._pages.kept_bytes

    def __len__(self) -> int:
        return len(self._pages)
