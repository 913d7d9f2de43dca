"""The state of the account asking for something, read once and handed to
:func:`wikicoop.core.permissions.can`.

An :class:`Account` carries what the permission rules read about the person: role,
active, bot, user id, and, loaded lazily the first time a rule needs them, whether the
account is trusted and whether a block keeps it from writing (one query each, at most
once per account object). The web layer builds one per request and keeps it on
``flask.g``; the CLI, the API's services and the tests build one with
:func:`wikicoop.core.moderation.account_for` (which knows how trust is earned). A page
view never reads the trust or the block: only write actions, protected pages and
trust-gated actions do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Block

#: the ranks of the roles, lowest first (the rank rule lives in wikicoop.core.permissions)
VISITOR = "visitor"


class Account:
    """Who is asking: a visitor (``user`` None) or an account, with its lazy state.

    ``trusted`` and ``block`` are read through the loaders given at construction (or fixed
    values), once; ``anonymous_editing`` and ``hooks`` (the plugins' hook relay) are the
    site's, so that ``can(account, action, page)`` needs nothing else.
    """

    def __init__(
        self,
        user: Any = None,
        *,
        trusted: bool | Callable[[], bool] = False,
        block: Block | Callable[[], Block | None] | None = None,
        anonymous_editing: bool = False,
        hooks: Any = None,
    ) -> None:
        authenticated = user is not None and bool(getattr(user, "is_authenticated", False))
        self.user = user if authenticated else None
        self.active = authenticated and bool(getattr(user, "is_active", True))
        #: an inactive account has no more rights than a visitor
        self.role: str = getattr(user, "role", "contributor") if self.active else VISITOR
        self.user_id: int | None = getattr(user, "id", None) if authenticated else None
        self.bot = self.active and bool(getattr(user, "bot", False))
        self.anonymous_editing = anonymous_editing
        self.hooks = hooks
        self._trusted = trusted
        self._block = block
        self._loaded: dict[str, Any] = {}

    @property
    def trusted(self) -> bool:
        """Whether the account is trusted (read on first use; False for a visitor)."""
        if self.user is None:
            return False
        if "trusted" not in self._loaded:
            value = self._trusted() if callable(self._trusted) else self._trusted
            self._loaded["trusted"] = bool(value)
        return self._loaded["trusted"]

    @property
    def block(self) -> Block | None:
        """The block in force on the account, if any (read on first use)."""
        if self.user is None:
            return None
        if "block" not in self._loaded:
            self._loaded["block"] = self._block() if callable(self._block) else self._block
        return self._loaded["block"]

    @property
    def blocked(self) -> bool:
        """Whether a block keeps the account from writing now."""
        return self.block is not None

    def loaded(self) -> frozenset[str]:
        """Which lazy parts were read (``trusted``, ``block``): tests count queries by it."""
        return frozenset(self._loaded)

    def __repr__(self) -> str:
        return f"<Account {self.user_id or '-'} {self.role}>"
