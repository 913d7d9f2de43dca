"""Building and checking the wiki's URLs: a page's address and its actions, the language
selector's links, and the one check of every redirect to a place the visitor gave.

No view is imported here: views, templates (through the context) and plugins all use it.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from flask import request, url_for

from ..text.titles import Title


def page_url(title: Title, action: str | None = None, **params: Any) -> str:
    """URL of a page, or of one of its actions (``?action=edit``, ``history``, ...)."""
    url = "/wiki/" + title.url_path
    query = {"action": action} if action else {}
    query.update({k: v for k, v in params.items() if v is not None})
    return f"{url}?{urlencode(query)}" if query else url


def _unsafe_char(char: str) -> bool:
    r"""Control, format, separator characters and backslashes: browsers drop or reinterpret
    them (``/\t/x`` is followed as ``//x``, ``/\\x`` as ``//x``)."""
    return char == "\\" or unicodedata.category(char)[0] in "CZ"


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path of this site, else ``default``: the one check of every
    redirect to a place the visitor gave (``next`` fields and parameters).

    Refused: anything not starting with one ``/``; any control character, space or
    backslash; and, since a proxy or a browser may decode it, a target whose decoded
    form (``/%2F/x``, ``/%09/x``, ``/%252F/x``) starts with two slashes, a backslash or
    a space, or holds a control character.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 4000:
        return default
    if any(_unsafe_char(c) for c in target):
        return default
    decoded = target
    for _ in range(3):  # "/%252F/" is "/%2F/" once decoded, then "//"
        decoded, previous = unquote(decoded), decoded
        if decoded[1:2] and (decoded[1] == "/" or _unsafe_char(decoded[1])):
            return default
        if any(unicodedata.category(c) == "Cc" for c in decoded):
            return default
        if decoded == previous:
            break
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default


def _here_without_lang() -> str:
    """The current path and query, minus ``lang=`` (which would beat the chosen one)."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + (f"?{urlencode(query)}" if query else "")


def language_url(code: str) -> str:
    """The selector's link to switch to ``code``, coming back to this page."""
    back = _here_without_lang() if request.method == "GET" else request.path
    return url_for("misc.set_language", code=code, next=back)
