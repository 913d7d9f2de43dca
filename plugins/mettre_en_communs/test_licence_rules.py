"""The compatibility table of licences (licence_rules.py), over the whole matrix of the
core's five licences and the extra ones files may carry."""

from __future__ import annotations

import pytest

from wikicoop.text.licences import LICENCES

from .licence_rules import RESERVED, UNKNOWN, conflict, normalise

CC0, BY, SA, NC, NCSA = "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0"

#: (host, embedded) → conflict, for every pair of the core's licences (25 cases)
MATRIX = {
    # a CC0 page promises reuse without any condition
    (CC0, CC0): None,
    (CC0, BY): "attribution",
    (CC0, SA): "sa",
    (CC0, NC): "nc",
    (CC0, NCSA): "nc",
    # a CC BY page: attribution only
    (BY, CC0): None,
    (BY, BY): None,
    (BY, SA): "sa",
    (BY, NC): "nc",
    (BY, NCSA): "nc",
    # a CC BY-SA page: share-alike content must be under the same licence
    (SA, CC0): None,
    (SA, BY): None,
    (SA, SA): None,
    (SA, NC): "nc",
    (SA, NCSA): "nc",
    # a CC BY-NC page forbids commercial use: NC content is fine, SA is not
    (NC, CC0): None,
    (NC, BY): None,
    (NC, SA): "sa",
    (NC, NC): None,
    (NC, NCSA): "sa",
    # a CC BY-NC-SA page
    (NCSA, CC0): None,
    (NCSA, BY): None,
    (NCSA, SA): "sa",
    (NCSA, NC): None,
    (NCSA, NCSA): None,
}


def test_the_matrix_covers_every_pair_of_the_core_licences():
    assert set(MATRIX) == {(host, item) for host in LICENCES for item in LICENCES}


@pytest.mark.parametrize(("host", "embedded"), sorted(MATRIX))
def test_each_pair(host: str, embedded: str):
    assert conflict(host, embedded) == MATRIX[(host, embedded)]
    # transcluded text follows the same rules for these licences (none is ND)
    assert conflict(host, embedded, kind="text") == MATRIX[(host, embedded)]


@pytest.mark.parametrize("host", sorted(LICENCES))
def test_no_derivatives_files_may_be_embedded_unchanged_but_not_transcluded(host: str):
    expected_file = "attribution" if host == CC0 else None
    assert conflict(host, "CC-BY-ND-4.0", kind="file") == expected_file
    assert conflict(host, "CC-BY-ND-4.0", kind="text") == "nd"
    # ND and NC: the NC rule comes first
    nc_host = LICENCES[host].non_commercial
    assert conflict(host, "CC-BY-NC-ND-4.0", kind="text") == ("nd" if nc_host else "nc")


@pytest.mark.parametrize("host", sorted(LICENCES))
def test_all_rights_reserved_only_by_its_author(host: str):
    assert conflict(host, RESERVED) == "reserved"
    assert conflict(host, RESERVED, same_author=True) is None
    assert conflict(host, "Tous droits réservés") == "reserved"


@pytest.mark.parametrize("code", ["", None, "GPL-3.0", "n'importe quoi"])
def test_an_unknown_licence_is_a_conflict(code):
    assert normalise(code) == UNKNOWN
    assert conflict(SA, code) == "unknown"


def test_codes_are_read_whatever_their_case():
    assert normalise("cc-by-sa-4.0") == SA
    assert conflict("cc-by-4.0", "CC-by-sa-4.0") == "sa"
