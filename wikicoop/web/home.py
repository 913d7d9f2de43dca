"""The home page's panels: recent changes, new pages and a box per facette.

The home is the page ``Accueil`` (``/`` leads there). Under its own text it shows what
moved lately, in two queries whatever the number of items, and the boxes the enabled
plugins give through the ``home_portal`` hook. Only published versions of live pages
are listed, for every reader alike (a version waiting for review or hidden by a
moderator never shows here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..community import changes as ch
from ..core.models import AuditEntry, Page, Revision
from ..core.moderation import PUBLISHED
from ..plugins import EXTENSION_KEY
from ..plugins.manager import collect
from ..plugins.wiring import localized
from ..text.titles import Title, make_title, parse_title
from .db import get_session

#: the page the site's address leads to
HOME_TITLE = "Accueil"
RECENT_CHANGES_SHOWN = 8
NEW_PAGES_SHOWN = 6
#: the policy's facettes, in the order of the Brest text; other plugins' boxes come after
FACETTES = (
    "faire_avec",
    "etre_en_attention",
    "donner_a_voir",
    "mettre_en_communs",
    "outiller",
    "relier",
)


def changes_stamp() -> tuple[int | None, int | None]:
    """What the home's lists depend on: the newest revision and the newest moderation act
    (hiding, approving, deleting… each writes one). One cheap query (two index lookups),
    so that an anonymous home can be cached whole and still never show a stale list."""
    revision = select(func.max(Revision.id)).scalar_subquery()
    act = select(func.max(AuditEntry.id)).scalar_subquery()
    newest, acted = get_session().execute(select(revision, act)).one()
    return newest, acted


def is_home(title: Title) -> bool:
    """Whether ``title`` is the home page."""
    return title.key == parse_title(HOME_TITLE).key


@dataclass(frozen=True)
class NewPage:
    """A page lately created, as the home lists it."""

    title: Title
    created_at: datetime


@dataclass(frozen=True)
class Portal:
    """A plugin's box on the home page."""

    facette: str
    kicker: str
    title: str
    text: str
    url: str


def recent_changes(limit: int = RECENT_CHANGES_SHOWN) -> list[ch.Change]:
    """The latest published changes of live pages (the public recent changes): one query."""
    flt = ch.ChangeFilter(statuses=(PUBLISHED,), include_deleted_pages=False, limit=limit)
    return ch.list_changes(get_session(), flt).changes


def new_pages(limit: int = NEW_PAGES_SHOWN) -> list[NewPage]:
    """The pages created last that anyone may read (published, live, not a redirect,
    in the main namespace): one query."""
    rows = get_session().execute(
        select(Page.namespace, Page.name, Page.created_at)
        .where(
            Page.namespace == "main",
            Page.deleted_at.is_(None),
            Page.latest_revision_id.is_not(None),
            Page.redirect_target.is_(None),
        )
        .order_by(Page.created_at.desc(), Page.id.desc())
        .limit(limit)
    )
    return [NewPage(make_title(ns, name), created) for ns, name, created in rows]


def facette_names() -> dict[str, str]:
    """The facettes' names, in the reader's language."""
    return {
        "faire_avec": _("Faire avec"),
        "etre_en_attention": _("Être en attention"),
        "donner_a_voir": _("Donner à voir"),
        "mettre_en_communs": _("Mettre en communs"),
        "outiller": _("Outiller"),
        "relier": _("Relier"),
    }


def portals() -> list[Portal]:
    """The enabled plugins' home boxes, in the facettes' order (no query)."""
    hook = current_app.extensions[EXTENSION_KEY].hook
    names = facette_names()
    boxes: list[dict[str, Any]] = [b for b in collect(hook.home_portal()) if b]
    order = {name: i for i, name in enumerate(FACETTES)}
    boxes.sort(key=lambda b: (order.get(str(b.get("facette")), len(order)), str(b.get("url"))))
    return [
        Portal(
            facette=str(box.get("facette", "")),
            kicker=names.get(str(box.get("facette")), ""),
            title=localized(box.get("title", "")),
            text=localized(box.get("text", "")),
            url=str(box.get("url", "/")),
        )
        for box in boxes
    ]


def init_home(app: Flask) -> None:
    """What the page template asks for on the home (computed only there)."""
    app.jinja_env.globals.update(
        is_home=is_home,
        home_recent_changes=recent_changes,
        home_new_pages=new_pages,
        home_portals=portals,
    )
