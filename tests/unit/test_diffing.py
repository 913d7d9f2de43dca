"""Tests for wikicoop.diffing: line diff, word refinement, hunks and safe HTML."""

from __future__ import annotations

import html
import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wikicoop.text.diff_engine import word_diff
from wikicoop.text.diffing import DiffLine, TextDiff, diff_texts

pytestmark = pytest.mark.any_database

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
XSS_PAYLOADS = SHARED / "testdata" / "xss-vectors" / "all-payloads.json"

ALLOWED_TAGS = {
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "ins",
    "span",
    "colgroup",
    "col",
}

_TAG_RE = re.compile(r"<[^>]*>")


def _plain(fragment: str) -> str:
    """The text of a row cell: our tags removed, entities decoded."""
    return html.unescape(_TAG_RE.sub("", fragment))


def _rebuild(diff: TextDiff) -> tuple[str, str]:
    """Rebuild both texts from the rows, to check that the rows describe them exactly."""
    old = [_plain(line.old_html) for line in diff.lines if line.old_no is not None]
    new = [_plain(line.new_html) for line in diff.lines if line.new_no is not None]
    return "\n".join(old), "\n".join(new)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _value in attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _TagCollector:
    parser = _TagCollector()
    parser.feed(markup)
    parser.close()
    return parser


# --- rows and counts -------------------------------------------------------------------------


def test_identical_texts() -> None:
    diff = diff_texts("un\ndeux\n", "un\ndeux\n")
    assert diff.identical
    assert (diff.added, diff.removed, diff.added_chars, diff.removed_chars) == (0, 0, 0, 0)
    assert diff.hunks() == []
    assert [line.kind for line in diff.lines] == ["equal", "equal", "equal"]
    assert "Aucune différence." in diff.inline_html()
    assert "Aucune différence." in diff.side_by_side_html()


def test_empty_texts() -> None:
    diff = diff_texts("", "")
    assert diff.identical
    assert diff.lines == ()
    created = diff_texts("", "Bonjour")
    assert created.lines == (DiffLine("insert", None, 1, "", "Bonjour"),)
    assert (created.added, created.removed, created.added_chars) == (1, 0, 7)


def test_changed_word_is_a_replace_row_with_word_markup() -> None:
    diff = diff_texts("Le chat dort au soleil.\n", "Le chat dort à l'ombre.\n")
    first = diff.lines[0]
    assert first.kind == "replace"
    assert (first.old_no, first.new_no) == (1, 1)
    assert first.old_html.startswith("Le chat dort ")
    assert '<del class="diff-word">' in first.old_html
    assert '<ins class="diff-word">' in first.new_html
    assert "<ins" not in first.old_html and "<del" not in first.new_html
    assert "l&#x27;ombre" in _TAG_RE.sub("", first.new_html)
    assert (diff.added, diff.removed) == (1, 1)
    assert not diff.identical


def test_small_change_inside_a_word_marks_the_whole_word() -> None:
    diff = diff_texts("les chat noirs", "les chats noirs")
    assert diff.lines[0].new_html == 'les <ins class="diff-word">chats</ins> noirs'
    assert diff.lines[0].old_html == 'les <del class="diff-word">chat</del> noirs'
    assert (diff.added_chars, diff.removed_chars) == (5, 4)


def test_separate_changes_inside_one_word_mark_it_once() -> None:
    line = diff_texts("La bibliothèque ouvre.", "La Bibliothéque ouvre.").lines[0]
    assert line.old_html == 'La <del class="diff-word">bibliothèque</del> ouvre.'
    assert line.new_html == 'La <ins class="diff-word">Bibliothéque</ins> ouvre.'


def test_changes_inside_long_tokens_keep_letter_precision() -> None:
    old = "clé a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6 fin"
    new = "clé a1b2c3d4e5f6g7h8i9X0k1l2m3n4o5p6 fin"
    line = diff_texts(old, new).lines[0]
    assert line.old_html == 'clé a1b2c3d4e5f6g7h8i9<del class="diff-word">j</del>0k1l2m3n4o5p6 fin'
    assert line.new_html == 'clé a1b2c3d4e5f6g7h8i9<ins class="diff-word">X</ins>0k1l2m3n4o5p6 fin'


def test_changes_spanning_words_end_on_word_boundaries() -> None:
    line = diff_texts("sur la place de la mairie.", "sur la place de l'église.").lines[0]
    # Not "de l<del>a mairi</del>e": the common letters inside the words join the change.
    assert line.old_html == 'sur la place de <del class="diff-word">la mairie</del>.'
    assert line.new_html == 'sur la place de <ins class="diff-word">l&#x27;église</ins>.'


def test_rewritten_line_is_shown_whole_not_as_scattered_letters() -> None:
    old = "Les habitants se retrouvent chaque samedi au marché couvert."
    new = "Une nouvelle association gère désormais la ressourcerie du quartier."
    line = diff_texts(old, new).lines[0]
    assert line.kind == "replace"
    # Only the common final "." stays outside the markup.
    assert line.old_html == f'<del class="diff-word">{html.escape(old[:-1])}</del>.'
    assert line.new_html == f'<ins class="diff-word">{html.escape(new[:-1])}</ins>.'


def test_inserted_and_deleted_lines_with_numbers() -> None:
    diff = diff_texts("a\nb\nc", "a\nc\nd")
    assert diff.lines == (
        DiffLine("equal", 1, 1, "a", "a"),
        DiffLine("delete", 2, None, "b", ""),
        DiffLine("equal", 3, 2, "c", "c"),
        DiffLine("insert", None, 3, "", "d"),
    )
    assert (diff.added, diff.removed, diff.added_chars, diff.removed_chars) == (1, 1, 1, 1)


def test_unequal_runs_pair_line_by_line_then_delete() -> None:
    diff = diff_texts("x\nun deux\ntrois\nquatre\ny", "x\nun deux trois\ny")
    kinds = [line.kind for line in diff.lines]
    assert kinds == ["equal", "replace", "delete", "delete", "equal"]
    replace = diff.lines[1]
    assert (replace.old_no, replace.new_no) == (2, 2)
    assert replace.new_html == 'un deux<ins class="diff-word"> trois</ins>'
    assert [(line.old_no, line.new_no) for line in diff.lines[2:]] == [(3, None), (4, None), (5, 3)]
    # One replaced line counts as one added and one removed.
    assert (diff.added, diff.removed) == (1, 3)
    assert diff.added_chars == len(" trois")
    assert diff.removed_chars == len("trois") + len("quatre")


def test_crlf_is_normalised() -> None:
    assert diff_texts("a\r\nb\r\n", "a\nb\n").identical
    diff = diff_texts("a\r\nb", "a\r\nc")
    assert [line.kind for line in diff.lines] == ["equal", "replace"]
    assert "\r" not in diff.inline_html()


def test_trailing_newline_difference_is_visible() -> None:
    diff = diff_texts("a", "a\n")
    assert not diff.identical
    assert diff.lines == (DiffLine("equal", 1, 1, "a", "a"), DiffLine("insert", None, 2, "", ""))


def test_appended_line_without_final_newline() -> None:
    diff = diff_texts("a", "a\nb")
    assert [line.kind for line in diff.lines] == ["equal", "insert"]


def test_rows_rebuild_both_texts_on_random_edits() -> None:
    rng = random.Random(20261130)
    words = ["été", "forêt", "🌱", "<b>", "&amp;", "l'eau", '"x"', "vélo", "a", "b", " ", "\t"]
    for _ in range(200):
        old_lines = [
            " ".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
            for _ in range(rng.randint(0, 12))
        ]
        new_lines = list(old_lines)
        for _ in range(rng.randint(0, 5)):
            action = rng.random()
            position = rng.randint(0, len(new_lines))
            if action < 0.3 or not new_lines:
                new_lines.insert(position, rng.choice(words) * rng.randint(1, 3))
            elif action < 0.6:
                del new_lines[min(position, len(new_lines) - 1)]
            else:
                index = min(position, len(new_lines) - 1)
                new_lines[index] = new_lines[index].replace(rng.choice(words), rng.choice(words))
        old, new = "\n".join(old_lines), "\n".join(new_lines)
        diff = diff_texts(old, new)
        assert _rebuild(diff) == (old, new)
        assert diff.identical == (old == new)
        assert diff.added == sum(1 for line in diff.lines if line.new_no and line.kind != "equal")
        assert diff.removed == sum(1 for line in diff.lines if line.old_no and line.kind != "equal")


def test_word_diff_applies() -> None:
    rng = random.Random(7)
    alphabet = "abc déf 🎉\n.,"
    for _ in range(300):
        old = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        new = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        diffs = word_diff(old, new)
        assert "".join(text for op, text in diffs if op <= 0) == old
        assert "".join(text for op, text in diffs if op >= 0) == new


def test_exhausted_timeout_still_gives_a_correct_coarser_diff() -> None:
    old = "\n".join(f"ligne {i} avec quelques mots" for i in range(300))
    new = old.replace("quelques mots", "d'autres mots").replace("ligne 1", "Ligne 1")
    diff = diff_texts(old, new, timeout=1e-9)
    assert _rebuild(diff) == (old, new)


def test_unchanged_lines_of_a_rewritten_page_stay_matched() -> None:
    # Lines found in only one text are set aside before diff_main, so even with no time at
    # all left the few lines kept in the middle of a rewritten page are matched.
    old_lines = [f"ancienne {i}" for i in range(1500)]
    new_lines = [f"nouvelle {i}" for i in range(1500)]
    for index in (300, 700, 1100):
        old_lines[index] = new_lines[index] = f"## Titre {index}"
    diff = diff_texts("\n".join(old_lines), "\n".join(new_lines), timeout=1e-9)
    assert [line.old_html for line in diff.lines if line.kind == "equal"] == [
        "## Titre 300",
        "## Titre 700",
        "## Titre 1100",
    ]
    assert (diff.added, diff.removed) == (1497, 1497)


def test_very_long_changed_line_falls_back_to_whole_middle() -> None:
    rng = random.Random(3)
    old = " ".join(f"m{rng.randint(0, 10**6)}" for _ in range(3000))
    new = " ".join(f"m{rng.randint(0, 10**6)}" for _ in range(3000))
    line = diff_texts("début " + old, "début " + new).lines[0]
    # Too many words to compare: one deletion and one insertion after the common "début ".
    assert line.old_html.startswith('début <del class="diff-word">')
    assert line.old_html.count("<del") == 1
    assert line.new_html.count("<ins") == 1


# --- hunks -----------------------------------------------------------------------------------


def _numbered(count: int) -> list[str]:
    return [f"ligne {i}" for i in range(1, count + 1)]


def test_hunks_with_context() -> None:
    old = _numbered(30)
    new = list(old)
    new[4] = "changée 5"
    new[23] = "changée 24"
    diff = diff_texts("\n".join(old), "\n".join(new))
    hunks = diff.hunks()
    assert len(hunks) == 2
    assert [line.old_no for line in hunks[0]] == [2, 3, 4, 5, 6, 7, 8]
    assert [line.old_no for line in hunks[1]] == [21, 22, 23, 24, 25, 26, 27]
    assert [len(h) for h in diff.hunks(context=0)] == [1, 1]
    # 18 equal lines between the changes: with 9 lines of context the hunks meet and join.
    assert len(diff.hunks(context=9)) == 1
    assert len(diff.hunks(context=8)) == 2
    assert diff.hunks(context=100) == [list(diff.lines)]
    with pytest.raises(ValueError):
        diff.hunks(context=-1)


def test_hunk_headers_give_line_numbers() -> None:
    old = _numbered(20)
    new = [*old[:10], "nouvelle", *old[10:]]
    del new[15]  # old line 15
    diff = diff_texts("\n".join(old), "\n".join(new))
    inline = diff.inline_html(context=0)
    assert "Ligne 11</th>" in inline and "Ligne 16</th>" in inline
    side = diff.side_by_side_html(context=0)
    # Insertion before old line 11 (new line 11); deletion of old line 15 (new line 16).
    assert re.findall(r"Ligne \d+", side) == ["Ligne 11", "Ligne 11", "Ligne 15", "Ligne 16"]
    assert re.findall(r"Ligne \d+", diff.side_by_side_html(context=3)) == ["Ligne 8", "Ligne 8"]


def test_deletion_at_end_of_file_header() -> None:
    diff = diff_texts("a\nb\nc", "a\nb")
    assert re.findall(r"Ligne \d+", diff.side_by_side_html(context=0)) == ["Ligne 3", "Ligne 3"]


# --- HTML ------------------------------------------------------------------------------------


def test_inline_html_structure() -> None:
    diff = diff_texts("x\nun\ndeux\ny", "x\nUN\nDEUX\ny")
    markup = diff.inline_html(old_label="Version du 1 <mars>", new_label='Version "actuelle"')
    parsed = _parse(markup)
    assert markup.startswith('<table class="diff diff-inline">')
    assert "Version du 1 &lt;mars&gt;" in markup
    assert "Version &quot;actuelle&quot;" in markup
    # All removed rows of a run come before its added rows.
    classes = re.findall(r'<tr class="diff-(\w+)">', markup)
    assert classes == ["equal", "delete", "delete", "insert", "insert", "equal"]
    assert set(parsed.tags) <= ALLOWED_TAGS


def test_side_by_side_html_structure() -> None:
    diff = diff_texts("x\nun\ny", "x\nUN\ny\nz")
    markup = diff.side_by_side_html(old_label="<A>", new_label="B&")
    assert markup.startswith('<table class="diff diff-side">')
    assert "&lt;A&gt;" in markup and "B&amp;" in markup
    classes = re.findall(r'<tr class="diff-(\w+)">', markup)
    assert classes == ["equal", "replace", "equal", "insert"]
    assert markup.count('<td class="diff-text diff-empty-side"></td>') == 1
    assert set(_parse(markup).tags) <= ALLOWED_TAGS


def test_output_is_deterministic() -> None:
    rng = random.Random(11)
    old = "\n".join(" ".join(rng.choice("abcdefgh") * 3 for _ in range(10)) for _ in range(200))
    new_lines = old.split("\n")
    for index in range(0, 200, 7):
        new_lines[index] = new_lines[index][::-1]
    new = "\n".join(new_lines)
    first = diff_texts(old, new)
    second = diff_texts(old, new)
    assert first == second
    assert first.inline_html() == second.inline_html()
    assert first.side_by_side_html() == second.side_by_side_html()


def _load_payloads() -> list[str]:
    if not XSS_PAYLOADS.is_file():
        pytest.skip(f"shared XSS vectors not found at {XSS_PAYLOADS}")
    data = json.loads(XSS_PAYLOADS.read_text(encoding="utf-8"))
    return [entry["payload"] for entry in data if isinstance(entry.get("payload"), str)]


def test_html_is_safe_for_xss_payloads() -> None:
    payloads = _load_payloads()
    assert len(payloads) > 100
    old_lines = [f"ligne {i} {p}" for i, p in enumerate(payloads)]
    new_lines = []
    for index, line in enumerate(old_lines):
        if index % 3 == 0:
            new_lines.append(line.replace("ligne", "LIGNE <x onload=1>", 1) + payloads[-index])
        elif index % 3 == 1:
            new_lines.append(payloads[index // 2])
        # index % 3 == 2: deleted
    new_lines.extend(payloads[:50])  # appended
    old, new = "\n".join(old_lines), "\n".join(new_lines)
    diff = diff_texts(old, new)
    assert _rebuild(diff) == (old.replace("\r\n", "\n"), new.replace("\r\n", "\n"))
    for markup in (
        diff.inline_html(old_label=payloads[0], new_label=payloads[1]),
        diff.side_by_side_html(old_label=payloads[2], new_label=payloads[3]),
        diff.side_by_side_html(context=10**6),
    ):
        parsed = _parse(markup)
        assert set(parsed.tags) <= ALLOWED_TAGS, set(parsed.tags) - ALLOWED_TAGS
        assert not [name for name in parsed.attributes if name.lower().startswith("on")]
        assert set(parsed.attributes) <= {"class", "colspan", "scope"}
        # The payloads come back as text, untouched.
        assert payloads[5] in "".join(parsed.text)


def test_each_payload_alone_is_escaped() -> None:
    for payload in _load_payloads():
        diff = diff_texts(payload, payload + " x")
        for markup in (diff.inline_html(), diff.side_by_side_html()):
            parsed = _parse(markup)
            assert set(parsed.tags) <= ALLOWED_TAGS, payload
            assert not [name for name in parsed.attributes if name.lower().startswith("on")]
