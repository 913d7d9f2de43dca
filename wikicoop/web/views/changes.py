"""Following the wiki's life in the browser: recent changes, patrol, contributions,
watchlists and notifications, and the template globals of the notification badge and the
follow button. Their JSON API is in ``changes_api.py``; the parameters both read, and who
sees which revisions, in :mod:`wikicoop.web.change_lists`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import Optional

from ...community import changes as ch
from ...community import watching
from ...core import revisions as rev
from ...core.models import Page, User
from ...text.titles import NAMESPACES, Title, TitleError
from ..change_lists import (
    NOTIFICATIONS_PER_PAGE,
    RECENT_CHANGES_PATH,
    BadParam,
    change_filter,
    int_param,
    set_watch,
    user_param,
    visible_page,
    watch_target,
    watchlist_filter,
)
from ..db import get_session
from ..errors import fail
from ..helpers import allowed, require
from ..labels import current_language, localized
from ..urls import page_url, safe_next

bp = Blueprint("changes", __name__)


# ------------------------------------------------------------------------------ forms


class WatchForm(FlaskForm):
    """Follow or stop following a page (the button on page views)."""

    action = SelectField(
        choices=[
            SelectChoice("follow", _l("Suivre")),
            SelectChoice("unfollow", _l("Ne plus suivre")),
        ]
    )
    next = HiddenField()


class PatrolForm(FlaskForm):
    """Mark changes as checked: the ticked ones, or the ``only`` one of a row's button."""

    revision_id = SelectMultipleField(coerce=int, validate_choice=False)
    only = IntegerField(validators=[Optional()])
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A button with nothing to fill in ("mark all as read")."""


def _html_filter(**kwargs: Any) -> ch.ChangeFilter:
    try:
        return change_filter(request.args, **kwargs)
    except BadParam as err:
        fail(err.status, err.message)


@dataclass(frozen=True)
class Day:
    """The changes of one day, for the lists grouped by day."""

    label: str
    changes: list[ch.Change]


def by_day(changes: list[ch.Change]) -> list[Day]:
    """Group newest-first changes by day (in the wiki's time zone and the reader's words)."""
    days: list[Day] = []
    for change in changes:
        label = format_date(change.created_at, "full")
        if not days or days[-1].label != label:
            days.append(Day(label, []))
        days[-1].changes.append(change)
    return days


def _query_without(*names: str, **values: Any) -> str:
    """This request's query string without ``names``, plus ``values``."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in names and v]
    query += [(k, str(v)) for k, v in values.items() if v is not None]
    return urlencode(query)


# ---------------------------------------------------------------------- recent changes


@bp.get(RECENT_CHANGES_PATH)
def recent_changes() -> str:
    """The latest changes of the wiki, newest first, with filters."""
    flt = _html_filter()
    result = ch.list_changes(get_session(), flt)
    next_url = None
    if result.next_before is not None:
        next_url = f"{RECENT_CHANGES_PATH}?{_query_without('before', before=result.next_before)}"
    return render_template(
        "recent_changes.html",
        days=by_day(result.changes),
        flt=flt,
        args=request.args,
        namespaces=NAMESPACES,
        next_url=next_url,
        first_url=RECENT_CHANGES_PATH + "?" + _query_without("before")
        if flt.before is not None
        else None,
        moderator=allowed("patrol"),
        here=request.full_path.rstrip("?"),
    )


@bp.post(RECENT_CHANGES_PATH + "/verifier")  # English path: views/aliases.py
def patrol_form() -> Response:
    """Mark one or several published changes as checked (moderators)."""
    require("patrol")
    form = PatrolForm()
    if not form.validate_on_submit():
        fail(400, _("Les numéros de version envoyés ne sont pas valides."))
    ids = [form.only.data] if form.only.data else list(form.revision_id.data or [])
    if not ids:
        fail(400, _("Cochez au moins une modification à marquer comme vérifiée."))
    session = get_session()
    try:
        outcomes = ch.patrol(session, ids, current_user)
    except ch.PatrolError as err:
        session.rollback()
        fail(err.status, localized(err))
    session.commit()
    done = sum(1 for o in outcomes if o.done)
    if done:
        flash(
            ngettext(
                "%(num)d modification marquée comme vérifiée.",
                "%(num)d modifications marquées comme vérifiées.",
                done,
            ),
            "success",
        )
    if len(outcomes) > done:
        flash(
            ngettext(
                "%(num)d modification était déjà vérifiée.",
                "%(num)d modifications étaient déjà vérifiées.",
                len(outcomes) - done,
            ),
            "info",
        )
    return redirect(safe_next(form.next.data, RECENT_CHANGES_PATH))


# ----------------------------------------------------------------------- contributions


def _contributor_or_404(username: str) -> User:
    try:
        return user_param(username)
    except BadParam as err:
        fail(err.status, err.message)


@bp.get("/contributions/<username>")
def contributions(username: str) -> str:
    """A person's revisions, newest first (their own pending and refused ones for them)."""
    user = _contributor_or_404(username)
    flt = _html_filter(author=user, contributions=True)
    result = ch.list_changes(get_session(), flt)
    base = url_for("changes.contributions", username=user.username)
    next_url = None
    if result.next_before is not None:
        next_url = f"{base}?{_query_without('before', before=result.next_before)}"
    return render_template(
        "contributions.html",
        user=user,
        days=by_day(result.changes),
        flt=flt,
        args=request.args,
        namespaces=NAMESPACES,
        next_url=next_url,
        first_url=f"{base}?{_query_without('before')}" if flt.before is not None else None,
        own=current_user.is_authenticated and current_user.id == user.id,
        moderator=allowed("view_pending"),
    )


# -------------------------------------------------------------------------- watchlists


@bp.post("/suivi/<path:raw_title>")
def watch_page(raw_title: str) -> Response:
    """Follow (``action=follow``) or stop following (``unfollow``) a page and its discussion."""
    require("watch")
    form = WatchForm()
    if not form.validate_on_submit():
        fail(400, _("Choisissez « follow » (suivre) ou « unfollow » (ne plus suivre)."))
    try:
        title = watch_target(raw_title)
    except TitleError as err:
        fail(400, _("Titre de page invalide : %(reason)s", reason=localized(err)))
    page = visible_page(title)
    if page is None:
        fail(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    follow = form.action.data == "follow"
    set_watch(page, follow)
    if follow:
        flash(
            _(
                "Vous suivez la page « %(title)s » et sa discussion : leurs changements "
                "s'afficheront dans vos pages suivies.",
                title=title.full,
            ),
            "success",
        )
    else:
        flash(_("Vous ne suivez plus la page « %(title)s ».", title=title.full), "info")
    return redirect(safe_next(form.next.data, page_url(title)))


@bp.get("/suivi")
def watchlist() -> str:
    """The changes to the pages the reader follows since their last visit."""
    require("watch")
    session = get_session()
    result = ch.list_changes(session, watchlist_filter())
    return render_template(
        "watchlist.html",
        days=by_day(result.changes),
        more=result.next_before is not None,
        comments=watching.unseen_comments(session, current_user.id),
        titles=watching.watched_titles(session, current_user.id),
        talk_title=_talk_title,
    )


def _talk_title(title: Title) -> Title:
    try:
        return title.talk_page()
    except TitleError:
        return title


@bp.post("/suivi")
def watchlist_seen() -> Response:
    """Mark everything on the watchlist as seen."""
    require("watch")
    if not ConfirmForm().validate_on_submit():
        fail(400)
    session = get_session()
    watching.mark_seen(session, current_user.id)
    session.commit()
    flash(_("Tout est marqué comme vu."), "success")
    return redirect(url_for("changes.watchlist"))


# ----------------------------------------------------------------------- notifications


@bp.get("/notifications")
def notifications() -> str:
    """The reader's notifications, newest first, unread ones marked."""
    require("watch")
    flt_before = _html_cursor()
    items, next_before = watching.list_notifications(
        get_session(), current_user.id, before=flt_before, limit=NOTIFICATIONS_PER_PAGE
    )
    return render_template(
        "notifications.html",
        items=items,
        language=current_language(),
        next_url=url_for("changes.notifications", before=next_before) if next_before else None,
        first_url=url_for("changes.notifications") if flt_before else None,
    )


def _html_cursor() -> int | None:
    try:
        return int_param(request.args, "before", None)
    except BadParam as err:
        fail(err.status, err.message)


@bp.post("/notifications")
def notifications_read() -> Response:
    """Mark all the reader's notifications as read."""
    require("watch")
    if not ConfirmForm().validate_on_submit():
        fail(400)
    session = get_session()
    watching.mark_all_read(session, current_user.id)
    session.commit()
    flash(_("Toutes vos notifications sont marquées comme lues."), "success")
    return redirect(url_for("changes.notifications"))


# ---------------------------------------------------------------------- template globals


def unread_notification_count() -> int:
    """Unread notifications of the logged-in reader (one COUNT per request), else 0."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        try:
            g.unread_notifications = watching.unread_count(get_session(), current_user.id)
        except SQLAlchemyError:  # an error page after a failed transaction: no badge
            g.unread_notifications = 0
    return g.unread_notifications


def is_watching_page(page: Page | None) -> bool:
    """Whether the logged-in reader follows ``page`` (its subject page for a discussion)."""
    if page is None or not current_user.is_authenticated:
        return False
    page_id: int | None = page.id
    if page.namespace == "talk":
        subject = rev.find_page(get_session(), page.title.subject_page())
        page_id = subject.id if subject is not None else None
    return page_id is not None and watching.is_watching(get_session(), current_user.id, page_id)


def init_app(app: Flask) -> None:
    """Register the template globals and the notification receivers."""
    app.add_template_global(unread_notification_count)
    app.add_template_global(is_watching_page, "is_watching")
    watching.init_app(app)
