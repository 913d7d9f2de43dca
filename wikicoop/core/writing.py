"""The write path: an edit is one object, handed with its context to :func:`save`.

Every way a revision becomes the public version of its page — creating, saving,
restoring, approving (``review.approve``), the redirect a rename leaves — ends in
:func:`publish`, the one place that moves the page's pointer, renders, refreshes links
and categories, marks a moderator's own change patrolled, sends ``revision_published``
and fires the ``page_published`` hook.

Transactions: :func:`save`, :func:`restore` and :func:`rename` are acts, each one
transaction run by :func:`revisions.retrying`: committed at its end, rolled back when
refused, run again from a fresh read after losing a race. What they call only
flushes. See "Transactions" in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..rendering.pipeline import Renderer
from ..text.licences import DEFAULT_LICENCE
from ..text.merging import MergeResult, merge_texts
from ..text.signatures import expand_signatures
from ..text.titles import Title
from . import links_and_categories, moderation, page_types, render_cache, signals, visibility
from . import revisions as rev
from .models import Page, Revision, User, utcnow
from .permissions import can
from .revisions import Author, EditError


@dataclass(frozen=True)
class Edit:
    """One edit as its author sent it: who, which page, what, from which revision.

    ``base_revision_id`` None creates the page. ``page_type`` None keeps the type of the
    revision the edit starts from ("" makes it a plain page again); ``fields`` None keeps
    that revision's field values. ``system`` marks the wiki's own pages (the seed),
    published without review.
    """

    author: Author
    title: Title
    text: object
    base_revision_id: object
    summary: object = ""
    licence: str | None = None
    minor: bool = False
    page_type: str | None = None
    fields: object = None
    action: str = "edit"
    system: bool = False


@dataclass(frozen=True)
class WriteContext:
    """What the write path works with: required settings (the app's config), no defaults."""

    session: Session
    settings: Mapping[str, Any]
    renderer: Renderer
    hooks: Any = None  # the plugin manager's ``pm.hook`` relay, or None (no plugins)
    page_types: page_types.PageTypeRegistry | None = None
    now: datetime | None = None


def context_for(app: Any, session: Session, *, now: datetime | None = None) -> WriteContext:
    """The write context of ``app`` (a Flask app, read through its ``config`` and
    ``extensions``: this module imports no Flask) for ``session``."""
    manager = app.extensions.get("wikicoop.plugins")
    return WriteContext(
        session=session,
        settings=app.config,
        renderer=app.extensions["wikicoop.renderer"],
        hooks=manager.hook if manager is not None else None,
        page_types=app.extensions.get(page_types.EXTENSION_KEY),
        now=now,
    )


@dataclass(frozen=True)
class EditCheck:
    """``ctx`` of the ``validate_edit`` and ``moderation_verdict`` hooks.

    ``edit`` is cleaned (text, summary, licence) with its effective type and fields;
    ``page`` is None for a creation; ``decision`` the core's (``moderation_verdict`` only).
    """

    session: Session
    edit: Edit
    page: Page | None
    settings: Mapping[str, Any]
    decision: moderation.Decision | None = None


@dataclass(frozen=True)
class Published:
    """``ctx`` of the ``page_published`` hook."""

    session: Session
    page: Page
    revision: Revision
    actor: User | None


@dataclass
class SaveResult:
    """Outcome of :func:`save`.

    ``conflict`` is set (and nothing written) when the edit could not be merged: the
    text's merge, with ``field_conflicts`` naming the fields (or ``type``) changed
    differently on both sides; ``changed`` is False for a save identical to the current
    version (no revision made).
    """

    page: Page | None
    revision: Revision | None
    created: bool = False
    merged: bool = False
    changed: bool = True
    conflict: MergeResult | None = None
    current_revision: Revision | None = None
    notices: list[str] = field(default_factory=list)
    field_conflicts: list[str] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        """A new revision was stored and waits for review (visitors still see the
        published one); False for an unchanged save of one's own waiting version."""
        return (
            self.changed
            and self.revision is not None
            and self.revision.status == moderation.PENDING
        )


def save(ctx: WriteContext, edit: Edit) -> SaveResult:
    """Save ``edit``: create the page, or a new version merged onto what was saved since
    its base revision.

    The moderation policy and the plugins' verdicts decide whether the new revision is
    published at once (through :func:`publish`) or waits for review
    (``result.pending``). Refusals raise :class:`~wikicoop.errors.ServiceError`
    (:class:`EditError`, a page type's ``FieldError``, a plugin's ``validate_edit``) and
    write nothing. Commits on success; a conflict writes nothing.
    """
    now = ctx.now or utcnow()
    edit = replace(
        edit,
        text=_signed(
            ctx, edit, rev.clean_text(edit.text, int(ctx.settings["MAX_PAGE_BYTES"])), now
        ),
        summary=rev.clean_summary(edit.summary),
        licence=rev.checked_licence(edit.licence) if edit.licence else None,
        minor=bool(edit.minor),
    )
    return rev.retrying(ctx.session, lambda: _try_save(ctx, edit, now))


def _signed(ctx: WriteContext, edit: Edit, text: str, now: datetime) -> str:
    """``text`` with its signatures (``~~~~``...) written out, checked again for size.

    Every edit signs (the form, the API); the wiki's own pages (``system``) and a
    restored version do not, nor does an import, which never comes here (history is
    history).
    """
    author = edit.author.user.username if edit.author.user is not None else edit.author.ip
    if edit.system or edit.action != "edit" or not author or "~~~" not in text:
        return text
    zone, language = ctx.settings.get("TIMEZONE"), ctx.settings.get("DEFAULT_LANGUAGE")
    signed = expand_signatures(text, author, now, zone or "Europe/Paris", locale=language or "fr")
    return rev.clean_text(signed, int(ctx.settings["MAX_PAGE_BYTES"]))


def publish(
    ctx: WriteContext,
    page: Page,
    revision: Revision,
    *,
    latest: Revision | None,
    actor: User | None,
    now: datetime,
) -> None:
    """Make ``revision`` the public version of ``page``: the one way to publish.

    ``revision`` is new (inserted here) or an approved one already stored; ``latest`` is
    the public revision the caller read (None: the page has none yet), the expected
    value of the pointer's compare-and-set (:func:`revisions.move_latest`, which raises
    ``LostRace`` for the caller's retry). Then: render, links and categories, pages
    linking to a new title, a moderator's own change marked patrolled, the
    ``revision_published`` signal and the ``page_published`` hook. Flushes, never commits.
    """
    session = ctx.session
    new = revision.id is None
    if new:
        session.add(revision)
        session.flush()
    if latest is None or revision.id != latest.id:
        rev.move_latest(session, page, latest, revision, now)
        rev.apply_published_revision(session, ctx.renderer, page, revision, new=new)
        if latest is None:  # the first public version: links to this title turn blue
            render_cache.invalidate_linking_to(session, page.title)
    if revision.patrolled_at is None and can(actor, "patrol", page, hooks=ctx.hooks):
        # a moderator's change needs no patrol afterwards (an act audited where it happens)
        assert actor is not None
        revision.patrolled_by_id = actor.id
        revision.patrolled_at = now
    signals.send(
        signals.revision_published, session=session, revision=revision, page=page, actor=actor
    )
    if ctx.hooks is not None:
        ctx.hooks.page_published(
            ctx=Published(session=session, page=page, revision=revision, actor=actor)
        )


# -- one attempt of a save -----------------------------------------------------------


def _try_save(ctx: WriteContext, edit: Edit, now: datetime) -> SaveResult:
    """One attempt at :func:`save`, from a fresh, locked read of the page. Flushes only."""
    session, title, author = ctx.session, edit.title, edit.author
    text = str(edit.text)
    page = rev.find_page(session, title, for_update=True)
    if page is not None and page.is_deleted:
        raise rev.deleted_error(title)
    rev.check_can_write(session, ctx.settings, author, page, now)
    if page is None:
        if edit.base_revision_id is not None:
            raise rev.renamed_since(session, title, edit.base_revision_id) or EditError(
                "page-missing", status=404, title=title.full
            )
        edit = _typed(ctx, edit, None)
        _validate(ctx, edit, None)
        decision = _decision(ctx, edit, None, "", now)
        return _create_page(ctx, edit, decision, now)

    # None while every revision of the page waits for review
    latest = page.latest_revision
    if edit.licence and edit.licence != page.licence and latest is not None:
        raise EditError("licence-change")
    result = SaveResult(page=page, revision=None, current_revision=latest)
    base = (
        None if edit.base_revision_id is None else rev.base_of(session, page, edit.base_revision_id)
    )
    if base is not None and not visibility.can_see_text(author.user, base):
        raise rev.unreadable(base)  # before any merge: a conflict would show its text
    edit = _typed(ctx, edit, base)
    # the published version this edit was made from (the author's pending ones are theirs)
    root = rev.published_root(session, base)
    if (root.id if root else None) != (latest.id if latest else None):
        already = rev.same_save_since(
            session, page, base, author, text, edit.page_type, edit.fields
        )
        if already is not None:  # a retry of a save whose reply was lost: stored already
            result.revision = already
            result.changed = False
            return result
        merge = merge_texts(root.text if root else "", text, latest.text if latest else "")
        page_type, fields, field_conflicts = merge_typed(root, edit, latest)
        if not merge.clean or field_conflicts:
            result.conflict = merge
            result.field_conflicts = field_conflicts
            return result
        assert merge.text is not None
        result.merged = merge.text != text or fields != edit.fields
        text = merge.text
        edit = replace(edit, text=text, page_type=page_type, fields=fields)
    if latest is not None and edit.action == "edit" and _same_version(edit, latest):
        result.revision = latest
        result.changed = False
        return result
    _validate(ctx, edit, page)
    decision = _decision(ctx, edit, page, latest.text if latest else "", now)
    # the author's own pending version this edit continues, if any
    own_draft = (
        base
        if base is not None
        and base.status == moderation.PENDING
        and author.user is not None
        and base.author_id == author.user.id
        else None
    )
    if decision.pending and edit.action == "edit":
        waiting = own_draft or visibility.own_pending(session, page, author.user)
        if waiting is not None and _same_version(edit, waiting):
            # the author's version waiting for review already says exactly this
            result.revision = waiting
            result.changed = False
            return result
    revision = _revision_of(
        page,
        edit,
        parent=own_draft if decision.pending and own_draft is not None else latest,
        action="merge" if result.merged and edit.action == "edit" else edit.action,
        decision=decision,
        now=now,
    )
    result.revision = revision
    if decision.pending:
        _store_pending(ctx, page, revision)
        return result
    if own_draft is not None:
        rev.settle_drafts(session, own_draft, moderation.PUBLISHED, reviewer=None, now=now)
    publish(ctx, page, revision, latest=latest, actor=author.user, now=now)
    result.current_revision = revision
    return result


def _same_version(edit: Edit, revision: Revision) -> bool:
    """Whether ``edit`` says exactly what ``revision`` says (text, type and fields)."""
    return (
        edit.text == revision.text
        and edit.page_type == revision.page_type
        and edit.fields == revision.fields
    )


def _typed(ctx: WriteContext, edit: Edit, start: Revision | None) -> Edit:
    """``edit`` with its effective page type and checked field values.

    What the edit leaves out (None) is kept from ``start``, the revision it starts from
    (its values only while the type stays).
    Values the edit sends (or a type it changes) are checked against the type's
    declaration when the app has a registry (``FieldError`` 400, naming the field).
    """
    kept_type = start.page_type if start is not None else None
    page_type = kept_type if edit.page_type is None else (edit.page_type or None)
    fields = edit.fields
    if fields is None and page_type == kept_type and start is not None:
        fields = start.fields  # kept values belong to the kept type only
    if page_type is None:
        if fields:  # values without a type: no declaration says what they are
            name = next(iter(fields)) if isinstance(fields, Mapping) else "fields"
            raise page_types.FieldError(str(name), "unknown-field")
        return replace(edit, page_type=None, fields=None)
    if ctx.page_types is not None and (edit.fields is not None or page_type != kept_type):
        declared = ctx.page_types.require(page_type)
        fields = page_types.validate_fields(
            declared, fields, capitalize_first=bool(ctx.settings.get("CAPITALIZE_FIRST", True))
        )
    return replace(edit, page_type=page_type, fields=dict(fields or {}))


def merge_typed(
    root: Revision | None, ours: Edit | Revision, latest: Revision | None
) -> tuple[str | None, dict[str, Any] | None, list[str]]:
    """Three-way merge of the page type and field values, like the text (``root`` the
    version both sides started from, ``ours`` the edit or pending revision, ``latest``
    what was published since): the merged type, the merged values and the names changed
    differently on both sides ("type" when the type itself was)."""
    base_type = root.page_type if root else None
    theirs_type = latest.page_type if latest else None
    if ours.page_type in (base_type, theirs_type):
        page_type = theirs_type
    elif theirs_type == base_type:
        page_type = ours.page_type
    else:
        return theirs_type, None, ["type"]
    fields, conflicts = page_types.merge_fields(
        root.fields if root else None,
        ours.fields if isinstance(ours.fields, Mapping) else None,
        latest.fields if latest else None,
    )
    if page_type is None:
        return None, None, conflicts
    return page_type, fields, conflicts


def _validate(ctx: WriteContext, edit: Edit, page: Page | None) -> None:
    """The plugins' ``validate_edit``: one raising a ServiceError refuses the edit."""
    if ctx.hooks is not None and not edit.system:
        ctx.hooks.validate_edit(
            ctx=EditCheck(session=ctx.session, edit=edit, page=page, settings=ctx.settings)
        )


def _decision(
    ctx: WriteContext, edit: Edit, page: Page | None, old_text: str, now: datetime
) -> moderation.Decision:
    """The moderation policy's decision, made stricter by the plugins' verdicts: any
    pending verdict makes the revision pending, every reason kept."""
    if edit.system:
        return moderation.Decision(moderation.PUBLISHED)
    decision = moderation.decide(
        ctx.session,
        ctx.settings,
        author=edit.author.user,
        namespace=edit.title.namespace,
        name=edit.title.name,
        page_type=edit.page_type or "page",
        old_text=old_text,
        new_text=str(edit.text),
        now=now,
    )
    if ctx.hooks is None:
        return decision
    check = EditCheck(
        session=ctx.session, edit=edit, page=page, settings=ctx.settings, decision=decision
    )
    verdicts = ctx.hooks.moderation_verdict(ctx=check)
    for verdict in verdicts:
        if not isinstance(verdict, moderation.Decision):
            raise TypeError(f"moderation_verdict must return a Decision or None: {verdict!r}")
    return moderation.strictest(decision, *verdicts)


def _revision_of(
    page: Page,
    edit: Edit,
    *,
    parent: Revision | None,
    action: str,
    decision: moderation.Decision,
    now: datetime,
) -> Revision:
    """The new immutable revision of ``edit`` (not added to the session yet)."""
    revision = rev.new_revision(
        page,
        parent=parent,
        author=edit.author,
        text=str(edit.text),
        summary=str(edit.summary),
        action=action,
        now=now,
        minor=edit.minor,
        decision=decision,
    )
    revision.page_type = edit.page_type
    revision.fields = edit.fields  # type: ignore[assignment]
    return revision


def _store_pending(ctx: WriteContext, page: Page, revision: Revision) -> None:
    """Store a revision that waits for review, rendered for its author's preview."""
    session = ctx.session
    session.add(revision)
    session.flush()
    rendered = render_cache.render_text(session, ctx.renderer, revision.text)
    render_cache.store_render(session, revision, rendered)
    signals.send(signals.revision_pending, session=session, revision=revision, page=page)


def _create_page(
    ctx: WriteContext, edit: Edit, decision: moderation.Decision, now: datetime
) -> SaveResult:
    """A new page; while its first revision waits for review the page has no public
    revision (``latest_revision_id`` None) and visitors do not see it. Flushes only."""
    session = ctx.session
    page = Page(
        namespace=edit.title.namespace,
        name=edit.title.name,
        licence=edit.licence or DEFAULT_LICENCE,
        created_at=now,
        touched_at=now,
    )
    session.add(page)
    session.flush()  # IntegrityError here when someone created it first: the caller retries
    revision = _revision_of(page, edit, parent=None, action="create", decision=decision, now=now)
    if decision.pending:
        _store_pending(ctx, page, revision)
        return SaveResult(page=page, revision=revision, created=True, current_revision=None)
    publish(ctx, page, revision, latest=None, actor=edit.author.user, now=now)
    return SaveResult(page=page, revision=revision, created=True, current_revision=revision)


# -- acts built on a save ------------------------------------------------------------


def restore(
    ctx: WriteContext, *, page: Page, revision_id: object, author: Author, summary: object = ""
) -> SaveResult:
    """Make an old revision the current one again — its text, page type and field
    values — as a new revision, moderated like any edit (see :func:`save`)."""
    old = rev.revision_of_page(ctx.session, page, revision_id)
    latest_id = page.latest_revision_id
    if old.id == latest_id:
        raise EditError("already-current")
    edit = Edit(
        author=author,
        title=page.title,
        text=old.text,
        base_revision_id=latest_id,
        summary=rev.clean_summary(summary) or f"Version n° {old.id} rétablie",
        page_type=old.page_type or "",
        fields=dict(old.fields or {}),
        action="restore",
    )
    result = save(ctx, edit)
    if result.conflict is not None:
        # someone saved meanwhile, on the very passages the restore would undo
        raise EditError("restore-conflict", status=409)
    return result


def rename(
    ctx: WriteContext,
    *,
    page: Page,
    new_title: Title,
    author: Author,
    reason: object = "",
    leave_redirect: bool = True,
) -> Page:
    """Move ``page`` to ``new_title``; the old title becomes a redirect (unless asked not
    to), published like any new page. Commits.

    Raises :class:`EditError` (409) when a page already exists under the new title.
    """
    old_title = page.title
    if new_title.key == old_title.key:
        raise EditError("same-title")
    reason_text = rev.clean_summary(reason)
    page_id, session = page.id, ctx.session

    def attempt() -> Page:
        moved = _try_rename(
            ctx, rev.lock_page(session, page_id), old_title, new_title, author, reason_text
        )
        if leave_redirect:
            redirect = Edit(
                author=author,
                title=old_title,
                text=f"#REDIRECTION [[{new_title.full}]]\n",
                base_revision_id=None,
                summary=moved.latest_revision.summary if moved.latest_revision else "",
                licence=moved.licence,
                system=True,  # part of the moderator's rename, not an edit to review
            )
            _create_page(ctx, redirect, moderation.Decision(moderation.PUBLISHED), utcnow())
        return moved

    return rev.retrying(session, attempt)


def _try_rename(
    ctx: WriteContext,
    page: Page,
    old_title: Title,
    new_title: Title,
    author: Author,
    reason_text: str,
) -> Page:
    """One attempt at :func:`rename` on the freshly read, locked ``page``. Flushes only."""
    session = ctx.session
    if page.title.key != old_title.key:
        raise EditError(
            "page-renamed",
            status=409,
            variant="just",
            title=old_title.full,
            new_title=page.title.full,
        )
    if rev.find_page(session, new_title) is not None:
        raise EditError("title-taken", status=409, title=new_title.full)
    now = utcnow()
    latest = page.latest_revision
    assert latest is not None
    page.namespace, page.name = new_title.namespace, new_title.name
    page.touched_at = now
    summary = f"« {old_title.full} » renommée en « {new_title.full} »"
    if reason_text:
        summary = f"{summary} : {reason_text}"[: rev.MAX_SUMMARY_CHARS]
    move = rev.new_revision(
        page,
        parent=latest,
        author=author,
        text=latest.text,
        summary=summary,
        action="move",
        now=now,
        minor=True,
    )
    move.page_type, move.fields = latest.page_type, latest.fields
    session.add(move)
    session.flush()  # the old title must be free before the redirect takes it
    rev.move_latest(session, page, latest, move, now)
    links_and_categories.sort_as_renamed(session, page)
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
    return page
