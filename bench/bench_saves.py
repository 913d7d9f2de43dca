"""Saves of a served wiki, through the API and through the edit form (issue 14, point 3).

Used by ``bench_views.py`` on the server it measured, after the views: a trusted
contributor (reviewed by nobody, as most edits of an established wiki) edits random
existing pages one after the other, each save a new revision with its search index,
watchers and e-mail work. Timed: the ``PUT /api/v1/pages/<title>`` alone, and the form's
``POST /wiki/<title>?action=edit`` alone (the edit form is read before, untimed, for its
CSRF token and base revision). Goal: p95 under 50 ms for both.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from random import Random
from statistics import median
from urllib.parse import urlencode

#: the edit rate limit of the server measured (a bench edits faster than a person)
EDIT_RATE_LIMIT = "1000000 per minute"
SAVE_P95_GOAL_MS = 50.0
EDITOR, PASSWORD = "Banc-essai", "un mot de passe de banc d'essai"
_HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|base_revision)"[^>]*value="([^"]*)"')
_LICENCE = re.compile(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected')


@dataclass
class Saves:
    """The milliseconds of the saves of one way, and the answers that were not a save."""

    way: str
    milliseconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def p95(self) -> float:
        ordered = sorted(self.milliseconds)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0

    def report(self) -> str:
        if not self.milliseconds:
            return f"{self.way:10} no save measured ({'; '.join(self.failures[:2])})"
        missed = "  MISSED" if self.p95() > SAVE_P95_GOAL_MS else ""
        failed = f"  failures {len(self.failures)}" if self.failures else ""
        return (
            f"{self.way:10} {len(self.milliseconds):4} saves  median"
            f" {median(self.milliseconds):6.1f} ms  p95 {self.p95():6.1f} ms"
            f" (goal {SAVE_P95_GOAL_MS:.0f}){missed}{failed}"
        )


class Browser:
    """One keep-alive connection that keeps its cookies, as a browser would."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, **headers: str
    ) -> tuple[int, str, float]:
        """(status, body, milliseconds)."""
        sent = {"Accept-Language": "fr", **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - started) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, content = cookie.partition("=")
                self.cookies[key.strip()] = content
        return response.status, text, elapsed

    def close(self) -> None:
        self.connection.close()


def make_editor(wikicoop: Path, env: dict[str, str]) -> str:
    """Create the bench's trusted contributor (once); returns an API token of theirs."""
    subprocess.run(
        [str(wikicoop), "create-user", EDITOR, "--trusted", "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
    )  # already there when the wiki is reused (--keep): the token below still comes
    done = subprocess.run(
        [str(wikicoop), "token", "create", EDITOR],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _hidden_fields(html: str) -> dict[str, str]:
    """The form's CSRF token and base revision, and the licence it has selected."""
    fields = {name: unescape(value) for name, value in _HIDDEN.findall(html)}
    licence = _LICENCE.search(html)
    if licence is not None:
        fields["licence"] = licence.group(1) or licence.group(2)
    return fields


def api_saves(port: int, token: str, paths: list[str], count: int, rng: Random) -> Saves:
    """``count`` saves through the API, each of a random page."""
    saves = Saves("API")
    client = Browser(port)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        for number in range(count):
            path = rng.choice(paths).removeprefix("/wiki/")
            status, body, _ = client.request("GET", f"/api/v1/pages/{path}", **auth)
            if status != 200:
                saves.failures.append(f"GET {path}: {status}")
                continue
            page = json.loads(body)
            text = page["text"] + f"\n\nAjout {number} du banc d'essai."
            payload = {"text": text, "base_revision": page["latest_revision"], "summary": "banc"}
            client.connection.request(
                "PUT", f"/api/v1/pages/{path}", body=json.dumps(payload).encode(), headers=auth
            )
            started = time.perf_counter()
            response = client.connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status in (200, 201):
                saves.milliseconds.append(elapsed)
            else:
                saves.failures.append(f"PUT {path}: {response.status}")
    finally:
        client.close()
    return saves


def form_saves(port: int, paths: list[str], count: int, rng: Random) -> Saves:
    """``count`` saves through the edit form of a logged-in contributor."""
    saves = Saves("form")
    browser = Browser(port)
    try:
        _, login_page, _ = browser.request("GET", "/compte/connexion")
        fields = {"username": EDITOR, "password": PASSWORD, **_hidden_fields(login_page)}
        status, _, _ = browser.request("POST", "/compte/connexion", form=fields)
        if status != 302:
            saves.failures.append(f"login: {status}")
            return saves
        for number in range(count):
            path = rng.choice(paths)
            status, form_page, _ = browser.request("GET", f"{path}?action=edit")
            text = re.search(r"<textarea[^>]*>(.*?)</textarea>", form_page, re.DOTALL)
            if status != 200 or text is None:
                saves.failures.append(f"GET {path}?action=edit: {status}")
                continue
            fields = {
                **_hidden_fields(form_page),
                "text": unescape(text.group(1)).lstrip("\n") + f"\n\nAjout {number}.",
                "summary": "banc",
                "save": "Enregistrer",
            }
            status, _, elapsed = browser.request("POST", f"{path}?action=edit", form=fields)
            if status == 302:
                saves.milliseconds.append(elapsed)
            else:
                saves.failures.append(f"POST {path}: {status}")
    finally:
        browser.close()
    return saves
