"""URL rules whose URL builders are made when first used.

Werkzeug compiles two small Python functions for each URL rule as the rule is added (to
build its URLs, with and without extra query arguments): for the wiki's 180 routes
that is 0.09 s of every start, most of it for routes whose URLs a worker may never
build. :class:`LazyBuilderRule` (Flask's ``url_rule_class``) makes each function on the
rule's first ``url_for``; matching requests is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A :class:`~werkzeug.routing.Rule` whose builders are compiled on first use."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: Callable[..., tuple[str, str]] | None = None

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:  # two threads may both compile it: the same function
                compiled = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            return compiled(**values)

        return build
