"""Real servers for tests: ``wikicoop run`` (gunicorn) in its own process group, and a
small HTTP client that keeps its cookies, as a browser does.

Shared by tests/web/test_server.py (one server), tests/web/test_restart_pages.py and
tests/web/test_two_servers.py (two servers on one PostgreSQL and one Redis). A pytest
plugin too (conftest.py): the fixtures ``server_env`` and ``wiki`` are defined here.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from helpers import free_port
from wiki_fixtures import _truncate_all

WIKICOOP = Path(sys.executable).with_name("wikicoop")
#: longest wait for a server to answer after its start (bounded polling, not a timing test)
START_WAIT = 60.0
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, str]:
    """GET ``path`` on the local server: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class RunningWiki:
    """``wikicoop run`` in its own process group; its output goes to ``log``."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        #: every master started (each leads its own process group), for the clean-up
        self.masters: list[int] = []

    def start(self, *, workers: int = 2, command: list[str] | None = None) -> subprocess.Popen:
        """Start ``wikicoop run`` (or ``command``) without waiting for it to answer."""
        run = [str(WIKICOOP), "run", "--port", str(self.port), "--workers", str(workers)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command or run,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.masters.append(self.process.pid)
        return self.process

    def wait_ready(self) -> None:
        """Wait until this master listens (its own log line: the workers of a killed
        master may still answer) and the home page answers 200; bounded, else fail."""
        assert self.process is not None
        listening = f"Listening at: http://127.0.0.1:{self.port} ({self.process.pid})"
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"wikicoop run exited ({self.process.returncode}):\n{self.output()}")
            with contextlib.suppress(OSError):
                if listening in self.output() and get(self.port, "/wiki/Accueil")[0] == 200:
                    return
            time.sleep(0.1)
        pytest.fail(f"wikicoop run did not answer within {START_WAIT} s:\n{self.output()}")

    def stop(self, grace: float = 10.0) -> None:
        """Ask for a quick shutdown, then kill what is left of the process group after
        ``grace`` seconds (gunicorn defers a signal that comes while a worker boots)."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
        process.wait()

    def crash(self) -> None:
        """``kill -9`` of the master alone, as a crash or the OOM killer does; returns
        once the processes that die with it (its workers) are gone: the port is free."""
        assert self.process is not None
        group = self.process.pid
        self.process.kill()
        self.process.wait()
        self.process = None
        deadline = time.monotonic() + START_WAIT
        while group_processes(group):
            if time.monotonic() > deadline:
                pytest.fail(f"the killed master's processes live on:\n{self.output()}")
            time.sleep(0.05)

    def close(self) -> None:
        """Stop the server and kill anything left of every process group started."""
        self.stop()
        for pid in self.masters:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)

    def output(self) -> str:
        """Everything the server wrote so far (its log)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def group_processes(wiki: RunningWiki | int) -> list[tuple[int, str, bytes]]:
    """The live processes of this server's process group (or of the group numbered
    so): (pid, name, command line). Zombies, which hold nothing, are left out; but a
    process whose first thread ended while others still run shows as a zombie too,
    while it still holds its files (a worker's listening socket): it is kept."""
    if isinstance(wiki, RunningWiki):
        assert wiki.process is not None
    wanted = wiki if isinstance(wiki, int) else wiki.process.pid
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            group = int(stat.read_text().rsplit(")", 1)[1].split()[2])
            name = (stat.parent / "comm").read_text().strip()
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):  # ended meanwhile
            continue
        if group == wanted and process_lives(stat.parent):
            found.append((int(stat.parent.name), name, command))
    return found


def process_lives(process: Path) -> bool:
    """Whether a thread of the process at ``process`` (its /proc folder) still runs."""
    for task in process.glob("task/*/stat"):
        try:
            if task.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                return True
        except (OSError, IndexError):  # ended meanwhile
            continue
    return False


def catching_up(wiki: RunningWiki) -> bool:
    """Whether the index's catch-up of this server (``wikicoop index-catch-up``, in
    the server's process group) still runs: it may store renderings, a commit."""
    return any(b"index-catch-up" in command for _pid, _name, command in group_processes(wiki))


class Answer:
    """One HTTP answer: status, headers (lower-case names) and body text."""

    def __init__(self, status: int, headers: dict[str, str], text: str) -> None:
        self.status, self.headers, self.text = status, headers, text

    def json(self) -> Any:
        """The body read as JSON."""
        return json.loads(self.text)

    def __repr__(self) -> str:
        return f"<Answer {self.status} {self.text[:300]!r}>"


class Browser:
    """An HTTP client with a cookie jar shared by every server it talks to, as a browser
    behind one reverse proxy: the same cookies go to whichever server answers.

    Cookie attributes (Secure, Path, expiry) are not checked: the servers run on
    loopback over plain HTTP.
    """

    def __init__(self, accept_language: str = "fr") -> None:
        self.cookies: dict[str, str] = {}
        self.accept_language = accept_language

    def request(
        self,
        port: int,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        body: object = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Answer:
        """Send one request to the server on ``port`` with this browser's cookies."""
        sent = {"Accept-Language": self.accept_language, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload: bytes | None = None
        if form is not None:
            payload = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request(method, path, body=payload, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    self._keep(value)
            answer_headers = {name.lower(): value for name, value in response.getheaders()}
            return Answer(response.status, answer_headers, text)
        finally:
            conn.close()

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel.value and morsel["expires"] != "Thu, 01 Jan 1970 00:00:00 GMT":
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)

    def get(self, port: int, path: str, **kw: Any) -> Answer:
        """GET ``path``."""
        return self.request(port, "GET", path, **kw)

    def post_form(
        self, port: int, path: str, data: dict[str, str], *, form_path: str = "", **kw: Any
    ) -> Answer:
        """GET the form at ``form_path`` (``path`` by default), then post ``data`` to
        ``path`` with the form's CSRF token."""
        page = self.get(port, form_path or path, **kw)
        match = CSRF_FIELD.search(page.text)
        assert match, f"no CSRF token in {form_path or path}: {page!r}"
        return self.request(port, "POST", path, form={"csrf_token": match.group(1), **data}, **kw)

    def login(self, port: int, name: str, password: str) -> Answer:
        """Post the login form of the server on ``port``; the answer, unchecked."""
        return self.post_form(port, "/compte/connexion", {"username": name, "password": password})

    def save(self, port: int, title_path: str, text: str, summary: str = "") -> Answer:
        """Submit the edit form of ``/wiki/<title_path>`` as a browser does."""
        url = f"/wiki/{title_path}?action=edit"
        page = self.get(port, url)
        csrf = CSRF_FIELD.search(page.text)
        assert csrf, f"no edit form at {url}: {page!r}"
        base = re.search(r'name="base_revision"[^>]*value="([^"]*)"', page.text)
        form = {
            "csrf_token": csrf.group(1),
            "base_revision": base.group(1) if base else "",
            "text": text,
            "summary": summary,
            "save": "Enregistrer",
        }
        return self.request(port, "POST", url, form=form)


@pytest.fixture
def server_env(tmp_path: Path, postgres_url: str | None) -> dict[str, str]:
    """The environment of the command: a fresh instance (and database), no other settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKICOOP_")}
    env.update(
        WIKICOOP_INSTANCE=str(tmp_path / "instance"),
        WIKICOOP_PASSWORD_HASH_METHOD="scrypt:1024:8:1",
        WIKICOOP_ADMIN_PASSWORD="correct horse battery",
    )
    if postgres_url:
        _truncate_all(postgres_url)
        env["WIKICOOP_DATABASE_URL"] = postgres_url
    return env


@pytest.fixture
def wiki(server_env: dict[str, str], tmp_path: Path) -> Iterator[RunningWiki]:
    running = RunningWiki(server_env, tmp_path / "server.log")
    yield running
    running.close()
