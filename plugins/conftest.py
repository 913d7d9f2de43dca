"""The wiki's own test fixtures (tests/conftest.py: a real app on SQLite or PostgreSQL,
its client…) for every plugin's tests, which run with the suite from the source tree.

A plugin's own ``conftest.py`` adds only the fixtures of its own.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from _pytest.fixtures import FixtureFunctionDefinition

TESTS = Path(__file__).resolve().parents[1] / "tests"

if not (TESTS / "conftest.py").is_file():  # an installed copy: the suite is not there
    collect_ignore_glob = ["*/test_*.py", "*/conftest.py"]
else:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    # by its path: this file is itself a "conftest" module, so the name would find it
    _spec = importlib.util.spec_from_file_location("wikicoop_tests_conftest", TESTS / "conftest.py")
    assert _spec is not None and _spec.loader is not None
    wiki = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(wiki)

    # every fixture of the wiki's conftest, found by name in the plugins' folders too
    globals().update(
        (name, value)
        for name, value in vars(wiki).items()
        if isinstance(value, FixtureFunctionDefinition)
    )
