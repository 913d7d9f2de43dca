"""Every XSS payload of ../shared/testdata/xss-vectors/ must come out inert.

"Inert" is checked on the parsed output (Python's ``html.parser``) and on the raw string:
only allowlisted elements, no ``on*`` attribute, no href/src with a scheme other than
http/https/mailto (after decoding entities and removing whitespace and control
characters), no style other than ``text-align``, ids and classes only from the renderer's
closed sets. The payloads go through every place user text reaches: page text, wiki-link
labels and targets, Markdown link text and URL, image alt and src, and ``sanitize_html``
directly; ``sanitize_html`` must also be idempotent on its own output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wikicoop.rendering import Renderer, sanitize_html
from wikicoop.rendering.sanitize import ALLOWED_CLASSES, ALLOWED_TAGS, ID_PREFIXES

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PAYLOADS_FILE = SHARED / "testdata" / "xss-vectors" / "all-payloads.json"

pytestmark = [
    pytest.mark.any_database,  # the renderer alone: the SQLite run covers it
    pytest.mark.skipif(
        not PAYLOADS_FILE.is_file(),
        reason=f"XSS test data not found: {PAYLOADS_FILE} (the ../shared folder is absent)",
    ),
]

DANGEROUS_TAGS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "base",
        "meta",
        "link",
        "template",
        "noscript",
        "xmp",
        "plaintext",
        "noembed",
        "isindex",
        "portal",
    }
)
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_LANGUAGE_CLASS = re.compile(r"^language-[A-Za-z0-9][A-Za-z0-9_+-]*$")
_TEXT_ALIGN = re.compile(r"^\s*text-align\s*:\s*(left|right|center|justify)\s*;?\s*$")
_RAW_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9:-]*)")


def url_problem(value: str) -> str | None:
    """Why this href/src value is not inert, or None. ``value`` is entity-decoded already."""
    compact = _CONTROL_AND_SPACE.sub("", value).lower()
    match = _SCHEME.match(compact)
    if match and match.group(1) not in SAFE_SCHEMES:
        return f"scheme {match.group(1)!r}"
    return None


class InertChecker(HTMLParser):
    """Collects the reasons why an HTML fragment is not inert."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> element")
        elif tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}> element outside the allowlist")
        for name, raw_value in attrs:
            value = raw_value or ""
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            elif name in URL_ATTRIBUTES:
                reason = url_problem(value)
                if reason:
                    self.problems.append(f"{name}={value!r} on <{tag}>: {reason}")
            elif name == "style":
                if tag not in ("th", "td") or not _TEXT_ALIGN.match(value):
                    self.problems.append(f"style={value!r} on <{tag}>")
            elif name == "id":
                if not value.startswith(ID_PREFIXES):
                    self.problems.append(f"id={value!r} on <{tag}>")
            elif name == "class":
                bad = [
                    token
                    for token in value.split()
                    if token not in ALLOWED_CLASSES and not _LANGUAGE_CLASS.match(token)
                ]
                if bad:
                    self.problems.append(f"class {bad!r} on <{tag}>")
            elif name in ("srcdoc", "srcset", "formaction", "http-equiv", "xmlns"):
                self.problems.append(f"{name}= on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append("HTML comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration <!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"unknown declaration {data!r}")


def inert_problems(html: str) -> list[str]:
    """Every reason why ``html`` is not inert (empty list: inert)."""
    checker = InertChecker()
    try:
        checker.feed(html)
        checker.close()
    except AssertionError as error:  # html.parser gives up on some malformed markup
        checker.problems.append(f"unparseable markup: {error}")
    problems = checker.problems
    # Independent of any parser: every "<" that starts a tag names an allowed element.
    for match in _RAW_TAG.finditer(html):
        tag = match.group(2).lower()
        if tag not in ALLOWED_TAGS:
            problems.append(f"raw tag text <{match.group(1)}{tag}")
    return problems


def load_payloads() -> list[dict[str, str]]:
    if not PAYLOADS_FILE.is_file():
        return []
    return json.loads(PAYLOADS_FILE.read_text(encoding="utf-8"))


PAYLOADS = load_payloads()


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _assert_all_inert(outputs: Callable[[str], str]) -> None:
    failures = []
    for item in PAYLOADS:
        html = outputs(item["payload"])
        problems = inert_problems(html)
        if problems:
            failures.append(f"{item['source']}: {problems[:3]} in {html[:300]!r}")
        if sanitize_html(html) != html:
            failures.append(f"{item['source']}: sanitize_html is not idempotent on {html[:300]!r}")
    assert not failures, f"{len(failures)} payloads not inert:\n" + "\n".join(failures[:30])


def test_payload_file_is_complete() -> None:
    assert len(PAYLOADS) == 1245
    assert len({item["payload"] for item in PAYLOADS}) == 1245


def test_checker_detects_live_markup() -> None:
    """The checker itself must be able to fail."""
    assert inert_problems('<p><img src="x" onerror="alert(1)"></p>')
    assert inert_problems('<a href=" jav&#x09;ascript:alert(1)">x</a>')
    assert inert_problems('<a href="&#106;avascript:alert(1)">x</a>')
    assert inert_problems("<script>alert(1)</script>")
    assert inert_problems('<svg><a xlink:href="javascript:alert(1)">x</a></svg>')
    assert inert_problems('<p style="background:url(javascript:x)">x</p>')
    assert inert_problems('<p id="login">x</p>')
    assert inert_problems('<p class="btn-danger">x</p>')
    assert inert_problems('<td style="text-align:left;position:fixed">x</td>')
    assert inert_problems("<!-- x -->")
    # Most raw payloads are live HTML: the checker must see that.
    flagged = sum(1 for item in PAYLOADS if inert_problems(item["payload"]))
    assert flagged > 900, flagged
    assert not inert_problems(
        '<p><a class="wikilink new" href="/wiki/X?action=edit">x</a>'
        '<a href="https://e.org" class="external" rel="nofollow ugc noopener">e</a>'
        '<img src="https://e.org/i.png" alt="&lt;script&gt;" loading="lazy">'
        '<td style="text-align:center">c</td> &lt;script&gt;alert(1)&lt;/script&gt;</p>'
    )


def test_sanitize_html_on_raw_payloads() -> None:
    _assert_all_inert(sanitize_html)


def test_page_text(renderer: Renderer) -> None:
    _assert_all_inert(lambda payload: renderer.render(payload).html)


def test_page_text_with_missing_links(renderer: Renderer) -> None:
    """Red links (title attribute, ?action=edit) with payload text around them."""
    _assert_all_inert(
        lambda payload: (
            renderer.render(f"[[Page]] {payload} [[Autre page]]", existing=lambda keys: set()).html
        )
    )


def test_wiki_link_label(renderer: Renderer) -> None:
    _assert_all_inert(lambda payload: renderer.render(f"[[Page|{payload}]]").html)


def test_wiki_link_target(renderer: Renderer) -> None:
    _assert_all_inert(lambda payload: renderer.render(f"[[{payload}]]").html)


def test_wiki_link_target_and_fragment(renderer: Renderer) -> None:
    _assert_all_inert(lambda payload: renderer.render(f"[[Page#{payload}]] [[#{payload}]]").html)


def test_markdown_link_text(renderer: Renderer) -> None:
    _assert_all_inert(lambda payload: renderer.render(f"[{payload}](https://example.org/)").html)


def test_markdown_link_url(renderer: Renderer) -> None:
    _assert_all_inert(lambda payload: renderer.render(f"[x]({payload})").html)


def test_markdown_link_reference_url(renderer: Renderer) -> None:
    _assert_all_inert(lambda payload: renderer.render(f"[x][r]\n\n[r]: {payload}\n").html)


def test_image_alt(renderer: Renderer) -> None:
    _assert_all_inert(
        lambda payload: renderer.render(f"![{payload}](https://example.org/i.png)").html
    )


def test_image_src(renderer: Renderer) -> None:
    _assert_all_inert(lambda payload: renderer.render(f"![x]({payload})").html)


def test_heading_and_table_cell(renderer: Renderer) -> None:
    _assert_all_inert(
        lambda payload: (
            renderer.render(
                f"## {payload}\n\n| a | b |\n|:-:|---|\n| {payload} | [[P|{payload}]] |\n"
            ).html
        )
    )


def test_extra_allowlist_cannot_open_script() -> None:
    for extra in (
        {"tags": {"script"}},
        {"tags": {"iframe"}},
        {"tags": {"input"}},
        {"attributes": {"a": {"onclick"}}},
        {"attributes": {"*": {"style"}}},
        {"classes": {"bad class"}},
        {"colour": {"x"}},
    ):
        with pytest.raises(ValueError):
            sanitize_html("<p>x</p>", extra_allowlist=extra)
        with pytest.raises(ValueError):
            Renderer(extra_allowlist=extra)


def test_extra_allowlist_adds_tags_attributes_and_classes() -> None:
    html = '<video controls src="https://e.org/v.webm" class="player x" id="map-1"></video>'
    assert sanitize_html(html) == ""
    extra = {
        "tags": {"video"},
        "attributes": {"video": {"controls", "src"}},
        "classes": {"player"},
        "id_prefixes": {"map-"},
    }
    cleaned = sanitize_html(html, extra_allowlist=extra)
    assert 'class="player"' in cleaned
    assert 'id="map-1"' in cleaned
    assert "controls" in cleaned
    assert 'src="https://e.org/v.webm"' in cleaned
    evil = '<video src="javascript:alert(1)" onplay="alert(1)"></video>'
    assert "javascript" not in sanitize_html(evil, extra_allowlist=extra)
    assert "onplay" not in sanitize_html(evil, extra_allowlist=extra)
