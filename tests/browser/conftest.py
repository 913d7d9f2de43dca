"""Registers the browser tests' fixtures once for the whole folder (one server, one browser
per test process). They are defined in ``browser_support.py``; import helpers from there,
never from this module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import (  # noqa: F401  (fixtures, registered by being named here)
    ConsoleEntry,
    admin_page,
    admin_state,
    browser,
    chromium_executable,
    console_log,
    live_server,
    mail_inbox,
    new_page,
    screenshot_dir,
)

LAST = "test_no_csp_violation_in_session"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The session's console check runs after every other browser test (in one process)."""
    del config
    last = [item for item in items if item.name == LAST]
    items[:] = [item for item in items if item.name != LAST] + last


@pytest.fixture(scope="session", autouse=True)
def no_csp_violation_at_the_end(console_log: list[ConsoleEntry]) -> Iterator[None]:  # noqa: F811
    """With several test processes, nothing runs last: each one checks, when it ends, that
    no page it opened reported a CSP violation or a script error."""
    yield
    violations = [
        f"{entry.url}: {entry.text}"
        for entry in console_log
        if entry.is_csp_violation() or entry.kind == "pageerror"
    ]
    assert violations == [], "\n".join(violations)
