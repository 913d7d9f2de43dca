"""Page titles: parsing, normalisation and validation.

A page is identified by a namespace key and a normalised name, ``(namespace, name)``,
which is what the database and the link tables store. :func:`parse_title` turns what
a person typed (a link target, a search box, a URL) into a :class:`Title`, or raises
:class:`TitleError` saying, with a code and its parameters, which rule was broken.

The rules follow MediaWiki's title codec (``MediaWikiTitleCodec::splitTitleString``)
so that imported pages and habits carry over. The numbers are stable (the README links
to them); when a title breaks several rules, one error is reported:

1. **UTF-8.** ``bytes`` input must be valid UTF-8; a ``str`` containing U+FFFD
   (REPLACEMENT CHARACTER, the trace of a bad decoding) or a lone surrogate is
   treated the same way. Error code ``invalid-utf8``.
2. **Unicode NFC.** The text is put in Normalization Form C (applied after the
   removals of rule 3 and once more at the end, so no decomposed sequence survives).
3. **Invisible direction marks.** LRM and RLM (U+200E, U+200F) and the bidi
   embedding/override controls (U+202A to U+202E) are removed.
4. **Spaces.** Underscores and every Unicode space become a space: U+0020, tab, line
   feed, vertical tab, form feed, carriage return, NEL (U+0085), NBSP (U+00A0),
   U+1680, U+180E, U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. Runs
   collapse to one space, which is stripped at both ends. Names are stored with
   spaces; :attr:`Title.dbkey` and URLs use underscores.
5. **Fragment.** Whatever follows the first ``#`` is split off into
   :attr:`Title.fragment` (whitespace normalised, stripped, no capitalisation). With
   ``allow_fragment=False`` a ``#`` is an error (``forbidden-characters``). A title
   that is only a fragment is empty (rule 11): ``Talk:#``, ``Category: #bar``, ``#``.
   The fragment may not contain the characters forbidden by rule 8 either.
6. **Namespace.** The text before the first ``:`` is compared, ignoring case and
   accents, with the namespace names and aliases of :data:`NAMESPACES` (``aide:``,
   ``Help:``, ``categorie:``, ``CATÉGORIE:``); spaces around the colon are trimmed.
   A leading ``:`` (as in ``[[:Catégorie:X]]``) is dropped and selects the main
   namespace instead of ``default_namespace``; namespace matching then goes on, so
   ``:Catégorie:X`` is the category page. An unknown prefix (``Foo:bar``,
   ``Special:X``) stays part of the name, in ``default_namespace``.
7. **Talk pages.** There is a single talk namespace, ``Discussion:``, followed by the
   full title of the subject page: ``Discussion:Aide:Écrire`` is the talk page of
   ``Aide:Écrire`` (namespace ``talk``, name ``Aide:Écrire``). The inner title is
   normalised by these same rules: its prefix becomes the canonical French name
   (``Discussion:help:écrire`` → name ``Aide:Écrire``) and its first letter is
   capitalised. A talk page of a talk page (``Discussion:Discussion:X``,
   ``Talk:Discussion:X``) is refused: ``talk-namespace``.
8. **Forbidden characters.** ``[ ] { } < > |``, the ASCII control characters
   (U+0000 to U+001F, U+007F) and the C1 controls (U+0080 to U+009F), except those
   that rule 4 already turned into spaces (tab, line breaks, NEL), give
   ``forbidden-characters``, and the message names the character. A ``%`` followed
   by two hexadecimal digits gives ``percent-escape`` (``A%20B`` is refused, as in
   MediaWiki: write the character itself). A named HTML character reference
   (``&amp;``, ``&eacute;``) gives ``html-entity``, as in MediaWiki (a bare ``&``,
   as in ``R&D``, is fine; in ``&#233;`` the ``#`` starts a fragment, rule 5).
9. **Relative paths.** A name that is ``.`` or ``..``, starts with ``./`` or
   ``../``, contains ``/./`` or ``/../``, or ends with ``/.`` or ``/..`` gives
   ``relative`` (such pages would be unreachable by URL). ``Foo/.../Bar`` is fine.
10. **Signatures.** Three tildes or more (``~~~``) anywhere give ``magic-tilde``.
11. **Empty.** A name that is empty after all this, including a namespace alone
    (``Aide:``, ``Discussion:Aide:``) or a fragment alone, gives ``empty``.
12. **Length.** A name longer than :data:`MAX_TITLE_BYTES` (255) bytes in UTF-8
    gives ``too-long``; the message gives the limit and the actual length. The
    namespace prefix is not counted, except for talk pages whose name *is*
    ``<subject prefix>:<subject name>``: every stored name fits in 255 bytes, so the
    talk page of a subject whose name is longer than 255 bytes minus its prefix
    (``Utilisateur:`` is 12 bytes, ``Catégorie:`` 11) cannot be created. The length
    is measured after capitalisation (rule 13), i.e. on exactly what is stored.
13. **Capital first letter.** With ``capitalize_first`` (the default), and always in
    the ``user`` namespace, the first character of the name is capitalised if it is
    a lowercase letter (Unicode category Ll) whose title-case differs from itself:
    it becomes its uppercase form when that is a single character (``é`` → ``É``,
    ``œ`` → ``Œ``), otherwise its title-case form when that is a single character
    (``ᾀ`` → ``ᾈ``); otherwise it is kept. So ``ß`` stays ``ß`` (not ``SS``), and
    ``ŉ``, ``ǰ``, ``ΐ``, ligatures ``ﬁ``/``ﬀ`` stay as they are, like MediaWiki.
    Non-letters with case forms, such as circled ``ⓝ``, are kept, and Georgian
    Mkhedruli (which has no capital at the start of a word) is not turned into
    Mtavruli. For a talk page the rule applies to the name of the subject page.
14. **Leading colon.** After the namespace has been removed, a name may not start
    with ``:`` (``Discussion::Foo``, ``Aide::Foo``, ``::Foo``): ``leading-colon``,
    as in MediaWiki. Only one leading colon is dropped by rule 6.

Where wikicoop differs from MediaWiki:

- ``#`` alone (a link to a section of the current page) is not a title here
  (``empty``): link renderers must handle ``[[#section]]`` before calling
  :func:`parse_title`.
- One talk namespace for every namespace (``Discussion:Aide:X`` rather than
  ``Discussion aide:X``), so ``Talk:File:Example.svg`` is accepted (``File`` is not a
  namespace here) and ``Discussion:Aide:X`` is valid.
- No ``Special:`` namespace (so no 512-byte limit) and no interwiki prefixes.
- IP addresses in the user namespace are not normalised (``Utilisateur:127.000.0.1``
  stays as typed; ``Utilisateur:::1`` is refused by rule 14).
- Tabs and line breaks count as spaces (MediaWiki refuses them); C1 controls are
  refused (MediaWiki allows them); forbidden characters are refused in the fragment.
- Dotted/dotless i follow the default Unicode mapping (``i`` → ``I``), as on
  non-Turkic MediaWiki sites.

This module is pure: no Flask or application import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from ..errors import ServiceError

__all__ = [
    "ERROR_CODES",
    "MAX_TITLE_BYTES",
    "NAMESPACES",
    "Namespace",
    "Title",
    "TitleError",
    "lookup_namespace",
    "make_title",
    "parse_title",
    "title_from_url",
]

#: Maximum length, in UTF-8 bytes, of :attr:`Title.name` (MediaWiki's limit).
MAX_TITLE_BYTES = 255

# --------------------------------------------------------------------------- errors

#: Every value :attr:`TitleError.code` can take (their sentences are in
#: :mod:`wikicoop.error_messages`, ``code`` or ``code:variant``).
ERROR_CODES = frozenset(
    {
        "empty",
        "forbidden-characters",
        "too-long",
        "relative",
        "magic-tilde",
        "invalid-utf8",
        "talk-namespace",
        "percent-escape",
        "html-entity",
        "leading-colon",
    }
)


class TitleError(ServiceError, ValueError):
    """A title that breaks one of the rules of this module (400).

    ``code`` is a stable identifier (see :data:`ERROR_CODES`), ``params`` the values its
    sentence needs (``char``, ``length``, ``limit``, ``escape``, ``entity``) and
    ``variant`` the case of a code with several sentences (``forbidden-characters`` on
    a ``char``, a ``control`` character or a ``fragment``; ``too-long`` on a ``talk``
    page). ``str(err)`` is the French sentence; the web layer says it in the reader's
    language.
    """

    def __init__(self, code: str, *, variant: str | None = None, **params: Any) -> None:
        if variant is not None:
            params["variant"] = variant
        super().__init__(code, status=400, **params)
        self.args = (self.message,)


# ----------------------------------------------------------------------- namespaces


@dataclass(frozen=True)
class Namespace:
    """A namespace: its key (stored in the database), French prefix and aliases."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()


NAMESPACES: dict[str, Namespace] = {
    ns.key: ns
    for ns in (
        Namespace("main", ""),
        Namespace("help", "Aide", ("Help",)),
        Namespace("user", "Utilisateur", ("User",)),
        Namespace("category", "Catégorie", ("Category", "Categorie")),
        Namespace("portal", "Portail", ("Portal",)),
        # uploaded files (their binaries belong to a plugin: mettre_en_communs)
        Namespace("file", "Fichier", ("File", "Image")),
        Namespace("talk", "Discussion", ("Talk",)),
    )
}

# namespaces whose names are capitalised even with capitalize_first=False
_ALWAYS_CAPITALISED = frozenset({"user"})


def fold_key(text: str) -> str:
    """Case-, accent- and space-insensitive key: "CATÉGORIE" and " categorie" give the same.

    Used to recognise namespace prefixes and to match a typed query with a title.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("_", " "))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


_PREFIXES: dict[str, str] = {}
for _ns in NAMESPACES.values():
    if _ns.key != "main":
        for _prefix in (_ns.name, *_ns.aliases):
            _PREFIXES[fold_key(_prefix)] = _ns.key


def lookup_namespace(prefix: str) -> Namespace | None:
    """The namespace named ``prefix`` (any case, with or without accents), or None.

    The main namespace has no prefix, so ``lookup_namespace("")`` is None.
    """
    key = _PREFIXES.get(fold_key(prefix.replace("_", " ")))
    return NAMESPACES[key] if key else None


# -------------------------------------------------------------------- normalisation

_BIDI_RE = re.compile("[\u200e\u200f\u202a-\u202e]")
_SPACES_RE = re.compile(
    "[_\t\n\x0b\x0c\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
_FORBIDDEN = frozenset("[]{}<>|")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_FORBIDDEN_RE = re.compile("[][{}<>|\x00-\x1f\x7f-\x9f]")
_PERCENT_RE = re.compile("%[0-9A-Fa-f]{2}")
# an entity's name: ASCII letters and digits, or any character beyond ASCII (written as
# the ASCII it excludes: the range up to U+10FFFF took 1.6 ms of every start to compile)
_ENTITY_RE = re.compile("&[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+;")
# kept readable in URL paths, besides ASCII letters, digits and "_.-~" (always kept)
_URL_SAFE = ":/!$&'()*+,;=@"


def _decode(raw: str | bytes) -> str:
    if isinstance(raw, bytes | bytearray | memoryview):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise TitleError("invalid-utf8") from None
    elif isinstance(raw, str):
        text = raw
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            raise TitleError("invalid-utf8") from None
    else:
        raise TypeError(f"a title must be str or bytes, not {type(raw).__name__}")
    if "\ufffd" in text:
        raise TitleError("invalid-utf8")
    return text


def _clean(text: str) -> str:
    """Rules 2 to 4: direction marks out, NFC, spaces collapsed and stripped."""
    text = unicodedata.normalize("NFC", _BIDI_RE.sub("", text))
    return _SPACES_RE.sub(" ", text).strip(" ")


def _forbidden_error(char: str) -> TitleError:
    if _CONTROL_RE.fullmatch(char):
        return TitleError("forbidden-characters", variant="control", char=f"U+{ord(char):04X}")
    return TitleError("forbidden-characters", variant="char", char=char)


def _capitalise(name: str) -> str:
    """Rule 13: capital first letter, keeping letters with no one-character capital."""
    first = name[0]
    if unicodedata.category(first) != "Ll":
        return name
    title = first.title()
    if title == first:  # no capital at the start of a word (Georgian Mkhedruli)
        return name
    upper = first.upper()
    if len(upper) == 1:
        return upper + name[1:]
    if len(title) == 1:  # ᾀ -> ᾈ (its upper case ἈΙ has two characters)
        return title + name[1:]
    return name  # ß, ŉ, ǰ, ﬁ…: keep


def _is_relative(name: str) -> bool:
    return "." in name and (
        name in (".", "..")
        or name.startswith(("./", "../"))
        or "/./" in name
        or "/../" in name
        or name.endswith(("/.", "/.."))
    )


def _check_length(name: str, *, talk: bool = False) -> None:
    length = len(name.encode("utf-8"))
    if length > MAX_TITLE_BYTES:
        raise TitleError(
            "too-long", variant="talk" if talk else None, length=length, limit=MAX_TITLE_BYTES
        )


def _finish_name(name: str, namespace: str, capitalize_first: bool) -> str:
    """Rules 8 to 11, 13 and 14 on a name whose namespace has been removed."""
    if not name:
        raise TitleError("empty")
    if name[0] == ":":
        raise TitleError("leading-colon")
    match = _FORBIDDEN_RE.search(name)
    if match:
        raise _forbidden_error(match.group())
    match = _PERCENT_RE.search(name)
    if match:
        raise TitleError("percent-escape", escape=match.group())
    match = _ENTITY_RE.search(name)
    if match:
        raise TitleError("html-entity", entity=match.group())
    if _is_relative(name):
        raise TitleError("relative")
    if "~~~" in name:
        raise TitleError("magic-tilde")
    if capitalize_first or namespace in _ALWAYS_CAPITALISED:
        name = unicodedata.normalize("NFC", _capitalise(name))
    return name


def _split_prefix(text: str) -> tuple[str | None, str]:
    """(namespace key, rest) when ``text`` starts with a known prefix, else (None, text)."""
    prefix, colon, rest = text.partition(":")
    if colon and prefix:
        key = _PREFIXES.get(fold_key(prefix))
        if key is not None:
            return key, rest.lstrip(" ")
    return None, text


def _talk_name(subject: str, capitalize_first: bool) -> str:
    """Rule 7: the name of a talk page is the normalised full title of its subject."""
    key, rest = _split_prefix(subject)
    if key == "talk":
        raise TitleError("talk-namespace")
    if key is None:
        name = _finish_name(subject, "main", capitalize_first)
    else:
        name = f"{NAMESPACES[key].name}:{_finish_name(rest, key, capitalize_first)}"
    _check_length(name, talk=key is not None)
    return name


# --------------------------------------------------------------------------- titles


@dataclass(frozen=True, order=True)
class Title:
    """A normalised page title; equality, hashing and ordering use ``(namespace, name)``."""

    namespace: str
    name: str
    fragment: str = field(default="", compare=False)

    @property
    def full(self) -> str:
        """Display form: ``Aide:Écrire``, ``Écrit public`` (no prefix in main)."""
        if self.namespace == "main":
            return self.name
        return f"{NAMESPACES[self.namespace].name}:{self.name}"

    @property
    def dbkey(self) -> str:
        """:attr:`full` with underscores instead of spaces: ``Aide:Écrit_public``."""
        return self.full.replace(" ", "_")

    @property
    def url_path(self) -> str:
        """:attr:`dbkey` percent-encoded for a URL path: ``Aide:%C3%89crire``.

        ASCII letters and digits and ``_.-~:/!$&'()*+,;=@`` stay readable; everything
        else (non-ASCII, ``?``, ``#``, ``%``, ``"``…) is encoded as UTF-8 bytes.
        """
        return quote(self.dbkey, safe=_URL_SAFE)

    @property
    def key(self) -> tuple[str, str]:
        """``(namespace, name)``: what the database and the link tables store."""
        return (self.namespace, self.name)

    @property
    def is_talk(self) -> bool:
        return self.namespace == "talk"

    def talk_page(self) -> Title:
        """The talk page, ``Discussion:<full>`` (without the fragment).

        Raises :class:`TitleError` ``talk-namespace`` on a talk page, and ``too-long``
        when ``<prefix>:<name>`` exceeds :data:`MAX_TITLE_BYTES` (rule 12).
        """
        if self.namespace == "talk":
            raise TitleError("talk-namespace")
        full = self.full
        _check_length(full, talk=self.namespace != "main")
        return Title("talk", full)

    def subject_page(self) -> Title:
        """The page a talk page is about (without the fragment); ``self`` otherwise."""
        if self.namespace != "talk":
            return self
        key, rest = _split_prefix(self.name)
        if key is None or key == "talk":
            return Title("main", self.name)
        return Title(key, rest)

    def with_fragment(self, fragment: str) -> Title:
        """The same title with another fragment (``""`` for none)."""
        return Title(self.namespace, self.name, fragment)

    def __str__(self) -> str:
        return self.full


def parse_title(
    raw: str | bytes,
    *,
    default_namespace: str = "main",
    capitalize_first: bool = True,
    allow_fragment: bool = True,
) -> Title:
    """Parse and normalise a title typed by someone, following the module's rules.

    ``default_namespace`` is the namespace of a title without a known prefix (for
    instance ``"user"`` for a user name, ``"category"`` for a category field); a
    leading ``:`` forces the main namespace. Raises :class:`TitleError`, and
    ``ValueError`` for an unknown ``default_namespace``.
    """
    if default_namespace not in NAMESPACES:
        raise ValueError(f"unknown namespace key: {default_namespace!r}")
    text = _clean(_decode(raw))

    text, hash_sign, fragment = text.partition("#")
    if hash_sign:
        if not allow_fragment:
            raise TitleError("forbidden-characters", variant="fragment", char="#")
        text = text.rstrip(" ")
        fragment = fragment.strip(" ")
        match = _FORBIDDEN_RE.search(fragment)
        if match:
            raise _forbidden_error(match.group())

    namespace = default_namespace
    if text.startswith(":"):
        namespace = "main"
        text = text[1:].lstrip(" ")
    key, text = _split_prefix(text)
    if key is not None:
        namespace = key

    if namespace == "talk":
        name = _talk_name(text, capitalize_first)
    else:
        name = _finish_name(text, namespace, capitalize_first)
        _check_length(name)
    return Title(namespace, name, fragment)


def title_from_url(path_segment: str, **kw: Any) -> Title:
    """Parse a raw URL path: percent-decoding once (UTF-8), then :func:`parse_title`.

    Werkzeug already decodes ``/wiki/<path:title>``: pass that value to
    :func:`parse_title` directly. This function is for raw strings, such as
    :attr:`Title.url_path` or a path read from a log. ``+`` stays ``+``.
    """
    try:
        data = unquote_to_bytes(path_segment)
    except UnicodeEncodeError:  # lone surrogates in a str
        raise TitleError("invalid-utf8") from None
    return parse_title(data, **kw)


def make_title(namespace: str, name: str) -> Title:
    """A title from trusted, already normalised values (the database): no validation.

    Only the namespace key is checked (``ValueError`` when unknown).
    """
    if namespace not in NAMESPACES:
        raise ValueError(f"unknown namespace key: {namespace!r}")
    return Title(namespace, name)
