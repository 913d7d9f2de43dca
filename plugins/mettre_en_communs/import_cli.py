"""``wikicoop commons import FILE.zip``: the import for an administrator at the server
(no size limit of a web upload), with a report of what was done."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app

from wikicoop.web.db import get_session

from .import_archive import ArchiveRefused
from .import_run import run_import
from .reuse_texts import TEXTS


def _french(key: str, **params: Any) -> str:
    return TEXTS[key]["fr"].format(**params)


def add_commands(cli: Any) -> None:
    """Add the ``commons`` group to the ``wikicoop`` command."""

    @cli.group("commons")
    def commons() -> None:
        """Mettre en communs: import an export archive."""

    @commons.command("import")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False))
    def import_command(archive: str) -> None:
        """Import ARCHIVE (a zip exported by /api/v1/export) with its history."""
        try:
            report = run_import(current_app, get_session(), archive)
        except ArchiveRefused as err:
            raise click.ClickException(_french(err.key, **err.params)) from None
        click.echo(
            _french(
                "import_done",
                created=len(report.created),
                updated=len(report.updated),
                skipped=len(report.skipped),
                revisions=report.revisions,
            )
        )
        for title, key, params in report.skipped:
            click.echo(f"- {title} : {_french(key, **params)}")
