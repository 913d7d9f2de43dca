"""Issue 12, point 8: axe-core finds nothing serious on the pages people use, in both themes,
on a desktop screen and on a phone, as a visitor, a resident and a moderator.

For each theme (``default``, ``high-contrast``) and each screen (1280 × 900, and 360 × 740
with touch), one browser context per role opens its pages; axe-core is injected once per
page (an init script of the context, which alone bypasses the CSP) and run on the WCAG 2
A/AA rules and best practices. A violation of impact moderate, serious or critical fails,
as in ``test_browser.py::test_accessibility_axe``; the report lists every violation by page,
so that its owner (the theme for colour contrast, the editor, the account pages) can fix it.

The matrix runs on SQLite only: the HTML does not depend on the database, and CI's
PostgreSQL run is kept short (``any_database`` marker).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from browser_support import (
    ADMIN,
    ADMIN_PASSWORD,
    ConsoleEntry,
    axe_path,
    expect,
    log_in,
    new_context,
    page_path,
    register,
    write_page,
)
from helpers import Inbox

pytestmark = [pytest.mark.browser, pytest.mark.any_database]

THEMES = ["default", "high-contrast"]
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
    },
}
TITLE = "Verger partagé"
PENDING = "Aide:Greffer un pommier"
RESIDENT = "Axelle"
RESET_PATH = re.compile(r"/compte/nouveau-mot-de-passe/[^\s\"'<>]+")
BAD_IMPACTS = {"moderate", "serious", "critical"}
AXE_RUN = """() => axe.run(document, {
  runOnly: ['wcag2a', 'wcag2aa', 'best-practice'],
  resultTypes: ['violations'],
})"""


def pages_of(reset_path: str) -> dict[str, list[str]]:
    """The pages each role opens (where the page applies to that role)."""
    return {
        "visitor": [
            "/wiki/Accueil",
            page_path(TITLE),
            page_path(TITLE) + "?action=history",
            page_path(TITLE) + "?action=diff",
            "/recherche?q=verger",
            "/modifications-recentes",
            "/compte/connexion",
            "/compte/inscription",
            "/compte/mot-de-passe-oublie",
            reset_path,
            "/compte/apparence",
        ],
        "resident": [
            page_path(TITLE) + "?action=edit",
            "/compte/e-mail",
            "/compte/apparence",
        ],
        "moderator": ["/moderation", page_path(PENDING) + "?action=edit"],
    }


@pytest.fixture(scope="module")
def axe_site(
    browser: Any,
    live_server: str,
    console_log: list[ConsoleEntry],
    mail_inbox: tuple[Inbox, int],
) -> dict[str, Any]:
    """A page saved twice (history, diff), a resident's help page waiting in the queue, and
    a password reset link: the storage states of the resident and the moderator."""
    inbox, _ = mail_inbox
    states: dict[str, Any] = {"visitor": None}
    context = new_context(browser, live_server, console_log)
    try:
        page = context.new_page()
        log_in(page, ADMIN, ADMIN_PASSWORD)
        write_page(page, TITLE, "Un verger de pommiers et de poiriers.\n")
        write_page(page, TITLE, "Un verger de pommiers, de poiriers et de cerisiers.\n")
        states["moderator"] = context.storage_state()
    finally:
        context.close()
    context = new_context(browser, live_server, console_log)
    try:
        page = context.new_page()
        register(page, RESIDENT)
        page.goto(page_path(PENDING) + "?action=edit")
        page.locator("textarea[name=text]").fill("Greffer en mars, par temps doux.\n")
        page.get_by_role("button", name="Enregistrer").click()
        states["resident"] = context.storage_state()
    finally:
        context.close()
    states["reset_path"] = _reset_link(browser, live_server, console_log, inbox)
    return states


def _reset_link(browser: Any, live_server: str, log: list[ConsoleEntry], inbox: Inbox) -> str:
    """Ask for a new password for the resident; the link of the e-mail (or a made-up one
    when the e-mail never comes: the page then shows its "link not valid" message)."""
    context = new_context(browser, live_server, log)
    try:
        page = context.new_page()
        response = page.goto("/compte/mot-de-passe-oublie")
        if response is None or response.status != 200:
            return "/compte/nouveau-mot-de-passe/lien-introuvable"
        since = len(inbox.envelopes)
        page.get_by_label("Adresse e-mail ou nom d'utilisateur").fill(
            f"{RESIDENT.lower()}@example.org"
        )
        page.get_by_role("button", name="Recevoir un lien").click()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for message in inbox.messages()[since:]:
                body = message.get_body(preferencelist=("plain", "html"))
                found = RESET_PATH.search(body.get_content() if body else "")
                if found:
                    return found.group(0)
            time.sleep(0.1)
        return "/compte/nouveau-mot-de-passe/lien-introuvable"
    finally:
        context.close()


def check_pages(context: Any, paths: list[str], theme: str) -> tuple[list[str], list[str]]:
    """Run axe on each path: (every violation found, those that fail the test)."""
    report: list[str] = []
    bad: list[str] = []
    page = context.new_page()
    for path in paths:
        response = page.goto(path)
        status = response.status if response else None
        if status != 200:
            bad.append(f"{path}: status {status}")
            continue
        body_theme = page.locator("body").get_attribute("data-theme")
        if body_theme != theme:
            bad.append(f"{path}: data-theme={body_theme!r}, expected {theme!r}")
        if path.endswith("action=edit"):
            try:
                toolbar = page.get_by_role("toolbar", name="Mise en forme")
                expect(toolbar).to_be_visible(timeout=3000)
            except AssertionError:
                bad.append(f"{path}: the editor's toolbar is not visible")
        result = page.evaluate(AXE_RUN)
        for violation in result["violations"]:
            targets = ", ".join(str(node["target"][0]) for node in violation["nodes"][:3])
            line = (
                f"{path}: [{violation['impact']}] {violation['id']} "
                f"({len(violation['nodes'])} node(s): {targets}): {violation['help']}"
            )
            report.append(line)
            if violation["impact"] in BAD_IMPACTS:
                bad.append(line)
    page.close()
    return report, bad


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("theme", THEMES)
def test_axe_in_both_themes(
    browser: Any,
    live_server: str,
    console_log: list[ConsoleEntry],
    axe_site: dict[str, Any],
    theme: str,
    screen: str,
):
    """No moderate, serious or critical axe violation on home, a page, the editor, history,
    a diff, search, recent changes, the queue and the account pages."""
    axe = axe_path()
    host = live_server.split("//", 1)[1].split(":")[0]
    report: list[str] = []
    bad: list[str] = []
    for role, paths in pages_of(axe_site["reset_path"]).items():
        context = new_context(
            browser,
            live_server,
            console_log,
            storage_state=axe_site[role],
            bypass_csp=True,
            **SCREENS[screen],
        )
        try:
            context.add_init_script(path=str(axe))
            if theme != "default":
                context.add_cookies(
                    [{"name": "theme", "value": theme, "domain": host, "path": "/"}]
                )
            seen, failing = check_pages(context, paths, theme)
        finally:
            context.close()
        report += [f"{role}: {line}" for line in seen]
        bad += [f"{role}: {line}" for line in failing]
    print(f"axe, {theme}, {screen}:", *(report or ["no violation"]), sep="\n  ")
    assert bad == [], "\n".join(bad)


def test_axe_matrix_names_real_pages(axe_site: dict[str, Any]):
    """The reset link of the matrix is a real one (the e-mail came): otherwise the matrix
    checks the "link not valid" page instead of the form."""
    assert "lien-introuvable" not in axe_site["reset_path"]
