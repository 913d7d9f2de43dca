"""A third-party plugin installed through the ``wikicoop.plugins`` entry point, through
the running app: every hook called at startup (startup, blueprints, template_dirs,
template_context, stylesheets, translation_dirs, markdown_plugins, sanitizer_allowlist,
cli_commands, seed_dirs, migration_dirs, seed_loaded) and DISABLED_PLUGINS by each of
its names."""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from click.testing import Result
from flask import Flask
from flask.cli import ScriptInfo
from helpers import login, make_user, save, soup
from sqlalchemy import inspect

from wikicoop.bundled_data import bundled_dir
from wikicoop.cli import cli
from wikicoop.core.db import alembic_config, engine_of
from wikicoop.plugins import manager_of
from wikicoop.plugins.manager import PluginError, plugins_of
from wikicoop.plugins.wiring import migration_dirs as migration_dirs_of
from wikicoop.search import wait_for_index

GREFFON = """
from pathlib import Path

import click
from flask import Blueprint, render_template
from markupsafe import escape

from wikicoop.plugins import hookimpl

__version__ = "1.0"
HERE = Path(__file__).parent
PARSED = []  # one item per ++text++ parsed: tells when a page was rendered again
bp = Blueprint("greffon", __name__)


@bp.route("/greffon")
def hello():
    return render_template("greffon.html")


def parse_seen(inline, m, state):
    PARSED.append(m.group("greffon_text"))
    state.append_token({"type": "greffon", "raw": m.group("greffon_text")})
    return m.end()


def render_seen(renderer, text):
    return '<span class="greffon-vu">' + str(escape(text)) + "</span>"


def seen(md):
    md.inline.register("greffon", r"\\+\\+(?P<greffon_text>[^+\\n]+)\\+\\+", parse_seen)
    md.renderer.register("greffon", render_seen)


@hookimpl
def startup(app):
    app.config["GREFFON_STARTED"] = True


@hookimpl
def blueprints():
    return bp


@hookimpl
def template_dirs():
    return HERE / "templates"


@hookimpl
def stylesheets():
    return "/greffon/greffon.css"


@hookimpl
def template_context(ctx):
    who = ctx.actor.username if ctx.actor.is_authenticated else "anonyme"
    return {"greffon_visitor": who, "greffon_template": ctx.template}


@hookimpl
def translation_dirs():
    return HERE / "translations"


@hookimpl
def markdown_plugins():
    return seen


@hookimpl
def sanitizer_allowlist():
    return {"classes": ["greffon-vu"]}


@hookimpl
def cli_commands(cli):
    @cli.command("greffon-ping")
    def ping():
        click.echo("pong du greffon")


@hookimpl
def seed_dirs():
    return HERE / "seed"


@hookimpl
def migration_dirs():
    return HERE / "versions"


SEEDED = []  # the titles of each seed_loaded call


@hookimpl
def seed_loaded(app, session, created):
    SEEDED.append(sorted(title.full for title in created))
"""

TEMPLATE = """
{% extends "base.html" %}
{% block content %}
<p id="greffon">{{ _("Bonjour du greffon") }} : {{ greffon_visitor }} ({{ greffon_template }})</p>
{% endblock %}
"""

SEED = """---
title: Aide:Greffon
licence: CC-BY-SA-4.0
summary: Page du greffon
---
Le greffon a semé cette page.
"""

MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "greffon_0001"
down_revision = None
branch_labels = ("greffon",)
depends_on = None


def upgrade():
    op.create_table(
        "greffon_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("note", sa.String(100)),
    )


def downgrade():
    op.drop_table("greffon_notes")
"""


def _english_catalog() -> bytes:
    catalog = Catalog(locale="en")
    catalog.add("Bonjour du greffon", "Hello from the plugin")
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


@pytest.fixture
def greffon(install_plugin: Callable[..., Path]) -> Path:
    """The plugin ``greffon`` (package ``greffon_pkg``, distribution ``greffon-dist``)."""
    return install_plugin(
        "greffon_pkg",
        GREFFON,
        entry_point="greffon",
        dist="greffon-dist",
        files={
            "templates/greffon.html": TEMPLATE,
            "translations/en/LC_MESSAGES/messages.mo": _english_catalog(),
            "seed/aide-greffon.md": SEED,
            "versions/greffon_0001.py": MIGRATION,
        },
    )


def _names(app: Flask) -> set[str]:
    return {info.name for info in plugins_of(manager_of(app))}


def test_entry_point_plugin_serves_its_blueprint_templates_and_translations(
    greffon: Path, make_app: Callable[..., Flask]
) -> None:
    app = make_app()
    assert "greffon" in _names(app)
    info = next(p for p in plugins_of(manager_of(app)) if p.name == "greffon")
    assert (info.package, info.version, info.source) == ("greffon_pkg", "1.0", "entry-point")
    assert app.config["GREFFON_STARTED"] is True  # startup(app) ran
    client = app.test_client()
    page = soup(client.get("/greffon"))  # blueprints() + template_dirs()
    # template_context(ctx): the plugin's variables, with the template's name
    assert page.select_one("#greffon").get_text(" ", strip=True) == (
        "Bonjour du greffon : anonyme (greffon.html)"
    )
    assert page.select_one(".site-nav")  # the plugin's template extends the core's layout
    # stylesheets(): on every page, before the theme's (which may override it)
    sheets = [link["href"] for link in page.select('head link[rel="stylesheet"]')]
    assert sheets[0] == "/greffon/greffon.css" and len(sheets) >= 2
    home = soup(client.get("/wiki/Accueil"))
    assert home.select_one('head link[href="/greffon/greffon.css"]') is not None
    english = soup(client.get("/greffon?lang=en"))  # translation_dirs()
    assert "Hello from the plugin" in english.select_one("#greffon").text
    make_user(app, "Alice")
    login(client, "Alice")
    assert "Bonjour du greffon : Alice" in soup(client.get("/greffon")).select_one("#greffon").text


def test_markdown_plugin_output_kept_by_the_sanitizer_allowlist(
    greffon: Path, make_app: Callable[..., Flask]
) -> None:
    app = make_app()
    client = app.test_client()
    make_user(app, "Alice")
    login(client, "Alice")
    assert save(client, "Essai", "Un mot ++vu++ ici.").status_code == 302
    content = soup(client.get("/wiki/Essai")).select_one(".page-content")
    span = content.select_one("span.greffon-vu")  # the class survived sanitizing
    assert span is not None and span.text == "vu"


def test_cli_commands_migrations_and_seed_pages_of_a_plugin(
    greffon: Path, make_app: Callable[..., Flask]
) -> None:
    app = make_app()

    def wikicoop(*args: str, on: Flask = app) -> Result:
        """Run the ``wikicoop`` command on an app (this one by default)."""
        info = ScriptInfo(create_app=lambda: on)
        return on.test_cli_runner().invoke(cli, list(args), obj=info, catch_exceptions=False)

    assert wikicoop("greffon-ping").output.strip() == "pong du greffon"  # cli_commands()
    listed = wikicoop("plugins").output.splitlines()
    assert "greffon\t1.0\tentry-point" in listed
    off = wikicoop("plugins", on=make_app(DISABLED_PLUGINS=["greffon"])).output.splitlines()
    assert "greffon\tdésactivé" in off
    engine = engine_of(app)
    assert not inspect(engine).has_table("greffon_notes")
    try:
        result = wikicoop("upgrade")  # migration_dirs(): the plugin's branch
        assert result.exit_code == 0, result.output
        assert inspect(engine).has_table("greffon_notes")
        result = wikicoop("load-seed")  # seed_dirs()
        assert result.exit_code == 0, result.output
        page = app.test_client().get("/wiki/Aide:Greffon")
        assert "Le greffon a semé cette page." in page.text
        seeded = importlib.import_module("greffon_pkg").SEEDED  # seed_loaded(): after them
        assert "Aide:Greffon" in seeded[-1]
        assert wikicoop("load-seed").exit_code == 0 and seeded[-1] == []  # nothing new
        # disabled, the plugin's tables and recorded version stay; enabled again, all is there
        # greffon off, the others as the run has them (all off in the all-disabled run)
        disabled = make_app(DISABLED_PLUGINS=[*app.config["DISABLED_PLUGINS"], "greffon"])
        assert wikicoop("upgrade", on=disabled).exit_code == 0
        assert inspect(engine).has_table("greffon_notes")
        assert wikicoop("upgrade").exit_code == 0
    finally:  # the PostgreSQL schema is shared by the run: leave it as found
        from alembic import command

        with engine.begin() as connection:
            # every enabled plugin's branch (the bundled ones too): Alembic must know them all
            cfg = alembic_config(engine, migration_dirs_of(app))
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "greffon@base")
    assert not inspect(engine).has_table("greffon_notes")


@pytest.mark.parametrize("name", ["greffon", "greffon_pkg", "greffon-dist"])
def test_disabled_plugins_by_entry_point_package_or_distribution_name(
    greffon: Path, make_app: Callable[..., Flask], name: str
) -> None:
    app = make_app(DISABLED_PLUGINS=[name])
    assert "greffon" not in _names(app)
    assert "greffon" in manager_of(app).wikicoop_disabled
    assert "GREFFON_STARTED" not in app.config
    assert app.test_client().get("/greffon").status_code == 404


def test_disabled_plugins_from_the_environment_json(
    greffon: Path, make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIKICOOP_DISABLED_PLUGINS", '["greffon"]')
    assert "greffon" not in _names(make_app())
    monkeypatch.setenv("WIKICOOP_DISABLED_PLUGINS", '["greffon"')
    with pytest.raises(ValueError, match="WIKICOOP_DISABLED_PLUGINS is not valid JSON"):
        make_app()
    monkeypatch.setenv("WIKICOOP_DISABLED_PLUGINS", '"greffon"')
    with pytest.raises(ValueError, match="WIKICOOP_DISABLED_PLUGINS expects a JSON list"):
        make_app()


def test_a_plugin_that_fails_to_import_stops_the_start_naming_it(
    install_plugin: Callable[..., Path], make_app: Callable[..., Flask]
) -> None:
    install_plugin("casse_pkg", "raise RuntimeError('boum')\n", entry_point="casse")
    with pytest.raises(PluginError, match=r"plugin 'casse' \(entry-point\) failed to import.*boum"):
        make_app()
    assert "casse" not in _names(make_app(DISABLED_PLUGINS=["casse"]))  # off: not imported


def test_a_hook_name_a_plugin_misspells_stops_the_start(
    install_plugin: Callable[..., Path], make_app: Callable[..., Flask]
) -> None:
    source = "from wikicoop.plugins import hookimpl\n\n@hookimpl\ndef page_panel(ctx):\n    pass\n"
    install_plugin("faute_pkg", source, entry_point="faute")
    with pytest.raises(PluginError, match=r"faute.*page_panel"):
        make_app()


def test_with_every_plugin_disabled_the_wiki_serves_pages(
    greffon: Path, make_app: Callable[..., Flask]
) -> None:
    bundled = [p.name for p in bundled_dir("plugins").iterdir() if (p / "__init__.py").is_file()]
    app = make_app(DISABLED_PLUGINS=[*bundled, "greffon"])
    assert plugins_of(manager_of(app)) == []
    client = app.test_client()
    make_user(app, "Alice")
    login(client, "Alice")
    assert save(client, "Essai", "Du ++texte++ et un [[Lien rouge]].").status_code == 302
    page = client.get("/wiki/Essai")
    assert page.status_code == 200
    assert "++texte++" in soup(page).select_one(".page-content").text
    assert client.get("/").status_code in {200, 302}
    assert client.get("/wiki/Essai?action=history").status_code == 200


def test_render_cache_follows_the_renderer_fingerprint(
    greffon: Path, make_app: Callable[..., Flask]
) -> None:
    """Enabling or disabling a plugin never serves HTML rendered with other plugins; the
    same renderer reuses the stored HTML (the page is not parsed again)."""
    import greffon_pkg

    plain = make_app(DISABLED_PLUGINS=["greffon"])
    client = plain.test_client()
    make_user(plain, "Alice")
    login(client, "Alice")
    assert save(client, "Essai", "Un mot ++vu++ ici.").status_code == 302
    # plain's indexing thread renders the page for its own fingerprint when the stored
    # one differs: left running, it could replace with_plugin's rendering between views
    assert wait_for_index(plain)

    def content(app: Flask) -> str:
        return str(soup(app.test_client().get("/wiki/Essai")).select_one(".page-content"))

    assert "greffon-vu" not in content(plain)
    with_plugin = make_app()
    assert with_plugin.extensions["wikicoop.renderer"].fingerprint != (
        plain.extensions["wikicoop.renderer"].fingerprint
    )
    parsed = len(greffon_pkg.PARSED)
    assert '<span class="greffon-vu">vu</span>' in content(with_plugin)
    assert len(greffon_pkg.PARSED) == parsed + 1  # rendered again for the new fingerprint
    assert '<span class="greffon-vu">vu</span>' in content(with_plugin)
    assert len(greffon_pkg.PARSED) == parsed + 1  # then served from the cache
    assert "greffon-vu" not in content(make_app(DISABLED_PLUGINS=["greffon"]))


def test_the_fingerprint_check_costs_no_query_on_a_cached_view(
    greffon: Path, make_app: Callable[..., Flask]
) -> None:
    """A view served from the render cache makes as many queries with plugins as without
    (the fingerprint is compared in Python, on the row the view reads anyway)."""
    from sqlalchemy import event

    def queries_of_a_cached_view(app: Flask) -> int:
        client = app.test_client()
        login(client, "Alice")
        client.get("/wiki/Essai")  # renders (again) for this app's fingerprint, if needed
        statements: list[str] = []
        engine = engine_of(app)

        def count(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        counts = []
        event.listen(engine, "before_cursor_execute", count)
        try:
            # the fewest of three views: a query that runs now and then (a logged-in
            # reader's periodic bookkeeping) must not decide the comparison
            for _ in range(3):
                statements.clear()
                assert client.get("/wiki/Essai").status_code == 200
                counts.append(len(statements))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return min(counts)

    # the same plugins but greffon and annonces (the run may turn others off already)
    everything = make_app()
    plain = make_app(
        DISABLED_PLUGINS=[*everything.config["DISABLED_PLUGINS"], "greffon", "annonces"]
    )
    make_user(plain, "Alice")
    client = plain.test_client()
    login(client, "Alice")
    assert save(client, "Essai", "Un mot ++vu++ ici.").status_code == 302
    assert wait_for_index(plain)  # its thread would store plain's rendering again
    without_plugins = queries_of_a_cached_view(plain)
    assert queries_of_a_cached_view(everything) == without_plugins


def test_two_plugins_of_one_name_stop_the_start(
    greffon: Path, install_plugin: Callable[..., Path], make_app: Callable[..., Flask]
) -> None:
    install_plugin("autre_pkg", "", entry_point="greffon", dist="autre-dist")
    with pytest.raises(PluginError, match="two plugins are named 'greffon'"):
        make_app()
    assert "greffon" in _names(make_app(DISABLED_PLUGINS=["autre-dist"]))
