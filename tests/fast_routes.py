"""Cheaper apps for the tests: the URL builders of werkzeug compiled once per process,
and the plugins' entry points read once per state of ``sys.path``.

Every test builds a fresh wiki (``create_app``), and about two thirds of that time is
werkzeug turning the builder of each of the ~180 URL rules into Python code (an AST
compiled with ``compile``): the same code for every app. That code depends only on the
rule's text and parsed parts and on ``append_unknown`` when the rule has no defaults, so
it is kept per process; each rule still binds the shared function to itself, as
werkzeug does. Rules with defaults are compiled as usual. Parsing each rule's text
(half of what was left, about 10 ms an app) is kept the same way, per rule text and
set of converter classes. Nothing of the wiki changes.

Reading the entry points parses the metadata of every installed distribution (about a
fifth of a ``create_app``). The answer is kept per ``sys.path`` and the modification
times of its folders: a plugin installed by a test (a new ``*.dist-info`` folder, or a
folder put on ``sys.path``) changes that key, as it changes what importlib's own
finders see.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoints, entry_points
from typing import Any

from werkzeug.routing.rules import Rule

from wikicoop.plugins import manager

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


_parse_rule = Rule._parse_rule
#: rule text and converter classes -> (parts, trace, converters, arguments) it gave
_parsed: dict[tuple[Any, ...], tuple[list[Any], list[Any], dict[str, Any], set[str]]] = {}


def _parsed_once(self: Rule, rule: str) -> list[Any]:
    """``Rule._parse_rule`` once per rule text and set of converter classes: its parts
    are kept, and what it records on the rule (the trace, the converters, the
    arguments) is replayed, each converter copied and bound to this rule's map."""
    assert self.map is not None
    key = (rule, tuple(sorted(self.map.converters.items())))
    kept = _parsed.get(key)
    if kept is None:
        trace, converters, arguments = len(self._trace), set(self._converters), set(self.arguments)
        parts = list(_parse_rule(self, rule))
        new_converters = {k: v for k, v in self._converters.items() if k not in converters}
        kept = (parts, self._trace[trace:], new_converters, set(self.arguments) - arguments)
        _parsed[key] = kept
        return parts
    parts, trace_items, new_converters, new_arguments = kept
    self._trace.extend(trace_items)
    for name, converter in new_converters.items():
        bound = copy.copy(converter)
        bound.map = self.map
        self._converters[name] = bound
    self.arguments.update(new_arguments)
    return list(parts)


_entry_points: dict[tuple[Any, ...], EntryPoints] = {}


def _path_state() -> tuple[tuple[str, int], ...]:
    state = []
    for folder in sys.path:
        try:
            state.append((folder, os.stat(folder or ".").st_mtime_ns))
        except OSError:
            state.append((folder, -1))
    return tuple(state)


def _entry_points_once(*, group: str) -> EntryPoints:
    key = (group, _path_state())
    found = _entry_points.get(key)
    if found is None:
        found = _entry_points[key] = entry_points(group=group)
    return found


def install() -> None:
    """Compile each URL builder once per process and read the entry points once per
    state of ``sys.path`` (idempotent)."""
    Rule._compile_builder = _compiled_once  # type: ignore[method-assign]
    Rule._parse_rule = _parsed_once  # type: ignore[method-assign]
    manager.entry_points = _entry_points_once  # type: ignore[assignment]
