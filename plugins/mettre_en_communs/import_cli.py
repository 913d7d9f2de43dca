"""``wikicoop commons import FILE.zip``: the import for an administrator at the server
(no size limit of a web upload), with a report of what was done."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from wikicoop.community.accounts import find_user
from wikicoop.core.models import User
from wikicoop.web.db import get_session

from .import_archive import ArchiveRefused
from .import_run import run_import
from .reuse_texts import TEXTS


def _french(key: str, **params: Any) -> str:
    return TEXTS[key]["fr"].format(**params)


def add_commands(cli: Any) -> None:
    """Add the ``commons`` group to the ``wikicoop`` command."""

    commons = cli.commands.get("commons")
    if commons is None:  # the media part may have made the group first

        @cli.group("commons")
        def commons() -> None:
            """Mettre en communs: files, exports and imports."""

    @commons.command("import")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False))
    @click.option("--as", "as_name", default="", help="the administrator named in the log")
    def import_command(archive: str, as_name: str) -> None:
        """Import ARCHIVE (a zip exported by /api/v1/export) with its history."""
        session = get_session()
        actor = _administrator(session, as_name)
        try:
            report = run_import(current_app, session, archive, actor=actor, name=archive)
        except ArchiveRefused as err:
            raise click.ClickException(_french(err.key, **err.params)) from None
        click.echo(
            _french(
                "import_done",
                created=len(report.created),
                skipped=len(report.skipped),
                revisions=report.revisions,
            )
        )
        for title, key in report.skipped:
            click.echo(f"- {title} : {_french(key) if key in TEXTS else key}")
        restored, failed = len(report.files), len(report.files_failed)
        click.echo(_french("import_files", restored=restored, failed=failed))
        for name, key in report.files_failed:
            click.echo(f"- Fichier:{name} : {_french(key) if key in TEXTS else key}")


def _administrator(session: Session, name: str) -> User:
    """The account named ``--as`` (an administrator), else the first administrator."""
    if name:
        user = find_user(session, name)
        if user is None or user.role != "admin":
            raise click.ClickException(f"« {name} » n'est pas un compte administrateur.")
        return user
    user = session.scalars(select(User).where(User.role == "admin").order_by(User.id)).first()
    if user is None:
        raise click.ClickException("Aucun compte administrateur : créez-en un d'abord.")
    return user
