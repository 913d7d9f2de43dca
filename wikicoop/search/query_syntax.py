"""The wiki's query syntax: text -> a small tree of words, phrases, NOT, OR and AND.

No Whoosh here (:mod:`wikicoop.search.whoosh_query` turns the tree into Whoosh
queries), and no input can raise: whatever is typed gives a tree or ``None``.

The syntax: words (all required), ``"a phrase"`` (also « … » and “ … ”), ``-word`` /
``NOT word`` / ``SAUF word``, ``a OR b`` / ``a OU b`` (binds tighter than the implicit
AND, as in web search engines), ``AND`` / ``ET`` (the default anyway), ``pref*`` (trailing
star only, 3+ letters), parentheses. Unbalanced quotes and parentheses are closed at the
end, lone operators are ignored. Queries are capped: :data:`MAX_QUERY_CHARS` characters,
:data:`MAX_QUERY_TERMS` words, :data:`MAX_QUERY_DEPTH` levels of parentheses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import analysis

#: longest query text kept (characters) and most words (and phrase words) kept
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
#: longer "words" are dropped from queries; deeper parentheses are ignored
MAX_WORD_CHARS = 100
MAX_QUERY_DEPTH = 8


@dataclass(frozen=True)
class Word:
    """A word as typed (``prefix``: it ended with ``*``)."""

    text: str
    start: int  # offsets in the cleaned query text
    end: int
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other."""

    text: str


@dataclass(frozen=True)
class Not:
    """Pages without ``child``."""

    child: Node


@dataclass(frozen=True)
class Or:
    """Pages with any of the children."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class And:
    """Pages with all the children."""

    children: tuple[Node, ...]


#: a query tree
Node = Word | Phrase | Not | Or | And

_AND_WORDS = frozenset({"AND", "ET"})
_OR_WORDS = frozenset({"OR", "OU"})
_NOT_WORDS = frozenset({"NOT", "SAUF"})
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"'})
#: a word of a query, of a title (the analysers' word pattern)
WORD_RE = re.compile(analysis.WORD_PATTERN)
_SPECIAL = '()"'


@dataclass
class _Lexer:
    """Splits cleaned query text into tokens: words, phrases, parentheses and operators."""

    text: str
    tokens: list[tuple[str, Any]] = field(default_factory=list)

    def run(self) -> list[tuple[str, Any]]:
        text, n, i, words = self.text, len(self.text), 0, 0
        while i < n and words < MAX_QUERY_TERMS:
            c = text[i]
            if c.isspace():
                i += 1
            elif c == '"':
                end = text.find('"', i + 1)
                end = n if end < 0 else end
                phrase = text[i + 1 : end]
                count = len(WORD_RE.findall(phrase))
                if count:
                    if words + count > MAX_QUERY_TERMS:
                        kept = WORD_RE.findall(phrase)[: MAX_QUERY_TERMS - words]
                        phrase, count = " ".join(kept), len(kept)
                    self.tokens.append(("phrase", Phrase(phrase)))
                    words += count
                i = end + 1
            elif c in "()":
                self.tokens.append((c, None))
                i += 1
            elif c in "-+" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "-+)":
                if c == "-":
                    self.tokens.append(("not", None))
                i += 1
            else:
                j = i
                while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                    j += 1
                raw = text[i:j]
                if raw in _AND_WORDS:
                    self.tokens.append(("and", None))
                elif raw in _OR_WORDS:
                    self.tokens.append(("or", None))
                elif raw in _NOT_WORDS:
                    self.tokens.append(("not", None))
                elif WORD_RE.search(raw):
                    prefix = raw.endswith("*")
                    self.tokens.append(("word", Word(raw, i, j, prefix)))
                    words += 1
                i = max(j, i + 1)
        return self.tokens


class _Parser:
    """Recursive descent over the tokens; never fails (stray operators are dropped).

    Grammar: ``all := any*`` (implicit AND, ``AND`` ignored), ``any := unary (OR unary)*``,
    ``unary := (NOT | -) unary | "(" all ")" | word | phrase``.
    """

    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens = tokens
        self.i = 0

    def _kind(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def parse(self) -> Node | None:
        return self._all(depth=0)

    def _all(self, depth: int) -> Node | None:
        items: list[Node] = []
        while (kind := self._kind()) is not None:
            if kind == ")":
                if depth:
                    break
                self.i += 1  # unbalanced ")": ignore it
            elif kind in ("and", "or"):
                self.i += 1  # operator without a left operand
            else:
                node = self._any(depth)
                if node is not None:
                    items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def _any(self, depth: int) -> Node | None:
        items = []
        first = self._unary(depth)
        if first is not None:
            items.append(first)
        while self._kind() == "or":
            self.i += 1
            if self._kind() in ("or", "and", ")", None):
                continue
            node = self._unary(depth)
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _unary(self, depth: int) -> Node | None:
        negations = 0
        while self._kind() == "not":  # NOT NOT x is x
            self.i += 1
            negations += 1
        while depth >= MAX_QUERY_DEPTH and self._kind() == "(":
            self.i += 1  # deeper parentheses are ignored
        kind = self._kind()
        if negations and kind in ("or", "and", ")", None):
            return None
        node: Node | None = None
        if kind == "(":
            self.i += 1
            node = self._all(depth + 1)
            if self._kind() == ")":
                self.i += 1
        elif kind in ("word", "phrase"):
            node = self.tokens[self.i][1]
            self.i += 1
        if node is None or negations % 2 == 0:
            return node
        return Not(node)


def clean_query_text(text: object) -> str:
    """NFC, no control/format characters or lone surrogates, one space between words, capped."""
    if not isinstance(text, str):
        return ""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") else c for c in text)
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = " ".join(w for w in text.split() if len(w) <= MAX_WORD_CHARS)
    if len(text) > MAX_QUERY_CHARS:
        cut = text.rfind(" ", 0, MAX_QUERY_CHARS + 1)
        text = text[: cut if cut > MAX_QUERY_CHARS // 2 else MAX_QUERY_CHARS]
    return text


def parse_query_text(text: object) -> tuple[str, Node | None]:
    """The cleaned text and its query tree (``None`` when there is nothing to search)."""
    cleaned = clean_query_text(text)
    return cleaned, _Parser(_Lexer(cleaned).run()).parse()


def has_positive(node: Node | None) -> bool:
    """Whether the tree asks for at least one word (not only exclusions)."""
    if node is None or isinstance(node, Not):
        return False
    if isinstance(node, (Word, Phrase)):
        return True
    return any(has_positive(c) for c in node.children)


def plain_words_text(node: Node | None) -> str | None:
    """The words typed, when the query is nothing but plain words (no phrase, prefix,
    alternative or exclusion): then it may be a whole title, which ranks first."""
    if isinstance(node, Word):
        words = [node]
    elif isinstance(node, And) and all(isinstance(c, Word) for c in node.children):
        words = list(node.children)  # type: ignore[arg-type]
    else:
        return None
    if any(w.prefix for w in words):
        return None
    return " ".join(w.text for w in words)


def positive_words(node: Node | None) -> Iterator[Word]:
    """Plain words that are not excluded (the candidates for "did you mean")."""
    if isinstance(node, Word):
        if not node.prefix:
            yield node
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from positive_words(child)


def positive_count(node: Node | None) -> int:
    """How many words or groups the query asks for together (exclusions not counted)."""
    if isinstance(node, And):
        return sum(1 for c in node.children if not isinstance(c, Not))
    return 1 if node is not None and not isinstance(node, Not) else 0
