"""The wikicoop command: init, create-user, token create, load-seed; settings precedence."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from wiki_fixtures import _truncate_all

from wikicoop import create_app
from wikicoop.bundled_data import bundled_dir
from wikicoop.cli import cli
from wikicoop.core.models import Page, User
from wikicoop.web.db import get_session

BUNDLED_PLUGINS = sorted(
    path.name for path in bundled_dir("plugins").iterdir() if (path / "__init__.py").is_file()
)


@pytest.fixture
def cli_env(tmp_path: Path, postgres_url: str | None, monkeypatch) -> dict[str, str]:
    """Environment pointing the command at a fresh instance (and database)."""
    for key in list(os.environ):
        if key.startswith("WIKICOOP_"):
            monkeypatch.delenv(key)
    env = {
        "WIKICOOP_INSTANCE": str(tmp_path / "instance"),
        "WIKICOOP_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        # the core's commands: the plugins' tables and seed pages have their own tests
        # (tests/plugins/test_each_alone.py runs `init` with each plugin)
        "WIKICOOP_DISABLED_PLUGINS": json.dumps(BUNDLED_PLUGINS),
    }
    if postgres_url:
        _truncate_all(postgres_url)
        env["WIKICOOP_DATABASE_URL"] = postgres_url
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def env_app(closing_apps: list[Flask]) -> Callable[..., Flask]:
    """``env_app(overrides)``: an app configured from the environment, as the command
    builds it (``make_app`` would impose the test database); closed at teardown."""

    def _make(overrides: dict | None = None) -> Flask:
        app = create_app(overrides)
        closing_apps.append(app)
        return app

    return _make


@pytest.fixture
def invoke(env_app: Callable[..., Flask]) -> Callable[..., Result]:
    """``invoke(*args, input=...)``: run ``wikicoop ARGS`` on an app of its own."""

    def _invoke(*args: str, input: str | None = None) -> Result:
        info = ScriptInfo(create_app=env_app)  # so the command's app is closed too
        return CliRunner().invoke(cli, list(args), input=input, obj=info, catch_exceptions=False)

    return _invoke


def test_init_creates_schema_admin_and_seed_once(cli_env, invoke, env_app):
    first = invoke("init")
    assert first.exit_code == 0, first.output
    assert "Compte administrateur créé : admin / mot de passe :" in first.output
    assert "pages de départ chargées" in first.output
    second = invoke("init")
    assert second.exit_code == 0
    assert "mot de passe" not in second.output  # printed once, never again
    app = env_app()
    with app.app_context():
        session = get_session()
        titles = {(p.namespace, p.name) for p in session.query(Page)}
        assert ("main", "Accueil") in titles and ("help", "Sommaire") in titles
        assert session.query(User).filter_by(role="admin").count() == 1
    key = Path(cli_env["WIKICOOP_INSTANCE"]) / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == key.read_text().strip()


def test_admin_password_from_environment(cli_env, monkeypatch, invoke):
    monkeypatch.setenv("WIKICOOP_ADMIN_PASSWORD", "un mot de passe choisi")
    result = invoke("init")
    assert "WIKICOOP_ADMIN_PASSWORD" in result.output
    assert "un mot de passe choisi" not in result.output


def test_create_user_from_stdin_and_prompt(cli_env, invoke):
    invoke("init")
    result = invoke("create-user", "Modératrice", "--role", "moderator", "--password-stdin",
                    input="mot de passe tres long\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Modératrice (moderator)" in result.output
    result = invoke("create-user", "Bob", input="mot de passe tres long\nmot de passe tres long\n")
    assert result.exit_code == 0, result.output
    again = invoke("create-user", "bob", "--password-stdin", input="mot de passe tres long\n")
    assert again.exit_code != 0 and "déjà pris" in again.output
    short = invoke("create-user", "Carole", "--password-stdin", input="court\n")
    assert short.exit_code != 0 and "10 caractères" in short.output


def test_token_create_prints_a_working_token(cli_env, invoke, env_app):
    invoke("init")
    invoke(
        "create-user", "Robot", "--trusted", "--password-stdin", input="mot de passe tres long\n"
    )
    result = invoke("token", "create", "Robot")
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("wkc_")
    app = env_app({"SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    response = client.put(
        "/api/v1/pages/Par_le_robot",
        json={"text": "écrit par un programme", "base_revision": None},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.json
    assert response.json["revision"]["author"] == "Robot"
    missing = invoke("token", "create", "Personne")
    assert missing.exit_code != 0 and "Aucun compte" in missing.output


def test_load_seed_is_idempotent_and_keeps_edits(cli_env, invoke, env_app):
    invoke("init")
    app = env_app()
    with app.app_context():
        count = get_session().query(Page).count()
    result = invoke("load-seed")
    assert result.exit_code == 0 and "0 page(s) créée(s)" in result.output
    with app.app_context():
        assert get_session().query(Page).count() == count


def test_settings_precedence(tmp_path, monkeypatch, env_app):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('SITE_NAME = "Depuis le fichier"\nMAX_PAGE_BYTES = 5\n')
    monkeypatch.setenv("WIKICOOP_INSTANCE", str(instance))
    monkeypatch.setenv("WIKICOOP_MAX_PAGE_BYTES", "1234")
    monkeypatch.setenv("WIKICOOP_ANONYMOUS_EDITING", "oui")
    monkeypatch.delenv("WIKICOOP_DATABASE_URL", raising=False)
    app = env_app()
    assert app.config["SITE_NAME"] == "Depuis le fichier"  # file over defaults
    assert app.config["MAX_PAGE_BYTES"] == 1234  # environment over file
    assert app.config["ANONYMOUS_EDITING"] is True
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'wikicoop.db'}"
    overridden = env_app({"MAX_PAGE_BYTES": 99})
    assert overridden.config["MAX_PAGE_BYTES"] == 99  # overrides over environment


def test_bad_boolean_setting_is_explained(tmp_path, monkeypatch, env_app):
    monkeypatch.setenv("WIKICOOP_INSTANCE", str(tmp_path))
    monkeypatch.setenv("WIKICOOP_ANONYMOUS_EDITING", "peut-être")
    with pytest.raises(ValueError, match="true or false"):
        env_app()


def test_console_script_help_lists_commands():
    script = Path(sys.executable).with_name("wikicoop")
    output = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("init", "run", "create-user", "token", "load-seed"):
        assert command in output
    run_help = subprocess.run(
        [str(script), "run", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--host" in run_help and "--port" in run_help and "--debug" in run_help


def test_the_launcher_s_pause_of_the_collector_ends_before_a_command(cli_env, invoke) -> None:
    """The launcher loads the command line with the garbage collector paused (a quicker
    start); any command but ``run`` works with it on again."""
    import gc

    gc.disable()
    try:
        assert invoke("upgrade").exit_code == 0
        assert gc.isenabled()
    finally:
        gc.enable()


def test_the_installed_command_starts_through_the_launcher() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("wikicoop")), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "the participatory wiki of a territory" in done.stdout
    script = Path(sys.executable).with_name("wikicoop").read_text(encoding="utf-8")
    assert "wikicoop.launcher" in script


def test_run_s_start_builds_a_missing_index_but_leaves_the_catch_up_to_a_worker(
    app: Flask, make_page: Callable[..., int]
) -> None:
    """``wikicoop run``'s start (``initialize(index_check=False, index=False)``, then
    ``build_missing_index`` once the first request is answered): a page the index lost
    is left for the first worker (server.catch_up_index_in_background), while a missing
    index is built before serving; ``initialize()`` (``wikicoop init``) repairs both."""
    import shutil

    from wikicoop.cli import build_missing_index, initialize
    from wikicoop.search import pages_behind, search_backend, wait_for_index

    make_page("Lavoir", "Le lavoir du quartier.")
    assert wait_for_index(app)
    with app.app_context():
        page_id = get_session().query(Page.id).filter_by(name="Lavoir").scalar()
        backend = search_backend()
    backend.remove_pages([page_id])

    initialize(app, echo=lambda _: None, index_check=False, index=False)
    build_missing_index(app, echo=lambda _: None)
    assert pages_behind(app) == {page_id}

    initialize(app, echo=lambda _: None)
    assert pages_behind(app) == set()

    backend.close()
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    assert backend.needs_rebuild()
    initialize(app, echo=lambda _: None, index_check=False, index=False)
    assert backend.needs_rebuild()
    build_missing_index(app, echo=lambda _: None)
    assert not backend.needs_rebuild()
    assert pages_behind(app) == set()


@pytest.mark.any_database
def test_a_catch_up_ended_by_a_signal_is_logged_as_a_stop_not_a_failure(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker that stops takes its catch-up process with it: an end, not an error;
    a catch-up that fails is still an error, with what it wrote."""
    import logging

    from wikicoop import server

    def logged_end(command: str) -> list[logging.LogRecord]:
        monkeypatch.setattr(server, "CATCH_UP_COMMAND", [sys.executable, "-c", command])
        caplog.clear()
        with caplog.at_level(logging.INFO):
            server.catch_up_index_in_background(app).join(30)
        return [r for r in caplog.records if r.getMessage().startswith("search index")]

    stopped = logged_end("import os, signal; os.kill(os.getpid(), signal.SIGTERM)")
    assert [r.levelno for r in stopped] == [logging.INFO]
    assert "signal 15" in stopped[0].getMessage()
    failed = logged_end("raise SystemExit('index unreadable')")
    assert [r.levelno for r in failed] == [logging.ERROR]
    assert "index unreadable" in failed[0].getMessage()
