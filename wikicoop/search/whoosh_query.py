"""Query trees and filters -> Whoosh queries, French-aware.

A tree from :mod:`wikicoop.search.query_syntax` is built once per language, in the
language's content field (:data:`~wikicoop.search.whoosh_schema.LANG_FIELDS`), and the two
are OR-ed, so a word that is a stop word in one language is not required in the other.
Words go through the field's analyser (French terms also match their derivational
variants, with a lower weight), phrases become sequences, ``pref*`` a prefix query on the
prefix and on its stem, and the whole title typed exactly adds a bonus. Filters are exact
terms of the facet fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from whoosh import fields, query

from . import analysis
from .backend import QueryError
from .query_syntax import Node, Not, Or, Phrase, Word, clean_query_text, plain_words_text
from .whoosh_schema import LANG_FIELDS

#: a prefix query needs this many letters (``ec*`` would expand to half the vocabulary)
MIN_PREFIX_CHARS = 3
#: score added to a page whose whole title (or name without namespace) was typed
EXACT_TITLE_BONUS = 5.0
#: boost of the query-side derivational variants (écriture -> écrit)
VARIANT_BOOST = 0.5


class QueryBuilder:
    """Builds the Whoosh queries of one index.

    Args:
        schema: the index's schema (its analysers turn words into terms).
        filter_fields: filter name -> schema field, the names a search may filter on.
    """

    def __init__(self, schema: fields.Schema, filter_fields: Mapping[str, str]) -> None:
        self.schema = schema
        self.filter_fields = dict(filter_fields)

    def filter_query(self, filters: Mapping[str, str]) -> query.Query | None:
        """The filters (name -> value) as required terms, or ``None`` when there are none.

        Raises:
            QueryError: a filter name the index does not know.
        """
        terms = []
        for name, value in filters.items():
            if name not in self.filter_fields:
                raise QueryError("unknown-filter", name=name)
            value = clean_query_text(value)
            if value:
                terms.append(query.Term(self.filter_fields[name], value))
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else query.And(terms)

    def tree_query(self, tree: Node, *, all_words: bool) -> query.Query | None:
        """One query per language, OR-ed (a page has one language).

        Every word is looked for in the language's content field, which holds the title
        (its words weigh more) and the text: one clause per word keeps the matching fast.
        The whole title typed exactly adds a bonus (an optional clause).
        """
        exact = self._exact_title_term(tree)
        parts = []
        for lang in ("fr", "en"):
            core = self._node_query(tree, LANG_FIELDS[lang], all_words)
            if core is None:
                continue
            parts.append(query.AndMaybe(core, exact) if exact is not None else core)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.Or(parts)

    @staticmethod
    def _exact_title_term(tree: Node) -> query.Query | None:
        """A bonus for the page whose whole title (or name) was typed: "papi kerourien"
        ranks « Papi Kerourien » above « Papi Kerourien-Est »."""
        typed = plain_words_text(tree)
        if typed is None:
            return None
        key = analysis.normalize_key(typed)
        return query.Term("title_start", key, boost=EXACT_TITLE_BONUS)

    def _node_query(self, node: Node, fieldname: str, all_words: bool) -> query.Query | None:
        if isinstance(node, Word):
            return self._word_query(node, fieldname)
        if isinstance(node, Phrase):
            return self._fields_query(node.text, fieldname, phrase=True)
        if isinstance(node, Not):
            child = self._node_query(node.child, fieldname, all_words)
            return query.Not(child) if child is not None else None
        children = [self._node_query(c, fieldname, all_words) for c in node.children]
        if isinstance(node, Or):
            subs = [c for c in children if c is not None and not isinstance(c, query.Not)]
            if not subs:
                return None
            return subs[0] if len(subs) == 1 else query.Or(subs)
        positive = [c for c in children if c is not None and not isinstance(c, query.Not)]
        negative = [c for c in children if isinstance(c, query.Not)]
        if not positive:
            return None
        if all_words:
            core: query.Query = positive[0] if len(positive) == 1 else query.And(positive)
        else:
            core = positive[0] if len(positive) == 1 else query.Or(positive)
        return query.And([core, *negative]) if negative else core

    def _word_query(self, word: Word, fieldname: str) -> query.Query | None:
        if word.prefix:
            stem = word.text.rstrip("*")
            core = analysis.fold(analysis.strip_elision(stem.lower()))
            pieces = re.findall(r"\w+", core)
            if pieces and len(pieces[-1]) >= MIN_PREFIX_CHARS:
                head = [self._fields_query(p, fieldname) for p in pieces[:-1]]
                tail = self._prefix_query(pieces[-1], fieldname)
                parts = [q for q in (*head, tail) if q is not None]
                return parts[0] if len(parts) == 1 else query.And(parts)
            return self._fields_query(stem, fieldname)
        return self._fields_query(word.text, fieldname)

    @staticmethod
    def _prefix_query(prefix: str, fieldname: str) -> query.Query:
        """Terms starting with the prefix, or with its stem (``universite*`` -> ``universit``)."""
        english = fieldname.endswith("_en")
        stem = analysis.english_stem(prefix) if english else analysis.french_stem(prefix)
        forms = [f for f in dict.fromkeys((prefix, stem)) if len(f) >= MIN_PREFIX_CHARS - 1]
        subs = [query.Prefix(fieldname, form) for form in forms or [prefix]]
        return subs[0] if len(subs) == 1 else query.Or(subs)

    def _fields_query(self, text: str, fieldname: str, phrase: bool = False) -> query.Query | None:
        """``text`` analysed by the field's analyser.

        Forms at the same position are OR-ed; several positions (a phrase, or a word
        like "Saint-Étienne") must follow each other. French terms also match their
        derivational variants, with a lower weight.
        """
        analyzer = self.schema[fieldname].analyzer
        french = not fieldname.endswith("_en")
        groups: dict[int, list[str]] = {}
        for token in analyzer(text, positions=True, mode="query"):
            groups.setdefault(token.pos, [])
            if token.text not in groups[token.pos]:
                groups[token.pos].append(token.text)
        if not groups:
            return None
        positions = []
        for forms in groups.values():
            terms = [query.Term(fieldname, f) for f in forms]
            if french and not phrase:
                extra = {v for f in forms for v in analysis.french_query_variants(f)}
                terms += [
                    query.Term(fieldname, v, boost=VARIANT_BOOST)
                    for v in sorted(extra - set(forms))
                ]
            positions.append(terms[0] if len(terms) == 1 else query.Or(terms))
        return positions[0] if len(positions) == 1 else query.Sequence(positions)
