"""The interface speaks French first, English too; bad input is answered in the reader's
language; the English catalog cannot silently fall behind the code.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from helpers import banner, csrf_from, make_user, soup

from wikicoop.community.accounts import AccountError
from wikicoop.core import revisions as rev
from wikicoop.error_messages import sentence_in
from wikicoop.errors import ServiceError
from wikicoop.text.licences import relicense_refusal, relicense_refusal_params
from wikicoop.text.titles import TitleError, parse_title
from wikicoop.web.db import get_session
from wikicoop.web.labels import in_reader_language

pytestmark = pytest.mark.any_database

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wikicoop"
TRANSLATIONS = PACKAGE / "translations"
PO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
POT_FILE = TRANSLATIONS / "messages.pot"
BABEL_CFG = ROOT / "babel.cfg"

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


def html_lang(response) -> str:
    return soup(response).html["lang"]


def tabs(response) -> list[str]:
    nav = soup(response).select_one("nav.page-tabs")
    assert nav is not None
    return [a.get_text(strip=True) for a in nav.select("a")]


def heading(response) -> str:
    return soup(response).h1.get_text(" ", strip=True)


def title_error(raw: str) -> TitleError:
    with pytest.raises(TitleError) as caught:
        parse_title(raw)
    return caught.value


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _key(value: object) -> object:
    """Plural ids and strings are tuples in a .po, lists when read from a .mo."""
    return tuple(value) if isinstance(value, list | tuple) else value


def translated(catalog: Catalog) -> dict[object, object]:
    return {_key(m.id): _key(m.string) for m in catalog if m.id and not m.fuzzy}


# ---------------------------------------------------------------------- the chrome


def test_french_by_default(client: FlaskClient, auth, make_page):
    auth.login()
    make_page("Essai", "Du texte.")
    page = client.get("/wiki/Essai")
    assert page.status_code == 200
    assert html_lang(page) == "fr"
    assert {"Lire", "Modifier", "Historique"} <= set(tabs(page))
    assert soup(page).title.get_text().startswith("Essai")
    login = client.get("/compte/connexion")
    assert html_lang(login) == "fr"
    assert heading(login) == "Se connecter"


def test_accept_language_en_gives_english_chrome(client: FlaskClient, auth, make_page):
    auth.login()
    make_page("Essai", "Du texte.")
    page = client.get("/wiki/Essai", headers=EN)
    assert html_lang(page) == "en"
    assert {"Read", "Edit", "History", "Authors and licence"} <= set(tabs(page))
    assert "Modifier" not in tabs(page)
    # the page text stays in its own language
    assert soup(page).select_one(".page-content")["lang"] == "fr"
    history = client.get("/wiki/Essai?action=history", headers=EN)
    assert history.status_code == 200
    assert heading(history) == 'History of "Essai"'
    assert "1 version in all." in history.text
    edit = client.get("/wiki/Essai?action=edit", headers=EN)
    assert heading(edit) == 'Edit "Essai"'
    assert soup(edit).select_one('label[for="text"]').get_text() == "Page text"
    assert soup(edit).select_one("input#save")["value"] == "Save"
    assert "Vary" in page.headers and "Accept-Language" in page.headers["Vary"]


def test_login_page_in_english(client: FlaskClient):
    login = client.get("/compte/connexion", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(login) == "en"
    assert heading(login) == "Log in"
    assert soup(login).title.get_text().startswith("Log in")
    assert soup(login).select_one('label[for="username"]').get_text() == "Username"


def test_english_licence_names_and_summaries(client: FlaskClient, auth, make_page):
    make_page("Essai", "Du texte.")
    info = client.get("/wiki/Essai?action=info", headers=EN)
    assert "Attribution-ShareAlike 4.0 International" in info.text
    assert "Anyone may copy, change and reuse this content" in info.text
    auth.login(role="moderator")
    choices = soup(client.get("/wiki/Nouvelle?action=edit", headers=EN)).select(
        "select#licence option"
    )
    assert "CC BY 4.0 — Attribution 4.0 International" in [o.get_text() for o in choices]
    french = soup(client.get("/wiki/Nouvelle?action=edit")).select("select#licence option")
    assert any("Partage dans les Mêmes Conditions" in o.get_text() for o in french)


def test_query_lang_beats_accept_language(client: FlaskClient):
    english = client.get("/compte/connexion?lang=en", headers=FR)
    assert html_lang(english) == "en" and heading(english) == "Log in"
    french = client.get("/compte/connexion?lang=fr", headers=EN)
    assert html_lang(french) == "fr" and heading(french) == "Se connecter"
    unknown = client.get("/compte/connexion?lang=xx", headers=EN)
    assert html_lang(unknown) == "en"


# ------------------------------------------------------------------ the selector


def test_selector_links_in_the_footer(client: FlaskClient):
    page = client.get("/compte/connexion?lang=en&x=1")
    links = soup(page).select("footer .language-selector a")
    assert [a.get_text() for a in links] == ["Français", "English"]
    assert [a["lang"] for a in links] == ["fr", "en"]
    french, english = (a["href"] for a in links)
    assert french.startswith("/langue/fr?next=")
    assert "lang%3Den" not in french and "lang=en" not in french.split("?", 1)[1]
    assert english.startswith("/langue/en?next=")
    current = [a for a in links if a.get("aria-current")]
    assert [a.get_text() for a in current] == ["English"]


def test_langue_sets_a_cookie_and_goes_back(client: FlaskClient):
    response = client.get("/langue/en?next=/compte/connexion", headers=FR)
    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/connexion"
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    assert cookie.http_only and cookie.same_site == "Lax"
    assert cookie.max_age == 365 * 24 * 3600
    # the cookie beats the browser's preference, on every page
    login = client.get("/compte/connexion", headers=FR)
    assert html_lang(login) == "en" and heading(login) == "Log in"
    assert html_lang(client.get("/recherche", headers=FR)) == "en"
    # and back to French
    back = client.get("/langue/fr?next=/recherche", headers=EN)
    assert back.headers["Location"] == "/recherche"
    assert client.get_cookie("lang").value == "fr"
    assert heading(client.get("/compte/connexion", headers=EN)) == "Se connecter"


def test_langue_without_next_goes_home(client: FlaskClient):
    response = client.get("/langue/en")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_unknown_language_is_400(client: FlaskClient):
    response = client.get("/langue/xx?next=/recherche")
    assert response.status_code == 400
    assert client.get_cookie("lang") is None
    assert "xx" in banner(response)
    english = client.get("/langue/de", headers=EN)
    assert english.status_code == 400
    assert 'Unknown language: "de".' in banner(english)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
    ],
)
def test_unsafe_next_is_not_followed(client: FlaskClient, target: str):
    response = client.get("/langue/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get_cookie("lang").value == "en"


# ------------------------------------------------------------ errors, localized


def test_bad_title_in_the_readers_language(client: FlaskClient):
    err = title_error("a[b")
    english = client.get("/wiki/a[b", headers=EN)
    assert english.status_code == 400
    assert banner(english) == f"Invalid page title: {sentence_in(err, 'en')}"
    french = client.get("/wiki/a[b")
    assert french.status_code == 400
    assert banner(french) == f"Titre de page invalide : {err.message}"


def test_search_query_errors_are_explained_in_english(client: FlaskClient):
    response = client.get("/recherche", query_string={"q": "-atelier"}, headers=EN)
    assert response.status_code == 400
    assert "not only words to exclude" in soup(response).select_one(".banner-error").get_text()
    french = client.get("/recherche", query_string={"q": "-atelier"})
    assert "pas seulement des mots à exclure" in soup(french).select_one(".banner-error").get_text()


def test_api_error_in_the_readers_language(app: Flask, client: FlaskClient, auth):
    auth.login()
    csrf = csrf_from(client.get("/compte/mot-de-passe").text)
    headers = {"X-CSRFToken": csrf}
    body = {"text": "   ", "base_revision": None}
    english = client.put("/api/v1/pages/Vide", json=body, headers={**headers, **EN})
    assert english.status_code == 400
    assert english.get_json() == {
        "error": "The page text is empty. Write a few words before saving.",
        "code": "empty-text",
    }
    french = client.put("/api/v1/pages/Vide", json=body, headers={**headers, **FR})
    assert french.status_code == 400
    assert french.get_json()["error"] == (
        "Le texte de la page est vide. Écrivez quelques mots avant d'enregistrer."
    )
    err = title_error("a{b")
    bad = client.get("/api/v1/pages/a%7Bb", headers=EN)
    assert bad.status_code == 400
    assert bad.get_json()["error"] == f"Invalid title: {sentence_in(err, 'en')}"
    missing = client.get("/api/v1/pages/Absente", headers=EN)
    assert missing.get_json()["error"] == 'The page "Absente" does not exist.'


def test_account_error_in_english(app: Flask, client: FlaskClient):
    make_user(app, "Alice")
    form = client.get("/compte/inscription", headers=EN)
    response = client.post(
        "/compte/inscription",
        data={
            "csrf_token": csrf_from(form.text),
            "username": "alice",
            "password": "another long password",
            "confirm": "another long password",
        },
        headers=EN,
    )
    assert response.status_code == 400
    assert banner(response) == 'The name "Alice" is already taken.'


def test_edit_error_in_english_on_the_edit_form(client: FlaskClient, auth):
    auth.login()
    form = client.get("/wiki/Vide?action=edit", headers=EN)
    response = client.post(
        "/wiki/Vide?action=edit",
        data={"csrf_token": csrf_from(form.text), "text": " ", "base_revision": ""},
        headers=EN,
    )
    assert response.status_code == 400
    assert banner(response) == "The page text is empty. Write a few words before saving."


def test_login_required_message_in_english(client: FlaskClient):
    response = client.get("/compte/mot-de-passe", headers=EN)
    assert response.status_code == 302
    login = client.get(response.headers["Location"], headers=EN)
    assert "Log in to continue." in soup(login).select_one(".flash").get_text()
    client.get("/compte/mot-de-passe")
    french = client.get("/compte/connexion")
    assert "Connectez-vous pour continuer." in soup(french).select_one(".flash").get_text()


def test_rate_limit_message_in_english(app: Flask, client: FlaskClient):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    form = client.get("/compte/connexion").text
    data = {"username": "Personne", "password": "mauvais", "csrf_token": csrf_from(form)}
    statuses = [client.post("/compte/connexion", data=data).status_code for _ in range(2)]
    assert statuses == [401, 401]
    limited = client.post("/compte/connexion", data=data, headers=EN)
    assert limited.status_code == 429
    assert banner(limited) == "Too many tries in a short time: wait a minute before trying again."


def test_error_pages_in_english(client: FlaskClient):
    missing = client.get("/nulle-part", headers=EN)
    assert missing.status_code == 404
    assert banner(missing) == "There is nothing at this address on the wiki."
    assert heading(missing) == "Oops…"
    assert banner(client.get("/nulle-part")) == "Cette adresse ne correspond à rien sur le wiki."


def test_refused_relicensing_carries_the_english_reason(app: Flask, make_page):
    make_page("Partagée", "Du texte.", licence="CC-BY-SA-4.0")
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Partagée"))
        assert page is not None
        with pytest.raises(rev.EditError) as caught:
            rev.change_licence(session, page=page, new_code="CC-BY-4.0", author=rev.Author(None))
    err = caught.value
    assert err.code == "licence-incompatible"
    assert err.message == relicense_refusal("CC-BY-SA-4.0", "CC-BY-4.0")
    params = relicense_refusal_params("CC-BY-SA-4.0", "CC-BY-4.0")
    assert params is not None and err.params == params
    english = sentence_in(err, "en")
    assert english == sentence_in(ServiceError("licence-incompatible", **params), "en")
    assert "shared under the same licence" in english


def test_service_errors_default_to_french():
    assert AccountError("wrong-password").message == "Le mot de passe actuel n'est pas le bon."
    with pytest.raises(rev.EditError) as caught:
        rev.clean_text("", 100)
    assert sentence_in(caught.value, "en") == (
        "The page text is empty. Write a few words before saving."
    )


# Every code raised has a sentence, every sentence its English, and converted services
# carry no English of their own: tests/web/test_error_codes.py.


# ------------------------------------------------------------------ the catalog


def test_flask_babel_finds_the_catalog(app: Flask):
    directories = app.extensions["babel"].translation_directories
    assert str(TRANSLATIONS) in directories
    with app.test_request_context("/", headers=EN):
        from flask_babel import gettext

        assert gettext("Se connecter") == "Log in"


def test_every_message_is_translated():
    catalog = read_catalog(PO_FILE)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    untranslated = [m.id for m in messages if not m.string or m.fuzzy]
    assert not untranslated
    plural_holes = [m.id for m in messages if m.pluralizable and not all(m.string)]
    assert not plural_holes
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems  # e.g. a %(placeholder)s missing or misspelled in the English


def test_compiled_catalog_is_up_to_date():
    """``messages.mo`` is what ``pybabel compile`` makes of ``messages.po`` today."""
    catalog = read_catalog(PO_FILE)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    fresh = read_mo(compiled)
    with MO_FILE.open("rb") as f:
        shipped = read_mo(f)
    assert translated(shipped) == translated(fresh) == translated(catalog)


def test_catalog_covers_every_marked_string():
    """Re-extract the sources (babel.cfg) and compare with the .pot and the English .po."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(BABEL_CFG))
    extracted = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        extracted.add(message if isinstance(message, str) else tuple(message))
    assert len(extracted) > 100
    assert "Se connecter" in extracted  # templates
    assert "Nom d'utilisateur" in extracted  # forms (lazy_gettext as _l)
    assert "La demande est incorrecte." in extracted  # web.py (N_)
    po_ids = {m.id for m in read_catalog(PO_FILE) if m.id}
    pot_ids = {m.id for m in read_catalog(POT_FILE) if m.id}
    missing = sorted(map(str, extracted - po_ids))
    assert not missing, f"not in the English catalog (see docs/translations.md): {missing}"
    assert extracted <= pot_ids, "messages.pot is stale: re-run pybabel extract"
    stale = sorted(map(str, po_ids - extracted))
    assert not stale, f"in the English catalog but no longer in the code: {stale}"


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "2 places"), ("fr", "2 lieux"), ("de", "2 lieux")]
)
def test_a_plugin_text_in_the_reader_language(app, language: str, expected: str) -> None:
    texts = {"fr": "{n} lieux", "en": "{n} places"}
    with app.test_request_context(headers={"Accept-Language": language}):
        assert in_reader_language(texts, n=2) == expected
