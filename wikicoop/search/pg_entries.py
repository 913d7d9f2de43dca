"""Writing the PostgreSQL search entries: one row per page, its facet rows, its words.

Used in two ways: inside the transaction that saves a revision (the app's
``before_commit`` listener passes the session's own connection, see
:mod:`wikicoop.search`), and by the backend's own writes (``index_pages``, ``rebuild``).
The SQL must never fail on what a page holds, since a failure would undo the save: text
is cleaned of what PostgreSQL refuses (NUL, lone surrogates), values are cut to their
columns' lengths, and only the first :data:`MAX_INDEXED_CHARS` of a page go into its
``tsvector`` (whose limit is 1 MB; a page may hold 2 MB). Concurrent saves of one page
are safe: the entry is upserted (the second waits for the first's row lock).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, text

from . import analysis
from .backend import CORE_FACETS, SearchDocument
from .pg_query import CONFIGS
from .query_syntax import WORD_RE

#: characters of a page's text that are indexed (cut at a space), as in the Whoosh backend
MAX_INDEXED_CHARS = 100_000
#: between a facet's name and value in ``facet_keys`` (never in a cleaned value)
FACET_KEY_SEPARATOR = "\x1f"
#: characters of the fields' text in the small ``head`` vector (kept in the row, untoasted)
HEAD_FIELDS_CHARS = 600
#: characters of a page kept for snippets
SNIPPET_SOURCE_CHARS = 20_000
#: the facets a search counts, before the plugins' keyword fields
COUNTED_FACETS = CORE_FACETS
#: facet names that can be filtered on but are not counted
FILTER_ONLY = ("authors", "language")
#: the lengths of the columns (see SearchEntry and SearchFacet)
_NAME_CHARS, _VALUE_CHARS = 64, 300
#: control characters (but tab and newline) and the sentinels the snippets use
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")

_UPSERT = text(
    """
    INSERT INTO search_entries (page_id, revision_id, title, title_folded, namespace,
        page_type, licence, language, fields_text, body, updated, vector, head, facet_keys)
    VALUES (:page_id, :revision_id, :title, :title_folded, :namespace, :page_type,
        :licence, :language, :fields_text, :body, :updated,
        setweight(to_tsvector(CAST(:config AS regconfig), :title), 'A')
        || setweight(to_tsvector(CAST(:config AS regconfig), :fields_text), 'B')
        || setweight(to_tsvector(CAST(:config AS regconfig), :indexed), 'C')
        || setweight(array_to_tsvector(CAST(:forms AS text[])), 'D'),
        setweight(to_tsvector(CAST(:config AS regconfig), :title), 'A')
        || setweight(to_tsvector(CAST(:config AS regconfig), :head_fields), 'B'),
        CAST(:facet_keys AS text[]))
    ON CONFLICT (page_id) DO UPDATE SET revision_id = excluded.revision_id,
        title = excluded.title, title_folded = excluded.title_folded,
        namespace = excluded.namespace, page_type = excluded.page_type,
        licence = excluded.licence, language = excluded.language,
        fields_text = excluded.fields_text, body = excluded.body,
        updated = excluded.updated, vector = excluded.vector, head = excluded.head,
        facet_keys = excluded.facet_keys
    """
)
_DELETE_FACETS = text("DELETE FROM search_facets WHERE page_id = ANY(:ids)")
_INSERT_FACET = text(
    "INSERT INTO search_facets (page_id, name, value) VALUES (:page_id, :name, :value)"
    " ON CONFLICT DO NOTHING"
)
_DELETE_ENTRIES = text("DELETE FROM search_entries WHERE page_id = ANY(:ids)")
#: new words only; in sorted order, so that two transactions adding the same new words
#: wait for each other in one order (never a deadlock)
_INSERT_WORDS = text(
    "INSERT INTO search_words (word, folded)"
    " SELECT w.word, w.folded FROM unnest(CAST(:words AS text[]), CAST(:folded AS text[]))"
    " AS w(word, folded) ORDER BY w.word ON CONFLICT DO NOTHING"
)
#: the lengths of the words kept for "did you mean" (shorter ones are never corrected)
_WORD_CHARS = (3, 40)


def clean(value: object, limit: int | None = None) -> str:
    """``value`` as text PostgreSQL accepts: NFC, no control characters or surrogates."""
    cleaned = _UNWANTED.sub(" ", unicodedata.normalize("NFC", str(value)))
    return cleaned[:limit] if limit is not None else cleaned


def indexed_part(body: str, limit: int = MAX_INDEXED_CHARS) -> str:
    """The first ``limit`` characters of ``body``, not cutting a word."""
    if len(body) <= limit:
        return body
    cut = body.rfind(" ", 0, limit + 1)
    return body[: cut if cut > 0 else limit]


def title_key(title: str) -> str:
    """The folded title stored in ``title_folded`` (see :func:`analysis.normalize_key`)."""
    return analysis.normalize_key(clean(title))


#: most extra forms kept for one page
_MAX_FORMS = 20_000


def text_words(text_: str) -> set[str]:
    """The distinct words of ``text_``, lower-cased (elided articles still on)."""
    return set(WORD_RE.findall(text_.lower()))


def accented_forms(raw_words: Iterable[str]) -> list[str]:
    """The stem-then-fold forms of the accented French words among ``raw_words`` (see
    :func:`text_words`) that differ from their fold-then-stem form (PostgreSQL's,
    unaccent being before the stemmer): « créées » is ``cree`` to PostgreSQL and also
    ``cre`` here, like « créé », as the Whoosh analyser indexes both. Added to the
    vector without positions, weight D."""
    forms: set[str] = set()
    for word in raw_words:
        if word.isascii():
            continue
        word = analysis.strip_elision(word)
        if word in analysis.FRENCH_STOP_WORDS:
            continue
        found = analysis.french_forms(word)
        if len(found) == 2 and found[0]:
            forms.add(found[0])
            if len(forms) >= _MAX_FORMS:
                break
    return sorted(forms)


def page_words(raw_words: Iterable[str]) -> dict[str, str]:
    """The words among ``raw_words`` (see :func:`text_words`) that "did you mean" may
    propose, each with its folded form: elided article removed (« l'atelier » →
    « atelier »), 3 to 40 characters, no digits."""
    words: dict[str, str] = {}
    low, high = _WORD_CHARS
    for raw in raw_words:
        word = analysis.strip_elision(raw)
        if low <= len(word) <= high and word not in words and not any(map(str.isdigit, word)):
            words[word] = analysis.fold(word)[:high]
    return words


def write_words(connection: Connection, words: Mapping[str, str]) -> None:
    """Add these words (word -> folded) to ``search_words``; those known stay."""
    if words:
        ordered = sorted(words)
        connection.execute(_INSERT_WORDS, {"words": ordered, "folded": [words[w] for w in ordered]})


def _values(value: Any) -> list[str]:
    listed = [value] if isinstance(value, str) else [str(v) for v in value or ()]
    return [v for v in (" ".join(clean(item).split()) for item in listed) if v]


def entry_rows(
    doc: SearchDocument, extra_fields: Mapping[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, str]]:
    """The entry row, the facet rows and the words (for ``search_words``) of one
    document."""
    title = clean(doc.title)
    body = " ".join(clean(doc.text).split())
    language = "en" if doc.language == "en" else "fr"
    fields_text = " ".join(
        value
        for name, kind in extra_fields.items()
        if kind == "text"
        for value in _values(doc.fields.get(name))
    )
    updated = doc.updated
    if updated is not None and updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    entry = {
        "page_id": int(doc.page_id),
        "revision_id": int(doc.revision_id),
        "title": title,
        "title_folded": title_key(title),
        "namespace": clean(doc.namespace, 32),
        "page_type": clean(doc.page_type or "page", 64),
        "licence": clean(doc.licence, 32),
        "language": language,
        "fields_text": fields_text,
        "body": body[:SNIPPET_SOURCE_CHARS],
        "updated": updated,
        "config": CONFIGS[language],
        "indexed": indexed_part(body),
        "head_fields": indexed_part(fields_text, HEAD_FIELDS_CHARS),
    }
    raw_words = text_words(" ".join((title, fields_text, entry["indexed"])))
    entry["forms"] = accented_forms(raw_words) if language == "fr" else []
    facets: dict[str, list[str]] = {
        "namespace": [doc.namespace],
        "category": list(doc.categories),
        "type": [doc.page_type or "page"],
        "licence": [doc.licence],
        "authors": list(doc.authors),
        "language": [language],
    }
    for name, kind in extra_fields.items():
        if kind == "keyword" and doc.fields.get(name) is not None:
            facets[name] = list(_values(doc.fields.get(name)))
    rows = [
        {"page_id": entry["page_id"], "name": name[:_NAME_CHARS], "value": value[:_VALUE_CHARS]}
        for name, values in facets.items()
        for value in dict.fromkeys(_values(values))
    ]
    counted = {*COUNTED_FACETS, *(n for n, kind in extra_fields.items() if kind == "keyword")}
    entry["facet_keys"] = [
        f"{row['name']}{FACET_KEY_SEPARATOR}{row['value']}"
        for row in rows
        if row["name"] in counted
    ]
    return entry, rows, page_words(raw_words)


def write_entries(
    connection: Connection,
    documents: Iterable[SearchDocument],
    extra_fields: Mapping[str, str],
    *,
    words_written: set[str] | None = None,
) -> int:
    """Upsert the entries of these documents (the last of a page wins) and add their new
    words to ``search_words``; returns how many entries.

    ``words_written``: the words this transaction wrote already (a rebuild's), left out
    and completed."""
    latest = {int(doc.page_id): doc for doc in documents}
    if not latest:
        return 0
    entries, facets = [], []
    words: dict[str, str] = {}
    for doc in latest.values():
        entry, rows, its_words = entry_rows(doc, extra_fields)
        entries.append(entry)
        facets.extend(rows)
        words.update(its_words)
    if words_written is not None:
        words = {word: folded for word, folded in words.items() if word not in words_written}
        words_written.update(words)
    # in page order: two transactions writing the same pages lock them in one order
    entries.sort(key=lambda e: e["page_id"])
    connection.execute(_UPSERT, entries)
    connection.execute(_DELETE_FACETS, {"ids": sorted(latest)})
    if facets:
        connection.execute(_INSERT_FACET, facets)
    write_words(connection, words)
    return len(entries)


def remove_entries(connection: Connection, page_ids: Iterable[int]) -> None:
    """Delete the entries (and, by cascade, the facets) of these pages."""
    ids = sorted({int(p) for p in page_ids})
    if ids:
        connection.execute(_DELETE_ENTRIES, {"ids": ids})
