"""The JSON twins: ``GET /api/v1/pages/<title>/credit`` (the credit line, ``{text,
html}`` with its parts) and ``GET /api/v1/export?category=`` (the zip archive of a
category, or of the whole wiki), rate limited like the core's other heavy routes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

from flask import Response, current_app, jsonify, request
from flask_login import current_user

from wikicoop.core import visibility
from wikicoop.errors import ServiceError
from wikicoop.text.titles import TitleError, make_title, parse_title
from wikicoop.web.db import get_session
from wikicoop.web.extensions import limiter
from wikicoop.web.helpers import ApiError, api_title, guard, rate_key
from wikicoop.web.labels import localized

from .export_zip import write_archive
from .reuse_common import absolute_url, api, credit_words, media_api, page_credit
from .reuse_texts import say

#: exports per reader (setting ``COMMONS_EXPORT_RATE_LIMIT``): each one reads every page
EXPORT_RATE_LIMIT = "5 per minute;30 per hour"
#: bytes sent at a time
CHUNK = 64 * 1024


def export_limit() -> str:
    """Flask-Limiter's limit of the zip export."""
    return str(current_app.config.get("COMMONS_EXPORT_RATE_LIMIT") or EXPORT_RATE_LIMIT)


@api.get("/pages/<path:raw_title>/credit")
def credit(raw_title: str) -> Response:
    """The credit line of a public page: ``text``, ``html`` (escaped), ``title``,
    ``authors``, ``source``, ``license``, ``license_name``, ``license_url``."""
    title = api_title(raw_title)
    session = get_session()
    try:
        page = visibility.published_page(session, title, current_user)
    except ServiceError as err:
        raise ApiError(404, say("page_missing", title=title.full), code=err.code) from None
    return jsonify(page_credit(session, page).as_json(credit_words()))


def category_asked() -> str | None:
    """The category of ``?category=`` (its normalised name), None for the whole wiki;
    400 for a name that cannot be a title."""
    raw = (request.args.get("category") or "").strip()
    if not raw:
        return None
    try:
        title = parse_title(
            raw if ":" in raw else f"Catégorie:{raw}",
            capitalize_first=current_app.config["CAPITALIZE_FIRST"],
        )
    except TitleError as err:
        raise ApiError(400, localized(err), code="invalid-category") from None
    return title.name if title.namespace == "category" else make_title("category", raw).name


@api.get("/export")
@limiter.limit(lambda: export_limit(), key_func=lambda: rate_key())
def export() -> Response:
    """The archive (``application/zip``, an attachment), built in a temporary file."""
    guard("view")
    category = category_asked()
    out = tempfile.TemporaryFile(prefix="wikicoop-export-")  # noqa: SIM115  (send_file closes it)
    try:
        summary = write_archive(
            out,
            get_session(),
            category=category,
            wiki_name=str(current_app.config.get("SITE_NAME") or "wikicoop"),
            link_for=absolute_url,
            media=media_api(),
        )
    except BaseException:
        out.close()
        raise
    if category is not None and not summary.pages:
        out.close()
        raise ApiError(404, say("no_category", name=category), code="empty-category")
    size = out.tell()
    out.seek(0)
    name = f"wikicoop-{category or 'wiki'}.zip".replace(" ", "_")
    answer = Response(_chunks(out), mimetype="application/zip")
    answer.headers["Content-Length"] = str(size)
    answer.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    answer.headers["X-Export-Pages"] = str(len(summary.pages))
    return answer


def _chunks(out: IO[bytes]) -> Iterator[bytes]:
    """The archive's bytes, streamed from its temporary file (closed, so deleted, at
    the end or when the reader goes away)."""
    try:
        while chunk := out.read(CHUNK):
            yield chunk
    finally:
        out.close()
