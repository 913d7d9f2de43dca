"""Issue 12, "done when": an ordinary page stays light.

Measured in a real Chromium through the DevTools protocol (``Network.loadingFinished``'s
``encodedDataLength``: the bytes that came over the network, headers included), in a fresh
browser context (empty cache), as a visitor:

- the first view of an ordinary page (a seeded help article): everything it loads (HTML,
  CSS, scripts, images, fonts) under 100 KB;
- the next view of another ordinary page, in the same context (HTTP cache warm): under
  20 KB;
- the scripts of an ordinary page under 5 KB, those of the editor page under 30 KB.

The figures are printed (``-s``). The HTML does not depend on the database: SQLite only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from browser_support import (
    ADMIN,
    ADMIN_PASSWORD,
    ConsoleEntry,
    log_in,
    new_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.any_database]

KB = 1024
FIRST_PAGE = "/wiki/Aide:Cr%C3%A9er_des_liens"
NEXT_PAGE = "/wiki/Aide:Historique_des_versions"
EDITOR = "/wiki/Bac_%C3%A0_sable?action=edit"
FIRST_VIEW_LIMIT = 100 * KB
NEXT_VIEW_LIMIT = 20 * KB
PAGE_SCRIPTS_LIMIT = 5 * KB
EDITOR_SCRIPTS_LIMIT = 30 * KB


@dataclass
class Load:
    """What one page view brought over the network, by request."""

    url: str
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(r.get("bytes", 0) for r in self.requests.values())

    def of_type(self, kind: str) -> int:
        return sum(r.get("bytes", 0) for r in self.requests.values() if r.get("type") == kind)

    def lines(self) -> list[str]:
        rows = sorted(self.requests.values(), key=lambda r: -r.get("bytes", 0))
        return [
            f"{r.get('bytes', 0):>7} B  {r.get('type', '?'):<10} {r.get('status', '?')} "
            f"{r.get('url', '?')}"
            for r in rows
        ]


class Meter:
    """Counts the bytes of every request of one page through a CDP session."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.current: Load | None = None
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestWillBeSent", self._request)

    def _entry(self, request_id: str) -> dict[str, Any]:
        assert self.current is not None
        return self.current.requests.setdefault(request_id, {})

    def _request(self, event: dict[str, Any]) -> None:
        if self.current is not None:
            self._entry(event["requestId"])["url"] = event["request"]["url"]

    def _response(self, event: dict[str, Any]) -> None:
        if self.current is not None:
            entry = self._entry(event["requestId"])
            entry["type"] = event.get("type", "")
            entry["status"] = event["response"]["status"]
            entry["url"] = event["response"]["url"]

    def _finished(self, event: dict[str, Any]) -> None:
        if self.current is not None:
            self._entry(event["requestId"])["bytes"] = int(event["encodedDataLength"])

    def view(self, url: str) -> Load:
        """Open ``url`` and wait until everything it loads has arrived."""
        self.current = Load(url)
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, url
        self.page.wait_for_load_state("networkidle")
        load, self.current = self.current, None
        return load


@pytest.fixture
def meter(browser: Any, live_server: str, console_log: list[ConsoleEntry]) -> Iterator[Meter]:
    """A fresh browser context (empty cache) measured request by request."""
    context = new_context(browser, live_server, console_log)
    try:
        yield Meter(context.new_page())
    finally:
        context.close()


def report(title: str, load: Load) -> None:
    print(f"\n{title}: {load.url}: {load.total / KB:.1f} KB", *load.lines(), sep="\n  ")


def test_ordinary_page_first_and_next_view(meter: Meter):
    first = meter.view(FIRST_PAGE)
    report("first view, empty cache", first)
    following = meter.view(NEXT_PAGE)
    report("next view, cache warm", following)
    print(
        f"\nscripts: first view {first.of_type('Script')} B, next {following.of_type('Script')} B"
    )
    assert first.total < FIRST_VIEW_LIMIT, first.lines()
    assert following.total < NEXT_VIEW_LIMIT, following.lines()
    assert first.of_type("Script") < PAGE_SCRIPTS_LIMIT, first.lines()


def test_editor_scripts(meter: Meter):
    log_in(meter.page, ADMIN, ADMIN_PASSWORD)
    editor = meter.view(EDITOR)
    report("editor page, cache warm for the site's CSS", editor)
    scripts = editor.of_type("Script")
    print(f"\neditor scripts: {scripts} B")
    # the toolbar's script is there: this measures the real editor, not a page without it
    assert meter.page.get_by_role("toolbar", name="Mise en forme").count() == 1
    assert scripts < EDITOR_SCRIPTS_LIMIT, editor.lines()
