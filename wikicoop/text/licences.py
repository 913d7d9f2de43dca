"""The Creative Commons licences a page can carry, and the rule for changing them.

This module is pure: it imports nothing from Flask or the database, so views, the
seed loader, the API and the command line can all share it.

The licences
------------
Five licences are offered, in this display order (``LICENCES`` keeps it):

=================  ===============  ===========  ===========  ==============
code               short name       attribution  share-alike  non-commercial
=================  ===============  ===========  ===========  ==============
CC0-1.0            CC0 1.0          no           no           no
CC-BY-4.0          CC BY 4.0        yes          no           no
CC-BY-SA-4.0       CC BY-SA 4.0     yes          yes          no
CC-BY-NC-4.0       CC BY-NC 4.0     yes          no           yes
CC-BY-NC-SA-4.0    CC BY-NC-SA 4.0  yes          yes          yes
=================  ===============  ===========  ===========  ==============

The codes are the SPDX identifiers of the licences. ``DEFAULT_LICENCE`` is
CC BY-SA 4.0. Strictly speaking CC0 is a public-domain dedication rather than a
licence; it is listed with the others because a page can carry it.

The rule for changing a page's licence
--------------------------------------
A page is written by many people, each of whom published their words under the
page's licence at that time. A change of licence is therefore allowed only
towards a licence that keeps every contributor's terms:

1. the new licence must keep every condition of the old one (attribution,
   share-alike, non-commercial): a condition can never be dropped;
2. it may add conditions only where the old licence lets a reuser add them
   downstream. CC0, CC BY and CC BY-NC let a reuser publish an adapted version
   under stricter terms; share-alike does not: a CC BY-SA or CC BY-NC-SA page
   must stay under that same licence. (CC BY-NC-SA is not a licence that CC
   declares compatible with CC BY-SA, so CC BY-SA cannot become CC BY-NC-SA.)

Keeping the same licence is always allowed (it changes nothing). In practice:

=================  ======================================================
from               may become
=================  ======================================================
CC0 1.0            any of the five licences
CC BY 4.0          CC BY 4.0, CC BY-SA 4.0, CC BY-NC 4.0, CC BY-NC-SA 4.0
CC BY-SA 4.0       CC BY-SA 4.0 only
CC BY-NC 4.0       CC BY-NC 4.0, CC BY-NC-SA 4.0
CC BY-NC-SA 4.0    CC BY-NC-SA 4.0 only
=================  ======================================================

So no page can ever move to CC0, and no page can move from CC BY-SA back to
CC BY. The rule only protects the terms under which people wrote: each
contribution stays available under the licence it was published with.

In plain French, for a help page: « On peut changer la licence d'une page
seulement vers une licence qui garde toutes les conditions de l'ancienne. On peut
ajouter une condition, sauf si l'ancienne licence demande le partage dans les
mêmes conditions : dans ce cas, la licence ne change plus. »

Public API
----------
- ``Licence``: one licence (frozen dataclass).
- ``LICENCES``: ``dict[str, Licence]`` keyed by code, in display order.
- ``DEFAULT_LICENCE``: the code used when none is chosen.
- ``get_licence(code)``: look up by code or short name, case-insensitively;
  raises ``LicenceError`` (never ``KeyError``) for anything unknown.
- ``can_relicense(current, new)``: the rule above, as a boolean.
- ``relicense_refusal_params(current, new)``: ``None`` when allowed, otherwise the
  parameters of the error ``licence-incompatible`` saying why (``variant``, ``old``,
  ``new``); its sentences are in :mod:`wikicoop.error_messages`.
- ``relicense_refusal(current, new)``: that sentence in French (``None`` when allowed).
- ``relicense_targets(current)``: the licences a page under ``current`` may take,
  in display order (for a form's choices).

Every function that takes a licence accepts a code, a short name or a
``Licence``, and raises ``LicenceError`` for an unknown one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..error_messages import N_, sentence
from ..errors import ServiceError

__all__ = [
    "DEFAULT_LICENCE",
    "LICENCES",
    "Licence",
    "LicenceError",
    "can_relicense",
    "get_licence",
    "relicense_refusal",
    "relicense_refusal_params",
    "relicense_targets",
]


@dataclass(frozen=True)
class Licence:
    """One Creative Commons licence, with its deeds, badge and conditions.

    Attributes:
        code: SPDX identifier, e.g. ``"CC-BY-SA-4.0"``.
        short_name: the usual short name, e.g. ``"CC BY-SA 4.0"``.
        name_fr: the French title of the licence as Creative Commons gives it (other
            languages: the catalog, ``web.licence_name``).
        deed_url: the French human-readable summary (deed) on creativecommons.org.
        legal_url: the French translation of the legal code on creativecommons.org.
        badge: file name of the SVG badge in ``wikicoop/web/static/licences/``.
        attribution: reusers must credit the authors.
        share_alike: adapted versions must be shared under the same licence.
        non_commercial: no commercial use.
        summary_fr: one plain French sentence saying what a reuser may do (other
            languages: the catalog, ``web.licence_summary``).
    """

    code: str
    short_name: str
    name_fr: str
    deed_url: str
    legal_url: str
    badge: str
    attribution: bool
    share_alike: bool
    non_commercial: bool
    summary_fr: str

    @property
    def badge_path(self) -> str:
        """Path of the badge relative to the static folder, for ``url_for("static", ...)``."""
        return f"licences/{self.badge}"

    def __str__(self) -> str:
        return self.short_name


class LicenceError(ServiceError, ValueError):
    """An unknown licence was asked for: code ``unknown-licence``, parameters ``licence``
    (what was asked) and ``licences`` (the offered ones); ``str(error)`` is the French
    sentence."""


def _cc(
    slug: str,
    short_name: str,
    name_fr: str,
    conditions: tuple[bool, bool, bool],
    summary_fr: str,
) -> Licence:
    attribution, share_alike, non_commercial = conditions
    if slug == "zero":
        base = "https://creativecommons.org/publicdomain/zero/1.0/"
        code = "CC0-1.0"
        badge = "cc0.svg"
    else:
        base = f"https://creativecommons.org/licenses/{slug}/4.0/"
        code = f"CC-{slug.upper()}-4.0"
        badge = f"cc-{slug}.svg"
    return Licence(
        code=code,
        short_name=short_name,
        name_fr=name_fr,
        deed_url=f"{base}deed.fr",
        legal_url=f"{base}legalcode.fr",
        badge=badge,
        attribution=attribution,
        share_alike=share_alike,
        non_commercial=non_commercial,
        summary_fr=summary_fr,
    )


_ALL = (
    _cc(
        "zero",
        "CC0 1.0",
        N_("CC0 1.0 Universel"),
        (False, False, False),
        N_(
            "Tout le monde peut copier, modifier et réutiliser ce contenu comme il le souhaite, "
            "même pour le vendre, sans aucune condition."
        ),
    ),
    _cc(
        "by",
        "CC BY 4.0",
        N_("Attribution 4.0 International"),
        (True, False, False),
        N_(
            "Tout le monde peut copier, modifier et réutiliser ce contenu, même pour le vendre, "
            "à condition de citer ses auteurs et la licence."
        ),
    ),
    _cc(
        "by-sa",
        "CC BY-SA 4.0",
        N_("Attribution - Partage dans les Mêmes Conditions 4.0 International"),
        (True, True, False),
        N_(
            "Tout le monde peut copier, modifier et réutiliser ce contenu, même pour le vendre, "
            "à condition de citer ses auteurs et de partager toute version modifiée "
            "sous la même licence."
        ),
    ),
    _cc(
        "by-nc",
        "CC BY-NC 4.0",
        N_("Attribution - Pas d'Utilisation Commerciale 4.0 International"),
        (True, False, True),
        N_(
            "Tout le monde peut copier, modifier et réutiliser ce contenu, à condition de citer "
            "ses auteurs et de ne pas s'en servir pour gagner de l'argent."
        ),
    ),
    _cc(
        "by-nc-sa",
        "CC BY-NC-SA 4.0",
        N_(
            "Attribution - Pas d'Utilisation Commerciale - Partage dans les Mêmes Conditions "
            "4.0 International"
        ),
        (True, True, True),
        N_(
            "Tout le monde peut copier, modifier et réutiliser ce contenu, à condition de citer "
            "ses auteurs, de ne pas s'en servir pour gagner de l'argent et de partager toute "
            "version modifiée sous la même licence."
        ),
    ),
)

LICENCES: dict[str, Licence] = {licence.code: licence for licence in _ALL}
"""All licences offered, keyed by code, in display order (CC0 first)."""

DEFAULT_LICENCE = "CC-BY-SA-4.0"
"""The licence of a page when its author chooses none."""


def _key(text: str) -> str:
    """Normalise a code or short name for lookup: case-folded, spaces collapsed."""
    return " ".join(text.split()).casefold()


_LOOKUP: dict[str, Licence] = {
    _key(name): licence for licence in _ALL for name in (licence.code, licence.short_name)
}


def get_licence(code: str | Licence) -> Licence:
    """Return the licence named by ``code``.

    Args:
        code: a code (``"CC-BY-SA-4.0"``) or a short name (``"CC BY-SA 4.0"``), in any
            case and with any surrounding or repeated spaces; a ``Licence`` is
            returned unchanged.

    Returns:
        The matching ``Licence``.

    Raises:
        LicenceError: if no offered licence matches (never ``KeyError``).
    """
    if isinstance(code, Licence):
        return code
    if isinstance(code, str):
        licence = _LOOKUP.get(_key(code))
        if licence is not None:
            return licence
    shown = code if isinstance(code, str) else repr(code)
    names = [licence.short_name for licence in _ALL]
    raise LicenceError("unknown-licence", licence=shown, licences=names)


class _Refusal(Enum):
    """Why a change of licence is refused, in the order the checks run."""

    DROPS_ATTRIBUTION = "attribution"
    DROPS_NON_COMMERCIAL = "non_commercial"
    DROPS_SHARE_ALIKE = "share_alike"
    SHARE_ALIKE_LOCKED = "locked"


def _refusal(current: Licence, new: Licence) -> _Refusal | None:
    """Apply the rule of the module docstring; ``None`` means allowed."""
    if current == new:
        return None
    if current.attribution and not new.attribution:
        return _Refusal.DROPS_ATTRIBUTION
    if current.non_commercial and not new.non_commercial:
        return _Refusal.DROPS_NON_COMMERCIAL
    if current.share_alike and not new.share_alike:
        return _Refusal.DROPS_SHARE_ALIKE
    if current.share_alike:
        return _Refusal.SHARE_ALIKE_LOCKED
    return None


def can_relicense(current: str | Licence, new: str | Licence) -> bool:
    """Tell whether a page under ``current`` may be put under ``new``.

    Raises:
        LicenceError: if either licence is unknown.
    """
    return _refusal(get_licence(current), get_licence(new)) is None


def relicense_refusal_params(current: str | Licence, new: str | Licence) -> dict | None:
    """Why ``current`` cannot become ``new``, as the parameters of the error
    ``licence-incompatible`` (``variant``: the rule broken; ``old``, ``new``: the short
    names), or ``None`` if the change is allowed.

    Raises:
        LicenceError: if either licence is unknown.
    """
    old, target = get_licence(current), get_licence(new)
    reason = _refusal(old, target)
    if reason is None:
        return None
    return {"variant": reason.value, "old": old.short_name, "new": target.short_name}


def relicense_refusal(current: str | Licence, new: str | Licence) -> str | None:
    """Explain, in one French sentence, why ``current`` cannot become ``new``.

    Returns:
        ``None`` if the change is allowed, else a sentence for the person asking.

    Raises:
        LicenceError: if either licence is unknown.
    """
    params = relicense_refusal_params(current, new)
    return None if params is None else sentence(ServiceError("licence-incompatible", **params))


def relicense_targets(current: str | Licence) -> tuple[Licence, ...]:
    """Return the licences a page under ``current`` may take, in display order.

    The current licence is always included (keeping it is allowed).

    Raises:
        LicenceError: if ``current`` is unknown.
    """
    old = get_licence(current)
    return tuple(licence for licence in _ALL if _refusal(old, licence) is None)
