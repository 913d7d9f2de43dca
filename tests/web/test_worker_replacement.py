"""A worker over its memory budget is replaced by a fresh fork, and no request is lost
(issue 14, point 2; wikicoop.worker_memory, wikicoop.server)."""

from __future__ import annotations

import http.client
import logging
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from server_support import RunningWiki

from wikicoop.server import retire_when_over_budget
from wikicoop.worker_memory import MIN_REQUESTS, MemoryBudget

#: bounded wait for the log line of a replacement (not a timing test)
REPLACED_WAIT = 30.0
REPLACED = re.compile(r"Worker (\d+) holds \d+ MiB of its own \(WORKER_MEMORY_MB: 1\): replaced")
BOOTED = re.compile(r"Booting worker with pid: (\d+)")


@pytest.mark.any_database
@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux's smaps_rollup")
def test_a_worker_over_its_budget_is_replaced_and_no_request_is_lost(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    """With a budget of 1 MiB every worker is over it: after its thousand requests (and
    its index catch-up) it answers what it has, gives its place to a fresh worker, and
    every request of a client that keeps its connection open (as a browser does) is
    answered."""
    wiki = RunningWiki({**server_env, "WIKICOOP_WORKER_MEMORY_MB": "1"}, tmp_path / "run.log")
    try:
        wiki.start(workers=1)
        wiki.wait_ready()
        statuses = _views(wiki.port, "/wiki/Accueil", MIN_REQUESTS)
        # a worker is looked at after its requests, and kept while the index's catch-up
        # it started runs: views go on until it is replaced (bounded)
        deadline = time.monotonic() + REPLACED_WAIT
        while not REPLACED.search(wiki.output()) and time.monotonic() < deadline:
            statuses += _views(wiki.port, "/wiki/Accueil", 20)
        assert set(statuses) == {200}, statuses.count(200)
        replaced = REPLACED.findall(wiki.output())
        assert replaced, wiki.output()[-3000:]
        # the fresh worker is forked once the replaced one has ended: awaited (bounded)
        while len(BOOTED.findall(wiki.output())) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        booted = BOOTED.findall(wiki.output())
        assert replaced[0] in booted and len(booted) >= 2, wiki.output()[-3000:]
        assert _views(wiki.port, "/wiki/Accueil", 20) == [200] * 20  # and answers
    finally:
        wiki.close()


def _views(port: int, path: str, count: int) -> list[int]:
    """``count`` GETs on one kept-alive connection, opened again whenever the server
    closed it (as a browser does); the statuses."""
    statuses: list[int] = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        while len(statuses) < count:
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                connection.close()  # closed between two requests: asked again
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            statuses.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    finally:
        connection.close()
    return statuses


def test_the_first_worker_stays_while_its_index_catch_up_runs(tmp_path: Path) -> None:
    """The catch-up process ends with the worker that started it: a worker over its
    budget is retired only once its catch-up has ended (else pages would stay out of
    the search until the next start)."""
    rollup = tmp_path / "smaps_rollup"
    rollup.write_text("Private_Clean: 1024 kB\nPrivate_Dirty: 50176 kB\n")  # 50 MiB
    catching_up = threading.Event()
    catch_up = threading.Thread(target=catching_up.wait, daemon=True)
    catch_up.start()
    worker = SimpleNamespace(
        alive=True,
        pid=1234,
        log=logging.getLogger("test.worker"),
        wikicoop_memory=MemoryBudget(40, check_seconds=0, min_requests=1, rollup=rollup),
        wikicoop_catch_up=catch_up,
    )
    assert retire_when_over_budget(worker) is False and worker.alive
    catching_up.set()
    catch_up.join()
    assert retire_when_over_budget(worker) is True and not worker.alive
    assert retire_when_over_budget(worker) is False  # retired once


def test_a_worker_under_its_budget_stays(tmp_path: Path) -> None:
    rollup = tmp_path / "smaps_rollup"
    rollup.write_text("Private_Clean: 0 kB\nPrivate_Dirty: 10240 kB\n")  # 10 MiB
    worker = SimpleNamespace(
        alive=True,
        pid=1234,
        log=logging.getLogger("test.worker"),
        wikicoop_memory=MemoryBudget(40, check_seconds=0, min_requests=1, rollup=rollup),
    )
    assert retire_when_over_budget(worker) is False and worker.alive
