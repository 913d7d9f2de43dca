"""Production serving with gunicorn (what ``wikicoop run`` uses without --debug).

A crash of the master (``kill -9``, the OOM killer) must not keep the port: each worker
asks the kernel to kill it when its master dies (Linux), and watches its parent process
as well (everywhere). The master's pid file (:mod:`wikicoop.pid_file`) is checked
against a live ``wikicoop`` process, so the one a crash left behind never blocks the
next start.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .index_writer import IndexWriter, start_index_writer
from .pid_file import pid_path
from .processes import die_with_parent, release_inherited_handles
from .worker_memory import MemoryBudget
from .worker_signals import StopSafeArbiter

#: glibc malloc arenas a process may use (see :func:`limit_malloc_arenas`)
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # from <malloc.h>


class GunicornApp(BaseApplication):
    """A WSGI app served by gunicorn with these options (``wikicoop run``; the bench's
    Flask ceiling uses it too, with the same options)."""

    def __init__(
        self, app: Flask, options: dict[str, object], on_idle: Callable[[], object] | None = None
    ) -> None:
        self._app = app
        self._options = options
        self._on_idle = on_idle  # the master's task at each turn of its loop
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app

    def run(self) -> None:
        """As gunicorn's, with an arbiter whose new workers cannot miss a stop."""
        try:
            arbiter = StopSafeArbiter(self)
            arbiter.on_idle = self._on_idle
            arbiter.run()
        except RuntimeError as error:
            print(f"\nError: {error}\n", file=sys.stderr)
            sys.stderr.flush()
            sys.exit(1)


def warm_up(app: Flask) -> None:
    """Do once, before forking, what every worker's first page view would do on its own:
    compile the page templates, load the locale data of the wiki's first language,
    prepare the SQL statements, load the search backend's modules. The workers then
    share it instead of each building a private copy. One view (the page touched last,
    else the home page): it is on the way to the first answer."""
    from .search import backend_of

    language = app.config["LANGUAGES"].split(",")[0].strip()
    try:
        backend_of(app)
        path = _page_touched_last(app) or "/"
        app.test_client().get(path, follow_redirects=True, headers={"Accept-Language": language})
    except Exception:  # a warm-up must never stop the start; the workers will do it
        app.logger.exception("warm-up before forking failed")


def _page_touched_last(app: Flask) -> str | None:
    """The address of the page touched last, if there is one."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from .core.db import engine_of
    from .core.models import Page
    from .web.urls import page_url

    with Session(engine_of(app)) as session:
        query = select(Page).where(Page.deleted_at.is_(None)).order_by(Page.touched_at.desc())
        page = session.scalars(query.limit(1)).first()
        return page_url(page.title) if page is not None else None


def adopt_pages_of_the_last_run(app: Flask) -> bool:
    """Let this run serve the pages the last one kept on disk, when the database is
    exactly as that run left it at its clean stop (:func:`keep_pages_for_the_next_run`)
    and the code and settings are the same (the page files' generation). On SQLite a
    new run reads another change stamp for the same data: it is tied to the last run's
    here. Called in the master before forking. Returns whether it did."""
    from .core.change_stamp import CHANGE_STAMP_KEY
    from .page_files import PAGE_FILES_KEY

    files = app.extensions[PAGE_FILES_KEY]
    left = files.state_at_last_stop() if files.enabled else None
    if left is None:
        return False
    earlier_stamps, database_state = left
    stamp = app.extensions[CHANGE_STAMP_KEY].unchanged_since(database_state)
    if stamp is None:  # written since (by a command, another server, a restore)
        return False
    files.adopt(stamp, earlier_stamps)
    app.logger.info("pages kept by the last run served again: nothing written since its stop")
    return True


def keep_pages_for_the_next_run(app: Flask) -> bool:
    """At a clean stop, in the master once its workers are gone: the database settled
    (SQLite's WAL written into its file) and its state recorded beside the page files,
    for :func:`adopt_pages_of_the_last_run`. Returns whether it did: a failure only
    leaves the next run to make its pages again."""
    from .core.change_stamp import CHANGE_STAMP_KEY
    from .early_answers import EARLY_START_KEY
    from .page_files import PAGE_FILES_KEY

    files = app.extensions[PAGE_FILES_KEY]
    if not files.enabled:
        return False
    try:
        settled = app.extensions[CHANGE_STAMP_KEY].settle()
    except Exception:  # a stop must never fail on this
        app.logger.exception("the database's state at the stop could not be recorded")
        return False
    if settled is None:
        return False
    return files.keep_state_at_stop(*settled, start=app.extensions[EARLY_START_KEY])


#: seconds without a commit before a running wiki records its database's state (it
#: looks once a second: the record follows the last commit by one to two seconds; it
#: writes one small file, so a wiki that commits all the time writes one a second)
QUIET_SECONDS = 1.0


class RecordWhenQuiet:
    """In the master of ``wikicoop run`` on SQLite, at each turn of its loop: once
    nothing has been committed for ``quiet`` seconds, the database's state is recorded
    beside the page files as a clean stop records it, so that a start after a crash
    (``kill -9``, the OOM killer, a power cut) answers the pages kept under it before
    its app is built (:mod:`wikicoop.early_answers`), as a restart does.

    Nothing is written to the database: the record names the state of its file and of
    its WAL (:meth:`ChangeStamp.quiet_state`), which any commit since changes, and the
    stamp its pages were kept under. Once per quiet state; a stamp read (a ``pread``) a
    second otherwise. Not on PostgreSQL, where the master holds no connection (its
    workers would inherit it): see :func:`record_for_a_start_after_a_crash`.
    """

    def __init__(self, app: Flask, quiet: float = QUIET_SECONDS) -> None:
        from .core.change_stamp import CHANGE_STAMP_KEY
        from .early_answers import EARLY_START_KEY
        from .page_files import PAGE_FILES_KEY

        self._stamp = app.extensions[CHANGE_STAMP_KEY]
        self._files = app.extensions[PAGE_FILES_KEY]
        self._start = app.extensions[EARLY_START_KEY]
        self._quiet = quiet
        self.enabled = self._files.enabled and self._stamp.sqlite_file is not None
        self._seen: object = None  # the stamp read last, unchanged since ``_since``
        self._since = 0.0
        self._next_look = 0.0
        self._recorded: object = None

    def __call__(self) -> bool:
        """Look at the stamp (at most once a second); record the state when it has been
        quiet long enough and not recorded yet. Returns whether it recorded."""
        now = time.monotonic()
        if not self.enabled or now < self._next_look:
            return False
        self._next_look = now + min(1.0, self._quiet)
        stamp = self._stamp.current()
        if stamp != self._seen:
            self._seen, self._since = stamp, now
            return False
        if stamp == self._recorded or now - self._since < self._quiet:
            return False
        state = self._stamp.quiet_state(stamp)
        if state is None:
            return False
        self._recorded = stamp  # once: a failure only leaves the last record as it is
        return self._files.keep_state_at_stop(stamp, state, start=self._start)


def record_for_a_start_after_a_crash(app: Flask) -> None:
    """In the master of ``wikicoop run``, before the warm-up: on PostgreSQL, whose stamp
    read again proves the data the same, the stamp now is recorded, then each process
    records the stamps it keeps pages under (:meth:`PageFiles.record_each_stamp`), a
    file written once a commit at most; on SQLite, the master records its quiet
    database (:class:`RecordWhenQuiet`)."""
    from .core.change_stamp import CHANGE_STAMP_KEY
    from .early_answers import EARLY_START_KEY
    from .page_files import PAGE_FILES_KEY

    start = app.extensions[EARLY_START_KEY]
    if start["postgresql"]:  # (the warm-up reads the stamp here anyway)
        now = app.extensions[CHANGE_STAMP_KEY].current()
        app.extensions[PAGE_FILES_KEY].record_each_stamp(start, now)


def share_with_workers(app: Flask) -> None:
    """Prepare the master so that its forked workers share its memory.

    After :func:`warm_up`, every object the master holds is frozen out of the garbage
    collector (:func:`gc.freeze`): a collection in a worker no longer writes to them, so
    the memory pages that hold them stay shared with the master and the other worker
    instead of being copied into each (copy-on-write).
    """
    warm_up(app)
    release_inherited_handles(app, in_child=False)  # the workers open their own
    gc.freeze()  # without a collection first: the start leaves next to no garbage


#: the catch-up's command (the hidden ``wikicoop index-catch-up``)
CATCH_UP_COMMAND = (sys.executable, "-m", "wikicoop", "index-catch-up")


def catch_up_index_in_background(app: Flask) -> threading.Thread:
    """In the first worker, once it serves: bring the search index up to the database
    (the pages a stopped or crashed server left unindexed) in a process of its own, at
    a lower priority, watched by a thread of the worker that logs its end.

    Out of the way of the first answer (a fifth of a second at 2,000 pages). In its own
    process, not a thread of the worker: what reading the index and the pages' states
    takes (17 MiB at 2,000 pages) is given back when it ends, where a worker would keep
    it; and the system's scheduler makes it give way to the workers (``nice``). Not
    started by the master: a thread running there while it forks a worker would leave
    the worker its locks, held for ever. It ends with the worker that started it.
    """
    env = {**os.environ, "WIKICOOP_INSTANCE": app.instance_path}
    env["WIKICOOP_CATCH_UP_PARENT"] = str(os.getpid())

    def catch_up() -> None:
        try:
            done = subprocess.run(
                CATCH_UP_COMMAND, env=env, capture_output=True, text=True, check=False
            )
        except OSError:
            app.logger.exception("search index: the catch-up could not start")
            return
        if done.returncode < 0:  # ended by a signal: its worker is stopping (or was killed)
            app.logger.info(
                "search index: catch-up stopped by signal %d; the next start takes it up",
                -done.returncode,
            )
        elif done.returncode != 0:
            app.logger.error("search index: catching up failed\n%s", done.stderr[-3000:])
        elif done.stdout.strip():
            app.logger.info("search index: %s", done.stdout.strip())

    thread = threading.Thread(target=catch_up, name="wikicoop-index-catch-up", daemon=True)
    thread.start()
    return thread


def retire_when_over_budget(worker: Any) -> bool:
    """After each request of a gunicorn ``worker`` (its ``post_request``): when it holds
    more of its own memory than its budget (``worker.wikicoop_memory``, set at its fork),
    stop it once its requests are answered; gunicorn forks a fresh one, as after its
    ``max_requests``. Not while the index's catch-up it started still runs: that process
    ends with its worker. True when the worker is retired."""
    held = worker.wikicoop_memory.after_request()
    catch_up = getattr(worker, "wikicoop_catch_up", None)
    if held is None or not worker.alive or (catch_up is not None and catch_up.is_alive()):
        return False
    worker.log.info(
        "Worker %s holds %.0f MiB of its own (WORKER_MEMORY_MB: %.0f): replaced by a fresh"
        " one once its requests are answered",
        worker.pid,
        held,
        worker.wikicoop_memory.limit_mib,
    )
    worker.alive = False
    return True


def catch_up_index(app: Flask) -> int:
    """The catch-up process's work (``wikicoop index-catch-up``): end with the worker
    that started it, give way to the workers, bring the index up to the database;
    returns the number of pages brought up to date."""
    from .search import ensure_in_step

    parent = os.environ.get("WIKICOOP_CATCH_UP_PARENT")
    if parent:
        die_with_parent(int(parent))
    with contextlib.suppress(OSError):
        os.nice(10)
    return ensure_in_step(app)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap the memory arenas of glibc's malloc in this process and the workers it forks.

    glibc gives each new thread an arena of its own, up to eight per core: a worker's
    four threads spread what Python frees over as many arenas, each keeping its own free
    memory. Two arenas measured 54-56 MiB of PSS per worker after the bench's load
    where eight gave 55-65 MiB (bench_views, 2,000 pages, SQLite); the threads take turns under
    Python's lock anyway. Left alone when ``MALLOC_ARENA_MAX`` is set (glibc read it at
    start) or where the C library is not glibc. Returns whether the cap was set.
    """
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version"):  # not glibc: musl's mallopt does nothing
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def serve(
    app: Flask, *, host: str, port: int, workers: int = 2, listening: int | None = None
) -> None:
    """Serve ``app`` with gunicorn: ``workers`` processes of 4 threads each, on
    ``host:port`` or on the socket already ``listening`` there (its descriptor, from
    :func:`wikicoop.early_answers.hand_over`). A worker over ``WORKER_MEMORY_MB`` of its
    own is replaced by a fresh fork (:mod:`wikicoop.worker_memory`)."""
    from .core.change_stamp import CHANGE_STAMP_KEY

    master_pid = os.getpid()

    memory_limit = float(app.config["WORKER_MEMORY_MB"])

    def post_fork(_server: object, worker: Any) -> None:
        die_with_parent(master_pid)
        release_inherited_handles(app)
        worker.wikicoop_memory = MemoryBudget(memory_limit)

    def post_request(worker: Any, _request: object, _environ: object, _response: object) -> None:
        retire_when_over_budget(worker)

    def post_worker_init(worker: Any) -> None:
        if worker.age == 1:  # the first worker gunicorn started (a later one need not)
            worker.wikicoop_catch_up = catch_up_index_in_background(app)

    import gunicorn.workers.gthread  # noqa: F401 - loaded before forking, not by each worker

    limit_malloc_arenas()  # before the workers and their threads exist
    bind = f"{host}:{port}" if listening is None else f"fd://{listening}"
    # PostgreSQL: present on the database before any write (core.write_mark), once for
    # all the workers
    app.extensions[CHANGE_STAMP_KEY].announce()
    adopt_pages_of_the_last_run(app)  # before the warm-up view reads them
    record_for_a_start_after_a_crash(app)
    share_with_workers(app)
    writers: list[IndexWriter] = []

    def when_ready(arbiter: Any) -> None:
        # forked once gunicorn is set up, just before the workers: what the master
        # changes after a fork stays a private copy in the child, so the later the less
        # (with fd://, gunicorn has already closed the socket it was handed: its own
        # copy is among its listeners)
        sockets = [listener.fileno() for listener in arbiter.LISTENERS]
        writer = start_index_writer(app, close_in_child=sockets)
        if writer is not None:
            writers.append(writer)

    def on_exit(_arbiter: object) -> None:  # the workers are gone
        for writer in writers:
            writer.stop()  # what it still holds written before the index is left
        keep_pages_for_the_next_run(app)

    GunicornApp(
        app,
        {
            "bind": bind,
            "workers": max(1, workers),
            "threads": 4,
            "accesslog": "-",
            "timeout": 60,
            "post_fork": post_fork,
            "post_request": post_request,
            "post_worker_init": post_worker_init,
            "when_ready": when_ready,
            "on_exit": on_exit,
            "pidfile": str(pid_path(Path(app.instance_path))),
            # gunicorn's control socket defaults to one path per user, shared by every
            # instance on the machine; wikicoop run does not use it
            "control_socket_disable": True,
        },
        on_idle=RecordWhenQuiet(app),
    ).run()
