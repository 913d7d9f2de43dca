"""Which content a page may carry: the compatibility table of licences (pure, no Flask,
no database).

A page (the *host*) under one licence embeds or transcludes content under another.
Reusers read the host's licence only, so the embedded content must not ask for more
than the host promises, nor for something the host cannot offer. The rules, checked in
this order (the first that applies names the conflict):

``unknown``
    the embedded content has no known licence: nobody can tell whether it may be here.
``reserved``
    all rights reserved: allowed only when the host's only author is the content's
    author (they may publish their own work as they like).
``nc``
    non-commercial content in a host that allows commercial reuse.
``nd``
    no-derivatives content *transcluded* as text (the page's text is edited and
    adapted by everyone: an adaptation). An ND *file* embedded unchanged is allowed:
    like Wikimedia Commons, we read a page showing an unmodified image as a collection,
    not an adaptation of the image (CC 4.0, section 1.a).
``sa``
    share-alike content in a host under any other licence: the host cannot relicense
    it (a CC BY-SA text in a CC BY or CC0 page, or in a CC BY-NC-SA page). The same
    share-alike licence is fine.
``attribution``
    content that must be credited inside a CC0 page, which promises reuse without any
    condition.

Everything else is allowed: content under a more permissive licence can always sit in
a stricter page (CC0 or CC BY material in a CC BY-SA page).
"""

from __future__ import annotations

from dataclasses import dataclass

from wikicoop.text.licences import LICENCES

#: a file or text declared "all rights reserved"
RESERVED = "all-rights-reserved"
#: no licence is known (an imported page, a file without a licence)
UNKNOWN = "unknown"

#: conflict codes in the order they are checked (see the module docstring)
CONFLICT_CODES = ("unknown", "reserved", "nc", "nd", "sa", "attribution")


@dataclass(frozen=True)
class Terms:
    """The conditions a licence puts on reusers (the columns of the table)."""

    code: str
    attribution: bool
    share_alike: bool
    non_commercial: bool
    no_derivatives: bool = False
    reserved: bool = False


#: licences content may carry beyond the core's five (files uploaded with ND licences…)
EXTRA_TERMS: dict[str, Terms] = {
    "CC-BY-ND-4.0": Terms("CC-BY-ND-4.0", True, False, False, no_derivatives=True),
    "CC-BY-NC-ND-4.0": Terms("CC-BY-NC-ND-4.0", True, False, True, no_derivatives=True),
    RESERVED: Terms(RESERVED, True, False, True, no_derivatives=True, reserved=True),
}


def normalise(code: str | None) -> str:
    """A licence code as this table knows it: the core's codes (any case), the extra
    ones, ``all-rights-reserved``; anything else is ``unknown``."""
    raw = (code or "").strip()
    for known in (*LICENCES, *EXTRA_TERMS):
        if raw.casefold() == known.casefold():
            return known
    folded = raw.casefold().replace(" ", "-")
    if folded in {"arr", "tous-droits-réservés", "all-rights-reserved", "copyright"}:
        return RESERVED
    return UNKNOWN


def terms_of(code: str | None) -> Terms | None:
    """The conditions of a licence (None when unknown)."""
    known = normalise(code)
    if known in LICENCES:
        licence = LICENCES[known]
        return Terms(known, licence.attribution, licence.share_alike, licence.non_commercial)
    return EXTRA_TERMS.get(known)


def conflict(
    host: str,
    embedded: str | None,
    *,
    kind: str = "file",
    same_author: bool = False,
) -> str | None:
    """Why content under ``embedded`` cannot sit in a page under ``host`` (a code of
    :data:`CONFLICT_CODES`), or None when it may.

    ``kind`` is ``"file"`` (embedded unchanged) or ``"text"`` (transcluded);
    ``same_author`` says the host's only author is the content's author.
    """
    page = terms_of(host)
    content = terms_of(embedded)
    if content is None:
        return "unknown"
    if page is None:  # a host without a known licence promises nothing: no new conflict
        return None
    if content.reserved:
        return None if same_author else "reserved"
    if content.non_commercial and not page.non_commercial:
        return "nc"
    if content.no_derivatives and kind == "text":
        return "nd"
    if content.share_alike and content.code != page.code:
        return "sa"
    if content.attribution and not page.attribution:
        return "attribution"
    return None
