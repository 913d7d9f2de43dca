"""Issue 12, point 9: whole journeys of residents, in a real Chromium against the real server.

Each journey is what a person does from start to end, with the screen they would use:
register and write a page with the toolbar and the live preview, edit it again and compare
the versions; have a newcomer's edit accepted by a moderator in one click; get a new
password by e-mail (through the server's real SMTP client and a local SMTP server); read,
search and edit on a phone; choose the high-contrast theme; switch the language.

Screenshots go to ``screenshot_dir``; with ``WIKICOOP_UPDATE_DOC_SCREENSHOTS=1`` a few are
also copied to ``docs/screenshots/`` for the README (CI leaves the repository alone).
Two people editing at once (merge, then conflict) is in ``test_browser.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import (
    RESIDENT_PASSWORD,
    ConsoleEntry,
    errors_on,
    expect,
    history_rows,
    log_in,
    open_edit_tab,
    open_history,
    page_path,
    register,
    save,
    shot,
    textarea,
    write_page,
)
from helpers import Inbox

# What they check is in the browser and the server's pages, the same on both databases:
# they run in the SQLite pass (the PostgreSQL pass keeps test_browser.py's editing flows).
pytestmark = [pytest.mark.browser, pytest.mark.any_database]

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
RESET_PATH = re.compile(r"/compte/nouveau-mot-de-passe/[^\s\"'<>]+")


def toolbar(page: Any) -> Any:
    return page.get_by_role("toolbar", name="Mise en forme")


def live_preview(page: Any) -> Any:
    return page.locator("#apercu-direct")


def select_in_textarea(page: Any, words: str) -> None:
    """Select ``words`` in the edit box, as a resident would with the mouse."""
    textarea(page).evaluate(
        """(box, words) => {
             const start = box.value.indexOf(words);
             box.focus();
             box.setSelectionRange(start, start + words.length);
           }""",
        words,
    )


def caret_at_end(page: Any) -> None:
    textarea(page).evaluate(
        "(box) => { box.focus(); box.setSelectionRange(box.value.length, box.value.length); }"
    )


def assert_fits_the_screen(page: Any) -> None:
    """Nothing sticks out sideways (on a phone the layout viewport widens to the content,
    so the document is measured against the screen's width, not ``innerWidth``)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"{page.url} is {width} px wide at 360 px"


def wait_for_mail(inbox: Inbox, to: str, since: int, timeout: float = 15.0) -> Any:
    """The first message to ``to`` received after the ``since``-th envelope."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in inbox.messages()[since:]:
            if to in str(message["To"]):
                return message
        time.sleep(0.1)
    pytest.fail(f"no e-mail to {to} within {timeout:.0f} s", pytrace=False)


def body_text(message: Any) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


# --------------------------------------------------------------------------- (a) write


def test_register_write_with_toolbar_and_preview_then_compare(
    new_page: Callable[..., Any], screenshot_dir: Path, console_log: list[ConsoleEntry]
):
    """A newcomer registers, writes a page with the toolbar (bold, a link to a page chosen
    from the suggestions) while the live preview follows, saves, edits again and compares
    the two versions in the history."""
    page = new_page(**DESKTOP)
    register(page, "Nadia")
    title = "Potager de la rue Haute"
    open_edit_tab(page, title)
    expect(toolbar(page)).to_be_visible()
    page.get_by_label("Aperçu en direct", exact=True).check()  # remembered by the browser
    expect(live_preview(page)).to_be_visible()

    box = textarea(page)
    box.click()
    box.press_sequentially("Les légumes du potager sont partagés. ")
    select_in_textarea(page, "légumes")
    toolbar(page).get_by_role("button", name="Gras").click()
    expect(box).to_have_value(re.compile(r"\*\*légumes\*\*"))

    # a link to a page, chosen among the suggestions while typing its name
    caret_at_end(page)
    box.press_sequentially("Voir ")
    toolbar(page).get_by_role("button", name="Lien vers une page").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox").press_sequentially("Accu")
    dialog.get_by_role("option", name=re.compile("^Accueil")).first.click()
    dialog.get_by_role("button", name=re.compile("Insérer|Ajouter")).click()
    expect(dialog).to_have_count(0)
    expect(box).to_have_value(re.compile(r"\[\[Accueil(\|[^\]]*)?\]\]"))

    preview = live_preview(page)
    expect(preview.locator("strong")).to_have_text("légumes")
    expect(preview.get_by_role("link", name=re.compile("Accueil"))).to_be_visible()
    shot(page, screenshot_dir, "journey-editor.png", doc=True, clip_to=page.locator("main"))

    save(page, "première version")
    expect(page.locator(".flash-success")).to_contain_text("La page a été créée")
    content = page.locator("article .page-content")
    expect(content.locator("strong")).to_have_text("légumes")
    expect(content.get_by_role("link", name=re.compile("Accueil"))).to_be_visible()
    shot(page, screenshot_dir, "journey-new-page.png")

    # edit again: one more sentence
    open_edit_tab(page, title)
    caret_at_end(page)
    textarea(page).press("Enter")
    textarea(page).press_sequentially("Rendez-vous le samedi matin.")
    expect(live_preview(page)).to_contain_text("Rendez-vous le samedi matin")
    save(page, "horaires")
    expect(page.locator(".flash-success")).to_be_visible()

    open_history(page, title)
    rows = history_rows(page)
    expect(rows).to_have_count(2)
    rows.nth(1).locator("input[name=from]").check()
    rows.nth(0).locator("input[name=to]").check()
    page.get_by_role("button", name="Comparer les versions choisies").click()
    diff = page.locator("table.diff-inline")
    expect(diff).to_contain_text("Rendez-vous le samedi matin")
    shot(page, screenshot_dir, "journey-diff.png", doc=True, clip_to=page.locator("main"))
    # the missing page answered 404 before it was created: that one is expected
    errors = [e for e in errors_on(console_log, page_path(title)) if e.source != e.url]
    assert errors == [], "\n".join(f"{e.url}: {e.text} ({e.source})" for e in errors)


# --------------------------------------------------------------------------- (c) review


def test_newcomer_edit_accepted_in_one_click(
    new_page: Callable[..., Any], admin_page: Any, screenshot_dir: Path
):
    """In the help namespace (reviewed before publication), a newcomer improves a page: the
    readers see the published text until a moderator accepts the change with one click in
    the queue; then everybody sees it."""
    title = "Aide:Arroser le potager"
    write_page(admin_page, title, "Arrosez le soir.\n", "première version")
    newcomer, visitor = new_page(), new_page()
    register(newcomer, "Ibrahim")
    open_edit_tab(newcomer, title)
    textarea(newcomer).fill("Arrosez le soir, au pied des plantes, avec l'eau de pluie.\n")
    save(newcomer, "conseil sur l'eau")
    expect(newcomer.locator(".flash-success")).to_contain_text("relecture")

    visitor.goto(page_path(title))
    expect(visitor.locator("article .page-content")).to_contain_text("Arrosez le soir.")
    expect(visitor.locator("article .page-content")).not_to_contain_text("eau de pluie")

    admin_page.set_viewport_size(DESKTOP["viewport"])
    admin_page.goto("/moderation")
    item = admin_page.locator(".queue-item", has_text=title)
    expect(item).to_contain_text("Ibrahim")
    expect(item.locator("ins")).to_contain_text(re.compile("eau de pluie"))
    shot(admin_page, screenshot_dir, "journey-moderation.png", doc=True, clip_to=item)
    item.get_by_role("button", name="Accepter").click()  # the one click
    expect(admin_page.locator(".flash-success")).to_contain_text("publique")
    expect(admin_page.locator(".queue-item", has_text=title)).to_have_count(0)

    visitor.goto(page_path(title))
    expect(visitor.locator("article .page-content")).to_contain_text("eau de pluie")


# --------------------------------------------------------------------------- (d) password


def test_password_reset_by_email(
    new_page: Callable[..., Any], mail_inbox: tuple[Inbox, int], screenshot_dir: Path
):
    """« Mot de passe oublié ? » on the login page: the e-mail arrives (the server's SMTP
    client, a local SMTP server), its link opens the form, the new password logs in and
    the old one no longer does."""
    inbox, _ = mail_inbox
    register(new_page(), "Soizic")
    page = new_page()
    page.goto("/compte/connexion")
    page.get_by_role("link", name=re.compile("Mot de passe oublié")).click()
    expect(page).to_have_url(re.compile("/compte/mot-de-passe-oublie"))
    since = len(inbox.envelopes)
    page.get_by_label("Adresse e-mail ou nom d'utilisateur").fill("soizic@example.org")
    page.get_by_role("button", name="Recevoir un lien").click()
    # the same answer whether the address is known or not (nobody learns who has an account)
    expect(page.locator("main")).to_contain_text("Si un compte de ce wiki correspond")

    message = wait_for_mail(inbox, "soizic@example.org", since)
    assert "Choisir un nouveau mot de passe" in str(message["Subject"])
    found = RESET_PATH.search(body_text(message))
    assert found, body_text(message)
    page.goto(found.group(0))
    shot(page, screenshot_dir, "journey-password-reset.png")
    new_password = "un tout nouveau mot de passe"
    page.get_by_label("Nouveau mot de passe (10 caractères au moins)").fill(new_password)
    page.get_by_label("Le même mot de passe, une deuxième fois").fill(new_password)
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    saved = "Votre nouveau mot de passe est enregistré"
    expect(page.locator(".flash-success")).to_contain_text(saved)

    fresh = new_page()
    fresh.goto("/compte/connexion")
    fresh.get_by_label("Nom d'utilisateur").fill("Soizic")
    fresh.get_by_label("Mot de passe").fill(RESIDENT_PASSWORD)
    fresh.locator("main").get_by_role("button", name="Se connecter").click()
    expect(fresh.locator("main [role=alert], main .banner-error").first).to_be_visible()
    log_in(fresh, "Soizic", new_password)

    # the link is used up: a second visit says so, with no form, and offers a new one
    response = fresh.goto(found.group(0))
    assert response is not None and response.status < 500
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Ce lien ne marche pas")
    expect(fresh.locator("main form input[type=password]")).to_have_count(0)
    expect(fresh.get_by_role("link", name="Demander un nouveau lien")).to_be_visible()


# --------------------------------------------------------------------------- (e) phone


def test_phone_reading_searching_editing(new_page: Callable[..., Any], screenshot_dir: Path):
    """At 360 × 740, with a touch screen: read a page, search, open a result, edit and save;
    nothing sticks out sideways."""
    page = new_page(**PHONE)
    page.goto("/")
    expect(page.locator("article.wiki-page h1")).to_have_text("Accueil")
    assert_fits_the_screen(page)
    shot(page, screenshot_dir, "journey-phone-home.png", doc=True)

    search = page.get_by_role("searchbox", name="Chercher une page")
    search.tap()
    search.fill("aide")
    search.press("Enter")
    expect(page.get_by_role("heading", name="Recherche")).to_be_visible()
    assert_fits_the_screen(page)
    first = page.locator("main ol a, main ul a").filter(has_text=re.compile("Aide")).first
    first.tap()
    expect(page.locator("article.wiki-page h1")).to_contain_text("Aide")
    assert_fits_the_screen(page)

    register(page, "Lou")
    title = "Boîte à livres"
    page.goto(page_path(title))
    page.get_by_role("navigation", name="Actions sur la page").get_by_role(
        "link", name=re.compile("^(Modifier|Créer)$")
    ).tap()
    expect(textarea(page)).to_be_visible()
    assert_fits_the_screen(page)
    textarea(page).tap()
    textarea(page).press_sequentially("Une boîte à livres devant l'école.")
    shot(
        page,
        screenshot_dir,
        "journey-phone-edit.png",
        doc=True,
        clip_to=page.locator("main"),
        max_height=800,
    )
    page.get_by_role("button", name="Enregistrer").tap()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("article .page-content")).to_contain_text("devant l'école")
    assert_fits_the_screen(page)


# --------------------------------------------------------------------------- (f) theme


def theme_of(page: Any) -> str:
    return page.locator("body").get_attribute("data-theme") or ""


def test_high_contrast_chosen_and_remembered(new_page: Callable[..., Any], screenshot_dir: Path):
    """A visitor picks « Contraste élevé » in the footer: every page keeps it, logging in
    keeps it, and once chosen on « Apparence du site » the account remembers it in another
    browser."""
    page = new_page(**DESKTOP)
    page.goto("/wiki/Aide:Sommaire")
    assert theme_of(page) != "high-contrast"
    shot(page, screenshot_dir, "journey-page.png", doc=True)  # the usual look, for the README
    page.locator("footer").get_by_role("link", name="Contraste élevé").click()
    expect(page.locator("body")).to_have_attribute("data-theme", "high-contrast")
    expect(page).to_have_url(re.compile("/wiki/Aide:Sommaire"))
    page.goto("/modifications-recentes")
    expect(page.locator("body")).to_have_attribute("data-theme", "high-contrast")
    page.goto("/")
    shot(page, screenshot_dir, "journey-high-contrast.png", doc=True)

    register(page, "Awa")
    expect(page.locator("body")).to_have_attribute("data-theme", "high-contrast")
    page.goto("/compte/apparence")
    page.get_by_label(re.compile("^Contraste élevé")).check()
    page.get_by_role("button", name="Garder ce choix").click()
    expect(page.locator("body")).to_have_attribute("data-theme", "high-contrast")

    elsewhere = new_page()  # another browser: no cookie, the account remembers
    elsewhere.goto("/")
    assert theme_of(elsewhere) != "high-contrast"
    log_in(elsewhere, "Awa", RESIDENT_PASSWORD)
    elsewhere.goto("/wiki/Aide:Sommaire")
    expect(elsewhere.locator("body")).to_have_attribute("data-theme", "high-contrast")

    # and back to the usual look from the footer
    page.locator("footer").get_by_role("link", name="Affichage habituel").click()
    expect(page.locator("body")).not_to_have_attribute("data-theme", "high-contrast")


# --------------------------------------------------------------------------- (g) language


def test_language_switch_is_remembered(new_page: Callable[..., Any]):
    """« English » in the footer turns the interface to English on every following page;
    « Français » turns it back."""
    page = new_page()
    page.goto("/wiki/Aide:Sommaire")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    languages = page.get_by_role("navigation", name="Langue du site")
    languages.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert urlsplit(page.url).path == "/wiki/Aide:Sommaire"
    expect(page.get_by_role("navigation", name="Site language")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.goto("/modifications-recentes")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Log in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("navigation", name="Site language").get_by_role(
        "link", name="Français"
    ).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto("/")
    expect(page.get_by_role("navigation", name="Votre compte")).to_be_visible()
