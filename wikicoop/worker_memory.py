"""A budget for the memory a worker holds of its own (issue 14, point 2).

A worker starts by sharing almost everything with the master that forked it: the
modules, the templates, the prepared statements (:func:`wikicoop.server.share_with_workers`).
Making pages through Flask then makes it copy part of that: each view writes the
reference counts of the objects it uses and the interpreter's specialised bytecode,
and every memory page written is copied into the worker (copy-on-write). A worker that
made thousands of pages holds 35–50 MiB of its own where one serving the kept pages
holds 15–25, and Python gives little of it back.

So, as uWSGI's ``reload-on-rss`` or Celery's ``worker_max_memory_per_child`` do, a
worker whose own memory (its private pages: what it would give back by exiting) goes
over ``WORKER_MEMORY_MB`` finishes the requests it has and is replaced by a fresh fork
of the master, which shares again. The pages it made are kept on disk for the others
(:mod:`wikicoop.page_files`); the new worker serves them from there.

Standard library only; Linux only (elsewhere nothing is measured, nothing replaced).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

#: the memory figures of this process, summed over its mappings (Linux 4.14 and later)
SMAPS_ROLLUP = Path("/proc/self/smaps_rollup")
#: seconds between two readings of a worker's memory (a reading walks its page tables)
CHECK_SECONDS = 1.0
#: requests a worker serves before it may be replaced: a budget set below what a fresh
#: worker holds would otherwise replace workers without end
MIN_REQUESTS = 1000


def memory_figures(rollup: Path = SMAPS_ROLLUP) -> dict[str, float] | None:
    """The memory figures of a process (``Rss``, ``Pss``, ``Private_Dirty``…) in MiB,
    from its ``smaps_rollup`` (this process's by default); None where the system does
    not tell."""
    try:
        text = rollup.read_text()
    except OSError:
        return None
    figures = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            figures[name] = int(value.split()[0]) / 1024
    return figures


def own_memory_mib(rollup: Path = SMAPS_ROLLUP) -> float | None:
    """The memory only this process holds (private pages, clean and dirty), in MiB;
    None where the system does not tell."""
    figures = memory_figures(rollup)
    if figures is None:
        return None
    return figures.get("Private_Clean", 0.0) + figures.get("Private_Dirty", 0.0)


class MemoryBudget:
    """Whether a worker went over its budget; :meth:`after_request` is called by each
    of its threads after every request, and reads the memory at most once a
    ``check_seconds``.

    Args:
        limit_mib: the budget (``WORKER_MEMORY_MB``); 0 or less: no budget.
        check_seconds: the least time between two readings.
        min_requests: requests served before the budget applies.
    """

    def __init__(
        self,
        limit_mib: float,
        *,
        check_seconds: float = CHECK_SECONDS,
        min_requests: int = MIN_REQUESTS,
        rollup: Path = SMAPS_ROLLUP,
    ) -> None:
        self.limit_mib = limit_mib
        self._check_seconds = check_seconds
        self._min_requests = min_requests
        self._rollup = rollup
        self._lock = threading.Lock()
        self._requests = 0
        self._next_check = 0.0

    def after_request(self) -> float | None:
        """The worker's own memory in MiB when it is over the budget (it should then be
        replaced), else None."""
        if self.limit_mib <= 0:
            return None
        with self._lock:  # the worker's threads count together; one reads at a time
            self._requests += 1
            now = time.monotonic()
            if self._requests < self._min_requests or now < self._next_check:
                return None
            self._next_check = now + self._check_seconds
        held = own_memory_mib(self._rollup)
        return held if held is not None and held > self.limit_mib else None
