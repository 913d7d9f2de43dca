"""Seed pages: Markdown files with a small front matter, loaded once and idempotently.

Format of ``pages_seed/*.md``::

    ---
    title: Aide:Écrire une page
    licence: CC-BY-SA-4.0
    summary: Page d'aide initiale
    type: lieu_acces
    fields: {"quartier": "Bellevue", "point": {"lat": 48.39, "lon": -4.49}}
    ---
    Markdown body

``type`` and ``fields`` (a JSON object on one line) are optional: a structured page (a
plugin's seed pages, say) is validated like any edit, so a bad value stops the seeding
with the field named. A page that already exists is left alone, so residents' edits are
never overwritten.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from .bundled_data import bundled_dir
from .community.accounts import find_user, username_key
from .community.credentials import hash_password, new_session_nonce
from .core import revisions as rev
from .core import writing
from .core.models import Revision, User
from .text.titles import Title, parse_title

#: ``pages_seed/`` of the source tree, or its copy in the installed package
SEED_DIR = bundled_dir("pages_seed")
#: the account that signs seeded pages; it cannot log in
SEED_AUTHOR = "Wikicoop"


class SeedError(ValueError):
    """A seed file that does not follow the format, naming the file and the problem."""


@dataclass(frozen=True)
class SeedPage:
    title: Title
    licence: str
    summary: str
    text: str
    source: Path
    page_type: str | None = None
    fields: dict[str, Any] | None = None


def parse_seed_file(path: Path) -> SeedPage:
    """Read one seed file; raise :class:`SeedError` if its front matter is malformed."""
    raw = path.read_text(encoding="utf-8")
    lines = raw.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SeedError(f"{path.name}: the file must start with a '---' front matter line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise SeedError(f"{path.name}: front matter is not closed by '---'") from None
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise SeedError(f"{path.name}: front matter line without ':': {line!r}")
        meta[key.strip().lower()] = value.strip()
    if "title" not in meta:
        raise SeedError(f"{path.name}: front matter has no title")
    fields = _fields(path, meta.get("fields"))
    return SeedPage(
        title=parse_title(meta["title"]),
        licence=meta.get("licence") or meta.get("license") or "CC-BY-SA-4.0",
        summary=meta.get("summary", "Page initiale du wiki"),
        text="\n".join(lines[end + 1 :]).strip() + "\n",
        source=path,
        page_type=meta.get("type") or None,
        fields=fields,
    )


def _fields(path: Path, raw: str | None) -> dict[str, Any] | None:
    """The ``fields:`` line of a front matter: a JSON object, or None when absent."""
    if not raw:
        return None
    try:
        fields = json.loads(raw)
    except ValueError as err:
        raise SeedError(f"{path.name}: 'fields' is not JSON: {err}") from None
    if not isinstance(fields, dict):
        raise SeedError(f"{path.name}: 'fields' must be a JSON object")
    return fields


def seed_files(dirs: Iterable[Path]) -> list[SeedPage]:
    """Every seed page of ``dirs``, sorted by file name within each folder."""
    pages: list[SeedPage] = []
    for folder in dirs:
        pages.extend(parse_seed_file(p) for p in sorted(folder.glob("*.md")))
    return pages


def seed_author(session: Session) -> User:
    """The (login-less) account that signs seeded pages, created on first use."""
    user = find_user(session, SEED_AUTHOR)
    if user is None:
        user = User(
            username=SEED_AUTHOR,
            username_key=username_key(SEED_AUTHOR),
            password_hash=hash_password(secrets.token_urlsafe(32)),
            role="contributor",
            active=False,
            session_nonce=new_session_nonce(),
        )
        session.add(user)
        session.commit()
    return user


def _mark_patrolled(session: Session, revision: Revision | None, author: rev.Author) -> None:
    """The wiki's own pages need no check: they are not « à vérifier » in recent changes."""
    if revision is not None and revision.patrolled_at is None:
        revision.patrolled_by_id = author.user.id if author.user is not None else None
        revision.patrolled_at = revision.created_at
        session.commit()


def load_seed(ctx: writing.WriteContext, dirs: Iterable[Path] = (SEED_DIR,)) -> list[Title]:
    """Create the seed pages that do not exist yet; return the titles created."""
    session = ctx.session
    pages = seed_files(dirs)
    author = rev.Author(user=seed_author(session))
    created: list[Title] = []
    for seed in pages:
        if rev.find_page(session, seed.title) is not None:
            continue
        edit = writing.Edit(
            author=author,
            title=seed.title,
            text=seed.text,
            base_revision_id=None,
            summary=seed.summary,
            licence=seed.licence,
            page_type=seed.page_type,
            fields=seed.fields,
            system=True,  # the wiki's own pages: published without review
        )
        result = writing.save(ctx, edit)
        _mark_patrolled(session, result.revision, author)
        created.append(seed.title)
    return created
