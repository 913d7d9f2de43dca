"""Saves of a served wiki, through the API and through the edit form (issue 14, point 3).

Used by ``bench_views.py`` on the server it measured, after the views: a trusted
contributor (reviewed by nobody, as most edits of an established wiki) edits random
existing pages one after the other, each save a new revision with its search index,
watchers and e-mail work. Timed: the ``PUT /api/v1/pages/<title>`` alone, and the form's
``POST /wiki/<title>?action=edit`` alone (the edit form is read before, untimed, for its
CSRF token and base revision). Goal: p95 under 50 ms for both.

Alone, on a wiki a run of ``bench_views.py --keep DIR`` left (an A/B of a setting, a
minute a run instead of the views' ten):

    python bench/bench_views.py --keep DIR --saves-only [--database-url URL] [--setting NAME=VALUE]
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from random import Random
from statistics import median
from typing import Any

from server_support import Answer, Browser  # tests/, on the path through bench_core

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

    def add(self, what: str, answer: Answer, milliseconds: float) -> None:
        """One save's answer: timed when it saved (200/201, or the form's 302)."""
        if answer.status in (200, 201, 302):
            self.milliseconds.append(milliseconds)
        else:
            self.failures.append(f"{what}: {answer.status}")

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


def timed(browser: Browser, port: int, method: str, path: str, **kw: Any) -> tuple[Answer, float]:
    """An answer of the server, and the milliseconds it took."""
    started = time.perf_counter()
    answer = browser.request(port, method, path, **kw)
    return answer, (time.perf_counter() - started) * 1000


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
    client, auth = Browser(), {"Authorization": f"Bearer {token}"}
    for number in range(count):
        address = "/api/v1/pages/" + rng.choice(paths).removeprefix("/wiki/")
        page = client.get(port, address, headers=auth)
        if page.status != 200:
            saves.failures.append(f"GET {address}: {page.status}")
            continue
        text = page.json()["text"] + f"\n\nAjout {number} du banc d'essai."
        payload = {"text": text, "base_revision": page.json()["latest_revision"], "summary": "banc"}
        saves.add(
            f"PUT {address}", *timed(client, port, "PUT", address, body=payload, headers=auth)
        )
    return saves


def form_saves(port: int, paths: list[str], count: int, rng: Random) -> Saves:
    """``count`` saves through the edit form of a logged-in contributor."""
    saves = Saves("form")
    browser = Browser()
    login = browser.login(port, EDITOR, PASSWORD)
    if login.status != 302:
        saves.failures.append(f"login: {login.status}")
        return saves
    for number in range(count):
        path = rng.choice(paths)
        form_page = browser.get(port, f"{path}?action=edit")
        text = re.search(r"<textarea[^>]*>(.*?)</textarea>", form_page.text, re.DOTALL)
        if form_page.status != 200 or text is None:
            saves.failures.append(f"GET {path}?action=edit: {form_page.status}")
            continue
        fields = {
            **_hidden_fields(form_page.text),
            "text": unescape(text.group(1)).lstrip("\n") + f"\n\nAjout {number}.",
            "summary": "banc",
            "save": "Enregistrer",
        }
        answer = timed(browser, port, "POST", f"{path}?action=edit", form=fields)
        saves.add(f"POST {path}", *answer)
    return saves
