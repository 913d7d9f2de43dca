"""Seed pages of a structured type: ``type:`` and ``fields:`` in the front matter, checked
like any edit (the plugins' example pages use them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_type_samples import PLACE

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.page_types import FieldError
from wikicoop.seed import SeedError, load_seed, parse_seed_file
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

TYPED = """---
title: Médiathèque de Bellevue (exemple)
summary: Exemple
type: lieu
fields: {"nom": "Médiathèque", "wifi": true, "position": {"lat": 48.4, "lon": -4.5}}
---
Un lieu d'exemple.
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_typed_seed_page_is_saved_with_its_type_and_fields(make_app, tmp_path) -> None:
    app = make_app(PAGE_TYPES=[PLACE])
    folder = tmp_path / "seed"
    _write(folder, "lieu.md", TYPED)
    with app.app_context():
        session = get_session()
        created = load_seed(writing.context_for(app, session), [folder])
        page = rev.find_page(session, parse_title("Médiathèque de Bellevue (exemple)"))
        assert created == [page.title]
        revision = page.latest_revision
        assert revision.page_type == "lieu"
        assert revision.fields["nom"] == "Médiathèque"
        assert revision.fields["position"] == {"lat": 48.4, "lon": -4.5}


def test_a_bad_seed_value_stops_with_the_field_named(make_app, tmp_path) -> None:
    app = make_app(PAGE_TYPES=[PLACE])
    folder = tmp_path / "seed"
    _write(folder, "lieu.md", TYPED.replace('"lat": 48.4', '"lat": 148.4'))
    with app.app_context(), pytest.raises(FieldError) as refused:
        load_seed(writing.context_for(app, get_session()), [folder])
    assert refused.value.params["field"] == "position"


@pytest.mark.parametrize(
    ("line", "message"),
    [("fields: {nom: 1}", "'fields' is not JSON"), ("fields: [1, 2]", "must be a JSON object")],
)
def test_fields_must_be_a_json_object(tmp_path, line, message) -> None:
    path = _write(tmp_path, "x.md", f"---\ntitle: X\ntype: lieu\n{line}\n---\nTexte\n")
    with pytest.raises(SeedError, match=message):
        parse_seed_file(path)
