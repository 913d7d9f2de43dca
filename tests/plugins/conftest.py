"""Fixtures of the plugin tests: a temporary hook implementation on a running app
(``plugin``), and a real third-party plugin installed through an entry point
(``install_plugin``)."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from wikicoop.plugins import manager_of


@pytest.fixture
def plugin(app: Flask) -> Iterator[Callable[..., Any]]:
    """``plugin(obj)``: register ``obj``'s ``@hookimpl`` functions on the app's plugin
    manager for this test (hooks called while serving: menu, panels, permissions,
    events…); unregistered at teardown."""
    pm = manager_of(app)
    registered: list[Any] = []

    def register(obj: Any, name: str | None = None) -> Any:
        pm.register(obj, name=name)
        registered.append(obj)
        return obj

    try:
        yield register
    finally:
        for obj in registered:
            pm.unregister(obj)


@pytest.fixture
def install_plugin(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``install_plugin(package, source, entry_point=..., dist=..., files=...)``: write a
    package and its ``<dist>-1.0.dist-info`` (METADATA, entry_points.txt registering
    it under ``wikicoop.plugins``) into a site folder put on sys.path, as pip would;
    sys.path and sys.modules are restored at teardown."""
    site = tmp_path / "site"
    site.mkdir()
    packages: list[str] = []
    sys.path.insert(0, str(site))

    def install(
        package: str,
        source: str,
        *,
        entry_point: str | None = None,
        dist: str | None = None,
        files: dict[str, str | bytes] | None = None,
    ) -> Path:
        dist = dist or f"{package.replace('_', '-')}-dist"
        root = site / package
        root.mkdir()
        (root / "__init__.py").write_text(textwrap.dedent(source), encoding="utf-8")
        for name, content in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[wikicoop.plugins]\n{entry_point or package} = {package}\n", encoding="utf-8"
        )
        packages.append(package)
        importlib.invalidate_caches()
        return root

    try:
        yield install
    finally:
        sys.path.remove(str(site))
        for package in packages:
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]
        importlib.invalidate_caches()
