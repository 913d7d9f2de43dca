"""wikicoop: a participatory wiki engine for territories.

``create_app`` (:mod:`wikicoop.app`) is the only entry point (``close_app`` its end, for
processes that make several apps): nothing is built at import time. Both are loaded on
first use, so that importing the domain (``wikicoop.core``, ``wikicoop.text``,
``wikicoop.rendering``) does not load Flask.
"""

from __future__ import annotations

from typing import Any

from .version import __version__


def __getattr__(name: str) -> Any:
    if name in ("create_app", "close_app"):
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module 'wikicoop' has no attribute {name!r}")


__all__ = ["__version__", "close_app", "create_app"]
