"""The ``wikicoop`` command: init, run, create-user, token, load-seed.

Every command honours ``WIKICOOP_INSTANCE`` (the instance folder, ./instance by default).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from .accounts import AccountError, create_user, find_user
from .db import engine_of, get_session, upgrade_schema
from .models import ROLES, Page, User
from .search import ensure_in_step, rebuild
from .security import create_token


def initialize(app: Flask, *, echo=click.echo) -> None:
    """Upgrade the schema, create the first admin, load the seed pages on first run."""
    from .seed import load_seed

    upgrade_schema(engine_of(app))
    with app.app_context():
        session = get_session()
        if not session.scalar(select(func.count()).select_from(User).where(User.active)):
            _create_first_admin(app, echo)
        if app.config["SEED_ON_FIRST_RUN"] and not session.scalar(
            select(func.count()).select_from(Page)
        ):
            created = load_seed(session, app.extensions["wikicoop.renderer"])
            echo(f"{len(created)} pages de départ chargées.")
    ensure_in_step(app, echo=echo)


def _create_first_admin(app: Flask, echo) -> None:
    name = app.config["ADMIN_USERNAME"]
    password = app.config["ADMIN_PASSWORD"]
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    create_user(get_session(), name, password, role="admin")
    if generated:
        echo(
            f"Compte administrateur créé : {name} / mot de passe : {password}\n"
            "Notez-le maintenant : il ne sera plus affiché (changez-le après connexion)."
        )
    else:
        echo(f"Compte administrateur créé : {name} (mot de passe de WIKICOOP_ADMIN_PASSWORD).")


def _app_factory() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_app_factory, add_default_commands=False)
def cli() -> None:
    """wikicoop: the participatory wiki of a territory."""


@cli.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database, the first admin and the seed pages."""
    initialize(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Instance prête : {current_app.instance_path}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port d'écoute.")
@click.option("--workers", default=2, show_default=True, type=int, help="Processus gunicorn.")
@click.option("--debug", is_flag=True, help="Serveur de développement Flask (rechargement).")
def run_command(host: str, port: int, workers: int, debug: bool) -> None:
    """Serve the wiki: gunicorn, or Flask's development server with --debug."""
    from . import create_app

    overrides: dict[str, object] = {}
    if _is_loopback(host) and "WIKICOOP_SESSION_COOKIE_SECURE" not in os.environ:
        # http://127.0.0.1 has no TLS: secure-only cookies would never come back
        overrides.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    app = create_app(overrides)
    from .server import AlreadyRunning, claim_pid_file, serve

    if not debug:
        try:
            claim_pid_file(app)  # a pid file left by a crash does not block
        except AlreadyRunning as err:
            raise click.ClickException(str(err)) from None
    initialize(app)
    click.echo(f"Le wiki est servi sur http://{host}:{port}/ (Ctrl+C pour arrêter)")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    serve(app, host=host, port=port, workers=workers)


cli.add_command(run_command)


@cli.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="contributor", show_default=True)
@click.option("--email", default=None)
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
@click.option(
    "--trusted",
    is_flag=True,
    help="Contributeur confirmé : ses modifications sont publiées sans relecture.",
)
@with_appcontext
def create_user_command(
    name: str, role: str, email: str | None, password_stdin: bool, trusted: bool
) -> None:
    """Create an account (the password is asked for, or read from stdin).

    A contributor is a newcomer (edits reviewed) unless ``--trusted``.
    """
    upgrade_schema(engine_of(current_app._get_current_object()))  # type: ignore[attr-defined]
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            get_session(),
            name,
            password,
            role=role,
            email=email,
            trust="granted" if trusted else "auto",
        )
    except AccountError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"Compte créé : {user.username} ({user.role})")


@cli.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.argument("name")
@click.option("--label", default="", help="Pour se souvenir de l'usage du jeton.")
@with_appcontext
def token_create_command(name: str, label: str) -> None:
    """Print a new API token for user NAME (shown once)."""
    session = get_session()
    user = find_user(session, name)
    if user is None:
        raise click.ClickException(f"Aucun compte nommé « {name} ».")
    token, row = create_token(user, label)
    session.add(row)
    session.commit()
    click.echo(token)


@cli.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database, with a progress bar."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade_schema(engine_of(app))
    total = get_session().scalar(select(func.count()).select_from(Page)) or 0
    with click.progressbar(length=total, label="Indexation des pages") as bar:
        count = rebuild(app, progress=bar.update)
    click.echo(f"{count} page(s) indexée(s).")


@cli.command("load-seed")
@with_appcontext
def load_seed_command() -> None:
    """Create the seed pages that do not exist yet (safe to run again)."""
    from .seed import load_seed

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade_schema(engine_of(app))
    created = load_seed(get_session(), app.extensions["wikicoop.renderer"])
    click.echo(f"{len(created)} page(s) créée(s).")


def main() -> None:
    """Console script entry point."""
    cli(prog_name="wikicoop")
