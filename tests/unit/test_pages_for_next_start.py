"""``wikicoop upgrade``'s pages of the next start: when it makes none, and why (the
pages it makes are tested with real servers in tests/web/test_restart_pages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikicoop.page_files import PageFiles, pages_folder
from wikicoop.pages_for_next_start import make_pages_for_next_start

pytestmark = pytest.mark.any_database  # files only: run once, on SQLite's pass


def no_app(host: str) -> dict[str, object]:
    raise AssertionError("no app is built when no page can be made")


def stop_recorded(instance: Path, start: dict[str, object]) -> None:
    """A clean stop's record, as ``wikicoop run`` writes it, with ``start``."""
    files = PageFiles(pages_folder(instance), budget=2**20, generation=b"last run")
    files.put(("/wiki/Lavoir", "127.0.0.1:5000", "http", "fr", ""), b"stamp", ("200 OK",))
    assert files.keep_state_at_stop(b"stamp", b"state", start=start)


def test_no_clean_stop_recorded(tmp_path: Path) -> None:
    made = make_pages_for_next_start(tmp_path, 10, no_app)
    assert made.pages == 0 and "aucun arrêt propre" in made.reason


def test_a_stop_recorded_by_an_earlier_version_names_no_command_line(tmp_path: Path) -> None:
    stop_recorded(tmp_path, {"inputs": b"digest", "folders": []})  # no "argv" then
    made = make_pages_for_next_start(tmp_path, 10, no_app)
    assert made.pages == 0 and "ne dit pas sa ligne de commande" in made.reason


def test_a_last_run_that_kept_no_page(tmp_path: Path) -> None:
    PageFiles(pages_folder(tmp_path), budget=2**20, generation=b"last run").keep_state_at_stop(
        b"stamp", b"state", start={"argv": ["run", "--port", "5000"]}
    )
    made = make_pages_for_next_start(tmp_path, 10, no_app)
    assert made.pages == 0 and "aucune page" in made.reason
