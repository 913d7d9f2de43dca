"""Issue 12, point 10: what goes wrong while writing, in a real browser, never loses text.

A form sent twice (a double click on « Enregistrer »), a session that ended while the
resident was writing, an expired form (a stale CSRF token), a text longer than the wiki
accepts, a paste of rich text (from a word processor or a web page): each time the resident
gets a clear message, the text stays in the edit box, and nothing is saved twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browser_support import (
    MAX_PAGE_BYTES,
    RESIDENT_PASSWORD,
    expect,
    history_rows,
    log_in,
    open_edit_tab,
    open_history,
    page_path,
    register,
    textarea,
    write_page,
)

# What they check is in the browser and the server's pages, the same on both databases:
# they run in the SQLite pass (the PostgreSQL pass keeps test_browser.py's editing flows).
pytestmark = [pytest.mark.browser, pytest.mark.any_database]

#: the limit as the message may write it: 100000, 100 000 (any space), 100 kB, 97,7 Kio...
LIMIT_SHOWN = re.compile(r"100[\s\u00a0\u202f.]?000|100\s?k|97[,.]7")
MESSAGE = "main [role=alert], main .banner-error, main .flash-error, main .flash-warning"


def save_button(page: Any) -> Any:
    return page.get_by_role("button", name="Enregistrer", exact=True)


def normalised(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def test_double_click_on_save_saves_once(new_page: Callable[..., Any]):
    """Two quick clicks on « Enregistrer »: one new version, the text shown, no error."""
    page = new_page()
    register(page, "Maïwenn")
    title = "Double clic"
    write_page(page, title, "Première version.\n")
    open_edit_tab(page, title)
    textarea(page).fill("Deuxième version, envoyée par un double clic.\n")
    save_button(page).dblclick()
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_contain_text("envoyée par un double clic")
    # whichever answer came last: the saved page, or the form with the text kept
    if textarea(page).count():
        expect(textarea(page)).to_have_value(re.compile("envoyée par un double clic"))
        expect(page.locator(MESSAGE).first).to_be_visible()
    else:
        expect(page.locator(".flash").first).to_be_visible()
    open_history(page, title)
    expect(history_rows(page)).to_have_count(2)


def test_session_ended_while_writing(new_page: Callable[..., Any]):
    """The session cookie disappears while the resident writes: saving keeps the text and
    asks to log in again; once logged in (in another tab), saving again saves it."""
    page = new_page()
    register(page, "Perrine")
    title = "Session expirée"
    write_page(page, title, "Début.\n")
    open_edit_tab(page, title)
    mine = "Un long texte écrit pendant que la session expirait.\n"
    textarea(page).fill(mine)
    page.context.clear_cookies()
    save_button(page).click()
    expect(page.locator(MESSAGE).first).to_contain_text(re.compile("connect", re.I))
    expect(textarea(page)).to_have_value(re.compile("pendant que la session expirait"))

    other_tab = page.context.new_page()
    log_in(other_tab, "Perrine", RESIDENT_PASSWORD)
    other_tab.close()
    for _ in range(2):  # a form made before logging in may be refused once, text kept
        save_button(page).click()
        page.wait_for_load_state("load")
        if not textarea(page).count():
            break
        expect(textarea(page)).to_have_value(re.compile("pendant que la session expirait"))
    page.goto(page_path(title))
    expect(page.locator("article .page-content")).to_contain_text("pendant que la session expirait")


def test_expired_form_keeps_the_text(new_page: Callable[..., Any]):
    """A stale form token: a message says the form expired, the text stays; saving again
    works."""
    page = new_page()
    register(page, "Tugdual")
    title = "Formulaire expiré"
    open_edit_tab(page, title)
    mine = "Texte écrit avant que le formulaire n'expire.\n"
    textarea(page).fill(mine)
    page.locator("form.edit-form input[name=csrf_token]").evaluate(
        "(input) => { input.value = 'perime' + input.value.slice(6); }"
    )
    save_button(page).click()
    expect(page.locator(MESSAGE).first).to_contain_text(re.compile("expiré", re.I))
    expect(textarea(page)).to_have_value(re.compile("avant que le formulaire"))
    save_button(page).click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("article .page-content")).to_contain_text("avant que le formulaire")


def test_text_over_the_size_limit(new_page: Callable[..., Any]):
    """A text over the limit: the message gives the limit, the whole text stays in the box,
    nothing is saved."""
    page = new_page()
    register(page, "Gaëtan")
    title = "Texte trop long"
    open_edit_tab(page, title)
    line = "Une ligne de compte rendu de réunion, répétée pour dépasser la limite.\n"
    huge = line * (MAX_PAGE_BYTES // len(line.encode()) + 20)
    assert len(huge.encode()) > MAX_PAGE_BYTES
    # pasted at once (typing 100 kB through fill() takes seconds on a busy machine)
    textarea(page).evaluate(
        """(box, text) => {
             box.focus();
             box.value = text;
             const how = {bubbles: true, inputType: 'insertFromPaste'};
             box.dispatchEvent(new InputEvent('input', how));
           }""",
        huge,
    )
    save_button(page).click()
    expect(page.locator(MESSAGE).first).to_contain_text(LIMIT_SHOWN)
    kept = textarea(page).input_value()
    assert normalised(kept) == normalised(huge), (len(kept), len(huge))
    response = page.goto(page_path(title))
    assert response is not None and response.status == 404


RICH_HTML = (
    "<meta charset='utf-8'><p class='MsoNormal'>Le <b>marché</b> a lieu "
    "<i>samedi</i>, voir <a href='https://exemple.org/marche'>le programme</a>.</p>"
    "<ul><li>fruits</li><li>légumes</li></ul>"
)
RICH_PLAIN = "Le marché a lieu samedi, voir le programme.\nfruits\nlégumes"


def test_paste_of_rich_text_is_never_lost(new_page: Callable[..., Any]):
    """Pasting formatted text (HTML on the clipboard, as a word processor puts it): the
    words arrive in the edit box, converted to the wiki's syntax or as plain text, never an
    empty box nor HTML tags."""
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    register(page, "Nolwenn")
    open_edit_tab(page, "Collage")
    box = textarea(page)
    box.click()
    copied = page.evaluate(
        """async ([html, plain]) => {
             try {
               await navigator.clipboard.write([new ClipboardItem({
                 'text/html': new Blob([html], {type: 'text/html'}),
                 'text/plain': new Blob([plain], {type: 'text/plain'}),
               })]);
               return true;
             } catch (error) { return false; }
           }""",
        [RICH_HTML, RICH_PLAIN],
    )
    if copied:
        box.press("Control+V")
    else:  # no clipboard in this browser: the paste event a page would receive
        box.evaluate(
            """(box, [html, plain]) => {
                 const data = new DataTransfer();
                 data.setData('text/html', html);
                 data.setData('text/plain', plain);
                 box.dispatchEvent(new ClipboardEvent('paste', {
                   clipboardData: data, bubbles: true, cancelable: true}));
               }""",
            [RICH_HTML, RICH_PLAIN],
        )
    expect(box).to_have_value(re.compile("marché"))
    value = box.input_value()
    for words in ("samedi", "le programme", "fruits", "légumes"):
        assert words in value, value
    assert "<b>" not in value and "<p" not in value and "style=" not in value, value
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("article .page-content")).to_contain_text("le programme")
