"""Tests for wikicoop.merging: three-way merge with conflicts detected in base coordinates."""

from __future__ import annotations

import random

import pytest

from wikicoop.text.merging import Conflict, MergeResult, merge_texts

pytestmark = pytest.mark.any_database

BASE = (
    "# Jardin partagé\n"
    "\n"
    "Le jardin est ouvert le samedi matin.\n"
    "Les outils sont rangés dans la cabane.\n"
    "\n"
    "## Compost\n"
    "\n"
    "Le compost accepte les épluchures et le marc de café.\n"
    "Il est retourné une fois par mois.\n"
)


def _clean(result: MergeResult) -> str:
    assert result.clean, result.conflicts
    assert result.conflicts == ()
    assert result.text is not None
    return result.text


def _conflicted(result: MergeResult) -> tuple[Conflict, ...]:
    assert not result.clean
    assert result.text is None
    assert result.conflicts
    return result.conflicts


# --- trivial cases ---------------------------------------------------------------------------


def test_same_text_on_both_sides() -> None:
    mine = BASE.replace("samedi", "dimanche")
    assert merge_texts(BASE, mine, mine) == MergeResult(mine, True, ())


def test_only_one_side_changed() -> None:
    mine = BASE.replace("samedi", "dimanche")
    assert merge_texts(BASE, mine, BASE) == MergeResult(mine, True, ())
    assert merge_texts(BASE, BASE, mine) == MergeResult(mine, True, ())


# --- clean merges ----------------------------------------------------------------------------


def test_disjoint_edits_in_different_paragraphs_keep_both() -> None:
    mine = BASE.replace("samedi matin", "samedi et le mercredi matin")
    theirs = BASE.replace("une fois par mois", "toutes les deux semaines")
    expected = BASE.replace("samedi matin", "samedi et le mercredi matin").replace(
        "une fois par mois", "toutes les deux semaines"
    )
    assert _clean(merge_texts(BASE, mine, theirs)) == expected
    assert _clean(merge_texts(BASE, theirs, mine)) == expected


def test_added_paragraph_and_edit_elsewhere() -> None:
    mine = BASE + "\n## Contact\n\nÉcrire à l'association.\n"
    theirs = BASE.replace("# Jardin partagé", "# Le jardin partagé du quartier")
    assert _clean(merge_texts(BASE, mine, theirs)) == (
        theirs + "\n## Contact\n\nÉcrire à l'association.\n"
    )


def test_edits_on_adjacent_lines_do_not_touch() -> None:
    # Line 3 changed at its very end, line 4 at its very start: the "\n" between them is
    # unchanged base text, so the edits do not share a boundary position.
    mine = BASE.replace("samedi matin.", "samedi matin !")
    theirs = BASE.replace("Les outils", "Tous les outils")
    expected = BASE.replace("samedi matin.", "samedi matin !").replace(
        "Les outils", "Tous les outils"
    )
    assert _clean(merge_texts(BASE, mine, theirs)) == expected


def test_whole_adjacent_lines_replaced() -> None:
    base = "un\ndeux\ntrois\n"
    assert _clean(merge_texts(base, "UN\ndeux\ntrois\n", "un\nDEUX\ntrois\n")) == (
        "UN\nDEUX\ntrois\n"
    )


def test_lines_edited_in_place_are_compared_line_by_line() -> None:
    # Mine rewrites line 1 and edits the end of line 2; theirs edits the start of line 2.
    # Compared as one two-line block, the rewrite would swallow line 2 and conflict.
    base = "Le chat dort.\nLe chien court dans le pré.\n"
    rewrite = "Une souris grise mange du fromage très vite avant que la nuit ne tombe sur la ferme."
    mine = rewrite + "\nLe chien court dans le champ.\n"
    theirs = "Le chat dort.\nLe vieux chien court dans le pré.\n"
    assert _clean(merge_texts(base, mine, theirs)) == (
        rewrite + "\nLe vieux chien court dans le champ.\n"
    )


def test_different_words_of_one_sentence_merge() -> None:
    # Finer than a line-based merge: edits separated by unchanged characters are compatible.
    base = "Le jardin est ouvert le samedi matin.\n"
    mine = "Le grand jardin est ouvert le samedi matin.\n"
    theirs = "Le jardin est ouvert le samedi après-midi.\n"
    assert _clean(merge_texts(base, mine, theirs)) == (
        "Le grand jardin est ouvert le samedi après-midi.\n"
    )


def test_edits_land_on_the_right_copy_of_a_repeated_paragraph() -> None:
    # Edits are applied at their positions in base, so identical contexts cannot mislead them.
    block = "Ouvert le samedi.\nFermé le lundi.\n\n"
    base = block * 4
    mine = block * 2 + block.replace("samedi", "dimanche") + block
    theirs = block + block.replace("lundi", "mardi") + block * 2
    assert _clean(merge_texts(base, mine, theirs)) == (
        block + block.replace("lundi", "mardi") + block.replace("samedi", "dimanche") + block
    )


def test_exhausted_timeout_stays_correct() -> None:
    lines = [f"Paragraphe {i} : quelques mots sur le quartier." for i in range(400)]
    base = "\n".join(lines)
    mine = base.replace("Paragraphe 10 :", "Paragraphe dix :")
    theirs = base.replace("Paragraphe 390 :", "Paragraphe 390 bis :")
    expected = mine.replace("Paragraphe 390 :", "Paragraphe 390 bis :")
    assert _clean(merge_texts(base, mine, theirs, timeout=1e-9)) == expected


def test_identical_change_on_both_sides_is_not_a_conflict() -> None:
    mine = BASE.replace("marc de café", "marc de café et les coquilles d'œufs")
    theirs = mine.replace("# Jardin partagé", "# Jardin partagé des Lilas")
    assert _clean(merge_texts(BASE, mine, theirs)) == theirs
    assert _clean(merge_texts(BASE, theirs, mine)) == theirs


def test_identical_append_at_end_is_clean() -> None:
    addition = "\nNouveau : une ruche.\n"
    mine = BASE.replace("samedi", "dimanche") + addition
    theirs = BASE + addition
    assert _clean(merge_texts(BASE, mine, theirs)) == mine


def test_unicode_merges() -> None:
    base = "Café 🌻 ouvert\nMarché de Noël\nÉté 2026 ☀️\n"
    mine = "Café 🌻🌻 ouvert\nMarché de Noël\nÉté 2026 ☀️\n"
    theirs = "Café 🌻 ouvert\nMarché de Noël\nÉté 2027 ☀️ à Besançon\n"
    assert _clean(merge_texts(base, mine, theirs)) == (
        "Café 🌻🌻 ouvert\nMarché de Noël\nÉté 2027 ☀️ à Besançon\n"
    )


def test_unicode_conflict_fragments() -> None:
    base = "Fête à l'école 🎉\n"
    conflicts = _conflicted(merge_texts(base, "Fête à l'école 🎈\n", "Fête à l'école 🎊\n"))
    assert conflicts == (Conflict(15, 16, "🎈", "🎊", "🎉"),)


def test_crlf_is_normalised() -> None:
    base = BASE.replace("\n", "\r\n")
    mine = BASE.replace("samedi", "dimanche").replace("\n", "\r\n")
    theirs = BASE.replace("une fois", "deux fois")  # saved with "\n"
    expected = BASE.replace("samedi", "dimanche").replace("une fois", "deux fois")
    result = _clean(merge_texts(base, mine, theirs))
    assert result == expected
    assert "\r" not in result
    # A side that only changed line breaks did not change anything.
    assert _clean(merge_texts(BASE, base, theirs)) == theirs
    assert _clean(merge_texts(base, mine, base)) == mine.replace("\r\n", "\n")


# --- conflicts -------------------------------------------------------------------------------


def test_same_word_changed_differently_is_a_conflict() -> None:
    mine = BASE.replace("samedi", "dimanche")
    theirs = BASE.replace("samedi", "vendredi")
    (conflict,) = _conflicted(merge_texts(BASE, mine, theirs))
    assert conflict.base == "samedi"
    assert (conflict.mine, conflict.theirs) == ("dimanche", "vendredi")
    assert BASE[conflict.base_start : conflict.base_end] == "samedi"


def test_rewritten_sentence_that_i_extended_is_a_conflict() -> None:
    mine = BASE.replace(
        "Les outils sont rangés dans la cabane.",
        "Les outils sont rangés dans la cabane, fermée par un cadenas.",
    )
    theirs = BASE.replace(
        "Les outils sont rangés dans la cabane.",
        "On range le matériel au local vélo.",
    )
    (conflict,) = _conflicted(merge_texts(BASE, mine, theirs))
    assert "cadenas" in conflict.mine
    assert "local vélo" in conflict.theirs
    assert "cabane" in conflict.base


def test_touching_edits_on_one_line_conflict() -> None:
    # Mine replaces "quick"; theirs inserts right after it: they share position 9.
    result = merge_texts("the quick fox", "the slow fox", "the quickest fox")
    (conflict,) = _conflicted(result)
    assert conflict == Conflict(4, 9, "slow", "quickest", "quick")


def test_both_append_at_end_is_a_conflict() -> None:
    mine = BASE + "Ajout de Marie.\n"
    theirs = BASE + "Ajout de Karim.\n"
    (conflict,) = _conflicted(merge_texts(BASE, mine, theirs))
    assert (conflict.base_start, conflict.base_end) == (len(BASE), len(BASE))
    assert (conflict.base, conflict.mine, conflict.theirs) == (
        "",
        "Ajout de Marie.\n",
        "Ajout de Karim.\n",
    )


def test_both_insert_at_the_same_point_is_a_conflict() -> None:
    base = "a\nb\n"
    (conflict,) = _conflicted(merge_texts(base, "a\nx\nb\n", "a\ny\nb\n"))
    assert (conflict.base_start, conflict.base_end) == (2, 2)


def test_deleted_paragraph_edited_by_the_other_is_a_conflict() -> None:
    paragraph = (
        "Le compost accepte les épluchures et le marc de café.\n"
        "Il est retourné une fois par mois.\n"
    )
    deleted = BASE.replace(paragraph, "")
    edited = BASE.replace("marc de café", "marc de café (sans filtre)")
    for mine, theirs in ((deleted, edited), (edited, deleted)):
        conflicts = _conflicted(merge_texts(BASE, mine, theirs))
        assert len(conflicts) == 1
        assert "(sans filtre)" in conflicts[0].mine + conflicts[0].theirs


def test_several_conflicts_are_reported_in_order() -> None:
    mine = BASE.replace("samedi", "dimanche").replace("mois", "semaine")
    theirs = BASE.replace("samedi", "lundi").replace("mois", "trimestre")
    conflicts = _conflicted(merge_texts(BASE, mine, theirs))
    assert [(c.base, c.mine, c.theirs) for c in conflicts] == [
        ("samedi", "dimanche", "lundi"),
        ("mois", "semaine", "trimestre"),
    ]
    assert conflicts[0].base_end < conflicts[1].base_start


def test_clean_and_conflicting_edits_together_still_conflict() -> None:
    mine = BASE.replace("samedi", "dimanche").replace("# Jardin", "# Potager")
    theirs = BASE.replace("samedi", "lundi")
    assert len(_conflicted(merge_texts(BASE, mine, theirs))) == 1


# --- property test ---------------------------------------------------------------------------


def _random_side(
    rng: random.Random, base_tokens: list[str], tag: str
) -> tuple[list[str], set[str], set[str]]:
    """Apply random token deletions and insertions; return tokens, inserted and deleted."""
    tokens = list(base_tokens)
    inserted: set[str] = set()
    deleted: set[str] = set()
    for number in range(rng.randint(1, 4)):
        if rng.random() < 0.5 and tokens:
            index = rng.randrange(len(tokens))
            stop = index + rng.randint(1, 3)
            for token in tokens[index:stop]:
                if token.startswith("w"):
                    deleted.add(token)
                inserted.discard(token)
            del tokens[index:stop]
        else:
            marker = f"{tag}{number}é🌿"
            tokens.insert(rng.randint(0, len(tokens)), marker)
            inserted.add(marker)
    return tokens, inserted, deleted


def _text(tokens: list[str], separators: dict[str, str], extra: str) -> str:
    return "".join(token + separators.get(token, extra) for token in tokens)


@pytest.mark.parametrize("seed", range(4))
def test_random_edits_property(seed: int) -> None:
    outcomes = {"clean": 0, "conflict": 0}
    for case in range(60):
        rng = random.Random(seed * 1000 + case)
        base_tokens = [f"w{i:03d}" for i in range(rng.randint(5, 60))]
        mine_tokens, mine_inserted, mine_deleted = _random_side(rng, base_tokens, "M")
        theirs_tokens, theirs_inserted, theirs_deleted = _random_side(rng, base_tokens, "T")
        # Separators are drawn once per base token so that both sides share them.
        separators = {token: rng.choice([" ", "\n"]) for token in base_tokens}
        extra = rng.choice([" ", "\n"])
        base, mine, theirs = (
            _text(tokens, separators, extra) for tokens in (base_tokens, mine_tokens, theirs_tokens)
        )
        result = merge_texts(base, mine, theirs)
        assert result.clean == (result.text is not None) == (not result.conflicts)
        if result.clean:
            outcomes["clean"] += 1
            merged = result.text
            assert merged is not None
            for marker in mine_inserted | theirs_inserted:
                assert marker in merged, (seed, case, marker)
            for token in mine_deleted | theirs_deleted:
                assert token not in merged.split(), (seed, case, token)
            # Base tokens that both kept are all there, in base order.
            kept = [t for t in base_tokens if t not in mine_deleted | theirs_deleted]
            assert [t for t in merged.split() if t.startswith("w")] == kept
        else:
            outcomes["conflict"] += 1
            for conflict in result.conflicts:
                assert base[conflict.base_start : conflict.base_end] == conflict.base
                assert conflict.mine != conflict.theirs
            starts = [c.base_start for c in result.conflicts]
            assert starts == sorted(starts)
    # The generator exercises both outcomes, otherwise the test would prove little.
    assert outcomes["clean"] >= 10 and outcomes["conflict"] >= 5, outcomes


def test_edits_separated_only_by_spaces_conflict() -> None:
    """Merging these would say 12:45, which neither person wrote."""
    base = "La fête commence à midi sous le préau.\n"
    mine = "La fête commence à midi moins le quart sous le préau.\n"
    theirs = "La fête commence à une heure sous le préau.\n"
    result = merge_texts(base, mine, theirs)
    assert not result.clean
    assert result.text is None


def test_edits_separated_by_punctuation_conflict() -> None:
    base = "Ouvert lundi, mardi et jeudi.\n"
    assert not merge_texts(
        base, base.replace("lundi", "dimanche"), base.replace(", mardi", ", vendredi")
    ).clean


# --- a retried save: the same change on both sides is taken once ----------------------------


def test_retried_save_after_another_edit_keeps_the_added_line_once() -> None:
    """A save whose reply was lost is retried from the same base after someone else edited
    the line above the added one: the added line is already there and stays single."""
    base = "ligne 0\nligne 1\nligne 2\n"
    mine = base + "Nouvelle ligne.\n"
    other = "ligne 0\nligne 1\nligne 2 corrigée\n"
    theirs = _clean(merge_texts(base, mine, other))  # the acknowledged first attempt
    assert theirs == "ligne 0\nligne 1\nligne 2 corrigée\nNouvelle ligne.\n"
    assert _clean(merge_texts(base, mine, theirs)) == theirs


def test_added_line_after_a_rewritten_last_line_is_taken_once() -> None:
    base = "ligne 0\n"
    mine = "ligne 0\nAjout.\n"
    theirs = "Tout autre chose\nAjout.\n"
    assert _clean(merge_texts(base, mine, theirs)) == theirs
    assert _clean(merge_texts(base, theirs, mine)) == theirs


def test_merging_a_change_with_itself_gives_that_change() -> None:
    mine = BASE.replace("samedi", "dimanche") + "\nNouveau : une ruche.\n"
    assert _clean(merge_texts(BASE, mine, mine)) == mine


def test_a_line_edited_beside_an_added_line_is_paired_with_its_old_self() -> None:
    """One side edited the last line and added a line after it (one block of the diff): the
    added line is recognised as the one the other side added, and kept once."""
    base = "Le jardin.\nOuvert le matin.\n"
    mine = base + "Fermé le lundi.\n"
    theirs = "Le jardin.\nOuvert le samedi matin.\nFermé le lundi.\n"
    assert _clean(merge_texts(base, mine, theirs)) == theirs


def test_a_deleted_line_beside_the_same_added_line_is_taken_once() -> None:
    """Theirs deleted "ligne 1" and holds the line that I added after it; the diff reads it
    as "ligne 1" replaced by my line. Read as deletion plus the same addition, it is clean."""
    base = "ligne 0\nligne 1\nligne 2\n"
    mine = "ligne 0\nligne 1\nAjout.\nligne 2\n"
    theirs = "ligne 0 revue\nAjout.\nligne 2\n"
    assert _clean(merge_texts(base, mine, theirs)) == theirs


def _line_side(rng: random.Random, lines: list[str], tag: str) -> list[str]:
    """Random whole-line edits: lines added, words added to a line, lines deleted."""
    lines = list(lines)
    for number in range(rng.randint(1, 3)):
        choice = rng.random()
        if choice < 0.4 or not lines:
            lines.insert(rng.randint(0, len(lines)), f"{tag}{number} ajout")
        elif choice < 0.7:
            index = rng.randrange(len(lines))
            lines[index] += f" {tag}{number}"
        else:
            del lines[rng.randrange(len(lines))]
    return lines


@pytest.mark.parametrize("seed", range(4))
def test_retried_saves_property(seed: int) -> None:
    """A save retried after the first attempt was merged with someone else's edit gives back
    exactly what was stored (an unchanged save) or a conflict: never a line twice. And the
    first merge keeps every line that either side added."""
    joined = "".join
    outcomes = {"unchanged": 0, "conflict": 0}
    for case in range(300):
        rng = random.Random(seed * 10_000 + case)
        base_lines = [f"ligne {n}" for n in range(rng.randint(0, 8))]
        sides = (base_lines, _line_side(rng, base_lines, "M"), _line_side(rng, base_lines, "O"))
        base, mine, other = (joined(f"{line}\n" for line in lines) for lines in sides)
        first = merge_texts(base, mine, other)
        if not first.clean:
            continue
        stored = first.text
        assert stored is not None
        for line in (mine + other).splitlines():
            if " ajout" in line:
                assert stored.splitlines().count(line) == 1, (seed, case, line)
        retried = merge_texts(base, mine, stored)
        if retried.clean:
            assert retried.text == stored, (seed, case)
            outcomes["unchanged"] += 1
        else:
            outcomes["conflict"] += 1
    assert outcomes["unchanged"] >= 100, outcomes
