"""``wikicoop magazine send-digest [--edition YYYY-Www] [--background]``: send a week's
letter to the subscribers who have not received it, in batches, with a progress bar (or,
with ``--background``, through the job queue: ``wikicoop worker`` sends it, retrying
when the SMTP server fails).

Without ``--edition``, the current week. Run it at the end of the week (a Sunday evening
cron line, say); running it twice sends nothing twice, and a run started while another
is sending stops at once (a lock file in the instance folder).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from wikicoop.web.db import get_session

try:
    import fcntl
except ImportError:  # fcntl is Unix only: elsewhere, runs are not kept apart
    fcntl = None  # type: ignore[assignment]

from . import articles as arts
from . import digest


def _edition(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    if value is None:
        return arts.edition_of(date.today())
    if arts.edition_monday(value) is None:
        raise click.BadParameter("une édition s'écrit année-Wsemaine, par exemple 2026-W49")
    return value


#: the file a running send-digest holds locked, in the instance folder
LOCK_FILE = "magazine-send-digest.lock"


@contextmanager
def only_run() -> Iterator[None]:
    """Hold the instance's send-digest lock: two runs at once would both send to those
    neither had recorded yet. :class:`click.ClickException` when another run holds it."""
    if fcntl is None:
        yield
        return
    folder = Path(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise click.ClickException(
                "une autre commande send-digest est en cours : attendez qu'elle finisse"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def add_commands(cli: click.Group) -> None:
    """Add the ``magazine`` group and its ``send-digest`` command to ``cli``."""
    group = AppGroup("magazine", help="Le magazine : la lettre hebdomadaire aux abonnés.")

    @group.command("send-digest")
    @click.option(
        "--edition",
        callback=_edition,
        metavar="YYYY-Www",
        help="La semaine à envoyer (par défaut, la semaine en cours).",
    )
    @click.option(
        "--background",
        is_flag=True,
        help="Confier l'envoi à « wikicoop worker » (REDIS_URL) : relancé s'il échoue.",
    )
    def send_digest(edition: str, background: bool) -> None:
        """Envoyer la lettre d'une semaine aux abonnés qui ne l'ont pas reçue."""
        session = get_session()
        config = current_app.config
        if not config.get("SITE_URL"):
            click.echo("Attention : SITE_URL n'est pas réglé, les liens seront relatifs.", err=True)
        if background:
            _send_in_background(edition)
            return
        try:
            with only_run():
                total = len(digest.waiting(session, edition))
                with click.progressbar(length=total, label=f"Lettre {edition}") as bar:
                    report = digest.send_digest(session, config, edition, progress=bar.update)
        except ValueError as err:  # e-mail is off
            raise click.ClickException(str(err)) from None
        except (OSError, smtplib.SMTPException) as err:
            raise click.ClickException(
                f"le serveur de courriel a échoué ({err}) ; les lettres envoyées sont "
                "notées : relancez la commande pour envoyer les autres"
            ) from None
        if report.empty:
            click.echo(f"Aucun article publié pendant la semaine {edition} : rien à envoyer.")
            return
        click.echo(
            f"Édition {edition} : {report.sent} lettre(s) envoyée(s), {report.refused} "
            f"refusée(s), {report.already} abonné(s) l'avaient déjà reçue."
        )

    cli.add_command(group)


def _send_in_background(edition: str) -> None:
    """Queue the sending of ``edition`` for a worker (``--background``)."""
    from wikicoop.jobs import enqueue

    if not (current_app.config.get("REDIS_URL") or "").strip():
        raise click.ClickException(
            "--background demande REDIS_URL (et « wikicoop worker ») ; sans Redis, "
            "lancez la commande sans --background"
        )
    if mailer_off():
        raise click.ClickException("SMTP_HOST is not set: e-mail is off")
    job_id = enqueue(digest.send_digest_job, edition)
    click.echo(f"Édition {edition} : envoi confié aux tâches de fond (tâche {job_id}).")


def mailer_off() -> bool:
    """Whether e-mail is off (no ``SMTP_HOST``)."""
    from wikicoop.community.mailer import SmtpSettings

    return SmtpSettings.from_config(current_app.config) is None
