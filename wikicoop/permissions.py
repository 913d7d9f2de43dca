"""Who may do what: the one place where permissions are decided.

Views call :func:`can` (or :func:`require`, which aborts); nothing else checks roles.
Actions are plain strings so plugins (issue 4 onwards) can add their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Page

ROLE_RANK = {"visitor": 0, "contributor": 1, "moderator": 2, "admin": 3}

#: minimum role for each action; "edit" and "create" also depend on a setting
ACTION_MIN_ROLE = {
    "view": "visitor",
    "history": "visitor",
    "edit": "contributor",
    "create": "contributor",
    "restore": "contributor",
    "rename": "contributor",
    "relicense": "moderator",
    "delete": "admin",
    "undelete": "admin",
    "view_deleted": "admin",
    "admin": "admin",
    # moderation and community (issue 4); blocks and page protection are checked by
    # wikicoop.moderation.check_can_write on top of these
    "comment": "contributor",
    "watch": "contributor",
    "report": "visitor",
    "moderate": "moderator",
    "patrol": "moderator",
    "hide": "moderator",
    "block": "moderator",
    "protect": "moderator",
    "set_trust": "moderator",
    "view_audit": "moderator",
    "view_pending": "moderator",
    "set_role": "admin",
}


def role_of(actor: Any) -> str:
    """The role of a Flask-Login user object (anonymous users are visitors)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "visitor"
    if not getattr(actor, "is_active", True):
        return "visitor"
    return getattr(actor, "role", "contributor")


#: actions that write: refused to a blocked account
WRITE_ACTIONS = frozenset(
    {"edit", "create", "restore", "rename", "relicense", "delete", "undelete", "comment"}
)
#: actions that also need a trusted account below the moderator role (MediaWiki's
#: "autoconfirmed"): renaming moves what everyone links to
TRUSTED_ACTIONS = frozenset({"rename"})
#: actions a page's protection restricts
PROTECTED_ACTIONS = frozenset({"edit", "restore", "rename"})


def needs_account_state(action: str, page: Page | None = None) -> bool:
    """Whether :func:`can` needs ``trusted``/``blocked`` for this action (a query)."""
    return (
        action in WRITE_ACTIONS
        or action in TRUSTED_ACTIONS
        or bool(page is not None and getattr(page, "protection", ""))
    )


def can(
    actor: Any,
    action: str,
    page: Page | None = None,
    *,
    anonymous_editing: bool = False,
    trusted: bool = False,
    blocked: bool = False,
    hooks: Any = None,
) -> bool:
    """True when ``actor`` may perform ``action`` (on ``page`` when given).

    ``trusted`` and ``blocked`` describe the actor's account (see
    :mod:`wikicoop.moderation`): a blocked account may not write; protected pages and
    :data:`TRUSTED_ACTIONS` need a trusted account or a moderator.

    ``hooks`` (the plugin hook relay, or None) asks the plugins' ``permission_check``
    after the hard refusals (deleted page, blocked account): a False from any plugin
    denies and wins, else a True grants (a plugin's own actions), else the roles decide.
    """
    role = role_of(actor)
    if page is not None and page.is_deleted and action not in {"undelete", "view_deleted"}:
        return ROLE_RANK[role] >= ROLE_RANK["admin"] and action in {"history", "view"}
    if blocked and action in WRITE_ACTIONS:
        return False
    if hooks is not None:
        verdicts = hooks.permission_check(actor=actor, action=action, page=page)
        if False in verdicts:
            return False
        if True in verdicts:
            return True
    if action not in ACTION_MIN_ROLE:
        return False
    moderator = ROLE_RANK[role] >= ROLE_RANK["moderator"]
    protection = getattr(page, "protection", "") if page is not None else ""
    protected_from_actor = protection == "moderators" or (protection and not trusted)
    if action in PROTECTED_ACTIONS and protected_from_actor and not moderator:
        return False
    if action in TRUSTED_ACTIONS and not moderator and not trusted:
        return False
    if anonymous_editing and role == "visitor" and action in {"edit", "create", "restore"}:
        return True
    return ROLE_RANK[role] >= ROLE_RANK[ACTION_MIN_ROLE[action]]


def exempt_from_edit_limits(actor: Any) -> bool:
    """Whether ``actor``'s saves skip the edit rate limits: admins and bot accounts
    (MediaWiki's "noratelimit"), so that a bulk import never meets 429."""
    role = role_of(actor)
    return role == "admin" or (role != "visitor" and bool(getattr(actor, "bot", False)))
