"""Atom answers: the wiki's address for a feed, and a conditional Atom response.

Shared by the core's feed views (``views/feeds.py``) and the plugins' feeds.
"""

from __future__ import annotations

import hashlib

from flask import Response, current_app, request

from ..community import feeds
from .urls import page_url

ATOM_TYPE = "application/atom+xml; charset=utf-8"
#: seconds a reader or proxy may reuse a feed without asking again
MAX_AGE = 60


def site() -> feeds.Site:
    """The wiki's absolute address (``SITE_URL``, else this request's), its name, and how
    it links a page (the feeds build no URL of their own)."""
    base = current_app.config.get("SITE_URL") or request.url_root
    return feeds.Site(
        base_url=base.rstrip("/"), name=current_app.config["SITE_NAME"], link_for=page_url
    )


def atom_response(document: bytes) -> Response:
    """An Atom answer with a strong ETag; 304 when the reader already has this document."""
    response = Response(document, content_type=ATOM_TYPE)
    response.set_etag(hashlib.sha256(document).hexdigest()[:40])
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)
