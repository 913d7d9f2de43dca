"""The credit line of a page or a file: title, authors, source address, licence, in
plain text and in safe HTML (every value escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from wikicoop.core.history import page_authors
from wikicoop.core.models import Page
from wikicoop.text.licences import LICENCES

from .licence_rules import EXTRA_TERMS, RESERVED, normalise

#: names and deeds of the licences beyond the core's five (files may carry them)
EXTRA_NAMES: dict[str, tuple[str, str]] = {
    "CC-BY-ND-4.0": ("CC BY-ND 4.0", "https://creativecommons.org/licenses/by-nd/4.0/deed.fr"),
    "CC-BY-NC-ND-4.0": (
        "CC BY-NC-ND 4.0",
        "https://creativecommons.org/licenses/by-nc-nd/4.0/deed.fr",
    ),
    RESERVED: ("tous droits réservés", ""),
}
assert set(EXTRA_NAMES) == set(EXTRA_TERMS)


def licence_label(code: str) -> tuple[str, str]:
    """The short name and the deed's address of a licence code (``""`` for no address);
    an unknown code is shown as it is (or « licence inconnue »)."""
    known = normalise(code)
    if known in LICENCES:
        return LICENCES[known].short_name, LICENCES[known].deed_url
    if known in EXTRA_NAMES:
        return EXTRA_NAMES[known]
    return (code or "licence inconnue"), ""


@dataclass(frozen=True)
class Credit:
    """What a reuser must cite."""

    title: str
    authors: tuple[str, ...]
    source: str
    licence: str  # code

    @property
    def licence_name(self) -> str:
        return licence_label(self.licence)[0]

    @property
    def licence_url(self) -> str:
        return licence_label(self.licence)[1]

    def as_json(self, words: dict[str, str]) -> dict[str, Any]:
        """The API's answer: ``text`` and ``html`` with the parts they are made of."""
        return {
            "title": self.title,
            "authors": list(self.authors),
            "source": self.source,
            "license": self.licence,
            "license_name": self.licence_name,
            "license_url": self.licence_url,
            "text": credit_text(self, words),
            "html": str(credit_html(self, words)),
        }


def credit_for(session: Session, page: Page, source: str, licence: str | None = None) -> Credit:
    """The credit of ``page``'s published version (its authors: everyone who wrote a
    published revision); ``licence`` overrides the page's (a file's own licence)."""
    return Credit(
        title=page.title.full,
        authors=tuple(page_authors(session, page)),
        source=source,
        licence=licence or page.licence,
    )


def _authors(credit: Credit, words: dict[str, str]) -> str:
    return ", ".join(credit.authors) if credit.authors else words["unknown_author"]


def credit_text(credit: Credit, words: dict[str, str]) -> str:
    """« Titre », par A, B — source : URL — sous licence CC BY-SA 4.0 (deed URL).

    ``words`` holds the reader's ``by``, ``source``, ``under`` and ``unknown_author``.
    """
    licence = credit.licence_name
    if credit.licence_url:
        licence += f" ({credit.licence_url})"
    return (
        f"« {credit.title} », {words['by']} {_authors(credit, words)} — "
        f"{words['source']} : {credit.source} — {words['under']} {licence}"
    )


def credit_html(credit: Credit, words: dict[str, str]) -> Markup:
    """The same line in HTML: a link to the source, the licence linked with
    ``rel="license"``; every value escaped."""
    licence: Markup | str = escape(credit.licence_name)
    if credit.licence_url:
        licence = Markup('<a rel="license" href="{}">{}</a>').format(
            credit.licence_url, credit.licence_name
        )
    return Markup('« <a href="{}">{}</a> », {} {} — {} {}').format(
        credit.source,
        credit.title,
        words["by"],
        _authors(credit, words),
        words["under"],
        licence,
    )
