"""The test fixtures of the whole suite, the core's (tests/) and the plugins' (plugins/).

They live in ``tests/wiki_fixtures.py``, loaded once here as a pytest plugin: every test
folder, and every plugin's own ``conftest.py``, sees the same fixtures, and no module
named ``conftest`` shadows another. Plain helper functions are in ``tests/helpers.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

pytest_plugins = ["wiki_fixtures", "server_support"]
