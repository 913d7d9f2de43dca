"""``wikicoop magazine send-digest [--edition YYYY-Www]``: send a week's letter to the
subscribers who have not received it, in batches, with a progress bar.

Without ``--edition``, the current week. Run it at the end of the week (a Sunday evening
cron line, say); running it twice sends nothing twice.
"""

from __future__ import annotations

import smtplib
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from wikicoop.web.db import get_session

from . import articles as arts
from . import digest


def _edition(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    if value is None:
        return arts.edition_of(date.today())
    if arts.edition_monday(value) is None:
        raise click.BadParameter("une édition s'écrit année-Wsemaine, par exemple 2026-W49")
    return value


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
    def send_digest(edition: str) -> None:
        """Envoyer la lettre d'une semaine aux abonnés qui ne l'ont pas reçue."""
        session = get_session()
        config = current_app.config
        if not config.get("SITE_URL"):
            click.echo("Attention : SITE_URL n'est pas réglé, les liens seront relatifs.", err=True)
        total = len(digest.waiting(session, edition))
        try:
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
