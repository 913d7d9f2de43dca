"""PostgreSQL suggestions: titles for a typed prefix, and "did you mean" with pg_trgm.

- **Titles** (:func:`suggest_titles`): titles whose start, or the start of one of their
  words, is the prefix typed, accents and case ignored (``title_folded``; the trigram
  index serves the ``LIKE``/regular expression). Titles that start with it come first,
  shorter titles first, as in the Whoosh backend.
- **Did you mean** (:func:`did_you_mean`): a word no page has is replaced by the
  closest of the pages' words (``search_words``: titles, fields and text): the words
  with most trigrams in common are found with pg_trgm's ``%`` (served by the trigram
  index), then compared by edit distance in Python. Proposed only when the corrected
  query finds pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from . import analysis
from .corrections import corrected_text, edit_distance
from .pg_query import CONFIGS, TreeQueries, _analyse, _Leaf
from .query_syntax import WORD_RE, Node, parse_query_text

#: words of the pages read for one misspelt word, and the trigram similarity they must
#: reach (pg_trgm's default). Among 500,000 words, one look-up took median 5 ms, p95
#: 17 ms; 0.25 corrected no more typos for p95 28 ms, 0.35 missed a few.
_CANDIDATE_WORDS = 50
_SIMILARITY = 0.3
#: the name of a page without its namespace ("aide:ecrire une page" -> "ecrire une page")
NAME_KEY_SQL = (
    "CASE WHEN e.namespace <> 'main' AND strpos(e.title_folded, ':') > 0"
    " THEN substr(e.title_folded, strpos(e.title_folded, ':') + 1) ELSE e.title_folded END"
)


def extension_schema(connection: Connection, name: str) -> str:
    """The schema an extension lives in (its functions are called qualified: the
    search_path of a test, or of an install, may not include it)."""
    schema = connection.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
            " ON n.oid = e.extnamespace WHERE e.extname = :name"
        ),
        {"name": name},
    ).scalar()
    if schema is None:
        raise RuntimeError(f"the PostgreSQL extension {name} is missing: run the migrations")
    return str(schema)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def suggest_titles(connection: Connection, key: str, limit: int) -> list[str]:
    """At most ``limit`` titles whose start, or a word's start, is ``key`` (a folded key)."""
    words = [analysis.strip_elision(w) for w in WORD_RE.findall(key)]
    params: dict[str, Any] = {"start": _like_escape(key) + "%", "limit": limit}
    starts = connection.execute(
        text(
            "SELECT e.title FROM search_entries e WHERE e.title_folded LIKE :start"
            f" OR ({NAME_KEY_SQL}) LIKE :start"
            " ORDER BY length(e.title), e.title_folded, e.page_id LIMIT :limit"
        ),
        params,
    ).scalars()
    chosen = list(starts)
    if len(chosen) >= limit or not words:
        return chosen[:limit]
    # titles with a word starting with the last word typed (and the other words whole)
    params["word"] = r"(^|[^[:alnum:]])" + re.escape(words[-1])
    params["more"] = limit * 10
    # the other words' trigrams narrow the titles read (a last word of one or two
    # letters has none: "papi b" read every title, 54 ms at 100,000 pages)
    others = [w for w in dict.fromkeys(words[:-1]) if len(w) >= 3]
    for i, other in enumerate(others):
        params[f"other{i}"] = "%" + _like_escape(other) + "%"
    narrowed = "".join(f" AND e.title_folded LIKE :other{i}" for i in range(len(others)))
    rows = connection.execute(
        text(
            "SELECT e.title, e.title_folded FROM search_entries e"
            f" WHERE e.title_folded ~ :word{narrowed}"
            " ORDER BY length(e.title), e.title_folded, e.page_id LIMIT :more"
        ),
        params,
    ).all()
    needed = set(words[:-1])
    for title, folded in rows:
        own = {analysis.strip_elision(w) for w in WORD_RE.findall(folded)}
        if title not in chosen and needed <= own:
            chosen.append(title)
            if len(chosen) >= limit:
                break
    return chosen


def did_you_mean(
    connection: Connection,
    text_: str,
    tree: Node,
    finds: Any,
    struggling: bool,
) -> str | None:
    """The query with unknown words replaced by the closest title word, if it finds pages.

    ``finds(queries)`` says whether a corrected query (:class:`TreeQueries`) finds a page
    with the search's filters. A word is unknown when no page in the languages looked
    at has it; when the query found nothing with all its words (``struggling``), only
    French pages count (a French typo the English stemmer cuts to a known stem).
    """
    languages = ("fr",) if struggling else ("fr", "en")
    corrected = corrected_text(
        text_,
        tree,
        lambda raw: _word_known(connection, raw, languages),
        lambda core: _correct_word(connection, core),
    )
    if corrected is None:
        return None
    _, new_tree = parse_query_text(corrected)
    if new_tree is None:
        return None
    queries = TreeQueries(connection, new_tree)
    for all_words in (True, False):
        if finds(queries, all_words):
            return corrected
    return None


def _word_known(connection: Connection, word: str, languages: tuple[str, ...]) -> bool:
    """Whether a page in one of ``languages`` has ``word`` (stop words count as known)."""
    analysed = _analyse(connection, [_Leaf("phrase", word)])
    for lang in languages:
        q = analysed[lang][0]
        if not q:
            return True
        found = connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM search_entries"
                " WHERE language = :lang AND vector @@ CAST(:q AS tsquery))"
            ),
            {"lang": lang, "q": q},
        ).scalar()
        if found:
            return True
    return False


def _correct_word(connection: Connection, word: str) -> str | None:
    """The word of the pages closest to ``word`` (lowercase, elision removed), or None.

    Titles used to be read first (``<%`` on ``title_folded``): 20–40 ms a word at
    100,000 pages, for words that ``search_words`` holds too."""
    folded = analysis.fold(word)
    maxdist = 1 if len(word) <= 5 else 2
    trgm = extension_schema(connection, "pg_trgm")
    # the words of the pages with most trigrams in common (the trigram index)
    connection.execute(
        text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
        {"t": str(_SIMILARITY)},
    )
    candidates = connection.execute(
        text(
            f"SELECT w.word, w.folded FROM search_words w"
            f" WHERE w.folded OPERATOR({trgm}.%) :w"
            " AND length(w.folded) BETWEEN :shortest AND :longest"
            f" ORDER BY {trgm}.similarity(w.folded, :w) DESC, w.word LIMIT :n"
        ),
        {
            "w": folded,
            "shortest": len(folded) - maxdist,
            "longest": len(folded) + maxdist,
            "n": _CANDIDATE_WORDS,
        },
    ).all()
    return _closest_word(word, folded, maxdist, candidates)


def _closest_word(
    word: str, folded: str, maxdist: int, candidates: Sequence[tuple[str, str]]
) -> str | None:
    """The first of ``candidates`` (word, folded; the most alike first) at the smallest
    edit distance from ``word``, within ``maxdist``."""
    best: tuple[int, str] | None = None
    for surface, surface_folded in candidates:
        if surface == word or surface_folded == folded:
            continue
        distance = edit_distance(folded, surface_folded, maxdist)
        if distance <= maxdist and (best is None or distance < best[0]):
            best = (distance, surface)
    return best[1] if best else None


__all__ = ["CONFIGS", "did_you_mean", "extension_schema", "suggest_titles"]
