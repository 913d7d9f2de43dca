"""Issue 12, point 2: the editor's script (static/editor.js) in a real Chromium, against the
running server (the folder's fixtures: ``browser_support.py``).

The toolbar, the page link dialog's suggestions, the live preview, Ctrl+S, the warning
before leaving, the draft kept by the browser, rich text pasted as wiki syntax; and the
same form without JavaScript. Each test fails on a script error on the pages it opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    ConsoleEntry,
    errors_on,
    expect,
    page_path,
    shot,
    textarea,
    write_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.any_database]

TOOLBAR = "Mise en forme"
LINKED = "Jardin partagé des Capucins"


@pytest.fixture(scope="module")
def linked_page(browser: Any, live_server: str, admin_state: dict[str, Any]) -> str:
    """A page to link to (the dialog's suggestions find it)."""
    context = browser.new_context(base_url=live_server, locale="fr-FR", storage_state=admin_state)
    try:
        write_page(context.new_page(), LINKED, "Les bacs du jardin.")
    finally:
        context.close()
    return LINKED


@pytest.fixture
def drive(
    new_page: Callable[..., Any],
    admin_state: dict[str, Any],
    console_log: list[ConsoleEntry],
    linked_page: str,
) -> Iterator[Callable[..., Any]]:
    """``drive(work, javascript=True)``: ``work(page)`` as the logged-in admin; then no
    script error may have shown on the pages of the test."""
    del linked_page
    before = len(console_log)

    def _drive(work: Callable[[Any], Any], *, javascript: bool = True) -> Any:
        page = new_page(storage_state=admin_state, java_script_enabled=javascript)
        page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?"
        return work(page)

    yield _drive
    errors = [
        entry
        for entry in errors_on(console_log[before:], "/wiki/")
        # a preview refused on purpose (a required field left empty) is no script error
        if not (entry.source.endswith("/api/v1/preview") and "status of 400" in entry.text)
    ]
    assert errors == [], errors


def open_editor(page: Any, title: str) -> Any:
    page.goto(page_path(title) + "?action=edit")
    expect(page.get_by_role("toolbar", name=TOOLBAR)).to_be_visible()
    return textarea(page)


def select(page: Any, start: int, end: int) -> None:
    page.evaluate(
        "([s, e]) => { const t = document.querySelector('textarea[name=text]');"
        " t.focus(); t.setSelectionRange(s, e); }",
        [start, end],
    )


def test_toolbar_bold_and_keyboard(drive, screenshot_dir: Path):
    def work(page: Any) -> None:
        area = open_editor(page, "Essai barre")
        toolbar = page.get_by_role("toolbar", name=TOOLBAR)
        names = [
            "Gras",
            "Italique",
            "Titre",
            "Liste",
            "Lien vers une page",
            "Lien vers un site",
            "Image",
            "Tableau",
        ]
        for name in names:
            expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()
        area.fill("un mot ici")
        select(page, 3, 6)
        toolbar.get_by_role("button", name="Gras").click()
        expect(area).to_have_value("un **mot** ici")
        shot(page, screenshot_dir, "editor-toolbar.png")
        page.keyboard.press("Control+z")  # the browser's own undo
        expect(area).to_have_value("un mot ici")
        select(page, 0, 2)
        page.keyboard.press("Control+i")
        expect(area).to_have_value("*un* mot ici")
        # one tab stop, then the arrows
        toolbar.get_by_role("button", name="Gras").focus()
        page.keyboard.press("ArrowRight")
        expect(toolbar.get_by_role("button", name="Italique")).to_be_focused()
        page.keyboard.press("End")
        expect(toolbar.get_by_role("button", name="Tableau")).to_be_focused()
        page.keyboard.press("Enter")
        expect(area).to_have_value(re.compile(r"^\*un\* mot ici\n\n\| Colonne 1 \| Colonne 2 \|"))
        expect(page.get_by_text("Ctrl+S enregistrer")).to_be_visible()

    drive(work)


def test_page_link_dialog_suggests_titles(drive):
    def work(page: Any) -> None:
        area = open_editor(page, "Essai lien")
        area.fill("Voir ")
        area.press("End")
        area.press("Control+k")
        dialog = page.get_by_role("dialog", name="Lien vers une page du wiki")
        expect(dialog).to_be_visible()
        combo = dialog.get_by_role("combobox", name="Titre de la page")
        expect(combo).to_be_focused()
        combo.press_sequentially("Jardin partagé des C", delay=20)  # one title only
        option = dialog.get_by_role("option", name="Jardin partagé des Capucins")
        expect(option).to_be_visible(timeout=15_000)
        expect(combo).to_have_attribute("aria-expanded", "true")
        combo.press("ArrowDown")
        active = combo.get_attribute("aria-activedescendant")
        assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
        combo.press("Enter")  # picks the suggestion
        expect(combo).to_have_value("Jardin partagé des Capucins")
        combo.press("Enter")  # inserts the link
        expect(dialog).to_be_hidden()
        expect(area).to_have_value("Voir [[Jardin partagé des Capucins]]")
        # Escape closes the dialog without touching the text
        area.press("Control+k")
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(area).to_have_value("Voir [[Jardin partagé des Capucins]]")

    drive(work)


def test_live_preview_shows_the_rendered_page(drive, screenshot_dir: Path):
    def work(page: Any) -> None:
        area = open_editor(page, "Essai aperçu")
        live = page.locator("#apercu-direct")
        expect(live).to_be_hidden()
        expect(live).to_have_attribute("aria-live", "polite")
        page.get_by_role("checkbox", name="Aperçu en direct").check()
        area.fill("## Bonjour\n\nDu texte **fort** et [[Jardin partagé des Capucins]].")
        expect(live.locator("h2#h-bonjour")).to_have_text("Bonjour")
        expect(live.locator("strong")).to_have_text("fort")
        shot(page, screenshot_dir, "editor-live-preview.png", full_page=True)
        # remembered by this browser
        page.reload()
        expect(page.get_by_role("checkbox", name="Aperçu en direct")).to_be_checked()
        expect(page.locator("#apercu-direct")).to_be_visible()

    drive(work)


def test_ctrl_s_saves_and_beforeunload_is_armed(drive):
    def work(page: Any) -> None:
        area = open_editor(page, "Essai raccourci")
        armed = (
            "() => { const e = new Event('beforeunload', {cancelable: true});"
            " window.dispatchEvent(e); return e.defaultPrevented; }"
        )
        assert page.evaluate(armed) is False  # nothing typed yet
        area.fill("Enregistré au clavier.")
        assert page.evaluate(armed) is True
        area.press("Control+s")
        expect(page.locator(".flash-success")).to_be_visible()
        assert page.url.endswith(page_path("Essai raccourci"))
        expect(page.locator(".page-content")).to_contain_text("Enregistré au clavier.")

    drive(work)


def test_draft_is_offered_back_after_reload(drive):
    def work(page: Any) -> None:
        area = open_editor(page, "Essai brouillon")
        area.fill("Un texte que le navigateur garde.")
        page.wait_for_timeout(700)  # the draft is written after a short pause
        page.reload()
        expect(area).to_have_value("")
        page.get_by_role("button", name="Reprendre le texte non enregistré").click()
        expect(area).to_have_value("Un texte que le navigateur garde.")
        # saved: the next visit offers nothing
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.locator(".flash-success")).to_be_visible()
        open_editor(page, "Essai brouillon")
        expect(page.get_by_role("button", name="Reprendre le texte non enregistré")).to_have_count(
            0
        )

    drive(work)


PASTE = """([html, plain]) => {
  const area = document.querySelector('textarea[name=text]');
  area.focus();
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', plain);
  area.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                  cancelable: true}));
}"""


def test_rich_paste_becomes_wiki_syntax(drive):
    html = (
        "<h2>Horaires</h2><p>Un mot <b>important</b> et un "
        '<a href="https://exemple.org/">lien</a>.</p><ul><li>lundi</li><li>mardi</li></ul>'
        "<script>window.pasted = 1</script>"
    )
    plain = "Horaires\nUn mot important et un lien.\nlundi\nmardi"

    def work(page: Any) -> None:
        area = open_editor(page, "Essai collage")
        page.evaluate(PASTE, [html, plain])
        value = area.input_value()
        assert "## Horaires" in value
        assert "**important**" in value
        assert "[lien](https://exemple.org/)" in value
        assert "- lundi\n- mardi" in value
        assert page.evaluate("() => window.pasted") is None  # nothing of it ran
        expect(page.get_by_text("Le texte collé a été mis en forme pour le wiki.")).to_be_visible()
        page.get_by_role("button", name="Coller le texte brut à la place").click()
        expect(area).to_have_value(plain)

    drive(work)


def test_the_form_works_without_javascript(drive):
    def work(page: Any) -> None:
        page.goto(page_path("Essai sans script") + "?action=edit")
        expect(textarea(page)).to_be_visible()
        expect(page.get_by_role("toolbar", name=TOOLBAR)).to_have_count(0)
        textarea(page).fill("Écrit sans JavaScript.")
        page.get_by_role("button", name="Prévisualiser").click()
        expect(page.locator(".preview .page-content")).to_contain_text("Écrit sans JavaScript.")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.locator(".flash-success")).to_be_visible()
        expect(page.locator(".page-content")).to_contain_text("Écrit sans JavaScript.")

    drive(work, javascript=False)


def test_mediawiki_text_is_converted_in_place(drive):
    def work(page: Any) -> None:
        area = open_editor(page, "Essai conversion")
        offer = page.locator("#convertir")
        expect(offer).to_be_hidden()  # nothing of MediaWiki yet
        page.get_by_role("checkbox", name="Aperçu en direct").check()
        area.fill("== Horaires ==\n'''Ouvert''' le lundi.")
        expect(offer).to_be_visible()  # the live preview found MediaWiki's habits
        expect(page.locator("#apercu-direct")).to_contain_text("MediaWiki")
        offer.get_by_role("button", name="Convertir en syntaxe du wiki").click()
        expect(area).to_have_value(re.compile(r"## Horaires\n+\*\*Ouvert\*\* le lundi\."))
        assert page.url.endswith("?action=edit")  # converted in place, nothing sent
        page.get_by_role("button", name="Revenir au texte d'avant").click()
        expect(area).to_have_value("== Horaires ==\n'''Ouvert''' le lundi.")

    drive(work)


def test_live_preview_of_a_typed_page_sends_its_fields(drive):
    def work(page: Any) -> None:
        page.goto(page_path("Essai fiche") + "?action=edit&type=initiative")
        page.get_by_role("checkbox", name="Aperçu en direct").check()
        live = page.locator("#apercu-direct")
        textarea(page).fill("Une initiative du quartier.")
        # a required field still empty: a sentence, not a broken preview
        expect(live.locator(".editor-live-state")).to_contain_text("obligatoire")
        for name, value in {"porteur": "Yvonne", "quartier": "Bellevue", "annee": "2026"}.items():
            page.locator(f'input[name="field.{name}"]').fill(value)
        page.locator('select[name="field.statut"]').select_option("en cours")
        expect(live.locator('aside.infobox dd[data-field="porteur"]')).to_have_text("Yvonne")
        expect(live.locator(".page-content")).to_contain_text("Une initiative du quartier.")

    drive(work)
