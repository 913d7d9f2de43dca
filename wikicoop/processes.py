"""What a process forked by the server does first: tie its life to its master's, and
drop what it must not share with its parent (gunicorn's workers, the index writer)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

from flask import Flask

#: how often a child checks that its master is still alive (seconds)
PARENT_WATCH_INTERVAL = 0.5
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PR_SET_NAME = 15


def release_inherited_handles(app: Flask, *, in_child: bool = True) -> None:
    """Close what a process must not share with its forks: database connections and
    the search index's open files.

    A forked worker inherits the parent's file descriptors, and with them their read
    offsets: two workers reading the same inherited index file move each other's
    position, and about one search in six failed. Called in the parent before forking
    and in each child after; the index reopens itself on the next search.
    """
    from .core.db import engine_of
    from .search import close_backend

    # in a child, close=False: the parent's connections must not be closed under it
    engine_of(app).dispose(close=not in_child)
    close_backend(app)


def die_with_parent(master_pid: int) -> None:
    """Make this process end as soon as its master is gone, even killed with -9.

    Gunicorn's own check notices a new parent within a second, but then waits up to
    ``graceful_timeout`` (30 s) for open connections while still holding the port.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != master_pid:  # the master died before the line above
        os._exit(1)

    def watch() -> None:  # the fallback where there is no prctl
        while os.getppid() == master_pid:
            time.sleep(PARENT_WATCH_INTERVAL)
        os._exit(1)

    threading.Thread(target=watch, name="wikicoop-parent-watch", daemon=True).start()


def name_process(name: str) -> None:
    """Show ``name`` (15 bytes at most) for this process in ``ps``, ``top`` and
    ``/proc/PID/comm``, where every process of the server is otherwise ``wikicoop``
    (Linux; elsewhere nothing changes)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)
