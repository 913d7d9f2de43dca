"""Reviewing revisions: the queue, approve, reject, hide; reports of pages.

Pure service like :mod:`wikicoop.revisions`. Every status change is a compare-and-set
``UPDATE … WHERE status = 'pending'``, so two moderators acting on the same revision
cannot both succeed: the second gets :class:`~wikicoop.revisions.EditError` 409 saying
what happened first. Every act is written to the audit log in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from ..core import moderation, signals
from ..core.models import Comment, Page, Report, Revision, User, utcnow
from ..core.revisions import (
    EditError,
    clean_summary,
    pending_drafts,
    published_root,
    retrying,
    settle_drafts,
)
from ..core.writing import WriteContext, merge_typed, publish
from ..text.merging import merge_texts

MAX_QUEUE = 200


@dataclass(frozen=True)
class QueueItem:
    """A pending revision as the queue shows it."""

    revision: Revision
    page: Page
    published: Revision | None  # what the page shows now (the diff's left side)
    reports: int


def queue(session: Session, *, limit: int = MAX_QUEUE) -> list[QueueItem]:
    """Pending revisions, oldest first, one per chain of drafts (the newest draft).

    Three queries whatever the length: revisions with their pages, the published
    revisions they are compared with, and the open report counts.
    """
    child = aliased(Revision)
    newer_draft = exists().where(
        child.parent_id == Revision.id,
        child.status == moderation.PENDING,
        child.author_id == Revision.author_id,
    )
    rows = session.execute(
        select(Revision, Page)
        .join(Page, Page.id == Revision.page_id)
        .where(Revision.status == moderation.PENDING, Page.deleted_at.is_(None), ~newer_draft)
        .order_by(Revision.id)
        .limit(limit)
    ).all()
    latest_ids = {page.latest_revision_id for _, page in rows if page.latest_revision_id}
    published = {
        r.id: r for r in session.scalars(select(Revision).where(Revision.id.in_(latest_ids)))
    }
    counts: dict[int, int] = {}
    if rows:
        for revision_id in session.scalars(
            select(Report.revision_id).where(
                Report.status == "open",
                Report.revision_id.in_([r.id for r, _ in rows]),
            )
        ):
            counts[revision_id] = counts.get(revision_id, 0) + 1
    return [
        QueueItem(
            revision=revision,
            page=page,
            published=published.get(page.latest_revision_id) if page.latest_revision_id else None,
            reports=counts.get(revision.id, 0),
        )
        for revision, page in rows
    ]


def pending_comments(session: Session, *, limit: int = MAX_QUEUE) -> list[Comment]:
    """Discussion messages waiting for review, oldest first."""
    return list(
        session.scalars(
            select(Comment)
            .join(Page, Page.id == Comment.page_id)
            .where(Comment.status == moderation.PENDING, Page.deleted_at.is_(None))
            .order_by(Comment.id)
            .limit(limit)
        )
    )


def open_reports(session: Session, *, limit: int = MAX_QUEUE) -> list[Report]:
    """Reports not handled yet, oldest first."""
    return list(
        session.scalars(
            select(Report).where(Report.status == "open").order_by(Report.id).limit(limit)
        )
    )


def _already(revision_id: int, status: str) -> EditError:
    """409: the revision is no longer pending (its status says what happened first)."""
    return EditError(
        "not-pending", status=409, variant=status, id=revision_id, current_status=status
    )


def _required_reason(reason: object, act: str) -> str:
    """The cleaned reason, or :class:`EditError` 400 asking for the reason of ``act``
    (reject, hide, hide-comment, report) when it is empty."""
    text = clean_summary(reason)
    if not text:
        raise EditError("reason-required", variant=act)
    return text


def _revision(session: Session, revision_id: int) -> Revision:
    """Revision ``revision_id``, or :class:`EditError` 404."""
    revision = session.get(Revision, revision_id) if 0 < revision_id < 2**31 else None
    if revision is None:
        raise EditError("unknown-revision", status=404, id=revision_id)
    return revision


def _pending_revision(session: Session, revision_id: int) -> tuple[Revision, Page]:
    revision = _revision(session, revision_id)
    # lock the page: approvals and saves of one page queue up (PostgreSQL)
    page = session.scalars(
        select(Page)
        .where(Page.id == revision.page_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    session.refresh(revision)
    if revision.status != moderation.PENDING:
        raise _already(revision.id, revision.status)
    if page.is_deleted:
        raise EditError("page-deleted", status=409, variant="review")
    return revision, page


def _claim(
    session: Session, revision: Revision, status: str, moderator: User, now: datetime, reason: str
) -> None:
    """Compare-and-set the revision's status from pending; 409 when someone else did first."""
    done = session.execute(
        update(Revision)
        .where(Revision.id == revision.id, Revision.status == moderation.PENDING)
        .values(status=status, reviewed_by_id=moderator.id, reviewed_at=now, review_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        session.rollback()
        current = session.get(Revision, revision.id)
        raise _already(revision.id, current.status if current else "?")
    session.expire(revision)


def approve(
    ctx: WriteContext, *, revision_id: int, moderator: User, reason: object = ""
) -> Revision:
    """Publish a pending revision; returns the page's new public revision.

    When the page changed since the revision was written, the two are merged three-way,
    text and field values (the result is a new "merge" revision credited to the author);
    when they overlap, nothing is published and :class:`EditError` 409 says so. A
    revision that a newer draft of the same author continues cannot be approved alone
    (409: review the newest). Publishes through :func:`writing.publish`; owns its
    transaction (it retries after a lost race): commits.
    """
    now = ctx.now or utcnow()
    reason_text = clean_summary(reason)
    return retrying(
        ctx.session, lambda: _try_approve(ctx, revision_id, moderator, reason_text, now)
    )


def _approve_conflict() -> EditError:
    return EditError("approve-conflict", status=409)


def _try_approve(
    ctx: WriteContext, revision_id: int, moderator: User, reason_text: str, now: datetime
) -> Revision:
    """One attempt at :func:`approve`, from a fresh read of the page. Flushes only."""
    session = ctx.session
    revision, page = _pending_revision(session, revision_id)
    newer = session.scalar(
        select(Revision.id).where(
            Revision.parent_id == revision.id,
            Revision.status == moderation.PENDING,
            Revision.author_id == revision.author_id,
        )
    )
    if newer is not None:
        raise EditError("newer-draft", status=409, newer_revision=newer)
    latest = page.latest_revision
    root = published_root(session, revision)
    published = revision
    if (root.id if root else None) != (latest.id if latest else None):
        merge = merge_texts(root.text if root else "", revision.text, latest.text if latest else "")
        page_type, fields, conflicts = merge_typed(root, revision, latest)
        if not merge.clean or merge.text is None or conflicts:
            raise _approve_conflict()
        if (
            latest is None
            or merge.text != latest.text
            or (page_type, fields) != (latest.page_type, latest.fields)
        ):
            published = Revision(
                page_id=page.id,
                parent_id=latest.id if latest else None,
                author_id=revision.author_id,
                author_ip=revision.author_ip,
                created_at=now,
                summary=revision.summary,
                minor=revision.minor,
                size=len(merge.text.encode("utf-8")),
                text=merge.text,
                licence=page.licence,
                action="merge",
                status=moderation.PUBLISHED,
                reviewed_by_id=moderator.id,
                reviewed_at=now,
                review_reason=reason_text,
                page_type=page_type,
                fields=fields,
            )
        else:
            published = latest
    _claim(session, revision, moderation.PUBLISHED, moderator, now, reason_text)
    for draft in pending_drafts(session, revision):
        settle_drafts(session, draft, moderation.PUBLISHED, reviewer=moderator, now=now)
    publish(ctx, page, published, latest=latest, actor=moderator, now=now)
    moderation.audit(
        session,
        moderator,
        "approve",
        "revision",
        revision.id,
        page_id=page.id,
        reason=reason_text,
        now=now,
        published_revision=published.id,
    )
    return published


def reject(
    session: Session,
    *,
    revision_id: int,
    moderator: User,
    reason: object,
    now: datetime | None = None,
) -> Revision:
    """Refuse a pending revision (and the older drafts it continues), with a reason.

    The revision stays in history, marked; its author is told why (a notification).
    """
    now = now or utcnow()
    reason_text = _required_reason(reason, "reject")
    revision, page = _pending_revision(session, revision_id)
    drafts = pending_drafts(session, revision)
    _claim(session, revision, moderation.REJECTED, moderator, now, reason_text)
    for draft in drafts:
        settle_drafts(
            session, draft, moderation.REJECTED, reviewer=moderator, now=now, reason=reason_text
        )
    moderation.audit(
        session, moderator, "reject", "revision", revision.id, page_id=page.id,
        reason=reason_text, now=now,
    )  # fmt: skip
    signals.send(
        signals.revision_rejected,
        session=session,
        revision=revision,
        page=page,
        actor=moderator,
        reason=reason_text,
    )
    session.commit()
    return revision


def hide(
    session: Session,
    *,
    revision_id: int,
    moderator: User,
    reason: object,
    now: datetime | None = None,
) -> Revision:
    """Hide a revision's text from everyone but moderators (it stays in the history).

    The page's current public revision cannot be hidden: restore an earlier version first.
    """
    now = now or utcnow()
    reason_text = _required_reason(reason, "hide")
    revision = _revision(session, revision_id)
    page = session.get(Page, revision.page_id)
    assert page is not None
    if page.latest_revision_id == revision.id:
        raise EditError("hide-current", status=409)
    if revision.status == moderation.HIDDEN:
        raise _already(revision.id, revision.status)
    previous = revision.status
    done = session.execute(
        update(Revision)
        .where(Revision.id == revision.id, Revision.status == previous)
        .values(status=moderation.HIDDEN, hidden_from=previous)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        session.rollback()
        raise _already(revision.id, moderation.HIDDEN)
    page.touched_at = now  # cached history views change
    moderation.audit(
        session, moderator, "hide", "revision", revision.id, page_id=page.id,
        reason=reason_text, now=now, previous_status=previous,
    )  # fmt: skip
    session.commit()
    session.refresh(revision)
    return revision


def unhide(
    session: Session,
    *,
    revision_id: int,
    moderator: User,
    reason: object = "",
    now: datetime | None = None,
) -> Revision:
    """Show a hidden revision again, with the status it had before."""
    now = now or utcnow()
    revision = session.get(Revision, revision_id) if 0 < revision_id < 2**31 else None
    if revision is None or revision.status != moderation.HIDDEN:
        raise EditError("not-hidden", status=409, id=revision_id)
    restored = revision.hidden_from or moderation.PUBLISHED
    done = session.execute(
        update(Revision)
        .where(Revision.id == revision.id, Revision.status == moderation.HIDDEN)
        .values(status=restored, hidden_from=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        session.rollback()
        raise EditError("not-hidden", status=409, id=revision_id)
    moderation.audit(
        session, moderator, "unhide", "revision", revision.id, page_id=revision.page_id,
        reason=clean_summary(reason), now=now,
    )  # fmt: skip
    session.commit()
    session.refresh(revision)
    return revision


def report_page(
    session: Session,
    *,
    page: Page,
    reason: object,
    reporter: User | None,
    reporter_ip: str | None,
    revision: Revision | None = None,
    now: datetime | None = None,
) -> tuple[Report, bool]:
    """Flag a page (or one of its revisions) for the moderators.

    Returns (report, created): the same person's open report of the same thing is
    reused rather than repeated.
    """
    reason_text = _required_reason(reason, "report")
    who = (
        Report.reporter_id == reporter.id
        if reporter is not None
        else Report.reporter_ip == reporter_ip
    )
    existing = session.scalars(
        select(Report).where(
            Report.page_id == page.id,
            Report.comment_id.is_(None),
            Report.revision_id == revision.id
            if revision is not None
            else Report.revision_id.is_(None),
            Report.status == "open",
            who,
        )
    ).first()
    if existing is not None:
        return existing, False
    report = Report(
        created_at=now or utcnow(),
        reporter_id=reporter.id if reporter is not None else None,
        reporter_ip=None if reporter is not None else reporter_ip,
        page_id=page.id,
        revision_id=revision.id if revision is not None else None,
        reason=reason_text,
    )
    session.add(report)
    session.commit()
    return report, True


def close_report(
    session: Session,
    *,
    report_id: int,
    moderator: User,
    outcome: str,
    reason: object = "",
    now: datetime | None = None,
) -> Report:
    """Mark a report ``resolved`` (something was done) or ``dismissed`` (nothing wrong)."""
    if outcome not in ("resolved", "dismissed"):
        raise EditError("invalid-outcome")
    now = now or utcnow()
    done = session.execute(
        update(Report)
        .where(Report.id == report_id, Report.status == "open")
        .values(status=outcome, handled_by_id=moderator.id, handled_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        session.rollback()
        raise EditError("report-closed", status=409)
    report = session.get(Report, report_id)
    assert report is not None
    session.refresh(report)
    moderation.audit(
        session, moderator, f"report-{outcome}", "report", report_id, page_id=report.page_id,
        reason=clean_summary(reason), now=now,
    )  # fmt: skip
    session.commit()
    return report


def _comment(session: Session, comment_id: int) -> tuple[Comment, Page]:
    comment = session.get(Comment, comment_id) if 0 < comment_id < 2**31 else None
    if comment is None:
        raise EditError("unknown-comment", status=404, id=comment_id)
    page = session.get(Page, comment.page_id)
    assert page is not None
    return comment, page


def _set_comment_status(
    session: Session,
    comment: Comment,
    *,
    expected: str,
    values: dict,
) -> None:
    done = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        session.rollback()
        current = session.get(Comment, comment.id)
        status = current.status if current else "?"
        raise EditError(
            "comment-not-pending" if expected == moderation.PENDING else "comment-changed",
            status=409,
            variant=status,
            current_status=status,
        )
    session.expire(comment)


def review_comment(
    session: Session,
    *,
    comment_id: int,
    moderator: User,
    approve: bool,
    reason: object = "",
    now: datetime | None = None,
) -> Comment:
    """Publish or reject a pending discussion message (a reason is required to reject)."""
    now = now or utcnow()
    reason_text = clean_summary(reason) if approve else _required_reason(reason, "reject")
    comment, page = _comment(session, comment_id)
    status = moderation.PUBLISHED if approve else moderation.REJECTED
    _set_comment_status(
        session,
        comment,
        expected=moderation.PENDING,
        values={
            "status": status,
            "reviewed_by_id": moderator.id,
            "reviewed_at": now,
            "review_reason": reason_text,
        },
    )
    if approve:
        page.touched_at = now  # the discussion count on cached page views
    moderation.audit(
        session, moderator, "approve" if approve else "reject", "comment", comment.id,
        page_id=page.id, reason=reason_text, now=now,
    )  # fmt: skip
    if approve:
        signals.send(
            signals.comment_published, session=session, comment=comment, page=page, actor=moderator
        )
    else:
        signals.send(
            signals.comment_rejected,
            session=session,
            comment=comment,
            page=page,
            actor=moderator,
            reason=reason_text,
        )
    session.commit()
    return comment


def hide_comment(
    session: Session,
    *,
    comment_id: int,
    moderator: User,
    reason: object,
    now: datetime | None = None,
) -> Comment:
    """Hide a discussion message from everyone but moderators."""
    now = now or utcnow()
    reason_text = _required_reason(reason, "hide-comment")
    comment, page = _comment(session, comment_id)
    if comment.status == moderation.HIDDEN:
        raise EditError("comment-changed", status=409)
    previous = comment.status
    _set_comment_status(
        session,
        comment,
        expected=previous,
        values={"status": moderation.HIDDEN, "hidden_from": previous},
    )
    page.touched_at = now
    moderation.audit(
        session, moderator, "hide", "comment", comment.id, page_id=page.id,
        reason=reason_text, now=now, previous_status=previous,
    )  # fmt: skip
    session.commit()
    return comment
