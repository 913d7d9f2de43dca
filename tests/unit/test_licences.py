"""Tests for wikicoop.licences: the catalogue, lookups, the relicensing rule, the badges."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wikicoop.error_messages import catalog, sentence_in
from wikicoop.errors import ServiceError
from wikicoop.text import licences
from wikicoop.text.licences import (
    DEFAULT_LICENCE,
    LICENCES,
    Licence,
    LicenceError,
    can_relicense,
    get_licence,
    relicense_refusal,
    relicense_refusal_params,
    relicense_targets,
)

pytestmark = pytest.mark.any_database

BADGE_DIR = Path(licences.__file__).resolve().parents[1] / "web" / "static" / "licences"
SVG_NS = "{http://www.w3.org/2000/svg}"

CODES = ["CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0"]

# The whole 5x5 matrix, written out by hand from the rule in the module docstring:
# rows are the current licence, columns the new one, in CODES order.
#                CC0    BY     BY-SA  BY-NC  BY-NC-SA
MATRIX = {
    "CC0-1.0": [True, True, True, True, True],
    "CC-BY-4.0": [False, True, True, True, True],
    "CC-BY-SA-4.0": [False, False, True, False, False],
    "CC-BY-NC-4.0": [False, False, False, True, True],
    "CC-BY-NC-SA-4.0": [False, False, False, False, True],
}
MATRIX_CASES = [
    pytest.param(current, new, MATRIX[current][j], id=f"{current}->{new}")
    for current in CODES
    for j, new in enumerate(CODES)
]


# --- the catalogue ---------------------------------------------------------------


def test_five_licences_in_display_order_cc0_first():
    assert list(LICENCES) == CODES


def test_keys_match_codes():
    for code, licence in LICENCES.items():
        assert licence.code == code


def test_default_licence_is_cc_by_sa():
    assert DEFAULT_LICENCE == "CC-BY-SA-4.0"
    assert DEFAULT_LICENCE in LICENCES


def test_licence_is_frozen():
    licence = LICENCES["CC-BY-4.0"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        licence.code = "CC0-1.0"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("code", "short_name", "attribution", "share_alike", "non_commercial"),
    [
        ("CC0-1.0", "CC0 1.0", False, False, False),
        ("CC-BY-4.0", "CC BY 4.0", True, False, False),
        ("CC-BY-SA-4.0", "CC BY-SA 4.0", True, True, False),
        ("CC-BY-NC-4.0", "CC BY-NC 4.0", True, False, True),
        ("CC-BY-NC-SA-4.0", "CC BY-NC-SA 4.0", True, True, True),
    ],
)
def test_names_and_conditions(code, short_name, attribution, share_alike, non_commercial):
    licence = LICENCES[code]
    assert licence.short_name == short_name
    assert str(licence) == short_name
    assert licence.attribution is attribution
    assert licence.share_alike is share_alike
    assert licence.non_commercial is non_commercial


def english(french: str) -> str:
    """A licence's name or summary as an English reader sees it."""
    return catalog("en").gettext(french)


@pytest.mark.parametrize(
    ("code", "name_fr", "name_en"),
    [
        ("CC0-1.0", "CC0 1.0 Universel", "CC0 1.0 Universal"),
        ("CC-BY-4.0", "Attribution 4.0 International", "Attribution 4.0 International"),
        (
            "CC-BY-SA-4.0",
            "Attribution - Partage dans les Mêmes Conditions 4.0 International",
            "Attribution-ShareAlike 4.0 International",
        ),
        (
            "CC-BY-NC-4.0",
            "Attribution - Pas d'Utilisation Commerciale 4.0 International",
            "Attribution-NonCommercial 4.0 International",
        ),
        (
            "CC-BY-NC-SA-4.0",
            "Attribution - Pas d'Utilisation Commerciale - Partage dans les Mêmes Conditions"
            " 4.0 International",
            "Attribution-NonCommercial-ShareAlike 4.0 International",
        ),
    ],
)
def test_official_titles(code, name_fr, name_en):
    assert LICENCES[code].name_fr == name_fr
    assert english(LICENCES[code].name_fr) == name_en  # from the catalog


@pytest.mark.parametrize(
    ("code", "deed_url", "legal_url"),
    [
        (
            "CC0-1.0",
            "https://creativecommons.org/publicdomain/zero/1.0/deed.fr",
            "https://creativecommons.org/publicdomain/zero/1.0/legalcode.fr",
        ),
        (
            "CC-BY-4.0",
            "https://creativecommons.org/licenses/by/4.0/deed.fr",
            "https://creativecommons.org/licenses/by/4.0/legalcode.fr",
        ),
        (
            "CC-BY-SA-4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
            "https://creativecommons.org/licenses/by-sa/4.0/legalcode.fr",
        ),
        (
            "CC-BY-NC-4.0",
            "https://creativecommons.org/licenses/by-nc/4.0/deed.fr",
            "https://creativecommons.org/licenses/by-nc/4.0/legalcode.fr",
        ),
        (
            "CC-BY-NC-SA-4.0",
            "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr",
            "https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode.fr",
        ),
    ],
)
def test_urls(code, deed_url, legal_url):
    assert LICENCES[code].deed_url == deed_url
    assert LICENCES[code].legal_url == legal_url


@pytest.mark.parametrize("code", CODES)
def test_summaries_are_one_plain_sentence(code):
    licence = LICENCES[code]
    summary_en = english(licence.summary_fr)  # from the catalog
    for summary in (licence.summary_fr, summary_en):
        assert summary[0].isupper()
        assert summary.endswith(".")
        # One sentence: no full stop, question or exclamation mark before the end.
        assert not re.search(r"[.!?]\s", summary), summary
        assert len(summary) < 220
    assert ("citer ses auteurs" in licence.summary_fr) is licence.attribution
    assert ("credit its authors" in summary_en) is licence.attribution
    if licence.non_commercial:
        assert "argent" in licence.summary_fr
        assert "money" in summary_en
    else:
        assert "vendre" in licence.summary_fr
        assert "sell" in summary_en
    assert ("même licence" in licence.summary_fr) is licence.share_alike
    assert ("same licence" in summary_en) is licence.share_alike


def test_summaries_and_badges_are_distinct():
    assert len({lic.summary_fr for lic in LICENCES.values()}) == len(LICENCES)
    assert len({lic.badge for lic in LICENCES.values()}) == len(LICENCES)


def test_badge_path_is_relative_to_static():
    assert LICENCES["CC-BY-SA-4.0"].badge_path == "licences/cc-by-sa.svg"


# --- lookups ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("CC-BY-SA-4.0", "CC-BY-SA-4.0"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("CC BY-SA 4.0", "CC-BY-SA-4.0"),
        ("cc by-sa 4.0", "CC-BY-SA-4.0"),
        ("  Cc  By-Sa   4.0 ", "CC-BY-SA-4.0"),
        ("cc0-1.0", "CC0-1.0"),
        ("CC0 1.0", "CC0-1.0"),
        ("cc by-nc-sa 4.0", "CC-BY-NC-SA-4.0"),
        ("CC-BY-NC-4.0", "CC-BY-NC-4.0"),
        ("cc by 4.0", "CC-BY-4.0"),
    ],
)
def test_get_licence_accepts_codes_and_short_names(given, code):
    assert get_licence(given) is LICENCES[code]


def test_get_licence_returns_a_licence_unchanged():
    licence = LICENCES["CC-BY-4.0"]
    assert get_licence(licence) is licence


@pytest.mark.parametrize(
    "given",
    ["", " ", "CC-BY-ND-4.0", "CC BY-SA 3.0", "GPL-3.0", "CC-BY-SA", "by-sa", "ccbysa40", None, 4],
)
def test_get_licence_refuses_unknown_codes(given):
    with pytest.raises(LicenceError) as info:
        get_licence(given)
    error = info.value
    assert isinstance(error, ValueError)
    assert not isinstance(error, KeyError)
    assert "n'existe pas" in error.message
    assert "CC BY-SA 4.0" in error.message
    assert str(error) == error.message
    assert error.code == "unknown-licence"
    assert "does not exist" in sentence_in(error, "en")  # English comes from the catalog


def test_unknown_code_is_quoted_in_the_message():
    with pytest.raises(LicenceError, match=re.escape("« CC-BY-ND-4.0 »")):
        get_licence("CC-BY-ND-4.0")


# --- the relicensing rule ----------------------------------------------------------


def english_refusal(current: str, new: str) -> str | None:
    """The refusal as the web says it in English: the coded error, through the catalog."""
    params = relicense_refusal_params(current, new)
    if params is None:
        return None
    return sentence_in(ServiceError("licence-incompatible", **params), "en")


@pytest.mark.parametrize(("current", "new", "allowed"), MATRIX_CASES)
def test_relicense_matrix(current, new, allowed):
    assert can_relicense(current, new) is allowed
    refusal_fr = relicense_refusal(current, new)
    refusal_en = english_refusal(current, new)
    if allowed:
        assert refusal_fr is None
        assert refusal_en is None
    else:
        assert isinstance(refusal_fr, str)
        assert isinstance(refusal_en, str)
        for short_name in (LICENCES[current].short_name, LICENCES[new].short_name):
            assert short_name in refusal_fr
            assert short_name in refusal_en
        assert refusal_fr.startswith("Cette page ne peut pas passer")
        assert refusal_fr.endswith(".")
        assert refusal_en.endswith(".")


def test_matrix_has_25_cases():
    assert len(MATRIX_CASES) == 25


@pytest.mark.parametrize(("current", "new", "allowed"), MATRIX_CASES)
def test_matrix_agrees_with_the_written_rule(current, new, allowed):
    """The hand-written matrix follows the docstring's rule, computed from the flags."""
    old, target = LICENCES[current], LICENCES[new]
    keeps_conditions = all(
        getattr(target, flag) or not getattr(old, flag)
        for flag in ("attribution", "share_alike", "non_commercial")
    )
    rule = current == new or (keeps_conditions and not old.share_alike)
    assert rule is allowed


@pytest.mark.parametrize("code", CODES)
def test_same_licence_is_always_allowed(code):
    assert can_relicense(code, code)
    assert relicense_refusal(code, code) is None


@pytest.mark.parametrize("code", CODES[1:])
def test_nothing_moves_to_cc0(code):
    assert not can_relicense(code, "CC0-1.0")
    assert "citer les auteurs" in relicense_refusal(code, "CC0-1.0")


def test_by_sa_cannot_go_back_to_by():
    refusal = relicense_refusal("CC-BY-SA-4.0", "CC-BY-4.0")
    assert "même licence" in refusal


def test_by_sa_cannot_become_by_nc_sa():
    refusal = relicense_refusal("CC-BY-SA-4.0", "CC-BY-NC-SA-4.0")
    assert "ne peut donc pas être changée" in refusal
    assert "cannot be changed" in english_refusal("CC-BY-SA-4.0", "CC-BY-NC-SA-4.0")


def test_dropping_non_commercial_is_explained():
    refusal = relicense_refusal("CC-BY-NC-4.0", "CC-BY-4.0")
    assert "gagner de l'argent" in refusal
    assert "commercial use" in english_refusal("CC-BY-NC-4.0", "CC-BY-4.0")


def test_rule_accepts_short_names_and_licence_objects():
    assert can_relicense("cc by 4.0", "CC BY-SA 4.0")
    assert can_relicense(LICENCES["CC-BY-4.0"], LICENCES["CC-BY-NC-4.0"])
    assert not can_relicense("cc by-sa 4.0", LICENCES["CC-BY-4.0"])


@pytest.mark.parametrize(
    "function",
    [can_relicense, relicense_refusal, relicense_refusal_params],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize(("current", "new"), [("CC-BY-ND-4.0", "CC-BY-4.0"), ("CC0-1.0", "MIT")])
def test_rule_refuses_unknown_licences(function, current, new):
    with pytest.raises(LicenceError):
        function(current, new)


@pytest.mark.parametrize("current", CODES)
def test_relicense_targets_follow_the_matrix(current):
    expected = [new for j, new in enumerate(CODES) if MATRIX[current][j]]
    assert [licence.code for licence in relicense_targets(current)] == expected
    assert all(isinstance(licence, Licence) for licence in relicense_targets(current))


def test_relicense_targets_refuses_unknown_licence():
    with pytest.raises(LicenceError):
        relicense_targets("CC-BY-ND-4.0")


# --- badges ----------------------------------------------------------------------


def _relative_luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_relative_luminance(first), _relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_helper():
    assert _contrast("#000", "#fff") == pytest.approx(21)
    assert _contrast("#777777", "#777777") == pytest.approx(1)


def test_every_badge_file_belongs_to_a_licence():
    shipped = {path.name for path in BADGE_DIR.glob("*")}
    assert shipped == {licence.badge for licence in LICENCES.values()}


@pytest.mark.parametrize("code", CODES)
def test_badge_is_a_small_valid_accessible_svg(code):
    licence = LICENCES[code]
    path = BADGE_DIR / licence.badge
    data = path.read_bytes()
    assert len(data) < 1024
    text = data.decode("utf-8")

    root = ET.fromstring(text)
    assert root.tag == f"{SVG_NS}svg"
    # The classic size of Creative Commons buttons, which the page templates use.
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("88", "31", "0 0 88 31")

    # Accessible: an image role, labelled by its own <title>, which names the licence.
    assert root.get("role") == "img"
    title = root.find(f"{SVG_NS}title")
    assert title is not None
    assert root.get("aria-labelledby") == title.get("id")
    assert licence.short_name in (title.text or "")

    # The visible text is the short name (on two lines); text and background contrast well.
    texts = list(root.iter(f"{SVG_NS}text"))
    assert len(texts) == 1
    assert " ".join("".join(texts[0].itertext()).split()) == licence.short_name
    rect = root.find(f"{SVG_NS}rect")
    assert rect is not None
    assert rect.get("rx")
    assert _contrast(texts[0].get("fill"), rect.get("fill")) >= 4.5

    # Self-contained: no scripts, images, links, external fonts or stylesheets.
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        assert local in {"svg", "title", "rect", "text", "tspan"}, local
        for name, value in element.attrib.items():
            assert not name.endswith("href"), name
            assert "url(" not in value
            assert not name.startswith("on"), name
    assert "@import" not in text
    assert "http" not in text.replace("http://www.w3.org/2000/svg", "")
