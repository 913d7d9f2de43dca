"""What the browser tests share: the running server, the browser, helpers to act as a resident.

The fixtures are registered once for the whole ``tests/browser`` folder by its
``conftest.py`` (nobody imports from it), so every module of the folder drives the same
server: ``wikicoop run`` (gunicorn) on a free port, on a fresh instance folder, sending its
e-mail to a local SMTP server (aiosmtpd) whose inbox the tests read (``mail_inbox``).
The plain helpers (``log_in``, ``register``, ``write_page``...) are imported from here.

Environment:

- ``WIKICOOP_CHROMIUM``: the Chromium binary (default ``/usr/bin/chromium``). When it is
  absent the tests are skipped, unless ``WIKICOOP_REQUIRE_BROWSER=1`` (CI), where they fail.
- ``WIKICOOP_DATABASE_URL``: passed to the server; a PostgreSQL database is emptied first.
- ``WIKICOOP_AXE_PATH``: ``axe.min.js`` of axe-core, for the accessibility checks (default
  ``node_modules/axe-core/axe.min.js`` at the project root; skipped when absent).
- ``WIKICOOP_SCREENSHOT_DIR``: where screenshots go (default ``$TMPDIR/wikicoop-screenshots``).
- ``WIKICOOP_UPDATE_DOC_SCREENSHOTS=1``: the journeys also copy a few screenshots to
  ``docs/screenshots/`` (for the README); CI leaves the repository alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from helpers import Inbox, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: the facette plugins' pages (their seed examples fill them; a 404 when one is disabled)
PLUGIN_PATHS = [
    "/lieux",
    "/lieux?ouvert=1&service=wifi",
    "/lieux/proches?quartier=Kerourien",
    "/lieux/carte",
    "/lieux/statistiques",
    "/appel-a-projets",
    "/appel-a-projets/2026",
    "/appel-a-projets/tableau-de-bord",
    "/magazine",
    "/magazine/edition/2026-W48",
    "/magazine/rubrique/culture",
    "/magazine/abonnement",
    "/fichiers",
    "/wiki/Fichier:Plan_du_jardin_partag%C3%A9_(exemple).png",
    "/wiki/Le_jardin_partag%C3%A9_en_images_(exemple)",
    "/ressources",
    "/communs/licences",
    "/reutiliser/Accueil",
    "/ateliers",
    "/ateliers/theme/wiki",
    "/apprendre",
    "/wiki/Atelier_%C2%AB_%C3%89crire_sur_le_wiki_du_quartier_%C2%BB_(exemple)",
    "/reseau",
    "/categories",
    "/interwiki",
    "/reseau/wikis-partenaires",
    "/reseau/maintenance/demandees",
    "/liens-vers/Accueil",
    "/reseau/graphe?around=Accueil&depth=2",
    "/wiki/Portail:Lieux_de_Bellevue_(exemple)",
]
#: and the ones a moderator opens besides
PLUGIN_MODERATOR_PATHS = [
    "/appel-a-projets/proposer",
    "/magazine/lettre/2026-W48",
    "/fichiers/televerser",
    "/communs/licences/a-verifier",
    "/reutiliser/importer",
    "/ateliers/Atelier_%C2%AB_%C3%89crire_sur_le_wiki_du_quartier_%C2%BB_(exemple)/inscriptions",
]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ADMIN = "admin"
ADMIN_PASSWORD = "mot de passe admin 2024"
RESIDENT_PASSWORD = "un mot de passe solide"
START_TIMEOUT = 60.0
# Chromium asks every site for /favicon.ico, which wikicoop does not serve yet (404 logged
# as a console error); remove once the site has a favicon.
TOLERATED_MISSING = ("/favicon.ico",)
ACTION_TIMEOUT_MS = 10_000
#: the live server's page size limit (WIKICOOP_MAX_PAGE_BYTES)
MAX_PAGE_BYTES = 100_000

# Chromium's own report of a blocked resource, and the marker of our in-page listener.
CSP_PATTERNS = ("Content Security Policy", "Content-Security-Policy", "CSP violation")
# Every page reports CSP violations to the console, whatever Chromium itself logs.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
  );
});
"""


# --------------------------------------------------------------------------- fixtures


def _fail_or_skip(reason: str) -> None:
    if os.environ.get("WIKICOOP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (WIKICOOP_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = os.environ.get("WIKICOOP_CHROMIUM") or DEFAULT_CHROMIUM
    if not Path(path).is_file():
        _fail_or_skip("Chromium not installed: apt-get install -y chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _fail_or_skip("the playwright Python package is not installed: pip install -e .[test]")
    return path


def _empty_postgres(url: str) -> None:
    """Truncate every table: other tests of this pytest process share the database."""
    from sqlalchemy import create_engine, text

    from wikicoop.core.db import upgrade_schema
    from wikicoop.core.models import Base

    engine = create_engine(url)
    try:
        upgrade_schema(engine)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def mail_inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) the live server sends its e-mail to: (inbox, port)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _server_env(instance: Path, smtp_port: int) -> dict[str, str]:
    # the developer's own WIKICOOP_* settings must not change what the tests see
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKICOOP_")}
    env.update(
        WIKICOOP_INSTANCE=str(instance),
        WIKICOOP_ADMIN_USERNAME=ADMIN,
        WIKICOOP_ADMIN_PASSWORD=ADMIN_PASSWORD,
        # the editing tests register residents who must publish at once; the help
        # namespace keeps review before publication for test_review_before_publication
        WIKICOOP_MODERATION_DEFAULT="open",
        WIKICOOP_MODERATION_MODES='{"namespace:help": "a_priori"}',
        WIKICOOP_REGISTRATION_RATE_LIMIT="100 per hour",
        # e-mail (password reset, notifications) goes to the tests' own SMTP server
        WIKICOOP_SMTP_HOST="127.0.0.1",
        WIKICOOP_SMTP_PORT=str(smtp_port),
        WIKICOOP_MAIL_FROM="wiki@example.org",
        # a small limit, so that the "too long" check pastes 200 kB rather than 2 MB
        WIKICOOP_MAX_PAGE_BYTES=str(MAX_PAGE_BYTES),
        PYTHONUNBUFFERED="1",
    )
    database_url = os.environ.get("WIKICOOP_DATABASE_URL")
    if database_url:
        env["WIKICOOP_DATABASE_URL"] = database_url
    return env


def _wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"wikicoop run exited with code {process.returncode}:\n{log.read_text()[-3000:]}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"wikicoop run did not answer /healthz within {START_TIMEOUT:.0f} s:\n"
        f"{log.read_text()[-3000:]}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def live_server(
    chromium_executable: str,
    tmp_path_factory: pytest.TempPathFactory,
    mail_inbox: tuple[Inbox, int],
) -> Iterator[str]:
    """The real server (``wikicoop run``: gunicorn) on a fresh instance; yields its URL."""
    del chromium_executable  # no browser, no server
    database_url = os.environ.get("WIKICOOP_DATABASE_URL", "")
    if database_url.startswith("postgres"):
        _empty_postgres(database_url)
    root = tmp_path_factory.mktemp("live-server")
    instance = root / "instance"
    log = root / "server.log"
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("wikicoop")),
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=_server_env(instance, mail_inbox[1]), stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass
class ConsoleEntry:
    url: str  # the page
    kind: str
    text: str
    source: str = ""  # the resource the message is about, when there is one

    def is_csp_violation(self) -> bool:
        return any(pattern in self.text for pattern in CSP_PATTERNS)

    def is_error(self) -> bool:
        return self.kind in {"error", "pageerror"} and not self.source.endswith(TOLERATED_MISSING)


@pytest.fixture(scope="session")
def console_log() -> list[ConsoleEntry]:
    """Every console message and page error of the session, from every page."""
    return []


@pytest.fixture(scope="session")
def browser(chromium_executable: str, live_server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    del live_server  # started first, so that the browser closes before the server stops

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


def _watch(page: Any, log: list[ConsoleEntry]) -> None:
    page.on(
        "console",
        lambda msg: log.append(
            ConsoleEntry(page.url, msg.type, msg.text, (msg.location or {}).get("url", ""))
        ),
    )
    page.on("pageerror", lambda err: log.append(ConsoleEntry(page.url, "pageerror", str(err))))


@pytest.fixture
def new_page(
    browser: Any, live_server: str, console_log: list[ConsoleEntry]
) -> Iterator[Callable[..., Any]]:
    """Open a page in a new browser context (a resident of their own), watched for errors."""
    contexts: list[Any] = []

    def _open(storage_state: dict[str, Any] | None = None, **options: Any) -> Any:
        context = browser.new_context(
            base_url=live_server, locale="fr-FR", storage_state=storage_state, **options
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        _watch(page, console_log)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def admin_state(browser: Any, live_server: str, console_log: list[ConsoleEntry]) -> dict[str, Any]:
    """The cookies of the admin, logged in once through the form."""
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    context.add_init_script(CSP_LISTENER)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    _watch(page, console_log)
    try:
        log_in(page, ADMIN, ADMIN_PASSWORD)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def admin_page(new_page: Callable[..., Any], admin_state: dict[str, Any]) -> Any:
    return new_page(storage_state=admin_state)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Outside pytest's rotating temporary folders, so the files are still there to look at."""
    chosen = os.environ.get("WIKICOOP_SCREENSHOT_DIR")
    path = Path(chosen) if chosen else Path(tempfile.gettempdir()) / "wikicoop-screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- helpers


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def log_in(page: Any, username: str, password: str) -> None:
    """Log in through the header link and the form, like a resident."""
    page.goto("/")
    page.get_by_role("navigation", name="Votre compte").get_by_role(
        "link", name="Se connecter"
    ).click()
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.locator(".flash")).to_contain_text(f"Bonjour {username}", ignore_case=True)


def register(page: Any, username: str) -> None:
    """Create an account through /compte/inscription (which logs the resident in)."""
    page.goto("/compte/inscription")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Adresse e-mail").fill(f"{username.lower()}@example.org")
    page.get_by_label("Mot de passe (10 caractères au moins)").fill(RESIDENT_PASSWORD)
    page.get_by_label("Le même mot de passe, une deuxième fois").fill(RESIDENT_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator(".flash")).to_contain_text(f"Bienvenue {username}")


def textarea(page: Any) -> Any:
    return page.locator("textarea[name=text]")


def page_path(title: str) -> str:
    return "/wiki/" + quote(title.replace(" ", "_"), safe="/:")


def click_tab(page: Any, title: str, name: str | re.Pattern[str]) -> None:
    """Click one of the page's tabs, going to the page first unless already there."""
    if urlsplit(page.url).path != page_path(title):
        page.goto(page_path(title))
    page.get_by_role("navigation", name="Actions sur la page").get_by_role(
        "link", name=name, exact=True
    ).click()


def open_edit_tab(page: Any, title: str) -> None:
    """Open the edit form of a page through its "Modifier" (or "Créer") tab."""
    click_tab(page, title, re.compile(r"^(Modifier|Créer)$"))
    expect(textarea(page)).to_be_visible()


def save(page: Any, summary: str = "") -> None:
    if summary:
        page.get_by_label("Résumé de vos modifications").fill(summary)
    page.get_by_role("button", name="Enregistrer").click()


def write_page(page: Any, title: str, text: str, summary: str = "") -> None:
    """Create or replace a page through its edit form, and check it was saved."""
    open_edit_tab(page, title)
    textarea(page).fill(text)
    save(page, summary)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("article.wiki-page h1")).to_have_text(title)


def open_history(page: Any, title: str) -> None:
    click_tab(page, title, "Historique")
    expect(page.locator("table.history")).to_be_visible()


def history_rows(page: Any) -> Any:
    return page.locator("table.history tbody tr")


def errors_on(console_log: list[ConsoleEntry], url_part: str) -> list[ConsoleEntry]:
    return [entry for entry in console_log if url_part in entry.url and entry.is_error()]


# --------------------------------------------------------------------------- tests

DOC_SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


def shot(
    page: Any,
    folder: Path,
    name: str,
    *,
    doc: bool = False,
    full_page: bool = False,
    clip_to: Any = None,
    max_height: int = 1300,
) -> Path:
    """Save a screenshot of ``page`` as ``folder/name`` (the viewport, the whole page, or
    the box of the ``clip_to`` locator, at most ``max_height`` pixels high). With ``doc``,
    also copy it to ``docs/screenshots/`` when ``WIKICOOP_UPDATE_DOC_SCREENSHOTS=1``, in
    256 colours, so that each of the README's pictures stays small."""
    path = folder / name
    options: dict[str, Any] = {"path": str(path), "full_page": full_page}
    if clip_to is not None:
        box = clip_to.bounding_box()
        assert box is not None, f"{name}: nothing to photograph"
        top = box["y"] + page.evaluate("() => scrollY")
        options["clip"] = {
            "x": box["x"],
            "y": top,
            "width": box["width"],
            "height": min(box["height"], max_height),
        }
        options["full_page"] = True  # the clip is measured on the whole page
    page.screenshot(**options)
    if doc and os.environ.get("WIKICOOP_UPDATE_DOC_SCREENSHOTS") == "1":
        from PIL import Image

        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            small.save(DOC_SCREENSHOTS / name, optimize=True)
    return path


def axe_path() -> Path:
    """axe-core's ``axe.min.js``: fails when WIKICOOP_AXE_PATH names a missing file, skips
    when the default one is absent."""
    chosen = os.environ.get("WIKICOOP_AXE_PATH")
    path = Path(chosen) if chosen else PROJECT_ROOT / "node_modules/axe-core/axe.min.js"
    if not path.is_file() and chosen:
        pytest.fail(f"WIKICOOP_AXE_PATH names a missing file: {path}")
    if not path.is_file():
        pytest.skip(
            f"axe-core not found at {path}: npm install axe-core@4 and set WIKICOOP_AXE_PATH"
        )
    return path


def new_context(browser: Any, live_server: str, log: list[ConsoleEntry], **options: Any) -> Any:
    """A browser context like ``new_page``'s (French, CSP listener, short timeouts) for the
    tests that manage their own contexts; every page opened in it is watched."""
    options.setdefault("locale", "fr-FR")
    context = browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    context.on("page", lambda page: _watch(page, log))
    return context
