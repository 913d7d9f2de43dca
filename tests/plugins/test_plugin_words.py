"""No plugin shows a resident an untranslated word: each bundled plugin's word table
(``texts.py``: ``{"fr": …, "en": …}``) and its English catalog (``translations/``) are
complete, and their placeholders agree with the French."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from wikicoop.plugins.manager import _import_folder

PLUGINS_DIR = Path(__file__).resolve().parents[2] / "plugins"
WITH_TABLES = sorted(p.parent.name for p in PLUGINS_DIR.glob("*/texts.py"))
WITH_CATALOGS = sorted(
    p.parents[3].name for p in PLUGINS_DIR.glob("*/translations/en/LC_MESSAGES/messages.po")
)
_PERCENT = re.compile(r"%\((\w+)\)[sd]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _table(plugin: str) -> dict[str, dict[str, str]]:
    package, name, _version = _import_folder(PLUGINS_DIR / plugin)  # as the wiki loads it
    module = __import__(f"{name}.texts", fromlist=["texts"])
    del package
    tables = [v for k, v in vars(module).items() if k.isupper() and isinstance(v, dict)]
    assert tables, f"plugins/{plugin}/texts.py has no word table"
    return {k: v for table in tables for k, v in table.items() if isinstance(v, dict)}


def test_the_bundled_plugins_are_found():
    assert len(WITH_TABLES) >= 5 and len(WITH_CATALOGS) >= 4


@pytest.mark.parametrize("plugin", WITH_TABLES)
def test_every_word_of_a_plugins_table_is_in_french_and_english(plugin: str):
    holes, mismatched = [], []
    table = _table(plugin)
    assert len(table) > 5
    for key, texts in table.items():
        if not texts.get("fr", "").strip() or not texts.get("en", "").strip():
            holes.append(key)
        elif _fields(texts["fr"]) != _fields(texts["en"]):
            mismatched.append((key, texts["fr"], texts["en"]))
    assert holes == [], f"plugins/{plugin}/texts.py: untranslated {holes}"
    assert mismatched == [], f"plugins/{plugin}/texts.py: placeholders differ {mismatched}"


@pytest.mark.parametrize("plugin", WITH_CATALOGS)
def test_a_plugins_english_catalog_is_complete_and_compiled(plugin: str):
    folder = PLUGINS_DIR / plugin / "translations" / "en" / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="en")
    messages = [m for m in catalog if m.id]
    untranslated = [m.id for m in messages if not m.string or m.fuzzy]
    assert untranslated == [], f"plugins/{plugin}: untranslated {untranslated}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []
    # the strings the plugin's code marks (gettext, N_) are all in its catalog
    marked = {
        message if isinstance(message, str) else message[0]
        for _f, _l, message, _c, _x in extract_from_dir(
            str(PLUGINS_DIR / plugin),
            [("**.py", "python"), ("**/templates/**.html", "jinja2")],
            {"**.py": {"keywords": {**DEFAULT_KEYWORDS, "N_": None, "_l": None}}},
        )
    }
    assert marked, f"plugins/{plugin}: no marked string found (extraction broken?)"
    missing = sorted(marked - {m.id if isinstance(m.id, str) else m.id[0] for m in messages})
    assert missing == [], f"plugins/{plugin}: marked but not in its catalog {missing}"
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    with (folder / "messages.mo").open("rb") as f:
        shipped = read_mo(f)
    fresh = read_mo(compiled)
    assert {m.id: m.string for m in shipped if m.id} == {m.id: m.string for m in fresh if m.id}
