"""Atom feeds (RFC 4287) of what visitors may read: recent changes, a page's history, a
user's contributions, a category's new pages.

**Published content only.** Every query keeps revisions whose status is ``published`` on
live pages (not deleted, with a public revision): never a pending, rejected or hidden
revision, never a deleted page. The diff of an entry compares a revision with the
*previous published* revision of its page, not with its parent, so the text of a hidden
or rejected revision cannot leak through a later diff.

**Inert.** Entry content is HTML built here from escaped text only (the summary, a short
line diff made by :mod:`wikicoop.diffing`, which escapes every line, or a plain-text
excerpt of the sanitized rendering); nothing from a page is embedded as markup.

**Queries.** One query per feed (plus the lookup of the page, user or category): authors
and pages are joined, the previous published revision is found by a correlated subquery,
and texts longer than :data:`MAX_DIFF_BYTES` are not even fetched.

**Identifiers.** Entries carry ``tag:`` URIs (RFC 4151) that survive renames:
``tag:<host>,<date of the revision>:revision/<id>`` and, in category feeds,
``tag:<host>,<date the page was created>:page/<id>``. A page's and a user's feeds use
the same scheme (``page/<id>/history``, ``user/<id>/contributions``); the recent changes
and category feeds, which have no row of their own, are identified by their URL.

**"New" in a category** means *new pages*: the pages now filed in the category, newest
first by the time their first published revision was written. Category memberships carry
no date, so a page added to a category long after it was created is listed at its
creation date.

This module does not read ``flask.request`` and builds no URL of its own: views pass the
site's absolute base URL and how the wiki links a page (:attr:`Site.link_for`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import escape
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..core.models import CategoryMembership, Page, RenderCache, Revision, User
from ..core.moderation import PUBLISHED
from ..core.render_cache import RENDERER_VERSION
from ..text.diffing import diff_texts
from ..text.titles import Title, make_title
from .changes import LISTED, page_matches

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

#: most entries in one feed
MAX_ENTRIES = 50
#: texts larger than this (in bytes) are not compared in a feed (the link shows the diff)
MAX_DIFF_BYTES = 100_000
#: changed lines shown per entry
MAX_DIFF_ROWS = 20
#: a changed line whose marked-up form is longer than this is shown as a plain excerpt
MAX_LINE_HTML = 1_500
#: characters kept of such a line, and of a new page's excerpt
LINE_EXCERPT_CHARS = 300
PAGE_EXCERPT_CHARS = 400
#: seconds allowed to diff one entry (a slow diff only gets coarser, see diffing)
DIFF_TIMEOUT = 0.2
#: characters of rendered HTML or source read for a new page's excerpt
_EXCERPT_SOURCE_CHARS = 4_000
#: feed date when there is no entry: fixed, so that the feed's ETag stays the same
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# characters XML 1.0 cannot carry (lxml refuses them): dropped from everything we emit.
# Written as the small set they are, not as the complement of the large ranges XML
# allows: that form took 3 ms of every start to compile
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DNS_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Site:
    """Where the feed is served: absolute base URL (no trailing slash), name, and how the
    wiki links a page or one of its actions: ``link_for(title, action=None, **params)``
    gives the site path (``/wiki/Accueil?action=diff&from=1&to=2``)."""

    base_url: str
    name: str
    link_for: Callable[..., str]

    @property
    def tag_authority(self) -> str:
        """The host name used in ``tag:`` URIs (RFC 4151 wants a DNS name)."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        return host if _DNS_NAME.match(host) else "wikicoop.invalid"

    def tag(self, when: datetime, specific: str) -> str:
        """A ``tag:`` URI minted by this site on the day ``when``."""
        return f"tag:{self.tag_authority},{when.astimezone(UTC):%Y-%m-%d}:{specific}"

    def url(self, path: str) -> str:
        """Absolute URL of a site path such as ``/wiki/Accueil``."""
        return self.base_url + path

    def page_url(self, title: Title, action: str | None = None, **params: object) -> str:
        """Absolute URL of a page, or of one of its actions."""
        return self.url(self.link_for(title, action, **params))


@dataclass(frozen=True)
class Change:
    """One published revision, with what its feed entry needs."""

    revision_id: int
    title: Title
    author: str
    #: whether the author is an account (with a user page) rather than an address
    registered: bool
    created_at: datetime
    summary: str
    minor: bool
    size: int
    #: None when the text is too long to compare here
    text: str | None
    #: the previous published revision of the page (None: this one is the first)
    previous_id: int | None
    previous_size: int | None
    previous_text: str | None


@dataclass(frozen=True)
class NewPage:
    """A page of a category, dated by its first published revision."""

    page_id: int
    title: Title
    created_at: datetime
    first_published_at: datetime
    author: str
    registered: bool
    summary: str
    #: plain text from the start of the page's current public version
    excerpt: str


@dataclass(frozen=True)
class FeedInfo:
    """The feed-level elements: id, title, self and HTML links, fallback date."""

    feed_id: str
    title: str
    self_url: str
    html_url: str
    language: str
    #: ``updated`` when the feed has no entry (a fixed date keeps the ETag stable)
    empty_updated: datetime = EPOCH


# --------------------------------------------------------------------------- queries


def _text_if_small(revision: type[Revision]) -> ColumnElement[str | None]:
    """The revision's text, or NULL when it is too long to compare in a feed."""
    return case((revision.size <= MAX_DIFF_BYTES, revision.text), else_=None)


def _published_live(*on_page: ColumnElement[bool]) -> tuple[ColumnElement[bool], ...]:
    """A published revision of a live page meeting ``on_page`` (on ``changes.LISTED``)."""
    live = (LISTED.deleted_at.is_(None), LISTED.latest_revision_id.is_not(None), *on_page)
    return (Revision.status == PUBLISHED, page_matches(Revision.page_id, *live))


def _changes_query(
    *conditions: ColumnElement[bool], limit: int, on_page: tuple[ColumnElement[bool], ...] = ()
) -> Select:
    earlier = aliased(Revision)
    previous = aliased(Revision)
    previous_id = (
        select(func.max(earlier.id))
        .where(
            earlier.page_id == Revision.page_id,
            earlier.id < Revision.id,
            earlier.status == PUBLISHED,
        )
        .correlate(Revision)
        .scalar_subquery()
    )
    return (
        select(
            Revision.id,
            Page.namespace,
            Page.name,
            User.username,
            Revision.author_ip,
            Revision.created_at,
            Revision.summary,
            Revision.minor,
            Revision.size,
            _text_if_small(Revision),
            previous.id,
            previous.size,
            _text_if_small(previous),
        )
        .join(Page, Page.id == Revision.page_id)
        .outerjoin(User, User.id == Revision.author_id)
        .outerjoin(previous, previous.id == previous_id)
        .where(*_published_live(*on_page), *conditions)
        .order_by(Revision.id.desc())
        .limit(max(1, min(limit, MAX_ENTRIES)))
    )


def _changes(session: Session, stmt: Select) -> list[Change]:
    return [
        Change(
            revision_id=rev_id,
            title=make_title(namespace, name),
            author=username or ip or "?",
            registered=username is not None,
            created_at=created_at,
            summary=summary,
            minor=minor,
            size=size,
            text=text,
            previous_id=previous_id,
            previous_size=previous_size,
            previous_text=previous_text,
        )
        for (
            rev_id,
            namespace,
            name,
            username,
            ip,
            created_at,
            summary,
            minor,
            size,
            text,
            previous_id,
            previous_size,
            previous_text,
        ) in session.execute(stmt)
    ]


def recent_changes(
    session: Session, *, namespace: str | None = None, limit: int = MAX_ENTRIES
) -> list[Change]:
    """The newest published revisions of live pages, newest first (one query)."""
    wanted = (LISTED.namespace == namespace,) if namespace else ()
    return _changes(session, _changes_query(limit=limit, on_page=wanted))


def page_changes(session: Session, page: Page, *, limit: int = MAX_ENTRIES) -> list[Change]:
    """The newest published revisions of ``page``, newest first (one query)."""
    return _changes(session, _changes_query(Revision.page_id == page.id, limit=limit))


def user_changes(session: Session, user: User, *, limit: int = MAX_ENTRIES) -> list[Change]:
    """The newest published revisions written by ``user`` on live pages (one query)."""
    return _changes(session, _changes_query(Revision.author_id == user.id, limit=limit))


def published_page(session: Session, title: Title) -> Page | None:
    """The page at ``title`` if visitors can read it (live, with a public revision)."""
    return session.scalars(
        select(Page).where(
            Page.namespace == title.namespace,
            Page.name == title.name,
            Page.deleted_at.is_(None),
            Page.latest_revision_id.is_not(None),
        )
    ).first()


def category_new_pages(
    session: Session, category: str, *, limit: int = MAX_ENTRIES
) -> list[NewPage]:
    """Live pages filed in ``category``, newest first by first publication (one query).

    The excerpt comes from the sanitized rendering of the page's public revision (as
    plain text), or from its source when that rendering is not cached.
    """
    earlier = aliased(Revision)
    first = aliased(Revision)
    latest = aliased(Revision)
    first_id = (
        select(func.min(earlier.id))
        .where(earlier.page_id == Page.id, earlier.status == PUBLISHED)
        .correlate(Page)
        .scalar_subquery()
    )
    stmt = (
        select(
            Page.id,
            Page.namespace,
            Page.name,
            Page.created_at,
            first.created_at,
            User.username,
            first.author_ip,
            first.summary,
            func.substr(RenderCache.html, 1, _EXCERPT_SOURCE_CHARS),
            # the source only without a rendering (compressed: SQL cannot cut it)
            case((RenderCache.html.is_(None), latest.text), else_=None),
        )
        .join(CategoryMembership, CategoryMembership.page_id == Page.id)
        .join(first, first.id == first_id)
        # the public revision, only while it is published (never a hidden text)
        .outerjoin(latest, and_(latest.id == Page.latest_revision_id, latest.status == PUBLISHED))
        .outerjoin(
            RenderCache,
            and_(
                RenderCache.revision_id == latest.id,
                RenderCache.renderer_version == RENDERER_VERSION,
            ),
        )
        .outerjoin(User, User.id == first.author_id)
        .where(
            CategoryMembership.category == category,
            Page.deleted_at.is_(None),
            Page.latest_revision_id.is_not(None),
        )
        .order_by(first.id.desc())
        .limit(max(1, min(limit, MAX_ENTRIES)))
    )
    return [
        NewPage(
            page_id=page_id,
            title=make_title(namespace, name),
            created_at=created_at,
            first_published_at=first_at,
            author=username or ip or "?",
            registered=username is not None,
            summary=summary,
            excerpt=_excerpt(rendered, source[:_EXCERPT_SOURCE_CHARS] if source else source),
        )
        for (
            page_id,
            namespace,
            name,
            created_at,
            first_at,
            username,
            ip,
            summary,
            rendered,
            source,
        ) in session.execute(stmt)
    ]


def category_exists(session: Session, category: str) -> bool:
    """Whether a category has a public page or at least one live member."""
    page_exists = exists().where(
        Page.namespace == "category",
        Page.name == category,
        Page.deleted_at.is_(None),
        Page.latest_revision_id.is_not(None),
    )
    member_exists = (
        exists()
        .where(CategoryMembership.category == category)
        .where(
            CategoryMembership.page_id == Page.id,
            Page.deleted_at.is_(None),
            Page.latest_revision_id.is_not(None),
        )
    )
    return bool(session.scalar(select(page_exists | member_exists)))


# ------------------------------------------------------------------------ content


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment, a space for every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _shorten(text: str, limit: int) -> str:
    """``text`` with runs of spaces collapsed, cut at a word near ``limit`` with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut) + "…"


def _excerpt(rendered_html: str | None, source: str | None) -> str:
    """Plain text from the start of a page: its rendering's text, else its source."""
    if rendered_html:
        if rendered_html.rfind("<") > rendered_html.rfind(">"):  # cut inside a tag
            rendered_html = rendered_html[: rendered_html.rfind("<")]
        parser = _TextOnly()
        parser.feed(rendered_html)
        parser.close()
        return _shorten("".join(parser.parts), PAGE_EXCERPT_CHARS)
    return _shorten(source or "", PAGE_EXCERPT_CHARS)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (NUL, other controls...)."""
    return _NOT_XML.sub("", text)


def _line_html(marked: str) -> str:
    """A diff line's escaped HTML, or a plain escaped excerpt when it is very long."""
    if len(marked) <= MAX_LINE_HTML:
        return marked
    # the only tags in diffing's output are its own <del>/<ins> marks: drop them
    plain = html.unescape(_TAG.sub("", marked))
    return str(escape(_shorten(plain, LINE_EXCERPT_CHARS)))


def diff_html(old: str, new: str) -> str:
    """A short, escaped list of the lines changed from ``old`` to ``new``.

    At most :data:`MAX_DIFF_ROWS` changed lines (blank ones skipped), "…" between
    groups of changes, and a count of the lines left out.
    """
    diff = diff_texts(old, new, timeout=DIFF_TIMEOUT)
    items: list[str] = []
    shown = skipped = 0
    for hunk in diff.hunks(context=0):
        rows = [r for r in hunk if r.old_html.strip() or r.new_html.strip()]
        if not rows:
            continue
        if items:
            items.append("<li>…</li>")
        for row in rows:
            if shown >= MAX_DIFF_ROWS:
                skipped += 1
                continue
            shown += 1
            if row.kind == "delete":
                items.append(f"<li>− <del>{_line_html(row.old_html)}</del></li>")
            elif row.kind == "insert":
                items.append(f"<li>+ <ins>{_line_html(row.new_html)}</ins></li>")
            else:  # replace: the changed words are marked inside each side
                if row.old_html.strip():
                    items.append(f"<li>− {_line_html(row.old_html)}</li>")
                if row.new_html.strip():
                    items.append(f"<li>+ {_line_html(row.new_html)}</li>")
    if not items:
        if diff.identical:
            return _para(_("Le texte n'a pas changé."))
        return _para(_("Seules des lignes vides ont changé."))
    if items[-1] == "<li>…</li>":
        items.pop()
    out = "<ul>" + "".join(items) + "</ul>"
    if skipped:
        out += _para(
            ngettext(
                "… et %(num)d autre ligne modifiée.",
                "… et %(num)d autres lignes modifiées.",
                skipped,
            )
        )
    return out


def _para(sentence: str) -> str:
    return f"<p>{escape(sentence)}</p>"


def change_html(change: Change) -> str:
    """The entry content of a change: what kind, the summary, the size change, the diff."""
    facts = []
    if change.previous_id is None:
        facts.append(_("Nouvelle page."))
    if change.minor:
        facts.append(_("Modification mineure."))
    delta = change.size - (change.previous_size or 0)
    facts.append(
        ngettext("%(change)s octet", "%(change)s octets", abs(delta), change=f"{delta:+d}")
    )
    parts = [_para(" ".join(facts))]
    if change.summary:
        parts.append(_para(_("Résumé : %(summary)s", summary=change.summary)))
    too_long = change.text is None or (
        change.previous_id is not None and change.previous_text is None
    )
    if too_long:
        parts.append(
            _para(
                _(
                    "Le texte est trop long pour être comparé ici : "
                    "suivez le lien pour voir les différences."
                )
            )
        )
    else:
        parts.append(diff_html(change.previous_text or "", change.text or ""))
    return xml_safe("".join(parts))


def new_page_html(page: NewPage) -> str:
    """The entry content of a new page: the start of its text, then its first summary."""
    parts = []
    if page.excerpt:
        parts.append(_para(page.excerpt))
    if page.summary:
        parts.append(_para(_("Résumé : %(summary)s", summary=page.summary)))
    return xml_safe("".join(parts))


# ------------------------------------------------------------------------- feeds


def _author(site: Site, name: str, registered: bool) -> dict[str, str]:
    author = {"name": xml_safe(name) or "?"}
    if registered:
        author["uri"] = site.page_url(make_title("user", name))
    return author


def new_feed(site: Site, info: FeedInfo, updated: datetime) -> FeedGenerator:
    # loaded when first used (with lxml, dateutil): not on a page view's path (a quicker start)
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(info.feed_id)
    feed.title(xml_safe(info.title))
    feed.updated(updated)
    feed.link(href=info.self_url, rel="self", type="application/atom+xml")
    feed.link(href=info.html_url, rel="alternate", type="text/html")
    feed.author({"name": xml_safe(site.name) or "wikicoop", "uri": site.url("/")})
    feed.generator("wikicoop")
    feed.language(info.language)
    return feed


def revision_url(site: Site, change: Change) -> str:
    """Absolute URL of what a change entry points at: its diff, or the first version."""
    if change.previous_id is None:
        return site.page_url(change.title, revision=change.revision_id)
    params = {"from": change.previous_id, "to": change.revision_id}
    return site.page_url(change.title, "diff", **params)


def changes_feed(
    site: Site,
    info: FeedInfo,
    changes: Sequence[Change],
    *,
    entry_title: Callable[[Change], str] = lambda change: change.title.full,
) -> bytes:
    """An Atom document of ``changes`` (already newest first)."""
    updated = max((c.created_at for c in changes), default=info.empty_updated)
    feed = new_feed(site, info, updated)
    for change in changes:
        entry = feed.add_entry(order="append")
        entry.id(site.tag(change.created_at, f"revision/{change.revision_id}"))
        entry.title(xml_safe(entry_title(change)) or "?")
        entry.updated(change.created_at)
        entry.published(change.created_at)
        entry.author(_author(site, change.author, change.registered))
        entry.link(href=revision_url(site, change), rel="alternate", type="text/html")
        entry.content(change_html(change), type="html")
    return feed.atom_str(pretty=False)


def new_pages_feed(site: Site, info: FeedInfo, pages: Sequence[NewPage]) -> bytes:
    """An Atom document of a category's new ``pages`` (already newest first)."""
    updated = max((p.first_published_at for p in pages), default=info.empty_updated)
    feed = new_feed(site, info, updated)
    for page in pages:
        entry = feed.add_entry(order="append")
        entry.id(site.tag(page.created_at, f"page/{page.page_id}"))
        entry.title(xml_safe(page.title.full) or "?")
        entry.updated(page.first_published_at)
        entry.published(page.first_published_at)
        entry.author(_author(site, page.author, page.registered))
        entry.link(href=site.page_url(page.title), rel="alternate", type="text/html")
        content = new_page_html(page)
        if content:
            entry.content(content, type="html")
    return feed.atom_str(pretty=False)
