"""Uploading a file: the checks, the file page written through the core's write path,
the version row and the files on disk, all or nothing.

The file page's revision, the version row and the rename of the files into place happen
in ONE database transaction: the core's ``writing.save`` commits its act, and the row is
added just before that commit (a ``before_commit`` listener on the session, run again if
the act is retried after losing a race). When the act fails, its files are removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import Session

from wikicoop.core import moderation, render_cache, writing
from wikicoop.core import revisions as rev
from wikicoop.core.models import Page, User, utcnow
from wikicoop.errors import ServiceError
from wikicoop.text.licences import get_licence
from wikicoop.text.titles import Title, TitleError, parse_title

from .detect import THUMBNAIL_WIDTHS, Prepared, UploadError, prepare
from .fichier import TYPE_NAME
from .storage import StagedFiles, sha256_of, stage
from .tables import file_usage, file_versions

#: settings and their defaults (``WIKICOOP_COMMONS_MAX_UPLOAD_BYTES`` in the environment…)
SETTINGS: dict[str, Any] = {
    "MEDIA_DIR": "",  # empty: <instance>/media
    "COMMONS_MAX_UPLOAD_BYTES": 20_000_000,
    "COMMONS_MAX_IMAGE_PIXELS": 50_000_000,
    "COMMONS_THUMBNAIL_WIDTHS": list(THUMBNAIL_WIDTHS),
}

DEFAULT_TEXT = "Fichier partagé sur le wiki."


@dataclass(frozen=True)
class UploadRequest:
    """What someone sends: the bytes, the name to give (empty: the sent file's name) and
    the page's values."""

    data: bytes
    filename: str
    name: str = ""
    licence: str = ""
    author: str = ""
    source: str = ""
    description: str = ""
    comment: str = ""


@dataclass(frozen=True)
class UploadResult:
    """A stored upload: its file page, its version number and whether the page waits."""

    title: Title
    number: int
    pending: bool
    prepared: Prepared

    @property
    def created(self) -> bool:
        return self.number == 1


def file_title(raw: str, *, capitalize_first: bool = True) -> Title:
    """The file page's title for a name typed with or without ``Fichier:``;
    :class:`UploadError` ``bad-name`` when it is not a valid title."""
    raw = (raw or "").strip()
    try:
        title = parse_title(raw, capitalize_first=capitalize_first, allow_fragment=False)
        if title.namespace != "file":
            title = parse_title(
                "Fichier:" + raw, capitalize_first=capitalize_first, allow_fragment=False
            )
    except TitleError as err:
        raise UploadError("bad-name", 400, reason=err.message) from None
    if title.namespace != "file" or "/" in title.name:
        raise UploadError("bad-name", 400, reason="« / »")
    return title


def thumbnail_widths(settings: Mapping[str, Any]) -> tuple[int, ...]:
    """The thumbnail widths of the setting, sorted (the environment gives a string:
    ``[320, 800]`` or ``320,800``)."""
    value = settings.get("COMMONS_THUMBNAIL_WIDTHS") or THUMBNAIL_WIDTHS
    if isinstance(value, str):
        value = value.strip("[] ").replace("|", ",").split(",")
    return tuple(sorted({int(w) for w in value if str(w).strip()}))


def upload(
    ctx: writing.WriteContext,
    media_root: Path,
    user: User | None,
    sent: UploadRequest,
    *,
    system: bool = False,
) -> UploadResult:
    """Check ``sent``, then write the file page (created, or its fields updated) and a new
    version of its file in one transaction. Raises :class:`UploadError` or the core's
    :class:`~wikicoop.errors.ServiceError` (blocked, protected…); nothing is kept then."""
    settings, session = ctx.settings, ctx.session
    title = file_title(sent.name or sent.filename, capitalize_first=settings["CAPITALIZE_FIRST"])
    prepared = prepare(
        sent.data,
        title.name,
        max_bytes=int(settings["COMMONS_MAX_UPLOAD_BYTES"]),
        max_pixels=int(settings["COMMONS_MAX_IMAGE_PIXELS"]),
        widths=thumbnail_widths(settings),
    )
    sha = sha256_of(prepared.data)
    _refuse_duplicate(session, sha)
    page = rev.find_page(session, title)
    if page is not None and not system:
        _check_may_replace(session, settings, user, page)
    licence = _licence(sent.licence, page)
    latest = page.latest_revision if page is not None else None
    old_fields = dict(latest.fields or {}) if latest is not None else {}
    fields = {
        "auteur": sent.author.strip() or old_fields.get("auteur"),
        "source": sent.source.strip() or old_fields.get("source"),
        "description": sent.description.strip() or old_fields.get("description"),
    }
    edit = writing.Edit(
        author=rev.Author(user=user),
        title=title,
        text=latest.text if latest is not None else (sent.description.strip() or DEFAULT_TEXT),
        base_revision_id=page.latest_revision_id if page is not None else None,
        summary=sent.comment or ("Téléversement" if page is None else "Nouvelle version"),
        licence=licence if page is None else None,
        page_type=TYPE_NAME,
        fields={k: v for k, v in fields.items() if v},
        system=system,  # the wiki's own example files (seed): published without review
    )
    staged = stage(media_root, prepared)
    recorder = _VersionRecorder(title, staged, prepared, user, sent.comment)
    event.listen(session, "before_commit", recorder)
    event.listen(session, "after_commit", recorder.committed)
    event.listen(session, "after_rollback", recorder.rolled_back)
    try:
        result = writing.save(ctx, edit)
    except BaseException:
        session.rollback()
        # files a committed row names stay (an after-commit action may fail later)
        staged.discard(placed=not recorder.done)
        raise
    finally:
        event.remove(session, "before_commit", recorder)
        event.remove(session, "after_commit", recorder.committed)
        event.remove(session, "after_rollback", recorder.rolled_back)
    staged.discard(placed=False)  # nothing left in tmp/
    if recorder.number is None:  # cannot happen: the save made the page or refused
        raise UploadError("refused", 409, reason="?")
    return UploadResult(
        title=title, number=recorder.number, pending=result.pending, prepared=prepared
    )


def _check_may_replace(
    session: Session, settings: Mapping[str, Any], user: User | None, page: Page
) -> None:
    """A new version replaces what every page showing the file shows, at once and without
    review: as MediaWiki's ``reupload``, it needs a trusted account (or a moderator), unless
    every version so far is the uploader's own. 403 ``reupload-trusted`` otherwise."""
    account = moderation.account_for(session, settings, user)
    if account.role in ("moderator", "admin") or account.trusted:
        return
    others = session.execute(
        select(file_versions.c.id)
        .where(
            file_versions.c.page_id == page.id,
            file_versions.c.uploader_id.is_distinct_from(user.id if user is not None else None),
        )
        .limit(1)
    ).first()
    if others is not None:
        raise UploadError("reupload-trusted", 403)


def _refuse_duplicate(session: Session, sha: str) -> None:
    """409 when these very bytes are already a version of a file."""
    existing = session.execute(
        select(Page.name)
        .join(file_versions, file_versions.c.page_id == Page.id)
        .where(file_versions.c.sha256 == sha)
        .limit(1)
    ).scalar()
    if existing is not None:
        raise UploadError("duplicate", 409, name=existing)


def _licence(code: str, page: Page | None) -> str | None:
    """The licence asked for a new file page (None: the wiki's default); a new version
    keeps its page's licence (changing it is the page's own act)."""
    code = (code or "").strip()
    if not code:
        return None
    try:
        licence = get_licence(code).code
    except (KeyError, ValueError, ServiceError):
        raise UploadError("bad-licence", 400, code=code) from None
    if page is not None and licence != page.licence:
        raise UploadError("licence-differs", 409, licence=page.licence)
    return licence


class _VersionRecorder:
    """The ``before_commit`` listener adding the version row (and moving the files into
    place) in the transaction of the save."""

    def __init__(
        self,
        title: Title,
        staged: StagedFiles,
        prepared: Prepared,
        user: User | None,
        comment: str,
    ) -> None:
        self.title, self.staged, self.prepared = title, staged, prepared
        self.user, self.comment = user, comment
        self.number: int | None = None
        self.done = False  # the row is committed

    def committed(self, session: Session) -> None:
        if self.number is not None:
            self.done = True

    def rolled_back(self, session: Session) -> None:
        """The attempt's transaction was rolled back (a retried save): record again."""
        if not self.done:
            self.number = None

    def __call__(self, session: Session) -> None:
        if self.number is not None:  # recorded in this transaction already (another commit)
            return
        page = rev.find_page(session, self.title)
        if page is None:
            self.number = None
            return
        number = (
            session.execute(
                select(func.coalesce(func.max(file_versions.c.number), 0)).where(
                    file_versions.c.page_id == page.id
                )
            ).scalar_one()
            + 1
        )
        now = utcnow()
        session.execute(
            insert(file_versions).values(
                page_id=page.id,
                number=number,
                sha256=self.staged.sha256,
                size=len(self.prepared.data),
                mime=self.prepared.mime,
                width=self.prepared.width,
                height=self.prepared.height,
                storage=self.staged.storage,
                uploader_id=self.user.id if self.user is not None else None,
                created_at=now,
                comment=(self.comment or "")[:500],
            )
        )
        # the file page's panel lists the versions: a new key for the anonymous cache
        session.execute(update(Page).where(Page.id == page.id).values(touched_at=now))
        if number > 1:  # the pages showing it may show other dimensions
            users = select(file_usage.c.page_id).where(file_usage.c.file_name == page.name)
            render_cache.forget_renders(session, list(session.execute(users).scalars()))
        self.staged.place()
        self.number = number
