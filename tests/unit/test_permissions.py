"""permissions.can(): the hard rules come before the plugins, a plugin's False wins, a
plugin's True grants its own actions or lifts a role minimum but never a deleted page, a
block, a page's protection or the trust rule; an Account reads its state lazily."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pluggy
import pytest

from wikicoop.core.accounts_state import Account
from wikicoop.core.models import Block, Page, User
from wikicoop.core.permissions import (
    REFUSED_BLOCKED,
    REFUSED_DELETED,
    REFUSED_PROTECTED,
    REFUSED_PROTECTED_MODERATORS,
    REFUSED_RANK,
    REFUSED_UNTRUSTED,
    can,
    hard_refusal,
    is_moderator,
    roles_at_least,
)
from wikicoop.plugins import hookimpl, hookspecs
from wikicoop.plugins.manager import PROJECT

pytestmark = pytest.mark.any_database


class GrantsEverything:
    """A plugin that says yes to every question."""

    @hookimpl
    def permission_check(self, actor: Any, action: str, page: Any) -> bool | None:
        return True


class DeniesRenames:
    @hookimpl
    def permission_check(self, actor: Any, action: str, page: Any) -> bool | None:
        return False if action == "rename" else None


def hooks_with(*plugins: object) -> Any:
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    for plugin in plugins:
        manager.register(plugin)
    return manager.hook


def user(name: str = "Alice", role: str = "contributor", *, uid: int = 1, **kw: Any) -> User:
    return User(id=uid, username=name, role=role, active=kw.pop("active", True), **kw)


def page(*, protection: str = "", deleted: bool = False) -> Page:
    when = datetime(2026, 1, 1, tzinfo=UTC) if deleted else None
    return Page(id=7, namespace="", name="Essai", protection=protection, deleted_at=when)


def block() -> Block:
    return Block(id=3, user_id=1, reason="spam")


def test_hard_refusals_and_their_codes() -> None:
    alice = Account(user(), trusted=False)
    assert hard_refusal(alice, "edit", page(deleted=True)) == REFUSED_DELETED
    assert hard_refusal(Account(user(), block=block()), "edit", page()) == REFUSED_BLOCKED
    assert hard_refusal(alice, "edit", page(protection="moderators")) == (
        REFUSED_PROTECTED_MODERATORS
    )
    assert hard_refusal(alice, "edit", page(protection="trusted")) == REFUSED_PROTECTED
    assert hard_refusal(alice, "rename", page()) == REFUSED_UNTRUSTED
    assert hard_refusal(Account(user(), trusted=True), "rename", page()) is None
    admin = user("Root", "admin", uid=2)
    assert hard_refusal(Account(user("Mod", "moderator")), "manage_user", target=admin) == (
        REFUSED_RANK
    )
    assert hard_refusal(Account(admin), "view", page(deleted=True)) is None
    assert hard_refusal(Account(admin), "edit", page(deleted=True)) == REFUSED_DELETED


@pytest.mark.parametrize(
    ("account", "action", "target"),
    [
        (Account(user(), trusted=True), "edit", page(deleted=True)),
        (Account(user(), trusted=True, block=block()), "edit", page()),
        (Account(user(), trusted=True, block=block()), "comment", None),
        (Account(user(), trusted=True), "edit", page(protection="moderators")),
        (Account(user(), trusted=False), "edit", page(protection="trusted")),
        (Account(user(), trusted=False), "rename", page()),
        (Account(None), "edit", page(protection="trusted")),
    ],
)
def test_a_plugins_true_never_lifts_a_hard_rule(account: Account, action: str, target: Any) -> None:
    hooks = hooks_with(GrantsEverything())
    assert not can(account, action, target)
    assert not can(account, action, target, hooks=hooks)


def test_a_plugins_true_grants_its_own_actions_and_lifts_role_minimums() -> None:
    hooks = hooks_with(GrantsEverything())
    alice = Account(user(), trusted=True)
    assert not can(alice, "annonces:publier")  # unknown to the core: nobody
    assert can(alice, "annonces:publier", hooks=hooks)
    assert not can(alice, "relicense", page())  # the role table: moderators
    assert can(alice, "relicense", page(), hooks=hooks)  # refined by the plugin
    assert can(Account(user(), trusted=True, hooks=hooks), "relicense", page())  # its hooks


def test_a_plugins_false_denies_and_wins() -> None:
    hooks = hooks_with(DeniesRenames(), GrantsEverything())
    admin = Account(user("Root", "admin"), trusted=True)
    assert can(admin, "rename", page())
    assert not can(admin, "rename", page(), hooks=hooks)
    assert can(admin, "edit", page(), hooks=hooks)


def test_the_account_reads_trust_and_block_only_when_a_rule_needs_them() -> None:
    reads: list[str] = []

    def trusted() -> bool:
        reads.append("trusted")
        return True

    def no_block() -> Block | None:
        reads.append("block")
        return None

    alice = Account(user(), trusted=trusted, block=no_block)
    for action in ("view", "history", "view_pending", "see_hidden", "report", "watch"):
        assert can(alice, action, page()) == (action in {"view", "history", "report", "watch"})
    assert reads == [] and alice.loaded() == frozenset()  # a read costs nothing
    assert can(alice, "edit", page())
    assert reads == ["block"]
    assert can(alice, "rename", page(protection="trusted"))
    assert can(alice, "edit", page(protection="trusted"))
    assert reads == ["block", "trusted"]  # each read once
    assert alice.loaded() == {"block", "trusted"}
    visitor = Account(None, trusted=trusted, block=no_block)
    assert not can(visitor, "edit", page(protection="trusted"))
    assert reads == ["block", "trusted"]  # a visitor has no account to read


def test_roles_inactive_accounts_and_the_anonymous_editing_setting() -> None:
    assert is_moderator(user("Mod", "moderator"))
    assert not is_moderator(user("Mod", "moderator", active=False))  # inactive: nobody
    assert not can(user("Root", "admin", active=False), "delete", page())
    assert not can(Account(None), "edit", page())
    assert can(Account(None, anonymous_editing=True), "edit", page())
    assert can(None, "edit", page(), anonymous_editing=True)
    assert not can(Account(None, anonymous_editing=True), "rename", page())
    bot = Account(user("Robot", bot=True))
    assert bot.bot and not Account(user("Robot", bot=True, active=False)).bot
    assert roles_at_least("moderator") == ("moderator", "admin")
    mod, other_mod = user("Mod", "moderator", uid=2), user("Mod2", "moderator", uid=3)
    assert can(mod, "manage_user", target=other_mod)
    assert not can(mod, "manage_user", target=mod)  # nobody acts on themselves
    assert not can(user(), "manage_user", target=user("Bob", uid=4))  # contributors: no
