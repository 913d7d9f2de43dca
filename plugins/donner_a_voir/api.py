"""The magazine's JSON API: the twin of its pages and of its subscription form.

- ``GET /api/v1/magazine/articles?section=<slug>&edition=<YYYY-Www>&limit=<n>``: the
  published articles, newest publication date first (an edition's oldest first, as its
  page lists them);
- ``POST /api/v1/magazine/subscriptions`` ``{"email": …}``: 202 and a confirmation e-mail
  (the same answer for any address), 400 for a bad address.

Both are open to anonymous readers, without CSRF token: they read published content, or
send a confirmation e-mail to an address that is only kept once confirmed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from werkzeug.wrappers import Response

from wikicoop.community.mailer import site_root
from wikicoop.web.db import get_session
from wikicoop.web.extensions import csrf
from wikicoop.web.urls import page_url

from . import articles as arts
from . import subscriptions as subs
from .subscribe_views import limited
from .texts import language, say

api = Blueprint("donner_a_voir_api", __name__, url_prefix="/api/v1")
csrf.exempt(api)

#: most articles in one answer
MAX_LIMIT = 200


def article_json(article: arts.Article, root: str) -> dict[str, Any]:
    """One article as the API shows it."""
    return {
        "title": article.title,
        "url": root + page_url(article.page.title),
        "section": article.section,
        "section_slug": arts.slug(article.section),
        "byline": article.byline,
        "published": article.published.isoformat(),
        "edition": article.edition,
        "standfirst": article.standfirst,
        "image": article.image,
    }


def _refused(key: str, code: str, field: str) -> tuple[Response, int]:
    return jsonify(error=say(key), code=code, field=field), 400


@api.route("/magazine/articles")
def articles() -> Response | tuple[Response, int]:
    """The published articles, filtered by section and edition."""
    shown = arts.published_articles(get_session())
    section = request.args.get("section", "").strip()
    if section:
        name = arts.SECTION_OF_SLUG.get(section)
        if name is None:
            return _refused("unknown_section", "unknown-section", "section")
        shown = arts.in_section(shown, name)
    edition = request.args.get("edition", "").strip()
    if edition:
        if arts.edition_monday(edition) is None:
            return _refused("bad_edition", "bad-edition", "edition")
        shown = arts.in_edition(shown, edition)
    try:
        limit = int(request.args.get("limit") or MAX_LIMIT)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        return _refused("bad_limit", "bad-limit", "limit")
    root = site_root(current_app.config)
    return jsonify(articles=[article_json(a, root) for a in shown[:limit]], total=len(shown))


@api.route("/magazine/subscriptions", methods=["POST"])
@limited
def subscribe() -> tuple[Response, int]:
    """``{"email": …}`` → 202 and a confirmation e-mail; 400 for a bad address."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error=say("no_json"), code="invalid-body"), 400
    raw = body.get("email")
    try:
        subs.request_subscription(get_session(), current_app.config, raw, language())
    except subs.BadAddress:
        shown = raw[:254] if isinstance(raw, str) else ""
        return jsonify(
            error=say("bad_email", email=shown), code="invalid-email", field="email"
        ), 400
    get_session().commit()  # the e-mail leaves once committed, after the response
    return jsonify(status="pending", message=say("check_mailbox")), 202
