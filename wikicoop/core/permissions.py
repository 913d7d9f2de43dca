"""Who may do what: the one place where permissions are decided.

Views, the API and the services call :func:`can` (the web through ``web.allowed``);
nothing else compares roles. ``can`` takes an :class:`~wikicoop.accounts_state.Account`
(the account's state, read once) or, for convenience, a user object whose trust and block
are then given as arguments. Actions are plain strings so plugins can add their own.

The order of the rules:

1. hard rules, which no plugin lifts for a core action: a deleted page exists only for
   admins; a blocked account does not write; a protected page is written only by
   moderators (or trusted accounts, for a page protected for trusted accounts); a
   trust-gated action needs a trusted account or a moderator; acting on another account
   needs a rank at least its own;
2. the plugins' ``permission_check``: a False from any denies and wins; a True grants a
   plugin's own action, or a core action the role table alone would refuse;
3. the role table :data:`ACTION_MIN_ROLE` (and the anonymous-editing setting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .accounts_state import Account

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
    # moderation and community (issue 4); blocks and page protection are hard rules below
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
    # reading what waits for review (pending, rejected revisions; unpublished pages)
    "view_pending": "moderator",
    # reading a hidden revision's text, listing hidden rows
    "see_hidden": "moderator",
    # seeing and deciding on discussion messages that are not public
    "moderate_comments": "moderator",
    # acting on another account (block it): also needs a rank at least the target's
    "manage_user": "moderator",
    "set_role": "admin",
}

#: actions that write: refused to a blocked account
WRITE_ACTIONS = frozenset(
    {"edit", "create", "restore", "rename", "relicense", "delete", "undelete", "comment"}
)
#: actions that also need a trusted account below the moderator role (MediaWiki's
#: "autoconfirmed"): renaming moves what everyone links to
TRUSTED_ACTIONS = frozenset({"rename"})
#: actions a page's protection restricts
PROTECTED_ACTIONS = frozenset({"edit", "restore", "rename"})
#: actions on a deleted page (the others see no page there)
DELETED_PAGE_ACTIONS = frozenset({"undelete", "view_deleted"})

#: refusals of the hard rules (:func:`hard_refusal`), as the services' error codes
REFUSED_DELETED = "deleted"
REFUSED_BLOCKED = "blocked"
REFUSED_PROTECTED = "protected"
REFUSED_PROTECTED_MODERATORS = "protected:moderators"
REFUSED_UNTRUSTED = "untrusted"
REFUSED_RANK = "rank"


def account_of(actor: Any, *, trusted: bool = False, blocked: bool = False) -> Account:
    """``actor`` as an :class:`Account`: itself when it is one, else a user object (or
    None) whose trust and block are the values given (no query)."""
    if isinstance(actor, Account):
        return actor
    return Account(actor, trusted=trusted, block=_GIVEN_BLOCK if blocked else None)


#: stands for "blocked" when a caller gives ``blocked=True`` instead of a Block row
_GIVEN_BLOCK: Any = object()


def role_of(actor: Any) -> str:
    """The role of an :class:`Account` or a Flask-Login user object (anonymous users and
    inactive accounts are visitors)."""
    return account_of(actor).role


def rank(role: str) -> int:
    """The rank of ``role`` (unknown roles rank as visitors)."""
    return ROLE_RANK.get(role, 0)


def roles_at_least(role: str) -> tuple[str, ...]:
    """The roles ranking ``role`` or above (e.g. for a query on the accounts table)."""
    return tuple(r for r, n in ROLE_RANK.items() if n >= rank(role))


def _is_moderator(account: Account) -> bool:
    return rank(account.role) >= ROLE_RANK["moderator"]


def hard_refusal(
    account: Account,
    action: str,
    page: Page | None = None,
    *,
    protection: str | None = None,
    target: Any = None,
) -> str | None:
    """Which hard rule refuses ``action`` to ``account`` (one of the ``REFUSED_*``
    codes), or None. ``protection`` stands for ``page``'s when the caller has no page.

    Trust and block are read only when the action needs them (a read never does).
    """
    if (
        page is not None
        and page.is_deleted
        and action not in DELETED_PAGE_ACTIONS
        and not (rank(account.role) >= ROLE_RANK["admin"] and action in {"history", "view"})
    ):
        return REFUSED_DELETED  # a deleted page: admins see it and its history
    if action in WRITE_ACTIONS and account.user is not None and account.blocked:
        return REFUSED_BLOCKED
    if protection is None:
        protection = getattr(page, "protection", "") if page is not None else ""
    moderator = _is_moderator(account)
    if action in PROTECTED_ACTIONS and protection and not moderator:
        if protection == "moderators":
            return REFUSED_PROTECTED_MODERATORS
        if not account.trusted:
            return REFUSED_PROTECTED
    if action in TRUSTED_ACTIONS and not moderator and not account.trusted:
        return REFUSED_UNTRUSTED
    if target is not None and (
        getattr(target, "id", None) == account.user_id
        or rank(getattr(target, "role", "contributor")) > rank(account.role)
    ):
        return REFUSED_RANK  # nobody acts on themselves or on a higher rank
    return None


def _by_role(account: Account, action: str, anonymous_editing: bool) -> bool:
    if anonymous_editing and account.role == "visitor" and action in {"edit", "create", "restore"}:
        return True
    return rank(account.role) >= rank(ACTION_MIN_ROLE[action])


def can(
    actor: Any,
    action: str,
    page: Page | None = None,
    *,
    target: Any = None,
    anonymous_editing: bool | None = None,
    trusted: bool = False,
    blocked: bool = False,
    hooks: Any = None,
) -> bool:
    """True when ``actor`` may perform ``action`` (on ``page``, or on the account
    ``target``, when given).

    ``actor`` is an :class:`Account` (its own trust, block, site setting and hooks), or a
    user object (None: a visitor) described by ``trusted``/``blocked``. The arguments
    ``anonymous_editing`` and ``hooks`` override the account's when given.
    See the module's docstring for the order of the rules.
    """
    account = account_of(actor, trusted=trusted, blocked=blocked)
    if hard_refusal(account, action, page, target=target) is not None:
        return False
    hooks = hooks if hooks is not None else account.hooks
    granted = False
    if hooks is not None:
        plugin_actor = account.user if isinstance(actor, Account) else actor
        verdicts = hooks.permission_check(actor=plugin_actor, action=action, page=page)
        if False in verdicts:
            return False
        granted = True in verdicts
    if action not in ACTION_MIN_ROLE:
        return granted  # a plugin's own action: only a plugin grants it
    if anonymous_editing is None:
        anonymous_editing = account.anonymous_editing
    return granted or _by_role(account, action, anonymous_editing)


def is_moderator(actor: Any) -> bool:
    """Moderators and admins (an inactive account is nobody): ``can(actor, "moderate")``."""
    return can(actor, "moderate")


def exempt_from_edit_limits(actor: Any) -> bool:
    """Whether ``actor``'s saves skip the edit rate limits: admins and bot accounts
    (MediaWiki's "noratelimit"), so that a bulk import never meets 429."""
    account = account_of(actor)
    return account.role == "admin" or (account.role != "visitor" and account.bot)
