"""The magazine's article: its page type, and the published articles read by section
and by weekly edition.

An article is a wiki page of type ``article``, moderated a priori: a moderator reads
every version before the public sees it. "Published" means its public version is an
article whose publication date has come (a date ahead of today is a planned article,
shown from that day). An edition is an ISO week, written ``2026-W49``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from wikicoop.core.typed_pages import TypedPage, published_of_type

TYPE = "article"

#: the sections, as stored in the ``rubrique`` field (their URL is their slug)
SECTIONS = [
    "Vie de quartier",
    "Associations",
    "Numérique",
    "Culture",
    "Solidarités",
    "Environnement",
]

ARTICLE = {
    "name": TYPE,
    "label": {"fr": "Article du magazine", "en": "Magazine article"},
    "fields": [
        {
            "name": "rubrique",
            "kind": "choice",
            "label": {"fr": "Rubrique", "en": "Section"},
            "choices": SECTIONS,
            "required": True,
        },
        {
            "name": "signature",
            "kind": "text",
            "label": {"fr": "Signature", "en": "Byline"},
            "required": True,
        },
        {
            "name": "date_publication",
            "kind": "date",
            "label": {"fr": "Date de publication", "en": "Publication date"},
            "required": True,
        },
        {"name": "chapo", "kind": "longtext", "label": {"fr": "Chapô", "en": "Standfirst"}},
        {"name": "image", "kind": "url", "label": {"fr": "Image", "en": "Image"}},
    ],
    # every article, even a moderator's, is read before it is public
    "moderation": "a_priori",
}

_EDITION = re.compile(r"(\d{4})-W(\d{2})")


def slug(section: str) -> str:
    """The URL form of a section: ``Numérique`` → ``numerique``."""
    plain = unicodedata.normalize("NFKD", section).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


SECTION_OF_SLUG = {slug(s): s for s in SECTIONS}


@dataclass(frozen=True)
class Article:
    """A published article, with what the magazine's pages show of it."""

    page: TypedPage
    section: str
    byline: str
    published: date
    standfirst: str
    image: str

    @property
    def title(self) -> str:
        """The article's title (its page's full title)."""
        return self.page.title.full

    @property
    def edition(self) -> str:
        """The weekly edition the article belongs to (``2026-W49``)."""
        return edition_of(self.published)


def _article(page: TypedPage) -> Article | None:
    try:
        published = date.fromisoformat(page.field("date_publication", ""))
    except ValueError:  # a value stored before the type required it
        return None
    return Article(
        page=page,
        section=page.field("rubrique", ""),
        byline=page.field("signature", ""),
        published=published,
        standfirst=page.field("chapo", ""),
        image=page.field("image", ""),
    )


def published_articles(session: Session, today: date | None = None) -> list[Article]:
    """Every published article whose publication date has come, newest first (ties:
    the latest approved first, then by title)."""
    today = today or date.today()
    articles = [a for a in map(_article, published_of_type(session, TYPE)) if a is not None]
    shown = [a for a in articles if a.published <= today]
    shown.sort(key=lambda a: a.title)
    shown.sort(key=lambda a: (a.published, a.page.updated_at), reverse=True)
    return shown


def in_section(articles: list[Article], section: str) -> list[Article]:
    """The articles of one section (order kept)."""
    return [a for a in articles if a.section == section]


def edition_of(day: date) -> str:
    """The ISO week of ``day``, written ``2026-W49``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def edition_monday(edition: str) -> date | None:
    """The Monday of an edition, or None when ``edition`` is not a real ISO week."""
    match = _EDITION.fullmatch(edition)
    if match is None:
        return None
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:  # week 0, week 53 of a 52-week year, year 0
        return None


def in_edition(articles: list[Article], edition: str) -> list[Article]:
    """The articles published during ``edition``'s week, oldest first (the order of a
    week's reading)."""
    return sorted((a for a in articles if a.edition == edition), key=lambda a: a.published)


def week_span(monday: date) -> tuple[date, date]:
    """The Monday and Sunday of the week starting on ``monday``."""
    return monday, monday + timedelta(days=6)
