"""The wiki's own test fixtures (tests/conftest.py: a real app on SQLite or PostgreSQL,
its client) for this plugin's tests, which run with the suite from the source tree."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[3] / "tests"

if not (TESTS / "conftest.py").is_file():  # an installed copy: the suite is not there
    collect_ignore_glob = ["test_*.py"]
else:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from conftest import (  # noqa: F401  (fixtures, found by name)
        app,
        client,
        make_app,
        postgres_url,
        sqlite_template,
        wiki_settings,
    )
