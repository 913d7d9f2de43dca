"""Saving, restoring, renaming and deleting pages: the write path of the wiki.

Pure service: it takes a SQLAlchemy session and plain values, never Flask's request.
Every save names the revision it started from (``base_revision_id``). If another save
landed in between, the two edits are merged three-way; when they overlap, nothing is
written and the caller gets both texts back as a conflict. The page's pointer to its
latest revision is moved with a compare-and-set UPDATE, so two concurrent saves can
never both win: the loser retries, merging onto the winner.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from . import moderation, render_cache, signals, visibility
from .config import DEFAULTS
from .errors import ServiceError
from .licences import (
    DEFAULT_LICENCE,
    LicenceError,
    get_licence,
    relicense_refusal,
    relicense_refusal_en,
)
from .merging import MergeResult, merge_texts
from .models import CategoryMembership, Page, PageLink, Revision, User, utcnow
from .rendering.pipeline import Renderer
from .titles import Title, TitleError, make_title, parse_title

MAX_SUMMARY_CHARS = 500
_SAVE_ATTEMPTS = 10
_REDIRECT_RE = re.compile(r"^\s*#(?:REDIRECTION|REDIRECT)\s*\[\[([^\]|#]+)", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class EditError(ServiceError):
    """A refused edit (see :class:`~wikicoop.errors.ServiceError`)."""


@dataclass
class SaveResult:
    """Outcome of :func:`save_edit`.

    ``conflict`` is set (and nothing written) when the edit could not be merged;
    ``changed`` is False for a save identical to the current text (no revision made).
    """

    page: Page | None
    revision: Revision | None
    created: bool = False
    merged: bool = False
    changed: bool = True
    conflict: MergeResult | None = None
    current_revision: Revision | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        """A new revision was stored and waits for review (visitors still see the
        published one); False for an unchanged save of one's own waiting version."""
        return (
            self.changed
            and self.revision is not None
            and self.revision.status == moderation.PENDING
        )


@dataclass(frozen=True)
class Author:
    """Who makes an edit: a user, or an address when anonymous editing is allowed."""

    user: User | None
    ip: str | None = None


def clean_text(text: object, max_bytes: int) -> str:
    """Normalise line endings and check a page text; raise :class:`EditError` when unusable."""
    if not isinstance(text, str):
        raise EditError(
            "invalid-text",
            "Le texte de la page doit être du texte.",
            message_en="The page text must be text.",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").rstrip()
    if not text.strip():
        raise EditError(
            "empty-text",
            "Le texte de la page est vide. Écrivez quelques mots avant d'enregistrer.",
            message_en="The page text is empty. Write a few words before saving.",
        )
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates, e.g. from a JSON "\ud800" escape
        raise EditError(
            "invalid-utf8",
            "Le texte contient des caractères invalides (UTF-8 incorrect).",
            message_en="The text contains invalid characters (incorrect UTF-8).",
        ) from None
    if size > max_bytes:
        raise EditError(
            "too-large",
            f"Le texte est trop long : {size} octets pour {max_bytes} au plus. "
            "Découpez-le en plusieurs pages.",
            status=413,
            message_en=f"The text is too long: {size} bytes, {max_bytes} at most. "
            "Split it into several pages.",
        )
    return text + "\n"


def clean_summary(summary: object) -> str:
    """A one-line edit summary, control characters removed, at most 500 characters."""
    if summary is None:
        return ""
    if not isinstance(summary, str):
        raise EditError(
            "invalid-summary",
            "Le résumé de modification doit être du texte.",
            message_en="The edit summary must be text.",
        )
    summary = " ".join(_CONTROL_RE.sub(" ", summary).split())
    try:
        summary.encode("utf-8")
    except UnicodeEncodeError:
        raise EditError(
            "invalid-utf8",
            "Le résumé contient des caractères invalides.",
            message_en="The summary contains invalid characters.",
        ) from None
    if len(summary) > MAX_SUMMARY_CHARS:
        raise EditError(
            "summary-too-long",
            f"Le résumé fait {len(summary)} caractères ; {MAX_SUMMARY_CHARS} au plus.",
            message_en=f"The summary is {len(summary)} characters long; "
            f"{MAX_SUMMARY_CHARS} at most.",
        )
    return summary


def find_page(
    session: Session,
    title: Title,
    *,
    include_deleted: bool = True,
    for_update: bool = False,
    with_latest: bool = False,
) -> Page | None:
    """The page stored under ``title`` (deleted pages too unless asked otherwise).

    ``for_update`` locks the row until the transaction ends (PostgreSQL; SQLite has a
    single writer anyway), so concurrent saves of one page queue instead of racing.
    ``with_latest`` loads the latest revision in the same query (page views).
    """
    stmt = select(Page).where(Page.namespace == title.namespace, Page.name == title.name)
    if not include_deleted:
        stmt = stmt.where(Page.deleted_at.is_(None))
    if for_update:
        # read the row afresh even when this session already holds the page
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    if with_latest:
        # the text is only needed to render a revision that is not cached yet
        stmt = stmt.options(joinedload(Page.latest_revision).defer(Revision.text))
    return session.scalars(stmt).first()


def revision_of_page(session: Session, page: Page, revision_id: object) -> Revision:
    """Revision ``revision_id`` of ``page``, or :class:`EditError` (400/404) saying why not."""
    if isinstance(revision_id, bool) or not isinstance(revision_id, int | str):
        raise EditError(
            "invalid-revision",
            "Le numéro de version doit être un nombre entier.",
            message_en="The version number must be a whole number.",
        )
    try:
        number = int(revision_id)
    except ValueError:
        raise EditError(
            "invalid-revision",
            "Le numéro de version doit être un nombre entier.",
            message_en="The version number must be a whole number.",
        ) from None
    # ids are 32-bit integers in the schema: a larger number cannot exist
    revision = session.get(Revision, number) if 0 < number < 2**31 else None
    if revision is None:
        raise EditError(
            "unknown-revision",
            f"La version n° {number} n'existe pas.",
            status=404,
            message_en=f"Version {number} does not exist.",
        )
    if revision.page_id != page.id:
        raise EditError(
            "foreign-revision",
            f"La version n° {number} n'appartient pas à la page « {page.title.full} ».",
            message_en=f'Version {number} does not belong to the page "{page.title.full}".',
        )
    return revision


def redirect_target_of(text: str) -> str | None:
    """The full title named by a ``#REDIRECTION [[Titre]]`` first line, if valid."""
    match = _REDIRECT_RE.match(text)
    if not match:
        return None
    try:
        return parse_title(match.group(1)).full
    except TitleError:
        return None


def save_edit(
    session: Session,
    renderer: Renderer,
    *,
    title: Title,
    text: object,
    base_revision_id: object,
    author: Author,
    summary: object = "",
    minor: bool = False,
    licence: str | None = None,
    max_bytes: int = 2_000_000,
    action: str = "edit",
    now: datetime | None = None,
    settings: Mapping[str, Any] | None = None,
    system: bool = False,
) -> SaveResult:
    """Save a new version of ``title`` started from ``base_revision_id`` (None to create).

    ``system`` marks a save by the wiki itself (the seed pages), published without review.

    The moderation policy (``settings``: the app's config; the defaults when None)
    decides whether the new revision is published at once or waits for review
    (``result.pending``); a blocked author or a protected page gives :class:`EditError`
    403. ``base_revision_id`` may name the author's own pending revision: the new one
    then continues it. Returns a :class:`SaveResult`; raises :class:`EditError` for
    unusable input. Commits on success, writes nothing on a conflict or an error.
    """
    clean = clean_text(text, max_bytes)
    summary_text = clean_summary(summary)
    licence_code = _checked_licence(licence) if licence else None
    return retrying(
        session,
        lambda: _try_save(
            session,
            renderer,
            title=title,
            text=clean,
            base_revision_id=base_revision_id,
            author=author,
            summary=summary_text,
            minor=bool(minor),
            licence=licence_code,
            action=action,
            now=now or utcnow(),
            settings=settings if settings is not None else DEFAULTS,
            system=system,
        ),
    )


_T = TypeVar("_T")


def retrying(session: Session, attempt: Callable[[], _T]) -> _T:
    """Run ``attempt`` (one transaction that commits), again from the start when it lost
    a race: another writer moved the page's pointer (:class:`LostRace`) or created the
    same page first (``IntegrityError``). Gives up with :class:`EditError` 503."""
    for number in range(_SAVE_ATTEMPTS):
        if number:
            time.sleep(random.uniform(0, 0.005 * number))  # let the winner finish
        try:
            return attempt()
        except (LostRace, IntegrityError):
            session.rollback()
    raise EditError(
        "busy",
        "La page est modifiée par beaucoup de monde en ce moment : réessayez.",
        503,
        message_en="Many people are changing this page right now: please try again.",
    )


class LostRace(Exception):
    """Another writer moved the page's latest revision (or deleted the page) between our
    read and our write: :func:`retrying` starts the attempt again."""


def _base_of(session: Session, page: Page, base_revision_id: object) -> Revision:
    """The base revision of a save to ``page``, or :class:`EditError` saying why not."""
    try:
        return revision_of_page(session, page, base_revision_id)
    except EditError as err:
        if err.code == "foreign-revision":  # the old title now holds the redirect
            raise _renamed_since(session, page.title, base_revision_id) or err from None
        raise


def _renamed_since(session: Session, title: Title, base_revision_id: object) -> EditError | None:
    """409 naming the new title when the page the edit started from was renamed since
    (the edit was written on a page that has moved away); None otherwise."""
    try:
        number = int(base_revision_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    base = session.get(Revision, number) if 0 < number < 2**31 else None
    moved = session.get(Page, base.page_id) if base is not None else None
    if moved is None or moved.is_deleted or moved.title.key == title.key:
        return None
    renamed = session.scalar(
        select(Revision.id)
        .where(Revision.page_id == moved.id, Revision.action == "move", Revision.id > number)
        .limit(1)
    )
    if renamed is None:
        return None
    new = moved.title.full
    return EditError(
        "page-renamed",
        f"La page « {title.full} » a été renommée en « {new} » pendant que vous écriviez : "
        f"rien n'a été enregistré. Reprenez votre modification sur « {new} ».",
        status=409,
        message_en=f'The page "{title.full}" was renamed to "{new}" while you were writing: '
        f'nothing was saved. Make your change again on "{new}".',
        new_title=new,
    )


def _unreadable(revision: Revision) -> EditError:
    """The refusal of a base revision its writer may not read, worded as the API's reads
    are: a hidden one is hidden (403), another person's pending one does not exist (404)."""
    if revision.status == moderation.HIDDEN:
        return EditError(
            "hidden",
            "Cette version a été masquée par un modérateur : "
            "repartez de la version actuelle de la page.",
            status=403,
            message_en="This version was hidden by a moderator: "
            "start again from the current version of the page.",
        )
    return EditError(
        "unknown-revision",
        f"La version n° {revision.id} n'existe pas.",
        status=404,
        message_en=f"Version {revision.id} does not exist.",
    )


def _same_save_since(
    session: Session, page: Page, base: Revision | None, author: Author, text: str
) -> Revision | None:
    """The revision ``author`` already saved with exactly ``text`` since ``base``, if any.

    A client whose reply was lost sends the same text from the same base again; merging
    it onto the page would apply its change twice where the merge cannot tell the two
    copies apart (a word changed inside a line someone else also edited). Recognising
    the retry is exact, and cheap: sizes are compared in SQL before any text.
    """
    if base is None or author.user is None:
        return None
    candidates = session.scalars(
        select(Revision)
        .where(
            Revision.page_id == page.id,
            Revision.id > base.id,
            Revision.author_id == author.user.id,
            Revision.size == len(text.encode("utf-8")),
            Revision.status.in_((moderation.PUBLISHED, moderation.PENDING)),
        )
        .order_by(Revision.id.desc())
        .limit(20)
    )
    return next((revision for revision in candidates if revision.text == text), None)


def _checked_licence(code: str) -> str:
    try:
        return get_licence(code).code
    except LicenceError as err:
        raise EditError("unknown-licence", err.message, message_en=err.message_en) from None


def _try_save(
    session: Session,
    renderer: Renderer,
    *,
    title: Title,
    text: str,
    base_revision_id: object,
    author: Author,
    summary: str,
    minor: bool,
    licence: str | None,
    action: str,
    now: datetime,
    settings: Mapping[str, Any],
    system: bool = False,
) -> SaveResult:
    page = find_page(session, title, for_update=True)
    if page is not None and page.is_deleted:
        raise _deleted(title)
    _check_can_write(session, settings, author, page, now)
    if page is None:
        if base_revision_id is not None:
            raise _renamed_since(session, title, base_revision_id) or EditError(
                "page-missing",
                f"La page « {title.full} » n'existe pas (ou plus) : "
                "impossible de partir d'une de ses versions.",
                status=404,
                message_en=f'The page "{title.full}" does not exist (or no longer exists): '
                "you cannot start from one of its versions.",
            )
        decision = (
            moderation.Decision(moderation.PUBLISHED)
            if system
            else _decide(session, settings, author, title, "", text, now)
        )
        return _create_page(
            session, renderer, title, text, author, summary, licence, now, decision=decision
        )

    # None while every revision of the page waits for review
    latest = page.latest_revision
    if licence and licence != page.licence and latest is not None:
        raise EditError(
            "licence-change",
            "La licence d'une page existante ne change pas en l'enregistrant : "
            "un modérateur peut la changer depuis la page « Auteurs et licence ».",
            message_en="Saving a page does not change the licence of an existing page: "
            'a moderator can change it from the "Authors and licence" page.',
        )
    result = SaveResult(page=page, revision=None, current_revision=latest)
    base = None if base_revision_id is None else _base_of(session, page, base_revision_id)
    if base is not None and not visibility.can_see_text(author.user, base):
        raise _unreadable(base)  # before any merge: a conflict would show its text
    # the published text this edit was made from (the author's pending versions are theirs)
    root = published_root(session, base)
    if (root.id if root else None) != (latest.id if latest else None):
        already = _same_save_since(session, page, base, author, text)
        if already is not None:
            # a retry of a save whose reply was lost: it is stored already
            result.revision = already
            result.changed = False
            session.commit()  # nothing written: just end the transaction and its row lock
            return result
        merge = merge_texts(root.text if root else "", text, latest.text if latest else "")
        if not merge.clean:
            result.conflict = merge
            session.commit()  # nothing written: just end the transaction and its row lock
            return result
        assert merge.text is not None
        result.merged = merge.text != text
        text = merge.text
    if latest is not None and text == latest.text and action == "edit":
        result.revision = latest
        result.changed = False
        session.commit()  # nothing written: just end the transaction and its row lock
        return result

    latest_text = latest.text if latest else ""
    decision = (
        moderation.Decision(moderation.PUBLISHED)
        if system
        else _decide(session, settings, author, page.title, latest_text, text, now)
    )
    # the author's own pending version this edit continues, if any
    own_draft = (
        base
        if base is not None
        and base.status == moderation.PENDING
        and author.user is not None
        and base.author_id == author.user.id
        else None
    )
    if decision.pending and action == "edit":
        waiting = own_draft or visibility.own_pending(session, page, author.user)
        if waiting is not None and waiting.text == text:
            # the author's version waiting for review already says exactly this
            result.revision = waiting
            result.changed = False
            session.commit()  # nothing written: just end the transaction and its row lock
            return result
    revision = _new_revision(
        page,
        parent=own_draft if decision.pending and own_draft is not None else latest,
        author=author,
        text=text,
        summary=summary,
        action="merge" if result.merged and action == "edit" else action,
        now=now,
        minor=minor,
        decision=decision,
    )
    session.add(revision)
    session.flush()
    if decision.pending:
        rendered = render_cache.render_text(session, renderer, revision.text)
        render_cache.store_render(session, revision, rendered)  # the author's preview
        signals.send(signals.revision_pending, session=session, revision=revision, page=page)
        session.commit()
        result.revision = revision
        return result

    move_latest(session, page, latest, revision, now)
    apply_published_revision(session, renderer, page, revision)
    if latest is None:  # the first public version: links to this title turn blue
        render_cache.invalidate_linking_to(session, page.title)
    if own_draft is not None:
        settle_drafts(session, own_draft, moderation.PUBLISHED, reviewer=None, now=now)
    signals.send(
        signals.revision_published,
        session=session,
        revision=revision,
        page=page,
        actor=author.user,
    )
    session.commit()
    result.revision = revision
    result.current_revision = revision
    return result


def _check_can_write(
    session: Session,
    settings: Mapping[str, Any],
    author: Author,
    page: Page | None,
    now: datetime,
) -> None:
    """:class:`EditError` 403 for a blocked author or a protected page."""
    try:
        moderation.check_can_write(
            session,
            settings,
            author.user,
            protection=page.protection if page is not None else "",
            now=now,
        )
    except moderation.WriteRefused as refused:
        session.rollback()  # end the transaction and its row lock
        raise EditError(
            refused.code, refused.message, refused.status, message_en=refused.message_en
        ) from None


def _decide(
    session: Session,
    settings: Mapping[str, Any],
    author: Author,
    title: Title,
    old_text: str,
    new_text: str,
    now: datetime,
) -> moderation.Decision:
    return moderation.decide(
        session,
        settings,
        author=author.user,
        namespace=title.namespace,
        name=title.name,
        old_text=old_text,
        new_text=new_text,
        now=now,
    )


def move_latest(
    session: Session, page: Page, latest: Revision | None, revision: Revision, now: datetime
) -> None:
    """Compare-and-set the page's public revision from ``latest`` to ``revision``.

    The one way the pointer moves (saves, creations, renames, licence changes, approvals):
    ``UPDATE pages SET latest_revision_id = new WHERE latest_revision_id = seen AND the
    page is not deleted``. Raises :class:`LostRace` when another writer moved it (or
    deleted the page) first; :func:`retrying` then starts the act again from fresh data,
    so nobody's acknowledged revision is ever left off the page's chain.
    """
    expected = (
        Page.latest_revision_id.is_(None)
        if latest is None
        else Page.latest_revision_id == latest.id
    )
    moved = session.execute(
        update(Page)
        .where(Page.id == page.id, expected, Page.deleted_at.is_(None))
        .values(latest_revision_id=revision.id, touched_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise LostRace
    # the row now holds these values: no need to read it back
    set_committed_value(page, "latest_revision_id", revision.id)
    set_committed_value(page, "latest_revision", revision)
    set_committed_value(page, "touched_at", now)


def lock_page(session: Session, page_id: int) -> Page:
    """Page ``page_id`` read afresh and locked until the transaction ends (PostgreSQL).

    Raises :class:`EditError` 409 when it has been deleted meanwhile.
    """
    page = session.scalars(
        select(Page)
        .where(Page.id == page_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if page.is_deleted:
        raise _deleted(page.title)
    return page


def _deleted(title: Title) -> EditError:
    return EditError(
        "page-deleted",
        f"La page « {title.full} » a été supprimée. Un administrateur peut la rétablir.",
        status=409,
        message_en=f'The page "{title.full}" has been deleted. An administrator can bring it back.',
    )


def was_published(revision: Revision) -> bool:
    """Published, or hidden after having been published."""
    return revision.status == moderation.PUBLISHED or (
        revision.status == moderation.HIDDEN and revision.hidden_from == moderation.PUBLISHED
    )


def published_root(session: Session, revision: Revision | None) -> Revision | None:
    """The published revision ``revision`` was built on: itself when published, else the
    first published one up its chain of parents (None for a page's pending creation)."""
    seen = 0
    while revision is not None and not was_published(revision) and seen < 10_000:
        revision = session.get(Revision, revision.parent_id) if revision.parent_id else None
        seen += 1
    return revision


def pending_drafts(session: Session, revision: Revision) -> list[Revision]:
    """The still-pending ancestors of ``revision`` by the same author (older drafts it
    continues), nearest first."""
    drafts = []
    parent_id = revision.parent_id
    while parent_id is not None:
        parent = session.get(Revision, parent_id)
        if (
            parent is None
            or parent.status != moderation.PENDING
            or parent.author_id != revision.author_id
        ):
            break
        drafts.append(parent)
        parent_id = parent.parent_id
    return drafts


def settle_drafts(
    session: Session,
    revision: Revision,
    status: str,
    *,
    reviewer: User | None,
    now: datetime,
    reason: str = "",
) -> None:
    """Give ``revision`` (when still pending) and its pending drafts the same outcome."""
    for draft in [revision, *pending_drafts(session, revision)]:
        if draft.status == moderation.PENDING:
            draft.status = status
            draft.reviewed_by_id = reviewer.id if reviewer is not None else None
            draft.reviewed_at = now
            draft.review_reason = reason


def _new_revision(
    page: Page,
    *,
    parent: Revision | None,
    author: Author,
    text: str,
    summary: str,
    action: str,
    now: datetime,
    minor: bool = False,
    decision: moderation.Decision | None = None,
) -> Revision:
    """An immutable revision of ``page`` under the page's current licence (not yet added).

    Published unless ``decision`` says it waits for review.
    """
    decision = decision or moderation.Decision(moderation.PUBLISHED)
    return Revision(
        page_id=page.id,
        parent_id=parent.id if parent else None,
        author_id=author.user.id if author.user else None,
        author_ip=None if author.user else author.ip,
        created_at=now,
        summary=summary,
        minor=minor,
        size=len(text.encode("utf-8")),
        text=text,
        licence=page.licence,
        action=action,
        status=decision.status,
        pending_reasons=decision.reasons_text,
    )


def _create_page(
    session: Session,
    renderer: Renderer,
    title: Title,
    text: str,
    author: Author,
    summary: str,
    licence: str | None,
    now: datetime,
    *,
    decision: moderation.Decision | None = None,
    commit: bool = True,
) -> SaveResult:
    """A new page; while its first revision waits for review the page has no public
    revision (``latest_revision_id`` None) and visitors do not see it.

    Commits unless ``commit`` is False (a caller finishing a larger act).
    """
    decision = decision or moderation.Decision(moderation.PUBLISHED)
    page = Page(
        namespace=title.namespace,
        name=title.name,
        licence=licence or DEFAULT_LICENCE,
        created_at=now,
        touched_at=now,
    )
    session.add(page)
    session.flush()  # IntegrityError here when someone created it first: caller retries
    revision = _new_revision(
        page,
        parent=None,
        author=author,
        text=text,
        summary=summary,
        action="create",
        now=now,
        decision=decision,
    )
    session.add(revision)
    session.flush()
    if decision.pending:
        rendered = render_cache.render_text(session, renderer, revision.text)
        render_cache.store_render(session, revision, rendered)
        signals.send(signals.revision_pending, session=session, revision=revision, page=page)
        if commit:
            session.commit()
        return SaveResult(page=page, revision=revision, created=True, current_revision=None)
    move_latest(session, page, None, revision, now)
    apply_published_revision(session, renderer, page, revision)
    render_cache.invalidate_linking_to(session, title)
    signals.send(
        signals.revision_published,
        session=session,
        revision=revision,
        page=page,
        actor=author.user,
    )
    if commit:
        session.commit()
    return SaveResult(page=page, revision=revision, created=True, current_revision=revision)


def apply_published_revision(
    session: Session, renderer: Renderer, page: Page, revision: Revision
) -> None:
    """Render the page's new public revision once, and refresh its links and categories."""
    rendered = render_cache.render_text(session, renderer, revision.text)
    render_cache.store_render(session, revision, rendered)
    page.redirect_target = redirect_target_of(revision.text)
    session.execute(delete(PageLink).where(PageLink.source_page_id == page.id))
    session.execute(delete(CategoryMembership).where(CategoryMembership.page_id == page.id))
    links = set(rendered.links)
    if page.redirect_target:
        links.add(parse_title(page.redirect_target).key)
    session.add_all(
        PageLink(source_page_id=page.id, target_namespace=ns, target_name=name)
        for ns, name in sorted(links)
    )
    session.add_all(
        CategoryMembership(page_id=page.id, category=category, sort_key=page.name)
        for category in rendered.categories
    )


def restore_revision(
    session: Session,
    renderer: Renderer,
    *,
    page: Page,
    revision_id: object,
    author: Author,
    summary: object = "",
    max_bytes: int = 2_000_000,
    settings: Mapping[str, Any] | None = None,
) -> SaveResult:
    """Make an old revision's text the current one, as a new revision (moderated like
    any edit: see :func:`save_edit`)."""
    old = revision_of_page(session, page, revision_id)
    latest_id = page.latest_revision_id
    if old.id == latest_id:
        raise EditError(
            "already-current",
            "Cette version est déjà la version actuelle.",
            message_en="This version is already the current version.",
        )
    summary_text = clean_summary(summary) or f"Version n° {old.id} rétablie"
    result = save_edit(
        session,
        renderer,
        title=page.title,
        text=old.text,
        base_revision_id=latest_id,
        author=author,
        summary=summary_text,
        max_bytes=max_bytes,
        action="restore",
        settings=settings,
    )
    if result.conflict is not None:
        # someone saved meanwhile, on the very passages the restore would undo
        raise EditError(
            "restore-conflict",
            "La page vient d'être modifiée aux mêmes endroits : rien n'a été rétabli. "
            "Relisez la nouvelle version, puis recommencez si besoin.",
            status=409,
            message_en="The page was just changed in the same places: nothing was restored. "
            "Read the new version, then try again if needed.",
        )
    return result


def rename_page(
    session: Session,
    renderer: Renderer,
    *,
    page: Page,
    new_title: Title,
    author: Author,
    reason: object = "",
    leave_redirect: bool = True,
) -> Page:
    """Move ``page`` to ``new_title``; the old title becomes a redirect (unless asked not to).

    Raises :class:`EditError` (409) when a page already exists under the new title.
    """
    old_title = page.title
    if new_title.key == old_title.key:
        raise EditError(
            "same-title",
            "Le nouveau titre est identique à l'ancien.",
            message_en="The new title is the same as the old one.",
        )
    reason_text = clean_summary(reason)
    page_id = page.id
    return retrying(
        session,
        lambda: _try_rename(
            session,
            renderer,
            lock_page(session, page_id),
            old_title,
            new_title,
            author,
            reason_text,
            leave_redirect,
        ),
    )


def _try_rename(
    session: Session,
    renderer: Renderer,
    page: Page,
    old_title: Title,
    new_title: Title,
    author: Author,
    reason_text: str,
    leave_redirect: bool,
) -> Page:
    """One attempt at :func:`rename_page` on the freshly read, locked ``page``."""
    if page.title.key != old_title.key:
        raise EditError(
            "page-renamed",
            f"La page « {old_title.full} » vient d'être renommée en « {page.title.full} ».",
            status=409,
            message_en=f'The page "{old_title.full}" was just renamed to "{page.title.full}".',
        )
    if find_page(session, new_title) is not None:
        raise EditError(
            "title-taken",
            f"Une page « {new_title.full} » existe déjà : choisissez un autre titre.",
            status=409,
            message_en=f'A page "{new_title.full}" already exists: choose another title.',
        )
    now = utcnow()
    latest = page.latest_revision
    assert latest is not None
    page.namespace, page.name = new_title.namespace, new_title.name
    page.touched_at = now
    summary = f"« {old_title.full} » renommée en « {new_title.full} »"
    if reason_text:
        summary = f"{summary} : {reason_text}"[:MAX_SUMMARY_CHARS]
    move = _new_revision(
        page,
        parent=latest,
        author=author,
        text=latest.text,
        summary=summary,
        action="move",
        now=now,
        minor=True,
    )
    session.add(move)
    session.flush()  # the old title must be free before the redirect takes it
    move_latest(session, page, latest, move, now)
    if leave_redirect:
        redirect_text = f"#REDIRECTION [[{new_title.full}]]\n"
        _create_page(
            session,
            renderer,
            old_title,
            redirect_text,
            author,
            summary,
            page.licence,
            now,
            commit=False,  # one transaction with the move
        )
    render_cache.invalidate_linking_to(session, old_title)
    render_cache.invalidate_linking_to(session, new_title)
    moderation.audit(
        session,
        author.user,
        "rename",
        "page",
        page.id,
        page_id=page.id,
        reason=reason_text,
        old=old_title.full,
        new=new_title.full,
    )
    session.commit()
    return page


def delete_page(session: Session, *, page: Page, actor: User, reason: object = "") -> None:
    """Soft-delete: the page and its history stay in the database, hidden from visitors."""
    if page.is_deleted:
        raise EditError(
            "already-deleted",
            "Cette page est déjà supprimée.",
            status=409,
            message_en="This page is already deleted.",
        )
    page.deleted_at = utcnow()
    page.deleted_by_id = actor.id
    page.deletion_reason = clean_summary(reason)
    render_cache.invalidate_linking_to(session, page.title)
    moderation.audit(
        session, actor, "delete", "page", page.id, page_id=page.id, reason=page.deletion_reason
    )
    session.commit()


def undelete_page(
    session: Session, *, page: Page, actor: User | None = None, reason: object = ""
) -> None:
    """Bring a soft-deleted page back, with its whole history (``reason`` goes to the
    audit log)."""
    if not page.is_deleted:
        raise EditError(
            "not-deleted",
            "Cette page n'est pas supprimée.",
            status=409,
            message_en="This page is not deleted.",
        )
    page.deleted_at = None
    page.deleted_by_id = None
    page.deletion_reason = None
    render_cache.invalidate_linking_to(session, page.title)
    moderation.audit(
        session, actor, "undelete", "page", page.id, page_id=page.id, reason=clean_summary(reason)
    )
    session.commit()


def change_licence(
    session: Session, *, page: Page, new_code: str, author: Author, reason: object = ""
) -> Revision:
    """Move a page to another licence, if every contributor's terms are kept.

    Recorded as a new revision (same text, new licence) so the history shows it, and in
    the audit log with ``reason``.
    """
    code = _checked_licence(new_code)
    why = clean_summary(reason)
    page_id = page.id
    return retrying(
        session,
        lambda: _try_change_licence(session, lock_page(session, page_id), code, author, why),
    )


def _try_change_licence(
    session: Session, page: Page, code: str, author: Author, reason: str
) -> Revision:
    """One attempt at :func:`change_licence` on the freshly read, locked ``page``."""
    refusal = relicense_refusal(page.licence, code)
    if refusal:
        raise EditError(
            "licence-incompatible",
            refusal,
            status=409,
            message_en=relicense_refusal_en(page.licence, code),
        )
    latest = page.latest_revision
    assert latest is not None
    if code == page.licence:
        raise EditError(
            "same-licence",
            "La page est déjà sous cette licence.",
            message_en="The page is already under this licence.",
        )
    old_code = page.licence
    old = get_licence(old_code).short_name
    now = utcnow()
    page.licence = code
    revision = _new_revision(
        page,
        parent=latest,
        author=author,
        text=latest.text,
        summary=(
            f"Licence changée : {old} → {get_licence(code).short_name}"
            + (f" ({reason})" if reason else "")
        )[:MAX_SUMMARY_CHARS],
        action="relicense",
        now=now,
        minor=True,
    )
    session.add(revision)
    session.flush()
    move_latest(session, page, latest, revision, now)
    moderation.audit(
        session,
        author.user,
        "relicense",
        "page",
        page.id,
        page_id=page.id,
        reason=reason,
        old=old_code,
        new=code,
    )
    session.commit()
    return revision


@dataclass(frozen=True)
class HistoryRow:
    """A revision as the history page shows it, with the size change from its parent."""

    revision: Revision
    size_change: int


def history(
    session: Session,
    page: Page,
    *,
    limit: int = 50,
    offset: int = 0,
    visible: ColumnElement[bool] | None = None,
) -> tuple[int, list[HistoryRow]]:
    """Newest-first revisions of ``page`` with size changes: two queries, no N+1.

    ``visible`` limits the rows to what a reader may see (see :mod:`wikicoop.visibility`).
    """
    condition = Revision.page_id == page.id
    if visible is not None:
        condition = and_(condition, visible)
    total = session.scalar(select(func.count()).select_from(Revision).where(condition)) or 0
    parent = aliased(Revision)
    rows = session.execute(
        select(Revision, parent.size)
        .outerjoin(parent, parent.id == Revision.parent_id)
        .where(condition)
        .order_by(Revision.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return total, [HistoryRow(rev, rev.size - (parent_size or 0)) for rev, parent_size in rows]


def page_authors(session: Session, page: Page) -> list[str]:
    """Everyone who wrote a revision of ``page``, in order of first contribution."""
    assert page.latest_revision_id is not None
    return render_cache.contributors_until(session, page.id, page.latest_revision_id)


def backlinks(session: Session, title: Title) -> list[Title]:
    """Live pages whose latest revision links to ``title``, by title."""
    rows = session.execute(
        select(Page.namespace, Page.name)
        .join(PageLink, PageLink.source_page_id == Page.id)
        .where(
            PageLink.target_namespace == title.namespace,
            PageLink.target_name == title.name,
            Page.deleted_at.is_(None),
        )
        .order_by(Page.namespace, Page.name)
    ).all()
    return [make_title(ns, name) for ns, name in rows]


def category_members(session: Session, category: str) -> list[Title]:
    """Live pages in a category, sorted by name."""
    rows = session.execute(
        select(Page.namespace, Page.name)
        .join(CategoryMembership, CategoryMembership.page_id == Page.id)
        .where(CategoryMembership.category == category, Page.deleted_at.is_(None))
        .order_by(CategoryMembership.sort_key, Page.namespace)
    ).all()
    return [make_title(ns, name) for ns, name in rows]
