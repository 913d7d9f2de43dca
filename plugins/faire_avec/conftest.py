"""The wiki's own test fixtures (tests/conftest.py: a real app on SQLite or PostgreSQL,
its client…) for this plugin's tests, which run with the suite from the source tree."""

from __future__ import annotations

import sys
from pathlib import Path

from _pytest.fixtures import FixtureFunctionDefinition

TESTS = Path(__file__).resolve().parents[2] / "tests"

if not (TESTS / "conftest.py").is_file():  # an installed copy: the suite is not there
    collect_ignore_glob = ["test_*.py"]
else:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import conftest as wiki

    # every fixture of the wiki's conftest, found by name in this folder too
    globals().update(
        (name, value)
        for name, value in vars(wiki).items()
        if isinstance(value, FixtureFunctionDefinition)
    )
