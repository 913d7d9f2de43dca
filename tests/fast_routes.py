"""Cheaper apps for the tests: the URL builders of werkzeug, compiled once per process.

Every test builds a fresh wiki (``create_app``), and about two thirds of that time is
werkzeug turning the builder of each of the ~180 URL rules into Python code (an AST
compiled with ``compile``): the same code for every app. That code depends only on the
rule's text and parsed parts and on ``append_unknown`` when the rule has no defaults, so
it is kept per process; each rule still binds the shared function to itself, as
werkzeug does. Rules with defaults are compiled as usual. Nothing of the wiki changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_compile_builder = Rule._compile_builder
_builders: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def _compiled_once(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    if self.defaults:
        return _compile_builder(self, append_unknown)
    key = (self.rule, tuple(self._trace), append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


def install() -> None:
    """Compile each URL builder once per process (idempotent)."""
    Rule._compile_builder = _compiled_once  # type: ignore[method-assign]
