"""Moderation policy: who publishes at once, who waits for review, who may not write.

Pure service (a SQLAlchemy session, a settings mapping, plain values), like
:mod:`wikicoop.revisions`. The decisions:

- **Modes**, per namespace and per page type (``MODERATION_MODES``; a page type's mode
  wins over its namespace's; ``MODERATION_DEFAULT`` elsewhere):
  ``open`` — published at once, patrolled afterwards; ``newcomers`` (the default) —
  trusted contributors publish at once, newcomers wait for review; ``a_priori`` —
  everything but moderators' edits waits for review.
- **Trust**: moderators and admins are trusted; other accounts earn trust with
  ``TRUST_MIN_APPROVED_EDITS`` published edits on an account at least
  ``TRUST_MIN_ACCOUNT_DAYS`` old, unless a moderator granted it (``trust="granted"``)
  or withdrew it (``"withdrawn"``). Anonymous edits are never trusted.
- **External links**: an untrusted author adding more than ``NEWCOMER_MAX_EXTERNAL_LINKS``
  links to other sites waits for review, even where the mode is ``open``.
- **Blocks and protection** are checked by :func:`check_can_write`.
- **Sandbox** pages (``SANDBOX_PAGES``) invite everyone to try: edits there are
  published at once (blocks and protection still apply) and earn no trust.

Statuses of revisions and discussion messages: ``published`` (visible to all),
``pending`` (the author and moderators only), ``rejected`` (kept in history, marked,
seen by the author and moderators), ``hidden`` (text seen by moderators only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from ..error_messages import N_
from ..errors import ServiceError
from ..text.titles import TitleError, parse_title
from .accounts_state import Account
from .models import AuditEntry, Block, Page, Revision, User, utcnow
from .permissions import REFUSED_BLOCKED, REFUSED_PROTECTED_MODERATORS, can, hard_refusal

PUBLISHED, PENDING, REJECTED, HIDDEN = "published", "pending", "rejected", "hidden"
STATUSES = (PUBLISHED, PENDING, REJECTED, HIDDEN)
MODES = ("open", "newcomers", "a_priori")
TRUST_VALUES = ("auto", "granted", "withdrawn")
PROTECTIONS = ("", "trusted", "moderators")

#: why a revision or message waits for review (codes stored in ``pending_reasons``)
REASON_NEWCOMER = "newcomer"
REASON_ANONYMOUS = "anonymous"
REASON_A_PRIORI = "a-priori"
REASON_EXTERNAL_LINKS = "external-links"
REASON_REPORTED = "reported"

#: readable reasons (French source strings: the web layer translates them with the
#: catalog), for the queue and the discussions
REASON_LABELS: dict[str, str] = {
    REASON_NEWCOMER: N_("nouveau contributeur"),
    REASON_ANONYMOUS: N_("contribution anonyme"),
    REASON_A_PRIORI: N_("relecture avant publication"),
    REASON_EXTERNAL_LINKS: N_("beaucoup de liens externes"),
    REASON_REPORTED: N_("signalé"),
}

_EXTERNAL_LINK_RE = re.compile(r"(?:https?|ftp)://[^\s<>()\[\]\"']+|\bwww\.[^\s<>()\[\]\"']+", re.I)


class WriteRefused(ServiceError):
    """The author may not write here: blocked, or the page is protected (403)."""

    def __init__(self, code: str, status: int = 403, **params: Any) -> None:
        super().__init__(code, status=status, **params)


@dataclass(frozen=True)
class Decision:
    """What happens to a new revision or message: ``published`` or ``pending`` (and why)."""

    status: str
    reasons: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        return self.status == PENDING

    @property
    def reasons_text(self) -> str:
        """The reason codes as stored in ``pending_reasons``."""
        return ",".join(self.reasons)


def is_moderator(user: User | Account | None) -> bool:
    """Moderators and admins (an inactive account is nobody): a convenience for
    ``permissions.can(user, "moderate")``, not a rule of its own."""
    return can(user, "moderate")


@lru_cache(maxsize=32)
def _sandbox_keys(raw_titles: tuple[str, ...], capitalize: bool) -> frozenset[tuple[str, str]]:
    keys = set()
    for raw in raw_titles:
        try:
            title = parse_title(raw, capitalize_first=capitalize, allow_fragment=False)
        except TitleError:  # a mistyped setting names no page
            continue
        keys.add((title.namespace, title.name))
    return frozenset(keys)


def sandbox_keys(settings: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """The ``(namespace, name)`` of the sandbox pages (``SANDBOX_PAGES``, titles normalised)."""
    raw: Iterable[str] = settings.get("SANDBOX_PAGES") or ()
    if isinstance(raw, str):  # one title given as a plain string
        raw = (raw,)
    return _sandbox_keys(tuple(raw), bool(settings.get("CAPITALIZE_FIRST", True)))


def personal_sandbox_names(settings: Mapping[str, Any]) -> frozenset[str]:
    """The sub-page names that make a person's sandbox (``PERSONAL_SANDBOXES``)."""
    raw: Iterable[str] = settings.get("PERSONAL_SANDBOXES") or ()
    if isinstance(raw, str):
        raw = (raw,)
    return frozenset(" ".join(str(name).replace("_", " ").split()) for name in raw)


def personal_sandbox_title(
    settings: Mapping[str, Any], username: str, which: str = "Bac à sable"
) -> str:
    """The full title of ``username``'s sandbox ``which`` (one of ``PERSONAL_SANDBOXES``)."""
    if which not in personal_sandbox_names(settings):
        raise ValueError(f"{which!r} is not in PERSONAL_SANDBOXES")
    return f"Utilisateur:{username}/{which}"


def is_sandbox(settings: Mapping[str, Any], namespace: str, name: str) -> bool:
    """Whether the page ``namespace:name`` is a sandbox (published at once, never indexed):
    one of ``SANDBOX_PAGES``, or a person's own (``Utilisateur:<name>/Bac à sable``)."""
    if namespace == "user":
        owner, slash, sub = name.partition("/")
        if slash and owner and sub in personal_sandbox_names(settings):
            return True
    return (namespace, name) in sandbox_keys(settings)


def approved_edit_count(
    session: Session, user: User, settings: Mapping[str, Any] | None = None
) -> int:
    """Published revisions written by ``user`` (outside the sandbox pages, with ``settings``:
    trying things out there earns no trust)."""
    stmt = (
        select(func.count())
        .select_from(Revision)
        .where(Revision.author_id == user.id, Revision.status == PUBLISHED)
    )
    sandboxes = sandbox_keys(settings) if settings is not None else frozenset()
    personal = personal_sandbox_names(settings) if settings is not None else frozenset()
    if sandboxes or personal:
        in_sandbox = or_(
            *(and_(Page.namespace == ns, Page.name == nm) for ns, nm in sandboxes),
            *(
                and_(Page.namespace == "user", Page.name.like("%/" + _like(sub), escape="\\"))
                for sub in personal
            ),
        )
        stmt = stmt.join(Page, Page.id == Revision.page_id).where(not_(in_sandbox))
    return session.scalar(stmt) or 0


def _like(text: str) -> str:
    """``text`` as a literal in a LIKE pattern (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def is_trusted(
    session: Session, user: User | None, settings: Mapping[str, Any], now: datetime | None = None
) -> bool:
    """Whether ``user`` publishes at once where the mode is ``newcomers``."""
    if user is None or not user.active:
        return False
    if is_moderator(user) or user.trust == "granted":
        return True
    if user.trust == "withdrawn":
        return False
    now = now or utcnow()
    old_enough = now - user.created_at >= timedelta(days=int(settings["TRUST_MIN_ACCOUNT_DAYS"]))
    if not old_enough:
        return False
    approved = approved_edit_count(session, user, settings)
    return approved >= int(settings["TRUST_MIN_APPROVED_EDITS"])


def mode_for(settings: Mapping[str, Any], namespace: str, page_type: str = "page") -> str:
    """The moderation mode of a namespace and page type (unknown values mean the default)."""
    modes: Mapping[str, str] = settings.get("MODERATION_MODES") or {}
    for key in (f"type:{page_type}", f"namespace:{namespace}"):
        if modes.get(key) in MODES:
            return modes[key]
    default = settings.get("MODERATION_DEFAULT")
    return default if default in MODES else "newcomers"


def external_links(text: str) -> set[str]:
    """The addresses of other sites written in ``text`` (Markdown links and bare URLs)."""
    return {m.group(0).rstrip(".,;:!?").lower() for m in _EXTERNAL_LINK_RE.finditer(text)}


def added_external_links(old_text: str, new_text: str) -> int:
    """How many external addresses ``new_text`` has that ``old_text`` had not."""
    return len(external_links(new_text) - external_links(old_text))


def decide(
    session: Session,
    settings: Mapping[str, Any],
    *,
    author: User | None,
    namespace: str,
    page_type: str = "page",
    old_text: str = "",
    new_text: str = "",
    now: datetime | None = None,
    name: str | None = None,
) -> Decision:
    """Whether a new revision (or discussion message) by ``author`` is published or pending.

    ``author`` None is an anonymous contributor. ``old_text``/``new_text`` let the
    external-links rule count only the links this edit adds. ``name`` is the page's name
    in ``namespace``: a sandbox page publishes every edit at once.
    """
    if is_moderator(author):
        return Decision(PUBLISHED)
    if name is not None and is_sandbox(settings, namespace, name):
        return Decision(PUBLISHED)
    mode = mode_for(settings, namespace, page_type)
    trusted = is_trusted(session, author, settings, now)
    reasons: list[str] = []
    if mode == "a_priori":
        reasons.append(REASON_A_PRIORI)
    elif mode == "newcomers" and not trusted:
        reasons.append(REASON_ANONYMOUS if author is None else REASON_NEWCOMER)
    limit = int(settings["NEWCOMER_MAX_EXTERNAL_LINKS"])
    if not trusted and added_external_links(old_text, new_text) > limit:
        reasons.append(REASON_EXTERNAL_LINKS)
    return Decision(PENDING, tuple(reasons)) if reasons else Decision(PUBLISHED)


def strictest(*decisions: Decision | None) -> Decision:
    """The strictest of ``decisions`` (None abstains): pending when any is pending, with
    every reason given, each once and in order; published otherwise."""
    reasons: list[str] = []
    pending = False
    for decision in decisions:
        if decision is not None and decision.pending:
            pending = True
            reasons.extend(r for r in decision.reasons if r not in reasons)
    return Decision(PENDING, tuple(reasons)) if pending else Decision(PUBLISHED)


def active_block(session: Session, user: User | None, now: datetime | None = None) -> Block | None:
    """The block that keeps ``user`` from writing now, if any (the longest one)."""
    if user is None:
        return None
    now = now or utcnow()
    blocks = session.scalars(
        select(Block).where(Block.user_id == user.id, Block.lifted_at.is_(None))
    ).all()
    current = [b for b in blocks if b.expires_at is None or b.expires_at > now]
    if not current:
        return None
    return max(current, key=lambda b: (b.expires_at is None, b.expires_at or now))


def block_refusal(block: Block, timezone: str = "UTC") -> WriteRefused:
    """The refusal a blocked person reads: the block's reason and its end, if any, on
    the site's clock (``timezone``, the TIMEZONE setting)."""
    reason = block.reason or "—"
    if block.expires_at is None:
        return WriteRefused("blocked", reason=reason)
    expires = block.expires_at
    if expires.tzinfo is None:  # stored as naive UTC
        expires = expires.replace(tzinfo=UTC)
    until = expires.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M (%Z)")
    return WriteRefused("blocked", variant="until", reason=reason, until=until)


def check_can_write(
    session: Session,
    settings: Mapping[str, Any],
    user: User | None,
    *,
    protection: str = "",
    now: datetime | None = None,
    account: Account | None = None,
) -> None:
    """Raise :class:`WriteRefused` when ``user`` is blocked or the page's protection
    keeps them out; return None otherwise. The rules are :func:`permissions.hard_refusal`'s;
    ``account`` (the state already read, e.g. the request's) saves reading it again."""
    if account is None:
        account = account_for(session, settings, user, now=now)
    refusal = hard_refusal(account, "edit", protection=protection)
    if refusal == REFUSED_BLOCKED:
        assert account.block is not None
        raise block_refusal(account.block, str(settings.get("TIMEZONE", "UTC")))
    if refusal == REFUSED_PROTECTED_MODERATORS:
        raise WriteRefused("protected", variant="moderators")
    if refusal is not None:
        raise WriteRefused("protected")


def audit(
    session: Session,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    *,
    page_id: int | None = None,
    reason: str = "",
    now: datetime | None = None,
    **details: Any,
) -> AuditEntry:
    """Record one moderation act in the audit log (added to the session, not committed)."""
    entry = AuditEntry(
        created_at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        page_id=page_id,
        reason=(reason or "")[:500],
        details=details,
    )
    session.add(entry)
    return entry


def account_for(
    session: Session,
    settings: Mapping[str, Any],
    user: User | Any | None,
    *,
    hooks: Any = None,
    now: datetime | None = None,
) -> Account:
    """The :class:`~wikicoop.core.accounts_state.Account` of ``user`` (None or an anonymous
    user: a visitor), its trust and block read from ``session`` only when a rule asks for
    them. Here rather than beside ``Account``: the loaders are this policy's."""

    def trusted() -> bool:
        return is_trusted(session, user, settings, now)

    def block() -> Block | None:
        return active_block(session, user, now)

    return Account(
        user,
        trusted=trusted,
        block=block,
        anonymous_editing=bool(settings.get("ANONYMOUS_EDITING", False)),
        hooks=hooks,
    )
