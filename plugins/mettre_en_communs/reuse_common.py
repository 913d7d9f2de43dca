"""What the reuse views and API share: their blueprints, the wiki's absolute address,
the reader's words of a credit line, and a file page's own licence (from the media
library, when it is there)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, request
from sqlalchemy.orm import Session

from wikicoop.core.models import Page
from wikicoop.text.titles import Title
from wikicoop.web.helpers import make_api_blueprint
from wikicoop.web.urls import page_url

from .reuse_credit import Credit, credit_for
from .reuse_texts import say

HERE = Path(__file__).parent

#: the HTML views (/reutiliser…, /communs…, /ressources)
bp = Blueprint("mettre_en_communs_reuse", __name__)
#: the JSON twins under /api/v1
api = make_api_blueprint("mettre_en_communs_reuse_api", __name__)


def site_root() -> str:
    """The wiki's absolute address without a final slash (``SITE_URL``, else this
    request's)."""
    return (current_app.config.get("SITE_URL") or request.url_root).rstrip("/")


def absolute_url(title: Title) -> str:
    """A page's full address, for a credit line read outside the wiki."""
    return site_root() + page_url(title)


def credit_words() -> dict[str, str]:
    """The words of a credit line in the reader's language."""
    return {key: say(key) for key in ("by", "source", "under", "unknown_author")}


def media_api() -> Any:
    """The media library's API module, or None when that part is absent (the reuse part
    works without files)."""
    try:
        from . import media_api as module  # type: ignore[attr-defined]
    except ImportError:
        return None
    return module


def file_credit(session: Session, page: Page) -> dict[str, Any]:
    """A file page's own ``licence`` and ``author`` (its file's, from the media
    library: the file's author, not the description page's writers); {} otherwise."""
    module = media_api()
    if page.namespace != "file" or module is None or not hasattr(module, "file_credits"):
        return {}
    found = module.file_credits(session, [page.name]).get(page.name) or {}
    return {key: found[key] for key in ("licence", "author") if found.get(key)}


def page_credit(session: Session, page: Page) -> Credit:
    """The credit of a public page; a file page's with its file's licence and author."""
    own = file_credit(session, page)
    credit = credit_for(session, page, absolute_url(page.title), own.get("licence"))
    if own.get("author"):
        credit = replace(credit, authors=(str(own["author"]),))
    return credit
