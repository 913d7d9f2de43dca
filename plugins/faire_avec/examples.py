"""Example access points, installed by ``wikicoop lieux-exemples``: seed files whose
front matter also carries ``type:`` and ``fields:`` (JSON on one line).

The core's seed loader makes plain pages; these need their type and values, so they
are saved here through the one write path, as the wiki's own pages (published at once).
A page that exists already is left alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.seed import SeedError, parse_seed_file, seed_author
from wikicoop.text.titles import Title

EXAMPLES_DIR = Path(__file__).parent / "exemples"


def typed_front_matter(path: Path) -> tuple[str, dict[str, Any]]:
    """The ``type`` and ``fields`` keys of a seed file's front matter."""
    meta: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    for line in lines[1 : lines.index("---", 1)]:
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip()
    try:
        fields = json.loads(meta.get("fields") or "{}")
    except json.JSONDecodeError as err:
        raise SeedError(f"{path.name}: fields is not JSON ({err})") from None
    return meta.get("type", ""), fields


def load_examples(ctx: writing.WriteContext, folder: Path = EXAMPLES_DIR) -> list[Title]:
    """Create the example pages that do not exist yet; the titles created."""
    author = rev.Author(user=seed_author(ctx.session))
    created: list[Title] = []
    for path in sorted(folder.glob("*.md")):
        seed = parse_seed_file(path)
        if rev.find_page(ctx.session, seed.title) is not None:
            continue
        page_type, fields = typed_front_matter(path)
        edit = writing.Edit(
            author=author,
            title=seed.title,
            text=seed.text,
            base_revision_id=None,
            summary=seed.summary,
            licence=seed.licence,
            page_type=page_type,
            fields=fields,
            system=True,
        )
        writing.save(ctx, edit)
        created.append(seed.title)
    return created
