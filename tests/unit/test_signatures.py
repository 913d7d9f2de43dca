"""Signatures written out (``wikicoop.text.signatures``): the three forms, the date in
the site's time zone and language, code left alone, tilde fences told from signatures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wikicoop.text.signatures import code_regions, expand_signatures, signature_date

pytestmark = pytest.mark.any_database

WINTER = datetime(2026, 12, 4, 17, 42, tzinfo=UTC)
SUMMER = datetime(2026, 7, 14, 8, 5)  # naive: UTC, as the database stores
ALICE = "[[Utilisateur:Alice|Alice]]"
DATE = "4 décembre 2026 à 18:42 (CET)"


def sign(text: str, name: str = "Alice", **kw) -> str:
    return expand_signatures(text, name, WINTER, "Europe/Paris", **kw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Merci ~~~~", f"Merci {ALICE} {DATE}"),
        ("Merci ~~~", f"Merci {ALICE}"),
        ("Le ~~~~~", f"Le {DATE}"),
        ("~~~~\n", f"{ALICE} {DATE}\n"),  # alone on its line: a signature, not a fence
        ("~~~~ merci", f"{ALICE} {DATE} merci"),
        ("un ~~~~ et un ~~~", f"un {ALICE} {DATE} et un {ALICE}"),
        ("~~barré~~ et ~~~~~~ six", "~~barré~~ et ~~~~~~ six"),
        ("`~~~~` en code", "`~~~~` en code"),
        ("``a ` ~~~~`` en code", "``a ` ~~~~`` en code"),
        ("```\n~~~~\n```\n~~~", f"```\n~~~~\n```\n{ALICE}"),
        ("~~~python\n~~~~ x\n~~~\n", "~~~python\n~~~~ x\n~~~\n"),
        ("~~~\ncode ~~~~\n~~~\n", "~~~\ncode ~~~~\n~~~\n"),  # a closed tilde fence
        ("~~~\nMerci", f"{ALICE}\nMerci"),  # unclosed: the name
        ("Un\n~~~~\n\nDeux\n~~~~", f"Un\n{ALICE} {DATE}\n\nDeux\n{ALICE} {DATE}"),
        ("~~~~~~\n~~~~\n~~~~~~\n~~~", f"~~~~~~\n~~~~\n~~~~~~\n{ALICE}"),
        ("Sans signature", "Sans signature"),
    ],
)
def test_expansion(text: str, expected: str) -> None:
    assert sign(text) == expected


def test_an_unclosed_backtick_fence_runs_to_the_end() -> None:
    assert sign("```\n~~~~\nsuite ~~~~") == "```\n~~~~\nsuite ~~~~"
    assert code_regions("a\n```\nb") == [(2, 7)]


def test_an_address_signs_with_its_user_page() -> None:
    assert sign("~~~", "192.0.2.7") == "[[Utilisateur:192.0.2.7|192.0.2.7]]"
    assert sign("~~~", "2001:db8::1") == "[[Utilisateur:2001:db8::1|2001:db8::1]]"


def test_a_name_that_cannot_be_a_title_signs_as_text() -> None:
    assert sign("~~~", "::1") == "::1"


def test_dates() -> None:
    assert signature_date(WINTER, "Europe/Paris") == DATE
    assert signature_date(SUMMER, "Europe/Paris") == "14 juillet 2026 à 10:05 (CEST)"
    assert signature_date(WINTER, "America/New_York", locale="en") == (
        "December 4, 2026 at 12:42 (EST)"
    )
    # a bad setting or language never refuses a save: UTC, French
    assert signature_date(WINTER, "Nulle/Part", locale="xx") == "4 décembre 2026 à 17:42 (UTC)"
