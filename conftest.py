"""The test fixtures of the whole suite, the core's (tests/) and the plugins' (plugins/).

They live in ``tests/wiki_fixtures.py``, loaded once here as a pytest plugin: every test
folder, and every plugin's own ``conftest.py``, sees the same fixtures, and no module
named ``conftest`` shadows another. Plain helper functions are in ``tests/helpers.py``.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

pytest_plugins = ["wiki_fixtures", "server_support"]


#: the young generation's threshold in the test processes (Python's default: 700)
TEST_GC_THRESHOLD = 20_000


def pytest_collection_finish(session: object) -> None:
    """Put what the imports and the collection made (modules, classes, the test items)
    out of the garbage collector's reach: every full collection of a test process,
    which makes thousands of apps, would walk them again.

    Then collect less often: each test builds an app, routes, templates and ORM state,
    hundreds of thousands of objects that mostly live until the test ends; with the
    default threshold the collector walks them again and again (measured: 6 % less CPU
    for the same tests, one process, twice each way)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(TEST_GC_THRESHOLD, 20, 20)


def pytest_xdist_auto_num_workers(config: object) -> int:
    """``-n auto``: one test process more than there are processors. A third of the
    suite's time is spent waiting for the servers, databases and browsers the tests
    start; the extra process fills it (CI on two processors: 558 s instead of 617-657 s
    for the SQLite run)."""
    return (os.cpu_count() or 1) + 1
