"""Checks that a whole HTML page carries no live markup that a payload could have added."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

DANGEROUS_TAGS = {
    "iframe", "object", "embed", "svg", "math", "base", "frame", "frameset", "applet",
    "style", "template", "portal", "audio", "video", "source", "track",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset", "data"}
#: an RFC 3986 scheme: what a browser would act on; anything else is a relative URL
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
SAFE_SCHEMES = {"http", "https", "mailto"}
#: <link rel> values the page chrome uses
LINK_RELS = {"stylesheet", "icon", "license", "canonical", "alternate", "prev", "next"}
META_NAMES = {"viewport", "robots"}


class PageChecker(HTMLParser):
    """Collects every reason a page is not inert."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_type: str | None = None
        self._script_body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            self._script_type = values.get("type", "")
            if self._script_type != "application/ld+json" or "src" in values:
                self.problems.append(f"executable <script {values}>")
        if tag == "link" and not set(values.get("rel", "").split()) <= LINK_RELS:
            self.problems.append(f"<link rel={values.get('rel')!r}>")
        unknown_meta = "http-equiv" in values or values.get("name", "") not in META_NAMES
        if tag == "meta" and unknown_meta and "charset" not in values:
            self.problems.append(f"<meta {values}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES:
                cleaned = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value))
                scheme = SCHEME.match(cleaned)
                if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                    self.problems.append(f"unsafe URL {value!r} in {name} of <{tag}>")

    def handle_data(self, data: str) -> None:
        if self._script_type is not None:
            self._script_body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_type is not None:
            try:
                json.loads("".join(self._script_body))
            except ValueError:
                self.problems.append("JSON-LD block broken out of")
            self._script_type, self._script_body = None, []


def page_problems(document: str) -> list[str]:
    """Every live-markup problem found in ``document`` (empty when inert)."""
    checker = PageChecker()
    checker.feed(document)
    checker.close()
    return checker.problems
