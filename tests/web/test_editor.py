"""The edit form with bad luck (issue 12, point 10): a session that expired while writing,
an expired form, a text too long, a double click on « Enregistrer »; and what the form
gives the editor's script (issue 12, point 2), which must stay optional."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import banner, csrf_from, edit_form, save, soup

from wikicoop.core.models import Page, Revision
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

# the web layer's answers (addresses, forms, templates, text conversions) do not depend
# on the database: the SQLite pass runs them
pytestmark = pytest.mark.any_database

TEXT = "Un long texte écrit avec soin,\nqu'il ne faut surtout pas perdre."


def revisions_of(app: Flask, title: str) -> int:
    """How many revisions the page has (0 when it does not exist)."""
    with app.app_context():
        key = parse_title(title)
        page = (
            get_session()
            .query(Page)
            .filter_by(namespace=key.namespace, name=key.name)
            .one_or_none()
        )
        if page is None:
            return 0
        return get_session().query(Revision).filter_by(page_id=page.id).count()


def textarea_of(response) -> str:
    """The text of the form's textarea, as a browser reads it (the newline after the
    opening tag is not part of it)."""
    text = soup(response).select_one("textarea[name=text]").get_text()
    return text.removeprefix("\r\n").removeprefix("\n")


def post_edit(client: FlaskClient, path: str, fields: dict[str, str], **data: str):
    body = {**fields, "text": TEXT, "summary": "", "save": "Enregistrer", **data}
    return client.post(f"/wiki/{path}?action=edit", data=body)


# ------------------------------------------------- (a) the session expired meanwhile


def test_logged_out_elsewhere_while_writing_keeps_the_text(app, client, auth):
    auth.login("Alice")
    fields = edit_form(client, "Jardin")
    other = app.test_client()  # the same person logs out on another device:
    auth.login("Alice", client=other)  # every session of the account ends
    auth.logout(client=other)

    answer = post_edit(client, "Jardin", fields)
    assert answer.status_code == 401
    assert textarea_of(answer) == TEXT
    message = soup(answer).select_one(".session-expired")
    assert "Votre session a expiré" in message.get_text()
    assert "votre texte est conservé ci-dessous" in message.get_text()
    link = message.find("a")
    assert link["target"] == "_blank" and "noopener" in link["rel"]
    assert link["href"].startswith("/compte/connexion?next=")
    assert revisions_of(app, "Jardin") == 0

    # logged in again (in the other tab), the same form saves the text it kept
    auth.login("Alice")
    again = post_edit(client, "Jardin", {**fields, "csrf_token": csrf_from(answer.text)})
    assert again.status_code == 302
    assert revisions_of(app, "Jardin") == 1


def test_session_cookie_gone_keeps_the_text(app, client, auth):
    """The whole cookie expired: the form's CSRF token with it (the CSRF check speaks
    first), and the text still comes back."""
    auth.login("Alice")
    fields = edit_form(client, "Jardin")
    client.delete_cookie("session")
    answer = post_edit(client, "Jardin", fields)
    assert answer.status_code == 401
    assert textarea_of(answer) == TEXT
    assert soup(answer).select_one(".session-expired") is not None


def test_anonymous_editing_allowed_is_no_expired_session(make_app):
    app = make_app(ANONYMOUS_EDITING=True)
    client = app.test_client()
    answer = post_edit(client, "Ouverte", edit_form(client, "Ouverte"))
    assert answer.status_code == 302
    assert revisions_of(app, "Ouverte") == 1


def test_blocked_while_writing_keeps_the_text(app, client, auth, make_page):
    """Refused for another reason (here: the page protected meanwhile): the reason, and
    the text."""
    make_page("Protégée", "Avant.")
    auth.login("Alice", trust="auto")
    fields = edit_form(client, "Prot%C3%A9g%C3%A9e")
    with app.app_context():
        session = get_session()
        page = session.query(Page).filter_by(name="Protégée").one()
        page.protection = "moderators"
        session.commit()
    answer = post_edit(client, "Prot%C3%A9g%C3%A9e", fields)
    assert answer.status_code == 403
    assert textarea_of(answer) == TEXT
    assert banner(answer)


# ------------------------------------------------------------- (b) the form expired


def test_expired_form_keeps_the_text_and_gives_a_fresh_token(app, client, auth):
    auth.login("Alice")
    fields = edit_form(client, "Jardin")
    answer = post_edit(client, "Jardin", {**fields, "csrf_token": "expire"})
    assert answer.status_code == 400
    assert "Le formulaire a expiré" in banner(answer)
    assert textarea_of(answer) == TEXT
    fresh = csrf_from(answer.text)
    assert fresh != "expire"
    again = post_edit(client, "Jardin", {**fields, "csrf_token": fresh})
    assert again.status_code == 302 and revisions_of(app, "Jardin") == 1


def test_other_forms_keep_the_plain_csrf_page(client, auth):
    auth.login("Alice")
    answer = client.post("/compte/deconnexion", data={"csrf_token": "nope"})
    assert answer.status_code == 400 and "CSRF" in answer.text


# ------------------------------------------------------------- (c) a text too long


def test_too_long_text_says_the_sizes_and_keeps_the_text(make_app, auth):
    app = make_app(MAX_PAGE_BYTES=1000)
    client = app.test_client()
    auth.login("Alice", client=client)
    long_text = "é" * 600  # 1200 bytes
    answer = post_edit(client, "Long", edit_form(client, "Long"), text=long_text)
    assert answer.status_code == 413
    sentence = banner(answer)
    assert "1200" in sentence and "1000" in sentence
    assert textarea_of(answer).strip() == long_text
    assert revisions_of(app, "Long") == 0


# ---------------------------------------------------------- (d) a double submit


def test_double_submit_of_a_new_page_makes_one_revision(app, client, auth):
    auth.login("Alice")
    fields = edit_form(client, "Double")
    first = post_edit(client, "Double", fields)
    second = post_edit(client, "Double", fields)  # the same POST, sent twice
    assert first.status_code == 302 and second.status_code == 302
    assert revisions_of(app, "Double") == 1
    shown = client.get(second.location).text
    assert "Aucune modification" in shown and "Conflit" not in shown


def test_double_submit_of_an_edit_makes_one_revision(app, client, auth, make_page):
    make_page("Double", "Premier texte.")
    auth.login("Alice")
    fields = edit_form(client, "Double")
    first = post_edit(client, "Double", fields)
    second = post_edit(client, "Double", fields)
    assert first.status_code == 302 and second.status_code == 302
    assert revisions_of(app, "Double") == 2  # the first text, then this one: no third
    shown = client.get(second.location).text
    assert "Aucune modification" in shown


# ----------------------------------------------------------- the MediaWiki button


def test_convert_button_converts_without_saving(app, client, auth):
    auth.login("Alice")
    fields = edit_form(client, "Wiki")
    text = "== Titre ==\n'''gras''' et ''italique''"
    answer = client.post(
        "/wiki/Wiki?action=edit",
        data={**fields, "text": text, "convert": "Convertir en syntaxe du wiki"},
    )
    assert answer.status_code == 200
    converted = textarea_of(answer)
    assert "**gras**" in converted and "'''" not in converted
    assert "Rien n'est encore enregistré" in soup(answer).select_one(".banner-info").get_text()
    assert revisions_of(app, "Wiki") == 0


def test_convert_button_on_a_text_too_heavy_says_to_convert_it_in_parts(app, client, auth):
    auth.login("Alice")
    fields = edit_form(client, "Wiki")
    text = "[[A]] " * 50_001  # more structures than the converter parses at once
    answer = client.post(
        "/wiki/Wiki?action=edit",
        data={**fields, "text": text, "convert": "Convertir en syntaxe du wiki"},
    )
    assert answer.status_code == 200
    assert textarea_of(answer).strip() == text.strip()  # nothing lost
    assert "plusieurs morceaux" in soup(answer).select_one(".banner-info").get_text()
    assert revisions_of(app, "Wiki") == 0


def test_convert_button_is_offered_only_for_mediawiki_habits(client, auth, make_page):
    make_page("Simple", "Du **Markdown** ordinaire.")
    make_page("Ancien", "'''gras''' à la MediaWiki")
    auth.login("Alice")
    plain = soup(client.get("/wiki/Simple?action=edit")).select_one("#convertir")
    habits = soup(client.get("/wiki/Ancien?action=edit")).select_one("#convertir")
    assert plain.has_attr("hidden") and not habits.has_attr("hidden")
    assert habits.find("button", attrs={"name": "convert"}) or habits.find(
        "input", attrs={"name": "convert"}
    )


# ------------------------------------------------------- what the script is given


def test_edit_page_loads_the_editor_script_and_its_sentences(client, auth, make_page):
    make_page("Jardin", "Texte.")
    auth.login("Alice")
    html = client.get("/wiki/Jardin?action=edit").text
    page = soup(html)
    script = page.select_one('script[src$="/static/editor.js"]')
    assert script is not None and script.has_attr("defer")
    assert page.select_one('link[href$="/static/editor.css"]') is not None
    # no inline script: only the JSON block, which is data (the CSP runs no inline code)
    inline = [tag for tag in page.find_all("script") if not tag.get("src")]
    assert [tag["type"] for tag in inline] == ["application/json"]
    texts = json.loads(page.select_one("#editor-texts").string)
    assert texts["bold"] == "Gras" and texts["maxBytes"] > 0
    form = page.select_one("form#edit-form")
    assert form["data-title"] == "Jardin" and re.fullmatch(r"\d+", form["data-base"])
    assert form["data-preview-url"] == "/api/v1/preview"
    # the page itself, and pages without an editor, load no script
    assert "editor.js" not in client.get("/wiki/Jardin").text


def test_editor_sentences_in_english(client, auth):
    auth.login("Alice")
    page = soup(client.get("/wiki/Jardin?action=edit&lang=en"))
    texts = json.loads(page.select_one("#editor-texts").string)
    assert texts["bold"] == "Bold" and texts["draftResume"] == "Resume the unsaved text"


def test_form_comes_back_marked_after_a_preview(client, auth):
    auth.login("Alice")
    fields = edit_form(client, "Jardin")
    answer = client.post(
        "/wiki/Jardin?action=edit", data={**fields, "text": "**x**", "preview": "Prévisualiser"}
    )
    assert soup(answer).select_one("form#edit-form")["data-returned"] == "1"
    assert soup(answer).select_one(".preview strong").get_text() == "x"
    assert (
        not soup(client.get("/wiki/Jardin?action=edit"))
        .select_one("form#edit-form")
        .get("data-returned")
    )


def test_saving_through_the_form_still_works_without_script(app, client, auth):
    auth.login("Alice")
    assert save(client, "Sans_script", "Bonjour.").status_code == 302
    assert revisions_of(app, "Sans script") == 1
