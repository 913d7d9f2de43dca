"""Query trees -> PostgreSQL ``tsquery`` texts, one per language configuration.

A tree from :mod:`wikicoop.search.query_syntax` is translated the way
:mod:`wikicoop.search.whoosh_query` builds Whoosh queries: every word and phrase (a leaf)
is analysed once by PostgreSQL itself, in both configurations (``phraseto_tsquery``:
the words of ``saint-martin`` or of a phrase must follow each other; ``to_tsquery`` with
``:*`` for ``pref*``), in a single round trip. The tree is then assembled in Python
with ``&``, ``|``, ``!`` and parentheses from those analysed pieces, which PostgreSQL
printed (lexemes quoted by it): nothing typed reaches the tsquery parser unanalysed. A
leaf made only of stop words is dropped (not required), as in the Whoosh backend.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, text

from . import analysis
from .query_syntax import WORD_RE, And, Node, Not, Or, Phrase, Word

#: text search configuration of each page language (made by migration 0008)
CONFIGS = {"fr": "wikicoop_fr", "en": "wikicoop_en"}
#: a prefix query needs this many letters (``ec*`` would expand to half the vocabulary)
MIN_PREFIX_CHARS = 3


@dataclass(frozen=True)
class _Leaf:
    """One piece of a query analysed by PostgreSQL: ``kind`` is "phrase" or "prefix"."""

    kind: str
    text: str
    #: French lexemes also accepted for a single word: its other forms (créées ->
    #: cre, cree) and derivational variants (écriture -> ecrit), as the Whoosh analyser
    forms: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()


def _leaves_of(node: Node, out: dict[int, list[_Leaf]]) -> None:
    """Collect the leaves of every Word/Phrase node (keyed by ``id(node)``)."""
    if isinstance(node, Phrase):
        out[id(node)] = [_Leaf("phrase", " ".join(WORD_RE.findall(node.text)))]
    elif isinstance(node, Word):
        out[id(node)] = _word_leaves(node)
    elif isinstance(node, Not):
        _leaves_of(node.child, out)
    else:
        for child in node.children:
            _leaves_of(child, out)


def _word_leaves(word: Word) -> list[_Leaf]:
    """A word's pieces: its words as a phrase, or for ``pref*`` the words before the
    last as phrases and the last as a prefix (when it is long enough)."""
    if word.prefix:
        stem = word.text.rstrip("*")
        core = analysis.fold(analysis.strip_elision(stem.lower()))
        pieces = re.findall(r"[^\W_]+", core)
        if pieces and len(pieces[-1]) >= MIN_PREFIX_CHARS:
            return [*(_Leaf("phrase", p) for p in pieces[:-1]), _Leaf("prefix", pieces[-1])]
        return [_Leaf("phrase", " ".join(WORD_RE.findall(stem)))]
    words = WORD_RE.findall(word.text)
    return [_Leaf("phrase", " ".join(words), *_french_extra(words))]


def _french_extra(words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The other French forms and the variants of a single word (see :class:`_Leaf`)."""
    if len(words) != 1:
        return (), ()
    core = analysis.strip_elision(words[0].lower().replace("’", "'"))
    if core in analysis.FRENCH_STOP_WORDS:
        return (), ()
    forms = analysis.french_forms(core)
    variants = [v for f in forms for v in analysis.french_query_variants(f)]
    kept = tuple(f for f in forms if _LEXEME_RE.match(f))
    return kept, tuple(v for v in dict.fromkeys(variants) if _LEXEME_RE.match(v) and v not in kept)


#: what an extra lexeme may hold (it is written into the tsquery text, quoted)
_LEXEME_RE = re.compile(r"^[^\W_]+$")


class TreeQueries:
    """The tsquery texts of one query tree, per language.

    Args:
        connection: where the leaves are analysed (one SELECT for all).
        tree: the parsed query.
        settings: PostgreSQL settings made in the same SELECT, for the rest of the
            transaction (``set_config(name, value, true)``: one round trip less).
    """

    def __init__(
        self, connection: Connection, tree: Node, *, settings: Mapping[str, str] = {}
    ) -> None:
        self.tree = tree
        leaves: dict[int, list[_Leaf]] = {}
        _leaves_of(tree, leaves)
        flat = [leaf for group in leaves.values() for leaf in group]
        analysed = _analyse(connection, flat, settings)
        #: (language, with the derivational variants) -> node -> its analysed pieces
        self._pieces: dict[tuple[str, bool], dict[int, list[str]]] = {}
        for lang in CONFIGS:
            for variants in (True, False):
                done, i = {}, 0
                for key, group in leaves.items():
                    pieces = analysed[lang][i : i + len(group)]
                    if lang == "fr":
                        pieces = [
                            _with_extra(p, leaf.forms + (leaf.variants if variants else ()))
                            for p, leaf in zip(pieces, group, strict=True)
                        ]
                    done[key] = pieces
                    i += len(group)
                self._pieces[lang, variants] = done

    def tsquery(self, lang: str, *, all_words: bool, variants: bool = True) -> str | None:
        """The tsquery text for pages in ``lang`` (None: nothing to look for).

        ``variants=False`` leaves out the French derivational variants (écriture ->
        écrit): the rank counts them apart, at a lower weight.
        """
        return self._node(self.tree, self._pieces[lang, variants], all_words)

    def _node(self, node: Node, pieces: Mapping[int, list[str]], all_words: bool) -> str | None:
        if isinstance(node, (Word, Phrase)):
            found = [p for p in pieces[id(node)] if p]
            if not found:
                return None
            return found[0] if len(found) == 1 else " & ".join(f"( {p} )" for p in found)
        if isinstance(node, Not):
            child = self._node(node.child, pieces, all_words)
            return f"!( {child} )" if child is not None else None
        children = [(isinstance(c, Not), self._node(c, pieces, all_words)) for c in node.children]
        positive = [q for negated, q in children if q is not None and not negated]
        if isinstance(node, Or):
            if not positive:
                return None
            return " | ".join(f"( {q} )" for q in positive)
        assert isinstance(node, And)
        negative = [q for negated, q in children if q is not None and negated]
        if not positive:
            return None
        joiner = " & " if all_words else " | "
        core = joiner.join(f"( {q} )" for q in positive)
        if negative:
            return " & ".join([f"( {core} )", *negative])
        return core


#: the wiki's stop words (those of the Whoosh analysers), and a word PostgreSQL's own
#: stop lists hold: put in their place, it keeps the distance between a phrase's words
_STOP_WORDS = {"fr": analysis.FRENCH_STOP_WORDS, "en": analysis.ENGLISH_STOP_WORDS}
_PLACEHOLDER = {"fr": "le", "en": "the"}


def _without_stop_words(text_: str, lang: str) -> str:
    """``text_`` with the wiki's stop words of ``lang`` made PostgreSQL stop words."""
    stops = _STOP_WORDS[lang]
    return " ".join(
        _PLACEHOLDER[lang] if analysis.strip_elision(word.lower()) in stops else word
        for word in WORD_RE.findall(text_)
    )


def _with_extra(piece: str, extra: tuple[str, ...]) -> str:
    """``piece`` (one analysed word) OR-ed with the extra lexemes it does not hold."""
    if not piece or not extra:
        return piece
    more = [f"'{lexeme}'" for lexeme in extra if f"'{lexeme}'" != piece]
    return f"( {' | '.join([piece, *more])} )" if more else piece


def _analyse(
    connection: Connection, leaves: list[_Leaf], settings: Mapping[str, str] = {}
) -> dict[str, list[str]]:
    """language -> the tsquery text of each leaf in that language ('' for stop words),
    with ``settings`` made for the transaction in the same SELECT."""
    columns, params = [], {}
    for i, (name, value) in enumerate(settings.items()):
        columns.append(f"set_config(:set_n{i}, :set_v{i}, true)")
        params[f"set_n{i}"], params[f"set_v{i}"] = name, value
    skip = len(columns)
    if not leaves:
        if columns:
            connection.execute(text("SELECT " + ", ".join(columns)), params)
        return {lang: [] for lang in CONFIGS}
    for lang, config in CONFIGS.items():
        params[f"c_{lang}"] = config
        for i, leaf in enumerate(leaves):
            cfg = f"CAST(:c_{lang} AS regconfig)"
            if leaf.kind == "prefix":
                # a single folded word of letters and digits: safe in the tsquery syntax;
                # PostgreSQL stems it before the ":*" (numeri* -> numer:*)
                params[f"t{lang}{i}"] = leaf.text
                expr = f"to_tsquery({cfg}, :t{lang}{i} || ':*')"
            else:
                params[f"t{lang}{i}"] = _without_stop_words(leaf.text, lang)
                expr = f"phraseto_tsquery({cfg}, :t{lang}{i})"
            columns.append(f"CAST({expr} AS text)")
    row = connection.execute(text("SELECT " + ", ".join(columns)), params).one()[skip:]
    n = len(leaves)
    return {lang: list(row[k * n : (k + 1) * n]) for k, lang in enumerate(CONFIGS)}
