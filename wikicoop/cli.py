"""The ``wikicoop`` command: init, run, worker, create-user, token, load-seed.

Every command honours ``WIKICOOP_INSTANCE`` (the instance folder, ./instance by default).
"""

from __future__ import annotations

import gc
import ipaddress
import os
import secrets
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .community.accounts import AccountError, create_user, find_user
from .community.credentials import active_tokens, create_token, revoke_token
from .core.db import engine_of, upgrade_schema
from .core.models import ROLES, Page, User
from .core.setup_lock import setup_lock
from .early_answers import DEFAULT_HOST, DEFAULT_PORT
from .search import ensure_in_step, ensure_index_built, indexing_deferred, rebuild
from .search.parallel import default_workers
from .text.titles import Title
from .web.db import get_session

#: pages ``wikicoop upgrade`` makes for the next start's early answers, at most
NEXT_START_PAGES = 1000


def upgrade(app: Flask) -> None:
    """Upgrade the schema: the core's migrations and the enabled plugins' branches."""
    from .plugins.wiring import migration_dirs

    upgrade_schema(engine_of(app), migration_dirs(app))


def seed_folders(app: Flask) -> list[Path]:
    """The seed page folders: pages_seed/ then the enabled plugins' (``seed_dirs``)."""
    from .plugins.wiring import seed_dirs
    from .seed import SEED_DIR

    return [SEED_DIR, *seed_dirs(app)]


def load_seed_pages(app: Flask, session: Session) -> list[Title]:
    """Create the missing seed pages of every folder, then let the plugins add what a
    page file cannot carry (the ``seed_loaded`` hook: an uploaded image...); commits."""
    from .core.writing import context_for
    from .plugins import hooks_of
    from .seed import load_seed

    with indexing_deferred(app):  # one index write for every page, not one per page
        created = load_seed(context_for(app, session), seed_folders(app))
        session.commit()
        hooks_of(app).seed_loaded(app=app, session=session, created=created)
        session.commit()
    return created


def initialize(
    app: Flask, *, echo=click.echo, index_check: bool = True, index: bool = True
) -> None:
    """Upgrade the schema, create the first admin, load the seed pages on first run,
    build the search index when it is missing or outdated.

    Under the database's setup lock: servers started together run it one at a time.
    ``index_check=False`` leaves out the look for pages the index is behind on (a
    fifth of a second at 2,000 pages): ``wikicoop run`` has its first worker do it
    once serving. ``index=False`` leaves the index alone (``wikicoop run`` builds a
    missing one with :func:`build_missing_index` once it answered its first request).
    """
    with setup_lock(engine_of(app)):
        upgrade(app)
        with app.app_context():
            session = get_session()
            if not session.scalar(select(func.count()).select_from(User).where(User.active)):
                _create_first_admin(app, echo)
            if app.config["SEED_ON_FIRST_RUN"] and not session.scalar(
                select(func.count()).select_from(Page)
            ):
                created = load_seed_pages(app, session)
                echo(f"{len(created)} pages de départ chargées.")
        if index_check:
            ensure_in_step(app, echo=echo)
        elif index:
            ensure_index_built(app, echo=echo)


def build_missing_index(app: Flask, *, echo=click.echo) -> None:
    """Build the search index when it is missing or outdated (under the setup lock)."""
    with setup_lock(engine_of(app)):
        ensure_index_built(app, echo=echo)


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
@click.pass_context
def cli(ctx: click.Context) -> None:
    """wikicoop: the participatory wiki of a territory."""
    if ctx.invoked_subcommand != "run":  # run turns it on once it has built its app
        gc.enable()  # paused by the launcher (wikicoop.launcher) while the command loaded


@cli.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database, the first admin and the seed pages."""
    initialize(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Instance prête : {current_app.instance_path}")


@cli.command("upgrade")
@click.option(
    "--pages",
    default=NEXT_START_PAGES,
    show_default=True,
    type=click.IntRange(min=0),
    help="Pages préparées pour répondre dès le prochain démarrage (0 : aucune).",
)
@with_appcontext
def upgrade_command(pages: int) -> None:
    """Upgrade the database schema (the core and the enabled plugins' own tables), then
    make the pages the next ``wikicoop run`` answers while it starts: those its last
    run kept, made again by this version (:mod:`wikicoop.pages_for_next_start`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(app)
    click.echo("Schéma de la base à jour.")
    if not pages:
        return
    from .pages_for_next_start import make_pages_for_next_start

    made = make_pages_for_next_start(Path(app.instance_path), pages, run_overrides)
    if made.pages:
        ready = "page prête" if made.pages == 1 else "pages prêtes"
        click.echo(f"{made.pages} {ready} pour le prochain démarrage.")
    else:
        click.echo(f"Aucune page préparée pour le prochain démarrage : {made.reason}.")


@cli.command("plugins")
@with_appcontext
def plugins_command() -> None:
    """List the plugins: the enabled ones (name, version, source), then the disabled."""
    from .plugins import manager_of
    from .plugins.manager import plugins_of

    pm = manager_of(current_app._get_current_object())  # type: ignore[attr-defined]
    for info in plugins_of(pm):
        click.echo(f"{info.name}\t{info.version}\t{info.source}")
    for name in getattr(pm, "wikicoop_disabled", []):
        click.echo(f"{name}\tdésactivé")


def run_overrides(host: str) -> dict[str, object]:
    """The settings ``wikicoop run --host host`` overrides in its app."""
    overrides: dict[str, object] = {}
    if _is_loopback(host) and "WIKICOOP_SESSION_COOKIE_SECURE" not in os.environ:
        # http://127.0.0.1 has no TLS: secure-only cookies would never come back
        overrides.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    return overrides


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("run")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Adresse d'écoute.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port d'écoute.")
@click.option("--workers", default=2, show_default=True, type=int, help="Processus gunicorn.")
@click.option("--debug", is_flag=True, help="Serveur de développement Flask (rechargement).")
def run_command(host: str, port: int, workers: int, debug: bool) -> None:
    """Serve the wiki: gunicorn, or Flask's development server with --debug."""
    from . import create_app

    app = create_app(run_overrides(host))
    # the start's objects (paused collector, wikicoop.launcher) out of the collector's
    # way for good; what the checks and the warm-up make next is collected as usual (a
    # first start may load the seed pages or rebuild a whole index)
    gc.freeze()
    gc.enable()
    from . import early_answers
    from .pid_file import AlreadyRunning, claim_pid_file

    if not debug:
        try:
            claim_pid_file(Path(app.instance_path))  # one left by a crash does not block
        except AlreadyRunning as err:
            raise click.ClickException(str(err)) from None
    # the index's catch-up with the database waits until a worker serves (server.py)
    initialize(app, index_check=debug, index=debug)
    click.echo(f"Le wiki est servi sur http://{host}:{port}/ (Ctrl+C pour arrêter)")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    # the first request, held since the start bound the port, is answered now: before
    # the index is loaded or built, the warm-up and the workers (issue 14, point 4)
    listening = early_answers.hand_over(app)
    build_missing_index(app)
    from .server import serve  # gunicorn: loaded once the first request is answered

    serve(app, host=host, port=port, workers=workers, listening=listening)


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
@click.option("--bot", is_flag=True, help="Compte d'un programme : pas de limite de modifications.")
@with_appcontext
def create_user_command(
    name: str, role: str, email: str | None, password_stdin: bool, trusted: bool, bot: bool
) -> None:
    """Create an account (the password is asked for, or read from stdin).

    A contributor is a newcomer (edits reviewed) unless ``--trusted``; a ``--bot``
    account is exempt from the edit rate limits.
    """
    upgrade(current_app._get_current_object())  # type: ignore[attr-defined]
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
            bot=bot,
        )
    except AccountError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"Compte créé : {user.username} ({user.role}{', robot' if user.bot else ''})")


def _user_or_fail(name: str) -> User:
    """The account named ``name`` (any spelling), or a command error."""
    user = find_user(get_session(), name)
    if user is None:
        raise click.ClickException(f"Aucun compte nommé « {name} ».")
    return user


@cli.group("user")
def user_group() -> None:
    """Accounts."""


@user_group.command("set-bot")
@click.argument("name")
@click.argument("state", type=click.Choice(["on", "off"]))
@with_appcontext
def user_set_bot_command(name: str, state: str) -> None:
    """Flag account NAME as a bot (on) or not (off): bots skip the edit rate limits."""
    user = _user_or_fail(name)
    user.bot = state == "on"
    get_session().commit()
    click.echo(f"{user.username} : robot {'oui' if user.bot else 'non'}.")


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
    token, row = create_token(_user_or_fail(name), label)
    session.add(row)
    session.commit()
    click.echo(token)


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else "jamais"


@token_group.command("list")
@click.argument("name")
@with_appcontext
def token_list_command(name: str) -> None:
    """List the active API tokens of user NAME: id, creation, last use, label."""
    user = _user_or_fail(name)
    rows = active_tokens(get_session(), user)
    if not rows:
        click.echo(f"{user.username} n'a aucun jeton actif.")
    for row in rows:
        click.echo(
            f"{row.id}\tcréé {_when(row.created_at)}\tutilisé {_when(row.last_used_at)}\t{row.name}"
        )


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke_command(token_id: int) -> None:
    """Revoke the API token numbered TOKEN_ID (see ``wikicoop token list``)."""
    row = revoke_token(get_session(), token_id)
    if row is None:
        raise click.ClickException(f"Aucun jeton actif ne porte le numéro {token_id}.")
    click.echo(f"Jeton {row.id} de {row.user.username} révoqué.")


@cli.command("reindex")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=default_workers,
    show_default="un par cœur",
    help="Processus qui préparent les pages (rendu, extraction du texte).",
)
@with_appcontext
def reindex_command(workers: int) -> None:
    """Rebuild the search index from the database, with a progress bar."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(app)
    total = get_session().scalar(select(func.count()).select_from(Page)) or 0
    get_session().close()  # no connection held open across the workers' fork
    with click.progressbar(length=total, label="Indexation des pages") as bar:
        # the backends report a running total; the bar wants steps
        count = rebuild(app, progress=lambda done: bar.update(done - bar.pos), workers=workers)
    click.echo(f"{count} page(s) indexée(s).")


@cli.command("index-catch-up", hidden=True)
@with_appcontext
def index_catch_up_command() -> None:
    """Bring the search index up to the database (started by ``wikicoop run``'s first
    worker: server.catch_up_index_in_background)."""
    from .server import catch_up_index

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    caught_up = catch_up_index(app)
    if caught_up:
        click.echo(f"{caught_up} page(s) brought up to date")


@cli.command("load-seed")
@with_appcontext
def load_seed_command() -> None:
    """Create the seed pages that do not exist yet (safe to run again)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(app)
    created = load_seed_pages(app, get_session())
    click.echo(f"{len(created)} page(s) créée(s).")


@cli.command("worker")
@click.option("--burst", is_flag=True, help="S'arrêter quand la file est vide (tests, cron).")
@click.option(
    "--heartbeat",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    help="Secondes entre deux signes de vie pendant une tâche.",
)
@click.option(
    "--grace",
    default=60,
    show_default=True,
    type=click.IntRange(1),
    help="Secondes sans signe de vie après lesquelles une tâche est reprise.",
)
@click.option(
    "--maintenance-interval",
    default=60,
    show_default=True,
    type=click.IntRange(1),
    help="Secondes entre deux reprises des tâches abandonnées.",
)
@click.option("--no-scheduler", is_flag=True, help="Sans planificateur (les relances attendent).")
@with_appcontext
def worker_command(
    burst: bool, heartbeat: int, grace: int, maintenance_interval: int, no_scheduler: bool
) -> None:
    """Run the background jobs of the queue JOBS_QUEUE on REDIS_URL (e-mail, digests...)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not (app.config.get("REDIS_URL") or "").strip():
        raise click.ClickException(
            "REDIS_URL n'est pas réglé : sans Redis, les tâches de fond tournent dans le "
            "serveur web, il n'y a pas de travailleur à lancer."
        )
    try:
        from .jobs.worker import run_worker
    except ImportError as err:
        raise click.ClickException(
            f"RQ manque ({err}) : installez wikicoop[redis] pour lancer un travailleur."
        ) from err
    run_worker(
        app,
        burst=burst,
        scheduler=not no_scheduler,
        heartbeat=heartbeat,
        grace=grace,
        maintenance_interval=maintenance_interval,
    )


def main() -> None:
    """Console script entry point."""
    cli(prog_name="wikicoop")
