"""A quicker start (issue 14): building the app loads none of the heavy libraries that no
page view needs; each is loaded when first used (calendar feeds, charts, images, Atom
feeds, the MediaWiki conversion)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: a start check that does not depend on the database: the SQLite pass runs it
serving_only = pytest.mark.any_database

#: the libraries loaded only when first used
DEFERRED = ("icalendar", "pygal", "PIL", "feedgen", "lxml", "mwparserfromhell", "dateutil")

_BUILD = """
import sys
from wikicoop.app import create_app

create_app()
print(" ".join(name for name in sys.argv[1:] if name in sys.modules))
"""


@serving_only
def test_building_the_app_loads_no_library_a_page_view_does_not_need(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKICOOP_")}
    env["WIKICOOP_INSTANCE"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _BUILD, *DEFERRED],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], done.stdout
