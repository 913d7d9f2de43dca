"""The Whoosh schema of the search index, and the Whoosh fields of one page.

- **Languages.** French pages go to ``content`` (French analyser), English pages to
  ``content_en`` (:data:`LANG_FIELDS`); the title is indexed at the start of that field,
  its words weighing three times more. Only the first :data:`MAX_INDEXED_CHARS` of a
  page are indexed, so that no page holds the write lock for long, and the first
  :data:`SNIPPET_SOURCE_CHARS` are stored for snippets.
- **Facets and filters.** The core facets (``namespace``, ``category``, ``type``,
  ``licence``) and the ``keyword`` fields of plugins (``x_<name>``) hold exact values;
  ``authors`` and ``language`` can be filtered on but are not counted.
- **Titles.** Columns hold the sort key, the length and the lookup keys of each title
  (read by :mod:`wikicoop.search.whoosh_suggest`), ``title_start`` the whole title for
  the exact-title bonus, ``title_words`` its words for "did you mean".

Any change to the schema or to the analysers must bump
:data:`wikicoop.search.whoosh_backend.SCHEMA_VERSION`: the index is then rebuilt.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from whoosh import columns, fields

from . import analysis
from .backend import SearchDocument

#: characters of a page stored for snippets (matched words are looked for in them)
SNIPPET_SOURCE_CHARS = 20_000
#: characters of a page's text that are indexed (cut at a space); the rest is not found.
#: Indexing costs about one stemming and one posting block per distinct word, under the
#: write lock: a 2 MB page of 250,000 distinct words held it for 11 s, stalling every other
#: page's update. 100,000 characters (about 40 printed pages) keep the worst case under a
#: second and leave ordinary pages whole (MediaWiki's CirrusSearch caps documents too).
MAX_INDEXED_CHARS = 100_000

#: language -> the field that holds the title and text of the pages in it
LANG_FIELDS = {"fr": "content", "en": "content_en"}
#: sort key of pages without a date (last when newest come first)
_NO_DATE = -(2**62)


def build_schema(extra_fields: Mapping[str, str]) -> fields.Schema:
    """The schema of an index with these plugin fields (checked by
    :func:`wikicoop.search.fields.check_extra_fields`)."""
    fr, en = analysis.french_analyzer(), analysis.english_analyzer()

    def values(stored: bool = True) -> fields.KEYWORD:
        return fields.KEYWORD(stored=stored, analyzer=analysis.values_analyzer())

    schema = fields.Schema(
        page_id=fields.ID(unique=True, stored=True, sortable=True),
        revision_id=fields.COLUMN(columns.NumericColumn("q")),
        language=fields.ID(stored=True),
        display_title=fields.STORED(),
        content=fields.TEXT(analyzer=fr, multitoken_query="or"),
        content_en=fields.TEXT(analyzer=en, multitoken_query="or"),
        body=fields.STORED(),
        namespace=values(),
        category=values(),
        type=values(),
        licence=values(),
        authors=values(),
        updated=fields.STORED(),
        updated_sort=fields.COLUMN(columns.NumericColumn("q", default=_NO_DATE)),
        title_sort=fields.COLUMN(columns.VarBytesColumn()),
        title_len=fields.COLUMN(columns.NumericColumn("i")),
        title_keys=fields.COLUMN(columns.VarBytesColumn()),
        title_start=values(stored=False),
        title_words=fields.KEYWORD(analyzer=analysis.title_words_analyzer()),
    )
    for name, kind in extra_fields.items():
        if kind == "keyword":
            schema.add(f"x_{name}", values())
        # "text" fields are indexed with the page text (see document_fields)
    return schema


def document_fields(doc: SearchDocument, extra_fields: Mapping[str, str]) -> dict[str, Any]:
    """The Whoosh fields of one document (``extra_fields``: the plugin fields of the index)."""
    title = unicodedata.normalize("NFC", doc.title)
    text = indexed_part(unicodedata.normalize("NFC", doc.text))
    language = "en" if doc.language == "en" else "fr"
    suffix = "_en" if language == "en" else ""
    values_of = {
        name: [value] if isinstance(value, str) else [str(v) for v in value]
        for name, value in doc.fields.items()
        if name in extra_fields and value is not None
    }
    extra_text = [
        unicodedata.normalize("NFC", v)
        for name, kind in extra_fields.items()
        if kind == "text"
        for v in values_of.get(name, ())
    ]

    def clean(value: str) -> str:
        return value.replace(analysis.TITLE_MARK, " ")

    keys = [analysis.normalize_key(title)]
    if ":" in title and doc.namespace != "main":
        keys.append(analysis.normalize_key(title.split(":", 1)[1]))
    out: dict[str, Any] = {
        "page_id": str(int(doc.page_id)),
        "revision_id": int(doc.revision_id),
        "language": language,
        "display_title": title,
        # the title leads the text, its words weighing TITLE_BOOST times more
        "content" + suffix: "\n".join(
            [clean(title), analysis.TITLE_MARK, clean(text), *map(clean, extra_text)]
        ),
        "body": text[:SNIPPET_SOURCE_CHARS],
        "namespace": analysis.join_values([doc.namespace]),
        "category": analysis.join_values(doc.categories),
        "type": analysis.join_values([doc.page_type]),
        "licence": analysis.join_values([doc.licence]),
        "authors": analysis.join_values(doc.authors),
        "title_sort": keys[0].encode("utf-8"),
        "title_len": len(title),
        "title_keys": "\n".join(keys).encode("utf-8"),
        "title_start": analysis.join_values(keys),
        "title_words": title,
    }
    if doc.updated is not None:
        updated = doc.updated if doc.updated.tzinfo else doc.updated.replace(tzinfo=UTC)
        out["updated"] = updated.astimezone(UTC)
        out["updated_sort"] = int(updated.timestamp())
    for name, kind in extra_fields.items():
        if kind == "keyword" and name in values_of:
            out[f"x_{name}"] = analysis.join_values(values_of[name])
    return out


def indexed_part(text: str) -> str:
    """The first :data:`MAX_INDEXED_CHARS` characters of ``text``, not cutting a word."""
    if len(text) <= MAX_INDEXED_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_INDEXED_CHARS + 1)
    return text[: cut if cut > 0 else MAX_INDEXED_CHARS]
