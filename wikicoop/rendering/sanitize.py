"""The HTML sanitizer: the only place in wikicoop that calls nh3.

Why nh3 (ammonia, in Rust) and not bleach: bleach 6.4.0 is its final release and is no
longer maintained (mozilla/bleach#698); a public wiki cannot rest on a sanitizer without
security fixes. nh3 is also ~20x faster on a rendered page.

The allowlist is explicit and closed. Beyond tags and attributes, an ``attribute_filter``
checks values: ``class`` only from :data:`ALLOWED_CLASSES` (plus ``language-<ident>``),
``id`` only with the prefixes the renderer makes (:data:`ID_PREFIXES`, against DOM
clobbering), ``style`` only ``text-align`` on table cells, ``rel`` only known tokens, and
href/src only http, https, mailto or relative. ``<input>`` is never allowed.

:func:`sanitize_html` is the last step of rendering: nothing may modify the HTML after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import nh3

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_CLASSES",
    "ALLOWED_REL",
    "ALLOWED_TAGS",
    "FORBIDDEN_TAGS",
    "ID_PREFIXES",
    "URL_SCHEMES",
    "check_extra_allowlist",
    "sanitize_html",
]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "img",
        "sup",
        "sub",
        "span",
        "div",
        "section",
        "nav",
        "dl",
        "dt",
        "dd",
        "details",
        "summary",
        "kbd",
        "mark",
        "abbr",
        "figure",
        "figcaption",
        "caption",
    }
)

#: Attributes per tag; ``"*"`` applies to every allowed tag. Values are checked too.
ALLOWED_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "*": frozenset({"class", "id"}),
    "a": frozenset({"href", "title", "rel"}),
    "img": frozenset({"src", "alt", "title", "loading", "width", "height"}),
    "th": frozenset({"align", "style"}),
    "td": frozenset({"align", "style"}),
    "ol": frozenset({"start"}),
    "abbr": frozenset({"title"}),
    "span": frozenset({"title", "aria-hidden"}),
}

#: The closed set of classes (``language-<ident>`` is also allowed, for code blocks).
ALLOWED_CLASSES: frozenset[str] = frozenset(
    {
        "wikilink",
        "new",
        "external",
        "interwiki",
        "wikilink-invalid",
        "task-list-item",
        "task-box",
        "visually-hidden",
        "footnotes",
        "footnote-ref",
        "footnote-item",
        "footnote-backref",
        "toc",
    }
)

#: ``id`` values must start with one of these (headings, footnotes, footnote references).
ID_PREFIXES: tuple[str, ...] = ("h-", "fn-", "fnref-")

ALLOWED_REL: frozenset[str] = frozenset({"nofollow", "ugc", "noopener", "noreferrer", "footnote"})

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

#: Tags an ``extra_allowlist`` may never add (scripting, embedding, forms, document-level).
FORBIDDEN_TAGS: frozenset[str] = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "param",
        "input",
        "form",
        "button",
        "textarea",
        "select",
        "option",
        "base",
        "meta",
        "link",
        "svg",
        "math",
        "template",
        "noscript",
        "noembed",
        "noframes",
        "xmp",
        "plaintext",
        "title",
        "portal",
        "html",
        "head",
        "body",
    }
)

#: Attributes an ``extra_allowlist`` may never add (besides every ``on*`` handler).
FORBIDDEN_ATTRIBUTES: frozenset[str] = frozenset(
    {"style", "srcdoc", "formaction", "action", "xlink:href", "http-equiv", "srcset", "ping"}
)

_EXTRA_KEYS = frozenset({"tags", "attributes", "classes", "id_prefixes"})
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_CLASS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_LANGUAGE_CLASS_RE = re.compile(r"^language-[A-Za-z0-9][A-Za-z0-9_+-]{0,40}$")
_ID_BODY_RE = re.compile(r"^[A-Za-z0-9_-]{1,120}$")
_TEXT_ALIGN_RE = re.compile(r"^\s*text-align\s*:\s*(left|right|center|justify)\s*;?\s*$", re.I)
_ALIGN_VALUES = frozenset({"left", "right", "center", "justify"})
_DIGITS_RE = re.compile(r"^\d{1,5}$")
_START_RE = re.compile(r"^-?\d{1,9}$")
_CONTROL_AND_SPACE_RE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

AttributeFilter = Callable[[str, str, str], "str | None"]


def _url_is_allowed(value: str) -> bool:
    """Belt and braces over nh3's own scheme check: reject any other scheme, even hidden."""
    compact = _CONTROL_AND_SPACE_RE.sub("", value)
    match = _SCHEME_RE.match(compact)
    if match is None:
        return ":" not in compact.split("/", 1)[0] or compact.startswith(("/", "#", "?"))
    return match.group(1).lower() in URL_SCHEMES


def _make_attribute_filter(
    classes: frozenset[str], id_prefixes: tuple[str, ...]
) -> AttributeFilter:
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        # Must never raise: nh3 would report it through sys.unraisablehook.
        if attr == "class":
            kept = [
                token
                for token in value.split()
                if token in classes or _LANGUAGE_CLASS_RE.match(token)
            ]
            return " ".join(dict.fromkeys(kept)) or None
        if attr == "id":
            for prefix in id_prefixes:
                if value.startswith(prefix) and _ID_BODY_RE.match(value[len(prefix) :]):
                    return value
            return None
        if attr == "style":
            match = _TEXT_ALIGN_RE.match(value)
            return "text-align: " + match.group(1).lower() if match else None
        if attr == "align":
            lowered = value.strip().lower()
            return lowered if lowered in _ALIGN_VALUES else None
        if attr == "rel":
            tokens = [token for token in value.lower().split() if token in ALLOWED_REL]
            return " ".join(dict.fromkeys(tokens)) or None
        if attr in ("href", "src"):
            return value if _url_is_allowed(value) else None
        if attr == "loading":
            lowered = value.strip().lower()
            return lowered if lowered in ("lazy", "eager") else None
        if attr in ("width", "height"):
            stripped = value.strip()
            return stripped if _DIGITS_RE.match(stripped) else None
        if attr == "start":
            stripped = value.strip()
            return stripped if _START_RE.match(stripped) else None
        if attr == "aria-hidden":
            lowered = value.strip().lower()
            return lowered if lowered in ("true", "false") else None
        return value

    return attribute_filter


def _as_names(value: Any, what: str) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"extra_allowlist[{what!r}] must be a collection of strings")
    names = frozenset(value)
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"extra_allowlist[{what!r}] must contain strings, not {name!r}")
    return names


def check_extra_allowlist(extra_allowlist: Mapping[str, Any] | None) -> tuple[Any, ...]:
    """Validate an ``extra_allowlist`` and return it as a hashable, normalised key.

    The dict shape (every key optional)::

        {
            "tags": {"video", "source"},                 # extra tag names
            "attributes": {"video": {"controls", "src"},  # extra attributes per tag,
                           "*": {"data-plugin"}},         # "*" = on every tag
            "classes": {"map-widget"},                    # extra class names (any tag)
            "id_prefixes": {"map-"},                      # extra id prefixes
        }

    Extra ``href``/``src`` values still go through the URL scheme check. Tags of
    :data:`FORBIDDEN_TAGS`, ``on*`` attributes and :data:`FORBIDDEN_ATTRIBUTES` are
    refused.

    :raises ValueError: unknown key, bad name, or a forbidden tag or attribute.
    """
    if not extra_allowlist:
        return ((), (), (), ())
    unknown = set(extra_allowlist) - _EXTRA_KEYS
    if unknown:
        raise ValueError(f"unknown extra_allowlist keys: {sorted(unknown)}")
    tags = _as_names(extra_allowlist.get("tags", ()), "tags")
    for tag in tags:
        if not _NAME_RE.match(tag) or tag in FORBIDDEN_TAGS:
            raise ValueError(f"tag not allowed in extra_allowlist: {tag!r}")
    attributes_in = extra_allowlist.get("attributes", {})
    if not isinstance(attributes_in, Mapping):
        raise ValueError("extra_allowlist['attributes'] must map tag names to attribute names")
    attributes: list[tuple[str, tuple[str, ...]]] = []
    for tag, names in attributes_in.items():
        if tag != "*" and (not isinstance(tag, str) or not _NAME_RE.match(tag)):
            raise ValueError(f"bad tag name in extra_allowlist['attributes']: {tag!r}")
        checked = _as_names(names, "attributes")
        for name in checked:
            if (
                not re.match(r"^[a-z][a-z0-9-]*$", name)
                or name.startswith("on")
                or name in FORBIDDEN_ATTRIBUTES
            ):
                raise ValueError(f"attribute not allowed in extra_allowlist: {name!r}")
        attributes.append((tag, tuple(sorted(checked))))
    classes = _as_names(extra_allowlist.get("classes", ()), "classes")
    for name in classes:
        if not _CLASS_RE.match(name):
            raise ValueError(f"bad class name in extra_allowlist: {name!r}")
    id_prefixes = _as_names(extra_allowlist.get("id_prefixes", ()), "id_prefixes")
    for prefix in id_prefixes:
        if not re.match(r"^[a-z][a-z0-9]*-$", prefix):
            raise ValueError(f"id prefixes look like 'name-': {prefix!r}")
    return (
        tuple(sorted(tags)),
        tuple(sorted(attributes)),
        tuple(sorted(classes)),
        tuple(sorted(id_prefixes)),
    )


@lru_cache(maxsize=32)
def _cleaner(key: tuple[Any, ...]) -> nh3.Cleaner:
    extra_tags, extra_attributes, extra_classes, extra_prefixes = key
    tags = set(ALLOWED_TAGS) | set(extra_tags)
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    for tag, names in extra_attributes:
        attributes.setdefault(tag, set()).update(names)
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes=attributes,
        attribute_filter=_make_attribute_filter(
            ALLOWED_CLASSES | frozenset(extra_classes), ID_PREFIXES + tuple(extra_prefixes)
        ),
        strip_comments=True,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        filter_style_properties={"text-align"},
    )


def sanitize_html(html: str, *, extra_allowlist: Mapping[str, Any] | None = None) -> str:
    """Clean HTML with the wiki's allowlist (plus ``extra_allowlist``, see
    :func:`check_extra_allowlist` for its shape). The result is final: do not post-process it.

    :param html: HTML from the Markdown renderer (or anything else).
    :param extra_allowlist: additions from plugins (the ``sanitizer_allowlist`` hook).
    :returns: sanitized HTML; ``sanitize_html(sanitize_html(x)) == sanitize_html(x)``.
    :raises ValueError: if ``extra_allowlist`` is malformed or asks for something forbidden.
    """
    return _cleaner(check_extra_allowlist(extra_allowlist)).clean(html)
