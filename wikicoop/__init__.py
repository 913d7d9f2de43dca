"""wikicoop: a participatory wiki engine for territories.

``create_app`` (:mod:`wikicoop.app`) is the only entry point: nothing is built at import
time. It is loaded on first use, so that importing the domain (``wikicoop.core``,
``wikicoop.text``, ``wikicoop.rendering``) does not load Flask.
"""

from __future__ import annotations

from typing import Any

from .version import __version__


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'wikicoop' has no attribute {name!r}")


__all__ = ["__version__", "create_app"]
