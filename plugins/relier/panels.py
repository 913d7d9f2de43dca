"""The panels shown under a page: its sub-categories (category pages) and its related
pages ("Pages cousines", top 5). Their HTML is built here, every text escaped."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from wikicoop.text.titles import make_title
from wikicoop.web.urls import page_url

from . import categories, cousins
from .texts import say

COUSIN_NAMESPACES = ("main", "portal", "user")


def subcategories_panel(session: Session, name: str) -> dict[str, Any] | None:
    """The sub-categories of category ``name`` with their page counts, or None."""
    found = categories.subcategories(session, name)
    if not found:
        return None
    items = "".join(
        f'<li><a href="{escape(page_url(make_title("category", sub)))}">{escape(sub)}</a> '
        f'<span class="relier-count">({escape(say("cat_count", count=count))})</span></li>'
        for sub, count in found
    )
    return {"title": say("subcats"), "html": Markup(f'<ul class="relier-subcats">{items}</ul>')}


def _why(kinds: list[str]) -> str:
    return ", ".join(say("why_" + kind) for kind in kinds)


def cousins_panel(session: Session, page: Any) -> dict[str, Any] | None:
    """The page's five best related pages, with why (stored: see :mod:`.cousins`)."""
    if page.namespace not in COUSIN_NAMESPACES:
        return None
    found = cousins.stored(session, page)
    if not found:
        return None
    items = "".join(
        f'<li><a href="{escape(page_url(title))}">{escape(title.full)}</a> '
        f'<span class="relier-why">({escape(_why(kinds))})</span></li>'
        for title, kinds in found
    )
    return {"title": say("cousins"), "html": Markup(f'<ul class="relier-cousins">{items}</ul>')}
