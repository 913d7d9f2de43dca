"""The magazine's pages: the front page, the sections, the weekly editions, the Atom
feed and the preview of a weekly letter (the subscription pages are in
:mod:`.subscribe_views`).

Every page lists published articles only (:func:`.articles.published_articles`): one
query, whatever the number of articles.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, Response, current_app, render_template
from flask_babel import format_date
from markupsafe import Markup

from wikicoop.community.feeds import FeedInfo, Site, new_feed, xml_safe
from wikicoop.web.atom import atom_response, site
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.helpers import require

from . import articles as arts
from . import digest, subscriptions
from .texts import language, say

bp = Blueprint(
    "donner_a_voir", __name__, static_folder="static", static_url_path="/magazine/static"
)

#: articles on the front page and in the feed
FRONT_PAGE = 20


def _page(template: str, **context: object) -> str:
    """A magazine page, with what every one of them shows (sections, words, dates)."""
    return render_template(
        f"donner_a_voir/{template}",
        say=say,
        sections=[(arts.slug(s), s) for s in arts.SECTIONS],
        slug=arts.slug,
        day=format_date,
        **context,
    )


@bp.route("/magazine")
def front() -> str:
    """The latest published articles, newest publication date first."""
    shown = arts.published_articles(get_session())[:FRONT_PAGE]
    this_week = arts.edition_of(date.today())
    return _page("une.html", articles=shown, this_week=this_week)


@bp.route("/magazine/rubrique/<section>")
def section(section: str) -> str:
    """The published articles of one section (its slug in the URL)."""
    name = arts.SECTION_OF_SLUG.get(section)
    if name is None:
        fail(404, say("unknown_section"))
    shown = arts.in_section(arts.published_articles(get_session()), name)
    return _page("rubrique.html", articles=shown, section_name=name, current=section)


@bp.route("/magazine/edition/<edition>")
def edition(edition: str) -> str:
    """The articles published during one ISO week (``2026-W49``)."""
    monday = arts.edition_monday(edition)
    if monday is None:
        fail(404, say("bad_edition"))
    start, end = arts.week_span(monday)
    shown = arts.in_edition(arts.published_articles(get_session()), edition)
    return _page(
        "edition.html",
        articles=shown,
        edition=edition,
        start=start,
        end=end,
        previous=arts.edition_of(monday - timedelta(days=7)),
        next=arts.edition_of(monday + timedelta(days=7)),
    )


@bp.route("/magazine/lettre/<edition>")
def letter(edition: str) -> str:
    """The preview of an edition's letter (HTML and plain text), for moderators."""
    require("moderate")
    if arts.edition_monday(edition) is None:
        fail(404, say("bad_edition"))
    session = get_session()
    built = digest.build_letter(
        digest.edition_articles(session, edition), edition, language(), current_app.config
    )
    count = len(subscriptions.confirmed_subscribers(session))
    text, _html = built.for_link("…")  # each subscriber's own unsubscribe link goes there
    body = Markup(built.body_html)
    return _page("lettre.html", letter=built, body=body, text=text, count=count)


@bp.route("/magazine/atom.xml")
def atom() -> Response:
    """The latest published articles as an Atom feed (same for every reader)."""
    where = site()
    shown = arts.published_articles(get_session())[:FRONT_PAGE]
    info = FeedInfo(
        feed_id=where.url("/magazine/atom.xml"),
        title=say("feed_title", site=where.name),
        self_url=where.url("/magazine/atom.xml"),
        html_url=where.url("/magazine"),
        language=language(),
    )
    return atom_response(articles_feed(where, info, shown))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def articles_feed(where: Site, info: FeedInfo, shown: list[arts.Article]) -> bytes:
    """An Atom document of ``shown`` (newest first): each entry links the article, dated
    by its publication day, authored by its byline, with its standfirst as summary."""
    updated = max((a.page.updated_at for a in shown), default=info.empty_updated)
    feed = new_feed(where, info, updated)
    for article in shown:
        entry = feed.add_entry(order="append")
        entry.id(where.tag(article.page.created_at, f"page/{article.page.page_id}"))
        entry.title(xml_safe(article.title) or "?")
        entry.published(_midnight(article.published))
        entry.updated(article.page.updated_at)
        entry.author({"name": xml_safe(article.byline) or "?"})
        entry.category(term=arts.slug(article.section), label=xml_safe(article.section))
        entry.link(href=where.page_url(article.page.title), rel="alternate", type="text/html")
        if article.standfirst:
            entry.summary(xml_safe(article.standfirst))
    return feed.atom_str(pretty=False)
