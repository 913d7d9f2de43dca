"""A stop that reaches a gunicorn worker while it is being forked is not lost, and the
master's task runs at each turn of its loop (:mod:`wikicoop.worker_signals`).

Between its fork and the installation of its own handlers, a worker ran the master's:
a SIGTERM then was queued for a master the child is not, and the worker served on
until gunicorn's 30 s graceful timeout. The test makes that moment certain: the first
worker's ``post_fork`` (run in the child, before gunicorn installs the worker's
handlers) sends itself SIGTERM, as a service manager stopping the process group at
that moment would. The worker must stop, and the master fork a fresh one.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import free_port

pytestmark = pytest.mark.any_database  # no database: a gunicorn server and a WSGI app

SERVER = """
import os, signal, sys
from wikicoop.server import GunicornApp

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]

def post_fork(arbiter, worker):
    if worker.age == 1:  # a stop arriving while the first worker is being forked
        os.kill(os.getpid(), signal.SIGTERM)

GunicornApp(app, {
    "bind": "127.0.0.1:" + sys.argv[1],
    "workers": 1,
    "post_fork": post_fork,
    "control_socket_disable": True,
}).run()
"""


def _booted(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if "Booting worker" in line]


def test_a_worker_signalled_while_forked_stops_and_is_replaced(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(free_port())],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 20
        while len(_booted(log)) < 2 and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.05)
        # before the fix: one worker, still serving (its SIGTERM went to a copy of the
        # master's handler), until gunicorn's graceful timeout
        assert len(_booted(log)) >= 2, log.read_text()
        first = _booted(log)[0].rsplit(" ", 1)[-1]
        assert f"Worker exiting (pid: {first})" in log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        started = time.monotonic()
        server.wait(timeout=25)
    assert time.monotonic() - started < 10, log.read_text()  # a stop, not a timeout


TASK_SERVER = """
import sys
from wikicoop.server import GunicornApp

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]

calls = []

def task():
    calls.append(1)
    print(f"task {len(calls)}", flush=True)
    if len(calls) == 2:
        raise RuntimeError("the task broke")

GunicornApp(app, {
    "bind": "127.0.0.1:" + sys.argv[1],
    "workers": 1,
    "control_socket_disable": True,
}, on_idle=task).run()
"""


def test_the_master_runs_its_task_each_turn_and_a_failing_task_never_stops_it(
    tmp_path: Path,
) -> None:
    """The master's task (wikicoop run's record of its quiet database) runs at each turn
    of gunicorn's loop; one that fails is logged and not run again, and the server
    serves on."""
    log, port = tmp_path / "server.log", free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", TASK_SERVER, str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 20
        while "task failed" not in log.read_text() and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            time.sleep(0.05)
        assert "RuntimeError: the task broke" in log.read_text()
        time.sleep(2.5)  # two more turns of the loop at least
        assert "task 3" not in log.read_text() and server.poll() is None
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().read() == b"ok"
        connection.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=25)
