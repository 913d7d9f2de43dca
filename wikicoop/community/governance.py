"""Tools against abuse: blocks, page protection, trust, roles, and reading the audit log.

Pure service, like :mod:`wikicoop.revisions`: a SQLAlchemy session and plain values, no
Flask request. Each act checks who may do it (through :func:`wikicoop.permissions.can`,
the one place roles are decided), writes one entry in the audit log with
:func:`wikicoop.moderation.audit`, and commits. A refused act raises
:class:`CommunityError` with a French and an English sentence and an HTTP status.

Rules beyond the permission table:

- nobody blocks themselves, and a moderator cannot block an admin (one may only block
  someone of the same role or below); a new block replaces the person's current one, so
  at most one block is in force and lifting it frees the person;
- a reason is required for every act: the audit log says why;
- the last active admin cannot lose the admin role (the admin rows are locked while
  counting, so two admins demoting each other at once cannot leave none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..core import moderation
from ..core.models import ROLES, AuditEntry, Block, Page, Revision, User, utcnow
from ..core.permissions import can, roles_at_least
from ..errors import ServiceError

MAX_REASON_CHARS = 500

#: block lengths offered in forms and accepted by the API (None: no end date)
BLOCK_DURATIONS: dict[str, timedelta | None] = {
    "1d": timedelta(days=1),
    "3d": timedelta(days=3),
    "1w": timedelta(weeks=1),
    "1m": timedelta(days=30),
    "forever": None,
}

#: audit-log actions written by this module
ACTION_BLOCK, ACTION_UNBLOCK = "block", "unblock"
ACTION_PROTECT, ACTION_TRUST, ACTION_ROLE = "protect", "trust", "role"


class CommunityError(ServiceError):
    """A refused act on accounts or pages (see :class:`~wikicoop.errors.ServiceError`)."""


def clean_reason(reason: object) -> str:
    """The reason of an act on one line, or :class:`CommunityError` when missing."""
    if reason is not None and not isinstance(reason, str):
        raise CommunityError("invalid-reason")
    text = " ".join((reason or "").split())
    if not text:
        raise CommunityError("reason-required")
    if len(text) > MAX_REASON_CHARS:
        raise CommunityError("reason-too-long", length=len(text), max=MAX_REASON_CHARS)
    return text


def _require(by: User, action: str, page: Page | None = None) -> None:
    if not can(by, action, page):
        raise CommunityError("forbidden", status=403)


def _lock_user(session: Session, user: User) -> User:
    """Lock ``user``'s row until commit (PostgreSQL) and reload it, so acts queue."""
    return session.scalars(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# ---------------------------------------------------------------------------- blocks


def expiry_for(duration: object, now: datetime | None = None) -> datetime | None:
    """When a block of ``duration`` (a key of :data:`BLOCK_DURATIONS`) started now ends."""
    if not isinstance(duration, str) or duration not in BLOCK_DURATIONS:
        raise CommunityError("invalid-duration", durations=list(BLOCK_DURATIONS))
    length = BLOCK_DURATIONS[duration]
    return None if length is None else (now or utcnow()) + length


def parse_expiry(raw: object, now: datetime | None = None) -> datetime | None:
    """An ISO 8601 end date (UTC when no zone is given), None for no end date.

    Raises :class:`CommunityError` for text that is not a date, or a date already past.
    """
    if raw is None:
        return None
    try:
        if not isinstance(raw, str):
            raise ValueError
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        # in UTC, a time zone can move year 1 or year 9999 out of range (OverflowError)
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):
        raise CommunityError("invalid-expiry") from None
    if when <= (now or utcnow()):
        raise CommunityError("expiry-past", variant="expires_at")
    return when


def may_block(by: User, user: User) -> bool:
    """Whether ``by`` may block ``user``: someone else, of the same role or below (the
    rank rule of ``permissions.can``'s ``manage_user``)."""
    return can(by, "manage_user", target=user)


def block_of(session: Session, user: User, block_id: object = None) -> Block:
    """Block ``block_id`` of ``user`` (a number or its text), or the one in force when
    ``block_id`` is None or empty; :class:`CommunityError` (409) when there is none."""
    block: Block | None = None
    if block_id is None or block_id == "":
        block = moderation.active_block(session, user)
    elif not isinstance(block_id, bool) and isinstance(block_id, int | str):
        try:
            number = int(block_id)
        except ValueError:
            number = 0
        # ids are 32-bit integers in the schema: a larger number cannot exist
        block = session.get(Block, number) if 0 < number < 2**31 else None
    if block is None or block.user_id != user.id:
        raise CommunityError("no-block", status=409)
    return block


def block_user(
    session: Session,
    user: User,
    *,
    by: User,
    reason: object,
    expires_at: datetime | None,
    now: datetime | None = None,
) -> Block:
    """Keep ``user`` from writing until ``expires_at`` (for ever when None).

    The block in force, if any, is lifted and replaced by this one.
    """
    _require(by, "block")
    if user.id == by.id:
        raise CommunityError("block-self", status=403)
    if not may_block(by, user):
        raise CommunityError("block-higher-role", status=403)
    text = clean_reason(reason)
    now = now or utcnow()
    if expires_at is not None and expires_at <= now:
        raise CommunityError("expiry-past")
    _lock_user(session, user)
    replaced = []
    while (current := moderation.active_block(session, user, now)) is not None:
        current.lifted_at, current.lifted_by_id = now, by.id
        replaced.append(current.id)
        session.flush()
    block = Block(user_id=user.id, by_id=by.id, reason=text, created_at=now, expires_at=expires_at)
    session.add(block)
    session.flush()
    moderation.audit(
        session,
        by,
        ACTION_BLOCK,
        "user",
        user.id,
        reason=text,
        now=now,
        block=block.id,
        expires_at=expires_at.isoformat() if expires_at else None,
        replaces=replaced,
    )
    session.commit()
    return block


def lift_block(
    session: Session, block: Block, *, by: User, reason: object, now: datetime | None = None
) -> Block:
    """End ``block`` before its time."""
    _require(by, "block")
    text = clean_reason(reason)
    now = now or utcnow()
    # reload under lock: two moderators lifting the same block cannot both succeed
    block = session.scalars(
        select(Block)
        .where(Block.id == block.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if block.user_id == by.id:
        raise CommunityError("unblock-self", status=403)
    if block.lifted_at is not None or (block.expires_at is not None and block.expires_at <= now):
        raise CommunityError("block-not-active", status=409)
    block.lifted_at, block.lifted_by_id = now, by.id
    moderation.audit(
        session, by, ACTION_UNBLOCK, "user", block.user_id, reason=text, now=now, block=block.id
    )
    session.commit()
    return block


@dataclass(frozen=True)
class BlockRow:
    """A block with the names of who set and who lifted it, and whether it is in force."""

    block: Block
    by_name: str
    lifted_by_name: str
    active: bool


def block_history(session: Session, user: User, now: datetime | None = None) -> list[BlockRow]:
    """Every block ``user`` ever had, newest first (names loaded in one query)."""
    now = now or utcnow()
    blocks = session.scalars(
        select(Block).where(Block.user_id == user.id).order_by(Block.id.desc())
    ).all()
    current = moderation.active_block(session, user, now)
    names = user_names(session, [b.by_id for b in blocks] + [b.lifted_by_id for b in blocks])
    return [
        BlockRow(
            block=b,
            by_name=names.get(b.by_id, "") if b.by_id else "",
            lifted_by_name=names.get(b.lifted_by_id, "") if b.lifted_by_id else "",
            active=current is not None and b.id == current.id,
        )
        for b in blocks
    ]


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """The usernames of the accounts ``ids``, in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {uid: name for uid, name in rows}


# ------------------------------------------------------------ protection, trust, roles


def set_protection(
    session: Session, page: Page, level: object, *, by: User, reason: object
) -> Page:
    """Protect ``page``: "" anyone who may edit, "trusted" or "moderators" only."""
    _require(by, "protect", page)
    if not isinstance(level, str) or level not in moderation.PROTECTIONS:
        raise CommunityError("invalid-protection")
    text = clean_reason(reason)
    session.refresh(page, with_for_update=True)
    if page.protection == level:
        raise CommunityError("same-protection")
    old, page.protection = page.protection, level
    moderation.audit(
        session,
        by,
        ACTION_PROTECT,
        "page",
        page.id,
        page_id=page.id,
        reason=text,
        old=old,
        new=level,
    )
    session.commit()
    return page


def set_trust(session: Session, user: User, value: object, *, by: User, reason: object) -> User:
    """Grant ("granted") or withdraw ("withdrawn") trust, or go back to the rule ("auto")."""
    _require(by, "set_trust")
    if not isinstance(value, str) or value not in moderation.TRUST_VALUES:
        raise CommunityError("invalid-trust")
    if user.id == by.id:
        raise CommunityError("trust-self", status=403)
    text = clean_reason(reason)
    user = _lock_user(session, user)
    if user.trust == value:
        raise CommunityError("same-trust")
    old, user.trust = user.trust, value
    moderation.audit(session, by, ACTION_TRUST, "user", user.id, reason=text, old=old, new=value)
    session.commit()
    return user


def set_role(session: Session, user: User, role: object, *, by: User, reason: object) -> User:
    """Make ``user`` a contributor, a moderator or an admin (admins only)."""
    _require(by, "set_role")
    if not isinstance(role, str) or role not in ROLES:
        raise CommunityError("invalid-role", roles=list(ROLES))
    text = clean_reason(reason)
    # lock every admin row: a concurrent demotion waits, then counts again
    admins = session.scalars(
        select(User)
        .where(User.role.in_(roles_at_least("admin")), User.active.is_(True))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    user = _lock_user(session, user)
    if user.role == role:
        raise CommunityError("same-role")
    if [a.id for a in admins] == [user.id]:  # the one active admin left
        raise CommunityError("last-admin", status=409)
    old, user.role = user.role, role
    moderation.audit(session, by, ACTION_ROLE, "user", user.id, reason=text, old=old, new=role)
    session.commit()
    return user


# ------------------------------------------------------------------------ audit log


@dataclass(frozen=True)
class AuditFilter:
    """What to show of the audit log; None means any."""

    action: str | None = None
    actor_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    #: entries about this user (as target) or this page (target or page of the target)
    user_id: int | None = None
    page_id: int | None = None


@dataclass(frozen=True)
class AuditRow:
    """One audit entry with what its links need: the target user, page and revision."""

    entry: AuditEntry
    target_user: User | None
    page: Page | None


def audit_entries(
    session: Session, where: AuditFilter, *, limit: int = 50, offset: int = 0
) -> tuple[int, list[AuditRow]]:
    """The audit log, newest first: ``(total matching, rows of this page)``."""
    stmt = select(AuditEntry)
    if where.action:
        stmt = stmt.where(AuditEntry.action == where.action)
    if where.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == where.actor_id)
    if where.target_type:
        stmt = stmt.where(AuditEntry.target_type == where.target_type)
    if where.target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == where.target_id)
    about = []
    if where.user_id is not None:
        about.append((AuditEntry.target_type == "user") & (AuditEntry.target_id == where.user_id))
    if where.page_id is not None:
        about.append(AuditEntry.page_id == where.page_id)
    if about:
        stmt = stmt.where(or_(*about))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    entries = session.scalars(
        stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return total, _with_targets(session, entries)


def _with_targets(session: Session, entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """Load the users and pages the entries point at in two queries (no N+1)."""
    entries = list(entries)
    user_ids = {e.target_id for e in entries if e.target_type == "user" and e.target_id}
    revision_ids = {e.target_id for e in entries if e.target_type == "revision" and e.target_id}
    page_of_revision: dict[int, int] = {}
    if revision_ids:
        rows = session.execute(
            select(Revision.id, Revision.page_id).where(Revision.id.in_(revision_ids))
        )
        page_of_revision = {rid: pid for rid, pid in rows}

    def page_id_of(entry: AuditEntry) -> int | None:
        if entry.page_id is not None:
            return entry.page_id
        if entry.target_type == "page":
            return entry.target_id
        if entry.target_type == "revision" and entry.target_id is not None:
            return page_of_revision.get(entry.target_id)
        return None

    page_ids = {pid for e in entries if (pid := page_id_of(e)) is not None}
    users = (
        {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    pages = (
        {p.id: p for p in session.scalars(select(Page).where(Page.id.in_(page_ids)))}
        if page_ids
        else {}
    )
    rows: list[AuditRow] = []
    for entry in entries:
        target_user = users.get(entry.target_id) if entry.target_type == "user" else None
        page_id = page_id_of(entry)
        rows.append(AuditRow(entry, target_user, pages.get(page_id) if page_id else None))
    return rows


def audit_actions(session: Session) -> list[str]:
    """The actions present in the audit log, for the filter's list."""
    return sorted(session.scalars(select(AuditEntry.action).distinct()).all())


def trust_summary(
    session: Session, user: User, settings: Mapping[str, Any], now: datetime | None = None
) -> dict[str, Any]:
    """What the moderation page says about a user's trust and how it is earned."""
    now = now or utcnow()
    return {
        "trusted": moderation.is_trusted(session, user, settings, now),
        "approved_edits": moderation.approved_edit_count(session, user, settings),
        "account_days": (now - user.created_at).days,
        "min_edits": int(settings["TRUST_MIN_APPROVED_EDITS"]),
        "min_days": int(settings["TRUST_MIN_ACCOUNT_DAYS"]),
    }
