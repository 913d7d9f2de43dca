"""The edit distance of "did you mean" (both search backends): with a limit, the same
answer as without one up to the limit, ``limit + 1`` above."""

from __future__ import annotations

import random

import pytest

from wikicoop.search.corrections import edit_distance

pytestmark = pytest.mark.any_database

WORDS = (
    "mediatheque", "mediatheqe", "médiathèque", "atelier", "ateliers", "atelir", "papi",
    "papy", "quartier", "quartiers", "kerourien", "kerouien", "jardin", "jardins", "",
    "a", "ab", "ba", "écriture", "ecritures", "internet", "intenet", "licence", "license",
)  # fmt: skip


def test_known_distances() -> None:
    assert edit_distance("papi", "papy") == 1
    assert edit_distance("atelier", "atelir") == 1
    assert edit_distance("mediatheqe", "mediatheque") == 1
    assert edit_distance("", "abc") == 3
    assert edit_distance("kitten", "sitting") == 3


@pytest.mark.parametrize("limit", [0, 1, 2, 3])
def test_a_limit_changes_only_the_distances_above_it(limit: int) -> None:
    rng = random.Random(13)
    alphabet = "aeiourstln"
    made = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(60)]
    words = [*WORDS, *made]
    for a in words:
        for b in words:
            full = edit_distance(a, b)
            assert edit_distance(a, b, limit) == min(full, limit + 1), (a, b)
