"""The folders show the layers, and the import graph keeps them (docs/architecture.md).

Read from the source with ``ast``, every ``import`` counts, at the top of a module or
inside a function: a lazy import is still an arrow. The checks: no import cycle between
the package's modules; no arrow from a lower layer to a higher one; the domain imports
neither Flask nor the web (proven by importing it in a fresh interpreter); no view module
imports another; no module over 600 lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.any_database

PACKAGE = Path(__file__).resolve().parents[2] / "wikicoop"

#: Lowest first. A module may import its own layer and the layers below it, never above.
#: A name is a module or a package (its whole subtree); the most specific name wins.
LAYERS: list[tuple[str, ...]] = [
    # foundation: error codes and their sentences, settings, where bundled folders are
    (
        "wikicoop.errors",
        "wikicoop.error_messages",
        "wikicoop.config",
        "wikicoop.bundled_data",
        "wikicoop.version",
        # the pages kept on disk: read before the app is built (wikicoop.early_answers)
        "wikicoop.page_files",
        "wikicoop.page_generation",
        "wikicoop.pid_file",
        "wikicoop.postgres_stamp",
    ),
    ("wikicoop.text",),  # titles, licences, diffs, merges: pure functions of text
    ("wikicoop.rendering",),  # Markdown to sanitized HTML
    ("wikicoop.core",),  # models, the write path, history, permissions, moderation policy
    # background jobs: an RQ queue on Redis when REDIS_URL is set, else in this process
    ("wikicoop.jobs",),
    ("wikicoop.search",),
    ("wikicoop.community",),  # accounts, review, discussions, watching, changes, feeds, mail
    ("wikicoop.plugins",),  # the plugin system (hooks, discovery, wiring into the app)
    ("wikicoop.web",),  # views, shared request helpers, forms, security, themes
    # the application: create_app, the command line, the server, the seed pages
    (
        "wikicoop",
        "wikicoop.__main__",
        "wikicoop.app",
        "wikicoop.cli",
        "wikicoop.launcher",
        "wikicoop.early_answers",
        "wikicoop.processes",
        "wikicoop.index_writer",
        "wikicoop.server",
        "wikicoop.worker_memory",
        "wikicoop.worker_signals",
        "wikicoop.pages_for_next_start",
        "wikicoop.wsgi",
        "wikicoop.seed",
    ),
]

#: The domain's packages: neither Flask nor the web toolkit.
PURE = ("wikicoop.text", "wikicoop.rendering", "wikicoop.core")
WEB_TOOLKIT = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_limiter", "werkzeug")

MAX_LINES = 600


def _module_files() -> Iterator[tuple[str, Path, bool]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent)
        if "migrations" in relative.parts:
            continue
        is_package = path.name == "__init__.py"
        parts = relative.with_suffix("").parts[: -1 if is_package else None]
        yield ".".join(parts), path, is_package


@cache
def import_graph() -> dict[str, tuple[set[str], set[str]]]:
    """Each module of the package: (the wiki modules it imports, the outside packages)."""
    modules = {name: (path, is_package) for name, path, is_package in _module_files()}
    graph: dict[str, tuple[set[str], set[str]]] = {}
    for name, (path, is_package) in modules.items():
        inside: set[str] = set()
        outside: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, name, is_package)
                # "from package import module" names the module; else the module itself
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                if target.split(".")[0] == "wikicoop":
                    inside.add(_nearest_module(target, modules))
                else:
                    outside.add(target.split(".")[0])
        inside.discard(name)
        graph[name] = (inside, outside)
    return graph


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, node.module] if node.module else parts)


def _nearest_module(name: str, modules: dict) -> str:
    while name not in modules and "." in name:
        name = name.rpartition(".")[0]
    return name


def layer_of(module: str) -> int:
    """The rank of the most specific layer entry naming ``module`` or a package above it."""
    best: tuple[int, int] | None = None  # (length of the matching name, rank)
    for rank, names in enumerate(LAYERS):
        for layer_name in names:
            if module == layer_name or module.startswith(layer_name + "."):
                # the bare package name "wikicoop" matches only itself
                if layer_name == "wikicoop" and module != "wikicoop":
                    continue
                if best is None or len(layer_name) > best[0]:
                    best = (len(layer_name), rank)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[1]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# ------------------------------------------------------------------ the checks themselves


def test_the_checks_see_a_cycle_and_an_upward_arrow() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert layer_of("wikicoop.core.writing") > layer_of("wikicoop.text.titles")
    assert layer_of("wikicoop.web.views.pages") > layer_of("wikicoop.community.review")
    assert layer_of("wikicoop.cli") > layer_of("wikicoop.web.helpers")
    assert layer_of("wikicoop.errors") == 0


def test_the_graph_reads_every_import() -> None:
    graph = import_graph()
    assert "wikicoop.core.models" in graph["wikicoop.core.writing"][0]
    assert "flask" in graph["wikicoop.web.helpers"][1]
    # a lazy import inside a function is an arrow too (create_app imports in its body)
    assert "wikicoop.web.themes" in graph["wikicoop.app"][0]
    # "from package import module" names the module, "from module import name" the module
    assert {"wikicoop.web.db", "wikicoop.web.security"} <= graph["wikicoop.app"][0]


def test_no_import_cycle() -> None:
    graph = {name: inside for name, (inside, _) in import_graph().items()}
    assert cycles(graph) == []


def test_no_lower_layer_imports_a_higher_one() -> None:
    upward = [
        f"{name} (layer {layer_of(name)}) imports {target} (layer {layer_of(target)})"
        for name, (inside, _) in sorted(import_graph().items())
        for target in sorted(inside)
        if layer_of(target) > layer_of(name)
    ]
    assert upward == []


def test_the_domain_imports_neither_flask_nor_the_web() -> None:
    found = [
        f"{name} imports {package}"
        for name, (_, outside) in sorted(import_graph().items())
        if name.startswith(PURE)
        for package in sorted(outside)
        if package in WEB_TOOLKIT or package.startswith("flask")
    ]
    assert found == []


def test_the_domain_loads_without_flask() -> None:
    """Import the whole domain in a fresh interpreter: Flask is never loaded."""
    domain = sorted(name for name in import_graph() if name.startswith(PURE) and name not in PURE)
    script = (
        "import importlib, sys\n"
        f"for name in {domain!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{WEB_TOOLKIT!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_no_view_imports_another() -> None:
    views = "wikicoop.web.views."
    found = [
        f"{name} imports {target}"
        for name, (inside, _) in sorted(import_graph().items())
        if name.startswith(views)
        for target in sorted(inside)
        if target.startswith(views)
    ]
    assert found == []


@pytest.mark.parametrize("shared", ["wikicoop.web.urls", "wikicoop.web.helpers"])
def test_shared_web_modules_import_no_view(shared: str) -> None:
    inside, _ = import_graph()[shared]
    assert [target for target in inside if target.startswith("wikicoop.web.views")] == []


def test_no_module_over_600_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): count
        for _, path, _ in _module_files()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
