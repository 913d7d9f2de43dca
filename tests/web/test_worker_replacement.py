"""A worker over its memory budget is replaced by a fresh fork, and no request is lost
(issue 14, point 2; wikicoop.worker_memory, wikicoop.server)."""

from __future__ import annotations

import http.client
import re
import time
from pathlib import Path

import pytest
from server_support import RunningWiki

from wikicoop.worker_memory import MIN_REQUESTS

#: bounded wait for the log line of a replacement (not a timing test)
REPLACED_WAIT = 30.0
REPLACED = re.compile(r"Worker (\d+) holds \d+ MiB of its own \(WORKER_MEMORY_MB: 1\): replaced")
BOOTED = re.compile(r"Booting worker with pid: (\d+)")


@pytest.mark.any_database
@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux's smaps_rollup")
def test_a_worker_over_its_budget_is_replaced_and_no_request_is_lost(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    """With a budget of 1 MiB every worker is over it: after its thousand requests it
    answers what it has, gives its place to a fresh worker, and every request of a
    client that keeps its connection open (as a browser does) is answered."""
    wiki = RunningWiki({**server_env, "WIKICOOP_WORKER_MEMORY_MB": "1"}, tmp_path / "run.log")
    try:
        wiki.start(workers=1)
        wiki.wait_ready()
        statuses = _views(wiki.port, "/wiki/Accueil", MIN_REQUESTS + 200)
        assert set(statuses) == {200}, statuses.count(200)
        deadline = time.monotonic() + REPLACED_WAIT
        while not REPLACED.search(wiki.output()) and time.monotonic() < deadline:
            time.sleep(0.1)
        log = wiki.output()
        replaced = REPLACED.findall(log)
        assert replaced, log[-3000:]
        booted = BOOTED.findall(log)
        assert replaced[0] in booted and len(booted) >= 2, log[-3000:]  # a fresh one came
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
