"""The generation of the pages kept on disk (wikicoop.page_generation): the same for
the same code and settings, whatever the process; another for any change of either."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from wikicoop import page_generation as generation_module
from wikicoop.page_generation import page_generation

pytestmark = pytest.mark.any_database  # files and settings only

SETTINGS = {"SITE_NAME": "Wiki du quartier", "LANGUAGES": "fr,en", "LIMIT": timedelta(days=1)}


@pytest.fixture
def code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of code, read afresh by each call (as by a new process)."""
    folder = tmp_path / "code"
    (folder / "templates").mkdir(parents=True)
    (folder / "views.py").write_text("VIEW = 1\n")
    (folder / "templates" / "page.html").write_text("<main>{{ page }}</main>\n")
    (folder / "__pycache__").mkdir()
    monkeypatch.setattr(generation_module, "_FILES_DIGESTS", {})
    return folder


def fresh(settings: dict, folders: list[Path]) -> bytes:
    """The generation a new process would compute."""
    generation_module._FILES_DIGESTS.clear()
    return page_generation(settings, folders)


def test_the_same_code_and_settings_give_the_same_generation(code: Path) -> None:
    first = fresh(SETTINGS, [code])
    assert len(first) == 16
    assert fresh(dict(reversed(list(SETTINGS.items()))), [code]) == first  # any order
    (code / "__pycache__" / "views.cpython-311.pyc").write_bytes(b"bytecode")
    assert fresh(SETTINGS, [code]) == first  # what Python writes is not code


def test_a_setting_changed_gives_another_generation(code: Path) -> None:
    first = fresh(SETTINGS, [code])
    assert fresh({**SETTINGS, "SITE_NAME": "Autre wiki"}, [code]) != first
    assert fresh({**SETTINGS, "LIMIT": timedelta(days=2)}, [code]) != first
    assert fresh({**SETTINGS, "NEW": None}, [code]) != first


def test_a_setting_that_is_an_object_counts_by_its_kind(code: Path) -> None:
    """Its printed form holds a memory address, which differs at each start."""
    first = fresh({**SETTINGS, "HOOK": lambda: 1}, [code])
    assert fresh({**SETTINGS, "HOOK": lambda: 2}, [code]) == first
    assert fresh({**SETTINGS, "HOOK": object()}, [code]) != first


@pytest.mark.parametrize("change", ["edited", "added", "removed"])
def test_a_file_of_the_code_changed_gives_another_generation(code: Path, change: str) -> None:
    first = fresh(SETTINGS, [code])
    template = code / "templates" / "page.html"
    if change == "edited":
        template.write_text("<main class='page'>{{ page }}</main>\n")
        os.utime(template, ns=(1, 1))  # even with an old modification time: the size
    elif change == "added":
        (code / "templates" / "new.html").write_text("")
    else:
        template.unlink()
    assert fresh(SETTINGS, [code]) != first


def test_a_library_installed_or_removed_gives_another_generation(
    code: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    first = fresh(SETTINGS, [code])
    (site / "mistune-9.9.dist-info").mkdir()
    os.utime(site, ns=(10**18, 10**18))  # the folder's time moves as pip writes in it
    assert fresh(SETTINGS, [code]) != first


def test_one_process_reads_the_files_once(code: Path) -> None:
    """The walk is made once per process: each app made after only digests settings."""
    first = fresh(SETTINGS, [code])
    (code / "views.py").write_text("VIEW = 2\n")
    assert page_generation(SETTINGS, [code]) == first  # the same process: not read again
    assert fresh(SETTINGS, [code]) != first
