"""What the plugin's views and API share: the blueprint, the wiki's clock, a workshop
read from its title, who manages it, and which of its sessions a request means."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app
from flask_login import current_user
from sqlalchemy.orm import Session, sessionmaker

from wikicoop.core import revisions as rev
from wikicoop.core.db import sessionmaker_of
from wikicoop.core.models import Page, Revision
from wikicoop.core.typed_pages import TypedPage
from wikicoop.text.titles import Title
from wikicoop.web.db import get_session
from wikicoop.web.extensions import limiter
from wikicoop.web.helpers import allowed, rate_key

from .schedule import Occurrence, start_key
from .workshop import TYPE_NAME, Workshop, wiki_zone, workshop_of

HERE = Path(__file__).parent

#: the HTML views (/ateliers, /apprendre, /agenda…)
bp = Blueprint(
    "outiller", __name__, static_folder=str(HERE / "static"), static_url_path="/ateliers/static"
)


#: sign-ups and cancellations per account, the form's and the API's counted together
#: (setting ``OUTILLER_SIGNUP_RATE_LIMIT``): each may send an e-mail to someone
SIGNUP_RATE_LIMIT = "20 per minute;100 per day"
signup_limited = limiter.shared_limit(
    lambda: current_app.config.get("OUTILLER_SIGNUP_RATE_LIMIT") or SIGNUP_RATE_LIMIT,
    scope="outiller-signup",
    key_func=rate_key,
)


class WorkshopError(Exception):
    """A refused request about a workshop: a :mod:`.texts` key, a status, its params."""

    def __init__(self, key: str, status: int, **params: object) -> None:
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


def tz() -> ZoneInfo:
    """The wiki's time zone (the site's ``TIMEZONE``, or ``OUTILLER_TIMEZONE`` when set)."""
    return wiki_zone(current_app.config)


def now() -> datetime:
    """The time now on the wiki's clock."""
    return datetime.now(tz())


def factory() -> sessionmaker[Session]:
    """Sessions of their own for the sign-up transactions."""
    return sessionmaker_of(current_app)


def workshop_from(page: Page, revision: Revision, title: Title) -> Workshop | None:
    """The workshop of ``page`` as ``revision`` describes it (None when it is none)."""
    if revision.page_type != TYPE_NAME:
        return None
    typed = TypedPage(
        page_id=page.id,
        title=title,
        revision_id=revision.id,
        fields=dict(revision.fields or {}),
        updated_at=revision.created_at,
        created_at=page.created_at,
    )
    return workshop_of(typed, tz())


def find_workshop(title: Title) -> Workshop:
    """The published workshop ``title``; :class:`WorkshopError` 404 otherwise."""
    page = rev.find_page(get_session(), title, include_deleted=False, with_latest=True)
    revision = page.latest_revision if page is not None else None
    workshop = workshop_from(page, revision, title) if revision is not None else None
    if workshop is None:
        raise WorkshopError("not-a-workshop", 404, title=title.full)
    return workshop


def manages(workshop: Workshop) -> bool:
    """Whether the current user facilitates ``workshop`` or moderates the wiki."""
    if not current_user.is_authenticated:
        return False
    return workshop.is_facilitator(current_user.username) or allowed("moderate")


def shown_start(moment: datetime) -> str:
    """A start as people read it: ``2026-12-10 14:00``."""
    return moment.strftime("%Y-%m-%d %H:%M")


def chosen_session(workshop: Workshop, raw: str | None, moment: datetime) -> Occurrence:
    """The session a request names (``start``, local ISO; the next one when absent);
    :class:`WorkshopError` 400 for an unreadable start, 404 for no such session, 409 for
    a past one."""
    title = workshop.title.full
    if raw:
        try:
            asked = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            raise WorkshopError("bad-date", 400, parameter="start", value=raw[:40]) from None
        asked = asked.astimezone(tz()) if asked.tzinfo else asked.replace(tzinfo=tz())
        found = [s for s in workshop.starts if start_key(s) == start_key(asked)]
        if not found:
            raise WorkshopError("unknown-session", 404, title=title, start=shown_start(asked))
        start = found[0]
        if start <= moment:
            raise WorkshopError("past-session", 409, title=title, start=shown_start(start))
        return Occurrence(workshop, start)
    upcoming = [s for s in workshop.starts if s > moment]
    if not upcoming:
        raise WorkshopError("no-upcoming", 409, title=title)
    return Occurrence(workshop, upcoming[0])
