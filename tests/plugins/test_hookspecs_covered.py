"""Every hook specification is tested and documented: a hook that no test names, or that
has no section in docs/plugins.md, fails here."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from wikicoop.plugins import PROJECT, hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(name for name, obj in vars(hookspecs).items() if hasattr(obj, f"{PROJECT}_spec"))


@cache
def _test_sources() -> str:
    files = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("plugins/*/test_*.py")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files if p != Path(__file__))


pytestmark = pytest.mark.any_database


def test_the_hook_list_is_the_documented_one() -> None:
    assert len(HOOKS) == 28 and "startup" in HOOKS and "navigation_links" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook: str) -> None:
    assert re.search(rf"\b{hook}\b", _test_sources()), f"no test names the hook {hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_section_in_docs_plugins(hook: str) -> None:
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert re.search(rf"^#+ `{hook}\(", docs, re.MULTILINE), f"docs/plugins.md: no `{hook}(…)`"
