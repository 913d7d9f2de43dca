"""Test modules use the one copy of the shared helpers (``tests/helpers.py``, fixtures in
``tests/wiki_fixtures.py``) instead of writing their own (issue 9, point 8).

An AST scan of every test module (the bundled plugins' too): no module-level function or
class may take the name of a shared helper (or a known alias of one: ``_soup``,
``get_csrf``, ``token_headers``…), and HTML is parsed by ``helpers.soup`` only. The
browser tests are left out: their helpers drive a Playwright page, not a Flask client.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
SHARED = {TESTS / "helpers.py", TESTS / "wiki_fixtures.py"}
LEFT_OUT = TESTS / "browser"
PLUGINS = TESTS.parent / "plugins"

#: names under which copies of the shared helpers were written before
ALIASES = {
    "csrf": "csrf_from",
    "csrf_token": "csrf_from",
    "get_csrf": "csrf_from",
    "login_csrf": "session_csrf",
    "error_banner": "banner",
    "error_text": "banner",
    "titles_found": "found",
    "token_headers": "bearer_for",
    "new_token": "cli_token",
    "custom_app": "make_app",
    "make_app": "make_app (fixture)",
    "close_app": "wikicoop.close_app",
}

pytestmark = pytest.mark.any_database


def shared_names() -> set[str]:
    """The public functions and classes of ``tests/helpers.py``."""
    tree = ast.parse((TESTS / "helpers.py").read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
    }


def modules_to_scan() -> list[Path]:
    """Every Python module under tests/ but the shared ones and the browser tests, and
    the tests of the bundled plugins (``plugins/*/test_*.py`` and their conftest)."""
    tests = [p for p in TESTS.rglob("*.py") if p not in SHARED and LEFT_OUT not in p.parents]
    plugins = [p for p in PLUGINS.rglob("*.py") if p.name.startswith(("test_", "conftest"))]
    return sorted(tests + plugins)


def copies_in(path: Path, names: set[str]) -> list[str]:
    """``path:line name (use X)`` for each module-level definition copying a helper."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.ClassDef):
            continue
        bare = node.name.lstrip("_")
        use = bare if bare in names else ALIASES.get(bare.lower())
        if use:
            found.append(f"{path.name}:{node.lineno} {node.name} (use {use})")
    return found


def html_parsers_in(path: Path) -> list[str]:
    """``path:line`` for each direct call of ``BeautifulSoup(...)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "BeautifulSoup"
    ]


def test_the_scan_finds_a_copy(tmp_path: Path) -> None:
    """The scan itself: a module with its own soup, _login and token_headers is caught;
    a function nested in a test is not a copy."""
    module = tmp_path / "test_copy.py"
    module.write_text(
        "from bs4 import BeautifulSoup\n"
        "def soup(r):\n    return BeautifulSoup(r.text, 'html.parser')\n"
        "def _login(c):\n    pass\n"
        "def token_headers(app, name):\n    pass\n"
        "def test_x():\n    def save():\n        pass\n",
        encoding="utf-8",
    )
    assert copies_in(module, shared_names()) == [
        "test_copy.py:2 soup (use soup)",
        "test_copy.py:4 _login (use login)",
        "test_copy.py:6 token_headers (use bearer_for)",
    ]
    assert html_parsers_in(module) == ["test_copy.py:3"]


def test_no_module_writes_its_own_copy_of_a_helper() -> None:
    names = shared_names()
    assert {"soup", "login", "save", "csrf_from", "bearer_for", "Api"} <= names
    copies = [copy for path in modules_to_scan() for copy in copies_in(path, names)]
    assert not copies, "import these from tests/helpers.py instead:\n" + "\n".join(copies)


def test_html_is_parsed_by_the_shared_soup() -> None:
    calls = [call for path in modules_to_scan() for call in html_parsers_in(path)]
    assert not calls, "use helpers.soup(response or html):\n" + "\n".join(calls)
