"""Themes: a child theme's page links its parent's stylesheets first; each person may read
the site in another theme (form, cookie, ``?theme=``, their account); the anonymous page
cache keeps one copy per theme; theme files are cacheable; the print stylesheet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from helpers import login, post_form, scratch_database, soup
from sqlalchemy import Engine, inspect, text

from wikicoop.community.accounts import find_user
from wikicoop.core.db import alembic_config
from wikicoop.web.db import get_session
from wikicoop.web.themes import THEMES_DIR, stylesheet_files, theme_chain, theme_names

# the web layer's answers (addresses, forms, templates, text conversions) do not depend
# on the database: the SQLite pass runs them
pytestmark = pytest.mark.any_database

PAGE = "/wiki/Jardin"
CHOOSE = "/compte/apparence"


def _sheets(html: str) -> list[str]:
    return [
        link["href"].split("?")[0]
        for link in soup(html).select('link[rel="stylesheet"]')
        if link["href"].startswith("/theme/")
    ]


def _theme_of(html: str) -> str:
    return soup(html).body["data-theme"]


@pytest.fixture
def jardin(make_page) -> None:
    make_page("Jardin", "Un jardin partagé.")


# ------------------------------------------------------------------ the chain of themes


def test_both_bundled_themes_are_found_and_high_contrast_is_a_child_of_default():
    assert {"default", "high-contrast"} <= set(theme_names())
    chain = theme_chain("high-contrast")
    assert [t.name for t in chain] == ["high-contrast", "default"]
    assert chain[0].label == "Contraste élevé, grands caractères"


def test_a_childs_page_links_its_ancestors_stylesheets_first(tmp_path: Path):
    for name, parent in [("grand", None), ("parent", "grand"), ("enfant", "parent")]:
        folder = tmp_path / name / "static"
        folder.mkdir(parents=True)
        (folder / f"{name}.css").write_text("body{}")
        line = f'parent = "{parent}"\n' if parent else ""
        (tmp_path / name / "theme.toml").write_text(f'{line}stylesheets = ["{name}.css"]\n')
    chain = theme_chain("enfant", tmp_path)
    assert [(t.name, sheet) for t, sheet in stylesheet_files(chain)] == [
        ("grand", "grand.css"),
        ("parent", "parent.css"),
        ("enfant", "enfant.css"),
    ]


def test_a_parent_cycle_is_refused(tmp_path: Path):
    for name, parent in [("a", "b"), ("b", "a")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "theme.toml").write_text(f'parent = "{parent}"\n')
    with pytest.raises(ValueError, match="cycle"):
        theme_chain("a", tmp_path)


def test_the_high_contrast_page_links_default_then_high_contrast(client, jardin):
    assert _sheets(client.get(PAGE).text) == ["/theme/default/style.css"]
    page = client.get(PAGE + "?theme=high-contrast")
    assert _sheets(page.text) == ["/theme/default/style.css", "/theme/high-contrast/style.css"]
    assert _theme_of(page.text) == "high-contrast"


def test_a_site_whose_theme_is_high_contrast(make_app, make_page):
    app = make_app(THEME="high-contrast")
    make_page("Jardin", "Un jardin partagé.")
    page = app.test_client().get(PAGE)
    assert _theme_of(page.text) == "high-contrast"
    assert _sheets(page.text) == ["/theme/default/style.css", "/theme/high-contrast/style.css"]
    # its footer offers the way back to the usual look
    assert soup(page).select_one(".appearance-links a")["href"] == PAGE + "?theme=default"


# ------------------------------------------------------------------ choosing a theme


def test_the_form_lists_every_theme_and_keeps_the_choice_in_a_cookie(client, jardin):
    form = client.get(CHOOSE)
    assert form.status_code == 200
    radios = soup(form).select("input[type=radio][name=theme]")
    assert {r["value"] for r in radios} == set(theme_names())
    assert [r["value"] for r in radios if r.has_attr("checked")] == ["default"]
    answer = post_form(client, CHOOSE, {"theme": "high-contrast", "next": PAGE})
    assert answer.status_code == 302 and answer.headers["Location"] == PAGE
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("theme="))
    assert "theme=high-contrast" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    page = client.get(PAGE)
    assert _theme_of(page.text) == "high-contrast"
    assert "Contraste élevé, grands caractères" in soup(page).select_one(".flash").get_text()
    chosen = soup(client.get(CHOOSE)).select("input[type=radio][checked]")
    assert [r["value"] for r in chosen] == ["high-contrast"]


def test_an_unknown_theme_in_the_form_is_refused_with_a_sentence(client):
    answer = post_form(client, CHOOSE, {"theme": "fluo"})
    assert answer.status_code == 400
    assert "Thème inconnu : « fluo »" in answer.text
    assert not any(c.startswith("theme=") for c in answer.headers.getlist("Set-Cookie"))


def test_the_form_needs_its_csrf_token(client):
    assert client.post(CHOOSE, data={"theme": "high-contrast"}).status_code == 400


def test_the_theme_cookie_chooses_the_stylesheets(client, jardin):
    client.set_cookie("theme", "high-contrast")
    assert _theme_of(client.get(PAGE).text) == "high-contrast"
    client.set_cookie("theme", "../../etc")  # anything else: the site's theme
    assert _theme_of(client.get(PAGE).text) == "default"


def test_the_query_sets_the_cookie_and_an_unknown_name_is_ignored(client, jardin):
    page = client.get(PAGE + "?theme=high-contrast")
    assert page.status_code == 200 and _theme_of(page.text) == "high-contrast"
    assert any(c.startswith("theme=high-contrast") for c in page.headers.getlist("Set-Cookie"))
    assert _theme_of(client.get(PAGE).text) == "high-contrast"  # remembered
    ignored = client.get(PAGE + "?theme=fluo")
    assert ignored.status_code == 200 and _theme_of(ignored.text) == "high-contrast"
    assert not [c for c in ignored.headers.getlist("Set-Cookie") if c.startswith("theme=")]


def test_the_footer_link_switches_to_high_contrast_and_back(client, jardin):
    link = soup(client.get(PAGE)).select_one(".appearance-links a")
    assert link.get_text() == "Contraste élevé"
    assert link["href"] == PAGE + "?theme=high-contrast"
    back = soup(client.get(link["href"])).select_one(".appearance-links a")
    assert back.get_text() == "Affichage habituel"
    assert _theme_of(client.get(back["href"]).text) == "default"
    assert _theme_of(client.get(PAGE).text) == "default"


def test_an_account_keeps_its_choice_and_login_restores_it(app, client, auth, jardin):
    auth.login("Alice")
    post_form(client, CHOOSE, {"theme": "high-contrast"})
    with app.app_context():
        assert find_user(get_session(), "Alice").theme == "high-contrast"
    # another browser, with no cookie: logging in brings the account's choice back
    other = app.test_client()
    assert _theme_of(other.get(PAGE).text) == "default"
    answer = login(other, "Alice")
    assert answer.status_code == 302
    assert _theme_of(other.get(PAGE).text) == "high-contrast"
    assert other.get_cookie("theme").value == "high-contrast"  # set again to match
    auth.logout(client=other)  # the look stays after logging out (the cookie)
    assert _theme_of(other.get(PAGE).text) == "high-contrast"


def test_the_query_also_updates_a_logged_in_account(app, client, auth, jardin):
    auth.login("Alice")
    client.get(PAGE + "?theme=high-contrast")
    with app.app_context():
        assert find_user(get_session(), "Alice").theme == "high-contrast"


# ------------------------------------------------------------------ caches and weight


def test_a_page_cached_in_one_theme_is_not_served_in_the_other(client, jardin):
    first = client.get(PAGE)
    assert _theme_of(first.text) == "default"
    assert client.get(PAGE).text == first.text  # served from the anonymous page cache
    client.set_cookie("theme", "high-contrast")
    contrast = client.get(PAGE)
    assert _theme_of(contrast.text) == "high-contrast"
    assert "/theme/high-contrast/style.css" in contrast.text
    assert client.get(PAGE).text == contrast.text
    client.delete_cookie("theme")
    assert _theme_of(client.get(PAGE).text) == "default"


def test_theme_files_are_cacheable_with_an_etag(client, jardin):
    href = soup(client.get(PAGE)).select_one('link[href^="/theme/default/style.css"]')["href"]
    assert re.search(r"\?v=[0-9a-f]{10}$", href)  # the address changes with the content
    css = client.get(href)
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.cache_control.max_age == 365 * 24 * 3600 and css.cache_control.public
    etag = css.headers["ETag"]
    css.close()
    again = client.get(href, headers={"If-None-Match": etag})
    assert again.status_code == 304
    again.close()
    logo = client.get("/theme/logo.svg")  # a file of the site theme, by its plain name
    assert logo.status_code == 200 and logo.cache_control.max_age == 3600
    logo.close()
    missing = client.get("/theme/high-contrast/nothing.css")
    assert missing.status_code == 404


def test_an_ordinary_page_weighs_under_100_kb_then_under_20_kb(client, jardin):
    page = client.get(PAGE)
    html = soup(page)
    assets = [link["href"] for link in html.select('link[rel="stylesheet"], link[rel="icon"]')]
    assets += [img["src"] for img in html.select("img[src^='/']")]
    sizes = []
    for href in assets:
        answer = client.get(href)
        assert answer.status_code == 200, href
        sizes.append(len(answer.data))
        answer.close()
    assert len(page.data) + sum(sizes) < 100_000
    assert len(page.data) < 20_000  # the next pages: the files come from the browser's cache


# ------------------------------------------------------------------ what the theme shows


def test_the_header_shows_the_theme_logo_or_the_logo_url_setting(make_app, make_page):
    app = make_app()
    make_page("Jardin", "Un jardin partagé.")
    name = soup(app.test_client().get(PAGE)).select_one(".site-name")
    assert name.select_one("img")["src"] == "/theme/logo.svg"
    assert name.select_one("img")["alt"] == ""  # the site name beside it says it
    assert name.get_text(strip=True) == "wikicoop"
    other = make_app(LOGO_URL="/static/mon-logo.png")
    logo = soup(other.test_client().get(PAGE)).select_one(".site-logo")
    assert logo["src"] == "/static/mon-logo.png"


def test_the_default_stylesheet_has_a_print_part_and_stays_small():
    css = (THEMES_DIR / "default" / "static" / "style.css").read_text(encoding="utf-8")
    start = css.index("@media print")
    printed = css[start:]
    for hidden in (".site-header", ".site-nav", ".site-footer", "form", ".page-tabs"):
        assert hidden in printed.split("display: none")[0]
    assert 'content: " (" attr(href) ")"' in printed
    assert "break-after: avoid" in printed
    assert len(css.encode()) < 25_000
    contrast = THEMES_DIR / "high-contrast" / "static" / "style.css"
    assert len(contrast.read_bytes()) < 5_000  # only what differs
    assert "@import" not in css and "url(http" not in css  # no CDN, no external font


# ------------------------------------------------------------------ migration 0007


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path: Path) -> Iterator[Engine]:
    with scratch_database(request.param, tmp_path, "theme_migration") as engine:
        yield engine


def test_0007_adds_the_theme_column_empty_and_goes_back(engine: Engine):
    config = alembic_config(engine)
    command.upgrade(config, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, username_key, password_hash, role, active,"
                " session_nonce, created_at, trust, bot) VALUES (1, 'Alice', 'alice', 'x',"
                " 'contributor', true, 'n', '2026-01-01 00:00:00+00', 'auto', false)"
            )
        )
    command.upgrade(config, "0007")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT theme FROM users")).scalar_one() is None
        conn.execute(text("UPDATE users SET theme = 'high-contrast'"))
    command.downgrade(config, "0006")
    with engine.connect() as conn:
        assert "theme" not in [c["name"] for c in inspect(conn).get_columns("users")]
        assert conn.execute(text("SELECT username FROM users")).scalar_one() == "Alice"
    command.upgrade(config, "0007")


def test_a_restarted_server_loads_its_compiled_templates(
    make_app, make_page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The templates compiled by a server are kept in its instance folder: the next
    process loads them instead of compiling them again (a quicker first view)."""
    import wikicoop.web.themes as themes

    monkeypatch.setattr(themes, "_COMPILED", {})  # a process that compiled nothing yet
    app = make_app()
    make_page("Lavoir", "Le lavoir.")
    assert app.test_client().get("/wiki/Lavoir").status_code == 200
    kept = list((Path(app.instance_path) / themes.TEMPLATE_CACHE_DIR).iterdir())
    assert len(kept) >= 3  # the page, its layout, their parts

    monkeypatch.setattr(themes, "_COMPILED", {})  # the next process
    restarted = make_app()
    compiled: list[str] = []
    real_compile = restarted.jinja_env.compile

    def counting(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real_compile(source, name, filename, raw, defer_init)

    monkeypatch.setattr(restarted.jinja_env, "compile", counting)
    assert "Le lavoir" in restarted.test_client().get("/wiki/Lavoir?x=1").text
    assert compiled == []
