"""Issue 8, point 9: every page fits a 360 px screen, logged in or not; and (issue 12,
point 7) the wiki reads at 200 % zoom in both themes.

A real Chromium at 360 × 740 CSS pixels opens each kind of page of the running server (the
fixtures of ``test_browser.py``: ``wikicoop run`` on a free port) and measures the document's
width: nothing may stick out sideways (wide tables scroll inside their own box, long words
and addresses wrap, the header menu wraps). The header's links must also stay readable:
contrast at least 4.5:1 against the colour actually behind them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    ADMIN,
    ADMIN_PASSWORD,
    CHROMIUM_ARGS,
    PLUGIN_MODERATOR_PATHS,
    PLUGIN_PATHS,
    log_in,
    page_path,
    write_page,
)

# The folder's running server (``wikicoop run`` on a free port, a fresh instance: see
# conftest.py). These checks drive their own Chromium in a thread of their own (see
# ``small_screens``): one thread holds one Playwright (sync API) at a time.

pytestmark = [pytest.mark.browser, pytest.mark.any_database]

SMALL = {"width": 360, "height": 740}
#: a 1280 × 900 window at 200 % zoom: half as many CSS pixels, each twice as big
ZOOMED = {"width": 640, "height": 450}
TITLE = "Petit écran"
LONG_WORD = "Anticonstitutionnellementdésinstitutionnalisationnellement" * 2
WIDE_TEXT = f"""Une page qui teste les petits écrans : {LONG_WORD}.

Une adresse longue : https://exemple.org/{"chemin/" * 12}fin et un lien [[{LONG_WORD}]].

| Jour | Lieu | Horaires | Animateur | Matériel | Public | Remarques |
| --- | --- | --- | --- | --- | --- | --- |
| Lundi | Médiathèque de Bellevue | 14 h – 17 h | Association Infini | ordinateurs portables \
| tout public | sur inscription auprès de l'accueil |

```
une_ligne_de_code_tres_longue = "{"x" * 120}"
```
"""
#: every kind of page a visitor opens
VISITOR_PATHS = [
    "/",
    "/wiki/Aide:Sommaire",
    page_path(TITLE),
    page_path(TITLE) + "?action=edit",
    page_path(TITLE) + "?action=history",
    page_path(TITLE) + "?action=diff",
    page_path(TITLE) + "?action=diff&view=side",
    page_path(TITLE) + "?action=info",
    "/recherche?q=jardin",
    "/recherche?q=Page+introuvable+ici",
    "/modifications-recentes",
    "/pages",
    "/compte/connexion",
    "/compte/inscription",
    "/compte/mot-de-passe-oublie",
    "/compte/apparence",
    "/contributions/admin",
    "/wiki/Page_qui_n_existe_pas",
    *PLUGIN_PATHS,
]
#: the pages read at 200 % zoom: one of each layout of the core (the others, and the
#: plugins' pages, are built of the same pieces; all of them fit 360 px above)
ZOOM_PATHS = [
    "/",
    page_path(TITLE),
    page_path(TITLE) + "?action=edit",
    page_path(TITLE) + "?action=history",
    page_path(TITLE) + "?action=diff&view=side",
    "/recherche?q=jardin",
    "/modifications-recentes",
    "/compte/inscription",
    "/compte/apparence",
]
#: and what a moderator opens besides
MODERATOR_PATHS = [
    *VISITOR_PATHS,
    "/moderation",
    "/journal",
    "/suivi",
    "/notifications",
    "/compte/mot-de-passe",
    "/compte/e-mail",
    "/utilisateur/admin/moderation",
    page_path(TITLE) + "?action=rename",
    # the creation form has the licence choice besides (only a resident sees it)
    "/wiki/Page_qui_n_existe_pas?action=edit",
    "/protection/" + page_path(TITLE).removeprefix("/wiki/"),
    *PLUGIN_MODERATOR_PATHS,
]

# The contrast of the header's links against the colour really painted behind each one:
# the first opaque background of the element itself or of those under its centre (WCAG
# relative luminance).
HEADER_CONTRASTS_JS = """
() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const out = [];
  for (const el of document.querySelectorAll("header a, header button")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") continue;
    const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
    const y = box.top + box.height / 2 + scrollY;
    let back = [255, 255, 255];
    for (const under of document.elementsFromPoint(x, y - scrollY)) {
      if (under !== el && el.contains(under)) continue;  // its own text, not a background
      const c = rgb(getComputedStyle(under).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { back = c.slice(0, 3); break; }
    }
    const fore = rgb(getComputedStyle(el).color).slice(0, 3);
    const [hi, lo] = [lum(fore), lum(back)].sort((a, b) => b - a);
    out.push({text: el.textContent.trim(), ratio: (hi + 0.05) / (lo + 0.05),
              right: box.right, bottom: box.bottom});
  }
  return out;
}
"""


@dataclass
class Seen:
    """What one reader met at 360 px: the pages too wide, the header's links."""

    too_wide: list[str] = field(default_factory=list)
    header_links: list[dict[str, Any]] = field(default_factory=list)
    #: per theme, the pages wider than a 1280 px window at 200 % zoom
    zoomed_too_wide: dict[str, list[str]] = field(default_factory=dict)


def overflowing(page: Any, paths: list[str], limit: int = SMALL["width"]) -> list[str]:
    """The paths whose document is wider than ``limit`` CSS pixels (the screen), with the
    widths measured."""
    wide = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 500, path
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > limit:
            culprit = page.evaluate(
                """(limit) => [...document.querySelectorAll('body *')]
                     .filter((el) => el.getBoundingClientRect().right > limit + 1
                       && el.parentElement.getBoundingClientRect().right <= limit + 1)
                     .map((el) => el.tagName.toLowerCase()
                       + (el.className ? '.' + el.className : '')
                       + ' in ' + el.parentElement.tagName.toLowerCase())
                     .slice(0, 3).join(', ')""",
                limit,
            )
            wide.append(f"{path}: {width} px ({culprit})")
    return wide


def _in_own_thread(work: Callable[[], Any]) -> Any:
    """Run ``work`` in a new thread (a thread of its own for Playwright) and return its result."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=run, name="small-screens")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture(scope="module")
def small_screens(chromium_executable: str, live_server: str, screenshot_dir: Path) -> dict:
    """A visitor and the admin (a moderator, with the widest menu) open every kind of page
    at 360 × 740, on a wiki with a page full of wide things saved twice; screenshots of a
    page, its history and the recent changes go to ``screenshot_dir`` to be looked at."""

    def work() -> dict[str, Seen]:
        from playwright.sync_api import sync_playwright

        seen = {"visitor": Seen(), "moderator": Seen()}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable, args=CHROMIUM_ARGS
            )
            try:
                admin = browser.new_context(base_url=live_server, locale="fr-FR")
                page = admin.new_page()
                log_in(page, ADMIN, ADMIN_PASSWORD)
                write_page(page, TITLE, WIDE_TEXT, summary="première version")
                write_page(page, TITLE, WIDE_TEXT + "\nUne ligne de plus.\n", summary="ajout")
                admin_state = admin.storage_state()
                admin.close()
                for who, state, paths in (
                    ("visitor", None, VISITOR_PATHS),
                    ("moderator", admin_state, MODERATOR_PATHS),
                ):
                    context = browser.new_context(
                        base_url=live_server, locale="fr-FR", viewport=SMALL, storage_state=state
                    )
                    page = context.new_page()
                    seen[who].too_wide = overflowing(page, paths)
                    page.goto("/modifications-recentes")
                    seen[who].header_links = page.evaluate(HEADER_CONTRASTS_JS)
                    if who == "moderator":
                        for name, path in SCREENSHOTS.items():
                            page.goto(path)
                            page.screenshot(path=str(screenshot_dir / name), full_page=True)
                    context.close()
                for theme in ("default", "high-contrast"):
                    context = browser.new_context(
                        base_url=live_server,
                        locale="fr-FR",
                        viewport=ZOOMED,
                        device_scale_factor=2,
                    )
                    page = context.new_page()
                    page.goto(f"/?theme={theme}")  # the visitor's choice, kept in a cookie
                    assert page.locator("body").get_attribute("data-theme") == theme
                    seen["visitor"].zoomed_too_wide[theme] = overflowing(
                        page, ZOOM_PATHS, ZOOMED["width"]
                    )
                    context.close()
            finally:
                browser.close()
        return seen

    return _in_own_thread(work)


SCREENSHOTS = {
    "small-page.png": page_path(TITLE),
    "small-history.png": page_path(TITLE) + "?action=history",
    "small-recent-changes.png": "/modifications-recentes",
}


@pytest.mark.parametrize("who", ["visitor", "moderator"])
def test_every_page_fits_360px(small_screens: dict[str, Seen], who: str):
    assert small_screens[who].too_wide == []


@pytest.mark.parametrize("who", ["visitor", "moderator"])
def test_header_links_are_on_screen_and_readable(small_screens: dict[str, Seen], who: str):
    links = small_screens[who].header_links
    assert len(links) >= 3
    for link in links:
        assert link["right"] <= SMALL["width"], link
        assert link["ratio"] >= 4.5, link


def test_screenshots_at_360px(small_screens: dict[str, Seen], screenshot_dir: Path):
    """Pictures for a person to look at: they must read well, not only fit."""
    paths = [screenshot_dir / name for name in SCREENSHOTS]
    assert all(path.stat().st_size > 0 for path in paths)
    print("screenshots:", *paths, sep="\n  ")


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
def test_every_page_reads_at_200_percent_zoom(small_screens: dict[str, Seen], theme: str):
    """WCAG 1.4.4 and 1.4.10: zoomed to 200 %, a 1280 px window shows 640 CSS pixels;
    nothing may then need a sideways scroll, in either theme."""
    assert small_screens["visitor"].zoomed_too_wide[theme] == []
