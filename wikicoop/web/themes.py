"""Themes: ``themes/<name>/theme.toml`` plus templates/ and static/ folders.

Template lookup order: the theme, its parent theme, then the core templates, which any
theme template can still extend as ``default:base.html`` (Datasette's convention).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, send_from_directory
from jinja2 import BytecodeCache, ChoiceLoader, FileSystemLoader, PrefixLoader
from jinja2.bccache import Bucket

from ..bundled_data import bundled_dir

#: ``themes/`` of the source tree, or its copy in the installed package
THEMES_DIR = bundled_dir("themes")


@dataclass(frozen=True)
class Theme:
    """A theme's declaration, read from its theme.toml."""

    name: str
    path: Path
    label: str
    parent: str | None
    stylesheets: tuple[str, ...]


def load_theme(name: str, themes_dir: Path = THEMES_DIR) -> Theme:
    """Read ``themes/<name>/theme.toml``; raise ValueError naming the problem."""
    path = themes_dir / name
    declaration = path / "theme.toml"
    if not declaration.is_file():
        raise ValueError(f"theme {name!r}: {declaration} not found")
    data = tomllib.loads(declaration.read_text(encoding="utf-8"))
    return Theme(
        name=name,
        path=path,
        label=str(data.get("label", name)),
        parent=data.get("parent"),
        stylesheets=tuple(data.get("stylesheets", ["style.css"])),
    )


def theme_chain(name: str, themes_dir: Path = THEMES_DIR) -> list[Theme]:
    """The theme and its ancestors, nearest first (cycles are refused)."""
    chain: list[Theme] = []
    current: str | None = name
    while current:
        if any(t.name == current for t in chain):
            raise ValueError(f"theme {name!r}: parent cycle through {current!r}")
        theme = load_theme(current, themes_dir)
        chain.append(theme)
        current = theme.parent
    return chain


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory and shared by every app of the process.

    One app compiles each template once anyway; this spares the recompilation when
    a process builds many apps (the test suite builds one per test).
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE_CACHE = _SharedBytecodeCache()


def init_themes(app: Flask, extra_template_dirs: Sequence[str] = ()) -> None:
    """Install the theme's template loaders and its static route.

    :param extra_template_dirs: the plugins' template folders, searched after the theme
        (a theme may restyle a plugin's page) and before the core.
    """
    chain = theme_chain(app.config["THEME"])
    core_loader = app.jinja_loader
    assert core_loader is not None
    loaders = [FileSystemLoader(str(t.path / "templates")) for t in chain]
    loaders += [FileSystemLoader(folder) for folder in extra_template_dirs]
    app.jinja_loader = ChoiceLoader([*loaders, core_loader, PrefixLoader({"default": core_loader})])
    app.jinja_env.bytecode_cache = _BYTECODE_CACHE
    app.extensions["wikicoop.theme"] = chain[0]

    def theme_static(filename: str):
        for theme in chain:
            if (theme.path / "static" / filename).is_file():
                return send_from_directory(theme.path / "static", filename, max_age=3600)
        return send_from_directory(chain[-1].path / "static", filename)

    app.add_url_rule("/theme/<path:filename>", "theme_static", theme_static)
    app.jinja_env.globals["theme"] = chain[0]
