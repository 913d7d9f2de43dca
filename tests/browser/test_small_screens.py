"""Issue 8, point 9: every page fits a 360 px screen, logged in or not.

A real Chromium at 360 × 740 CSS pixels opens each kind of page of the running server (the
fixtures of ``test_browser.py``: ``wikicoop run`` on a free port) and measures the document's
width: nothing may stick out sideways (wide tables scroll inside their own box, long words
and addresses wrap, the header menu wraps). The header's links must also stay readable:
contrast at least 4.5:1 against the colour actually behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_browser as shared
from test_browser import page_path, write_page

# the running server, the browser and the admin's cookies of test_browser.py (fixtures)
chromium_executable = shared.chromium_executable
live_server = shared.live_server
console_log = shared.console_log
browser = shared.browser
new_page = shared.new_page
admin_state = shared.admin_state
screenshot_dir = shared.screenshot_dir

pytestmark = pytest.mark.browser

SMALL = {"width": 360, "height": 740}
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
    "/contributions/admin",
    "/wiki/Page_qui_n_existe_pas",
]
#: and what a moderator opens besides
MODERATOR_PATHS = [
    *VISITOR_PATHS,
    "/moderation",
    "/journal",
    "/suivi",
    "/notifications",
    "/compte/mot-de-passe",
    "/utilisateur/admin/moderation",
    page_path(TITLE) + "?action=rename",
    "/protection/" + page_path(TITLE).removeprefix("/wiki/"),
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


@pytest.fixture(scope="module")
def wide_page(browser: Any, admin_state: dict[str, Any], live_server: str) -> str:
    """A page with a wide table, a long word, a long address and code, saved twice."""
    context = browser.new_context(base_url=live_server, locale="fr-FR", storage_state=admin_state)
    try:
        page = context.new_page()
        write_page(page, TITLE, WIDE_TEXT, summary="première version")
        write_page(page, TITLE, WIDE_TEXT + "\nUne ligne de plus.\n", summary="deuxième version")
    finally:
        context.close()
    return TITLE


def overflowing(page: Any, paths: list[str]) -> list[str]:
    """The paths whose document is wider than the screen, with the widths measured."""
    wide = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 500, path
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > SMALL["width"]:
            culprit = page.evaluate(
                """(limit) => [...document.querySelectorAll('body *')]
                     .filter((el) => el.getBoundingClientRect().right > limit + 1
                       && el.parentElement.getBoundingClientRect().right <= limit + 1)
                     .map((el) => el.tagName.toLowerCase()
                       + (el.className ? '.' + el.className : '')
                       + ' in ' + el.parentElement.tagName.toLowerCase())
                     .slice(0, 3).join(', ')""",
                SMALL["width"],
            )
            wide.append(f"{path}: {width} px ({culprit})")
    return wide


def test_every_page_fits_360px_for_a_visitor(new_page: Callable[..., Any], wide_page: str):
    page = new_page(viewport=SMALL)
    assert overflowing(page, VISITOR_PATHS) == []


def test_every_page_fits_360px_for_a_moderator(
    new_page: Callable[..., Any], admin_state: dict[str, Any], wide_page: str
):
    page = new_page(storage_state=admin_state, viewport=SMALL)
    assert overflowing(page, MODERATOR_PATHS) == []


@pytest.mark.parametrize("who", ["visitor", "moderator"])
def test_header_links_are_on_screen_and_readable(
    new_page: Callable[..., Any], admin_state: dict[str, Any], who: str
):
    page = new_page(storage_state=admin_state if who == "moderator" else None, viewport=SMALL)
    page.goto("/modifications-recentes")
    links = page.evaluate(HEADER_CONTRASTS_JS)
    assert links
    for link in links:
        assert link["right"] <= SMALL["width"], link
        assert link["ratio"] >= 4.5, link


def test_screenshots_at_360px(
    new_page: Callable[..., Any],
    admin_state: dict[str, Any],
    wide_page: str,
    screenshot_dir: Path,
):
    """Pictures to look at (a person checks they read well): a page, its history, the recent
    changes, as a moderator (the widest header)."""
    page = new_page(storage_state=admin_state, viewport=SMALL)
    shots = {
        "small-page.png": page_path(TITLE),
        "small-history.png": page_path(TITLE) + "?action=history",
        "small-recent-changes.png": "/modifications-recentes",
    }
    for name, path in shots.items():
        page.goto(path)
        page.screenshot(path=str(screenshot_dir / name), full_page=True)
    print("screenshots:", *(screenshot_dir / name for name in shots), sep="\n  ")
