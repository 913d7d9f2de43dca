"""« Réutiliser » a page or a file: ``/reutiliser/<title>`` shows the credit line to
copy (text and HTML, in read-only boxes: no JavaScript needed) and links to the page's
exports, ``/reutiliser/<title>/export.md`` and ``/reutiliser/<title>/export.html``
(downloads with a licence header and the authors)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from flask import Response, render_template

from wikicoop.core import render_cache
from wikicoop.core.models import Page
from wikicoop.web.db import get_session
from wikicoop.web.helpers import parse_or_fail, published_page_or_404, renderer
from wikicoop.web.labels import current_language

from .export_page import html_export, markdown_export
from .reuse_common import bp, credit_words
from .reuse_common import page_credit as shared_credit
from .reuse_credit import Credit, credit_html, credit_text
from .reuse_texts import say


def page_credit(page: Page) -> Credit:
    """The credit of a public page (a file page with its file's licence and author)."""
    return shared_credit(get_session(), page)


def reuse_url(page_title: str) -> str:
    """The « Réutiliser » address of a full title."""
    return "/reutiliser/" + quote(page_title.replace(" ", "_"), safe="/:")


def _words() -> dict[str, str]:
    return {**credit_words(), "authors": say("authors"), "licence_name": say("licence_name")}


def _attachment(body: str, mimetype: str, filename: str) -> Response:
    """A download named ``filename`` (RFC 5987 for non-ASCII names)."""
    answer = Response(body, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    answer.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return answer


def _file_name(page: Page, extension: str) -> str:
    """A download's name: the title, its characters safe for every system."""
    unsafe = '<>:"/\\|?*'
    stem = "".join("_" if c in unsafe or ord(c) < 32 else c for c in page.title.full)
    return f"{stem.replace(' ', '_')}.{extension}"


@bp.route("/reutiliser/<path:raw_title>")
def reuse(raw_title: str) -> str:
    """The credit line to copy, in text and HTML, and the page's downloads."""
    page = published_page_or_404(parse_or_fail(raw_title))
    credit = page_credit(page)
    words = _words()
    return render_template(
        "mettre_en_communs/reuse/credit.html",
        page=page,
        credit=credit,
        text=credit_text(credit, words),
        html=str(credit_html(credit, words)),
        preview=credit_html(credit, words),
        base=reuse_url(page.title.full),
        say=say,
    )


@bp.route("/reutiliser/<path:raw_title>/export.md")
def export_markdown(raw_title: str) -> Response:
    """The page's Markdown with its licence header (YAML front matter)."""
    page = published_page_or_404(parse_or_fail(raw_title))
    revision = page.latest_revision
    assert revision is not None
    body = markdown_export(page_credit(page), revision.id, revision.created_at, revision.text)
    return _attachment(body, "text/markdown", _file_name(page, "md"))


@bp.route("/reutiliser/<path:raw_title>/export.html")
def export_html(raw_title: str) -> Response:
    """The page as a standalone HTML document with its licence and authors."""
    page = published_page_or_404(parse_or_fail(raw_title))
    revision = page.latest_revision
    assert revision is not None
    credit = page_credit(page)
    rendered = render_cache.cached_render(get_session(), renderer(), revision)
    body = html_export(
        credit, rendered.html, _words(), datetime.now(UTC), current_language() or "fr"
    )
    return _attachment(body, "text/html", _file_name(page, "html"))


def action_link(page: Page | None) -> dict[str, object] | None:
    """The « Réutiliser » tab of a public page (none for a missing or deleted one)."""
    if page is None or page.is_deleted or page.latest_revision_id is None:
        return None
    return {"label": {"fr": "Réutiliser", "en": "Reuse"}, "url": reuse_url(page.title.full)}
