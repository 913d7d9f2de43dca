"""Who may do what is decided in wikicoop/core/permissions.py only: no other module of the
package compares an account's role with a role name, reads the rank table, or calls
``is_moderator`` (a convenience over ``permissions.can`` kept in moderation.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.any_database

PACKAGE = Path(__file__).resolve().parents[2] / "wikicoop"
#: the module that decides, and the one that keeps is_moderator as a convenience
DECIDER = "core/permissions.py"
IS_MODERATOR_ALLOWED = {"core/permissions.py", "core/moderation.py"}
#: names of the role tables: reading them is deciding by role
ROLE_TABLES = {"ROLE_RANK", "MODERATOR_ROLES"}


def _is_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "role"


def _is_role_value(node: ast.AST) -> bool:
    """A role name written out, a collection of them, or a constant table of roles."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_role_value(item) for item in node.elts)
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return bool(name) and name.isupper()


def role_rules(source: str, filename: str) -> list[str]:
    """The places of ``source`` that decide by role outside permissions.py."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_role(o) for o in operands) and any(_is_role_value(o) for o in operands):
                found.append(f"{where} compares a role")
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in ROLE_TABLES:
                found.append(f"{where} reads {name}")
        if isinstance(node, ast.Call) and filename not in IS_MODERATOR_ALLOWED:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "is_moderator":
                found.append(f"{where} calls is_moderator")
        if (  # SQL: User.role.in_(("moderator", "admin")) is a comparison too
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "in_"
            and _is_role(node.func.value)
            and any(_is_role_value(arg) for arg in node.args)
        ):
            found.append(f"{where} compares a role (SQL)")
    return found


def test_the_scan_finds_each_kind_of_role_rule() -> None:
    """The scan fails on what it is meant to find (so that its silence means something)."""
    sample = (
        "if user.role == 'admin': pass\n"
        "if user.role in ('moderator', 'admin'): pass\n"
        "if user.role in MODERATOR_ROLES: pass\n"
        "ok = ROLE_RANK[a.role] <= ROLE_RANK[b.role]\n"
        "ok = moderation.is_moderator(user)\n"
        "stmt = select(User).where(User.role.in_(('admin',)))\n"
        "stmt = select(User).where(User.role == 'admin')\n"
    )
    found = role_rules(sample, "views/x.py")
    assert len([f for f in found if "compares a role" in f]) == 5, found
    assert len([f for f in found if "reads ROLE_RANK" in f]) == 2, found
    assert [f for f in found if "is_moderator" in f] == ["views/x.py:5 calls is_moderator"]
    # a role compared with a value asked for (not a rule) passes, so does is_moderator
    # in moderation.py, where it is defined over can()
    assert role_rules("if user.role == role: pass\n", "community.py") == []
    assert role_rules("ok = is_moderator(user)\n", "core/moderation.py") == []


def test_no_module_but_permissions_decides_by_role() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == DECIDER:
            continue
        found.extend(role_rules(path.read_text(encoding="utf-8"), relative))
    assert found == [], "ask wikicoop.core.permissions.can() instead:\n" + "\n".join(found)
