"""``wikicoop commons seed-files``: the example files shipped in ``seed/media/`` (their
pages' values in ``seed/media/fichiers.json``), uploaded through the same checks as any
upload and signed by the wiki's seed account. A file that has a version already is left
alone, so the command may run again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy.orm import Session

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.seed import seed_author
from wikicoop.web.db import get_session

from .detect import UploadError
from .embed import tables_ready
from .media_api import file_versions, media_dir
from .uploads import UploadRequest, file_title, upload

SEED_MEDIA = Path(__file__).parent / "seed" / "media"


def seed_files(session: Session | None = None, folder: Path = SEED_MEDIA) -> list[str]:
    """Upload the example files that have no version yet; return their names. Each
    upload is its own transaction (a file and its page), like any upload."""
    session = session or get_session()
    if not tables_ready(session):  # a schema not upgraded for the plugin yet
        return []
    entries: list[dict[str, Any]] = json.loads((folder / "fichiers.json").read_text("utf-8"))
    done = []
    for entry in entries:
        title = file_title(entry["name"])
        if file_versions(session, title.name):
            continue
        page = rev.find_page(session, title)
        licence = "" if page is not None else entry.get("licence", "")
        upload(
            writing.context_for(current_app, session),
            media_dir(),
            seed_author(session),
            UploadRequest(
                data=(folder / entry["file"]).read_bytes(),
                filename=entry["file"],
                name=title.name,
                licence=licence,
                author=entry.get("author", ""),
                source=entry.get("source", ""),
                description=entry.get("description", ""),
                comment="Fichier d'exemple installé avec le wiki",
            ),
            system=True,
        )
        done.append(title.name)
    return done


def add_commands(cli: Any) -> None:
    """``wikicoop commons …``."""

    commons = cli.commands.get("commons")
    if commons is None:  # the reuse part may have made the group first

        @cli.group("commons")
        def commons() -> None:
            """Mettre en communs: files, exports and imports."""

    @commons.command("seed-files")
    def seed_files_command() -> None:
        """Upload the example files (idempotent)."""
        try:
            names = seed_files()
        except UploadError as refused:
            raise click.ClickException(f"{refused.key} {refused.params}") from None
        for name in names:
            click.echo(f"Fichier:{name}")
        click.echo(f"{len(names)} fichier(s) d'exemple ajouté(s).")
