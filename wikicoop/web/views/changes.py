"""Following the wiki's life: recent changes, patrol, contributions, watchlists and
notifications, in the browser and in the JSON API (``/api/v1/...``).

Two blueprints: ``changes`` (HTML) and ``changes_api`` (JSON, authenticated like the
rest of the API: a bearer token, or the session cookie plus the CSRF header for
writes). Who sees which revisions is decided here, once, by :func:`_viewer_statuses`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    jsonify,
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
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.wrappers import Response
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import Optional

from ...community import changes as ch
from ...community import watching
from ...community.accounts import find_user
from ...core import revisions as rev
from ...core import visibility
from ...core.models import Page, User
from ...core.moderation import PENDING, PUBLISHED, REJECTED, STATUSES
from ...text.titles import NAMESPACES, Title, TitleError, lookup_namespace, parse_title
from ..db import get_session
from ..helpers import (
    account,
    allowed,
    current_language,
    fail,
    localized,
    page_url,
    require,
    safe_next,
)
from .api import ApiError, guard, make_api_blueprint

bp = Blueprint("changes", __name__)
api_bp = make_api_blueprint("changes_api", __name__)

#: the French address is the one the interface links to; the English one redirects
RECENT_CHANGES_PATH = "/modifications-recentes"
WATCHLIST_LIMIT = 200
NOTIFICATIONS_PER_PAGE = 50


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


# ---------------------------------------------------------------------- query params


class BadParam(Exception):
    """A query parameter the list cannot use: ``status`` (HTTP) and a message to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _int_param(args: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParam(
            400, _("Le paramètre « %(name)s » doit être un nombre entier.", name=name)
        ) from None
    if value < 1:
        raise BadParam(400, _("Le paramètre « %(name)s » doit être positif.", name=name))
    return min(value, 2**31 - 1)  # ids are 32-bit: a larger cursor means "from the start"


def _namespace_param(raw: str) -> str | None:
    if not raw:
        return None
    if raw in NAMESPACES:
        return raw
    found = lookup_namespace(raw)
    if found is None:
        raise BadParam(400, _("Espace de noms inconnu : « %(value)s ».", value=raw[:50]))
    return found.key


def _viewer_statuses(author: User | None = None) -> tuple[str, ...]:
    """The revision statuses the current reader may list.

    Moderators: all. The author of the listed contributions: all but hidden ones.
    Everyone else: published only.
    """
    if allowed("see_hidden"):
        return STATUSES
    if author is not None and current_user.is_authenticated and current_user.id == author.id:
        return (PUBLISHED, PENDING, REJECTED)
    return (PUBLISHED,)


def _user_param(raw: str) -> User:
    user = find_user(get_session(), raw)  # any spelling: accounts.username_key
    if user is None:
        raise BadParam(404, _("Aucun compte ne s'appelle « %(name)s ».", name=raw[:64]))
    return user


def change_filter(
    args: Mapping[str, str], *, author: User | None = None, contributions: bool = False
) -> ch.ChangeFilter:
    """The filter of a list of changes from its query parameters; :class:`BadParam` if wrong.

    Parameters: ``namespace``, ``type``, ``user`` (recent changes only), ``minor``
    (hide|only), ``status`` (published, pending, rejected, hidden, all: what the reader
    may see), ``patrolled`` (yes|no, moderators), ``before`` (cursor), ``limit`` (≤ 500).
    """
    moderator = allowed("view_pending")
    visible = _viewer_statuses(author)
    statuses: tuple[str, ...] = visible if contributions else (PUBLISHED,)
    status = args.get("status", "").strip()
    if status:
        if status != "all" and status not in STATUSES:
            raise BadParam(
                400,
                _(
                    "Statut inconnu : « %(value)s ». Choisissez parmi : %(choices)s.",
                    value=status[:30],
                    choices="published, pending, rejected, hidden, all",
                ),
            )
        wanted = visible if status == "all" else (status,)
        if not set(wanted) <= set(visible):
            raise BadParam(
                403,
                _(
                    "Seuls les modérateurs voient les modifications en attente, "
                    "refusées ou masquées."
                ),
            )
        statuses = wanted
    minor = args.get("minor", "").strip() or None
    if minor is not None and minor not in ch.MINOR_FILTERS:
        raise BadParam(400, _("Le paramètre « minor » vaut « hide » ou « only »."))
    patrolled_raw = args.get("patrolled", "").strip()
    patrolled: bool | None = None
    if patrolled_raw:
        if patrolled_raw not in {"yes", "no"}:
            raise BadParam(400, _("Le paramètre « patrolled » vaut « yes » ou « no »."))
        if not moderator:
            raise BadParam(403, _("Seuls les modérateurs filtrent les modifications vérifiées."))
        patrolled = patrolled_raw == "yes"
    page_type = args.get("type", "").strip() or None
    if page_type is not None and page_type not in ch.PAGE_TYPES:
        raise BadParam(
            400,
            _(
                "Type de page inconnu : « %(value)s ». Types existants : %(choices)s.",
                value=page_type[:50],
                choices=", ".join(ch.PAGE_TYPES),
            ),
        )
    if author is None and args.get("user", "").strip():
        author = _user_param(args["user"].strip())
    return ch.ChangeFilter(
        statuses=statuses,
        namespace=_namespace_param(args.get("namespace", "").strip()),
        page_type=page_type,
        author_id=author.id if author is not None else None,
        minor=minor,
        patrolled=patrolled,
        include_deleted_pages=allowed("view_deleted"),
        before=_int_param(args, "before", None),
        limit=min(ch.MAX_LIMIT, _int_param(args, "limit", ch.DEFAULT_LIMIT) or 1),
    )


def _html_filter(**kwargs: Any) -> ch.ChangeFilter:
    try:
        return change_filter(request.args, **kwargs)
    except BadParam as err:
        fail(err.status, err.message)


def _api_filter(**kwargs: Any) -> ch.ChangeFilter:
    try:
        return change_filter(request.args, **kwargs)
    except BadParam as err:
        raise ApiError(err.status, err.message) from None


# ---------------------------------------------------------------------------- shaping


def change_json(change: ch.Change) -> dict[str, Any]:
    """The API's shape of a change."""
    body: dict[str, Any] = {
        "revision_id": change.revision_id,
        "page": change.title.full,
        "url": request.host_url.rstrip("/") + page_url(change.title),
        "user": change.author_name,
        "timestamp": change.created_at.isoformat(),
        "summary": change.summary,
        "minor": change.minor,
        "size": change.size,
        "size_change": change.size_change,
        "status": change.status,
        "patrolled": change.patrolled,
        "action": change.action,
        "parent": change.parent_id,
    }
    if change.status == REJECTED:
        body["review_reason"] = change.review_reason
    return body


def _changes_body(result: ch.ChangeList) -> dict[str, Any]:
    return {
        "changes": [change_json(c) for c in result.changes],
        "next": result.next_before,
    }


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


def _current_user() -> User | None:
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


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


@api_bp.get("/recent-changes")
def api_recent_changes() -> Response:
    """``{"changes": [...], "next": cursor or null}``, newest first."""
    flt = _api_filter()
    return jsonify(_changes_body(ch.list_changes(get_session(), flt)))


@api_bp.post("/revisions/<int:revision_id>/patrol")
def api_patrol(revision_id: int) -> Response:
    """Mark one published change as checked: ``{"revision_id", "patrolled", "already"}``."""
    guard("patrol")
    session = get_session()
    try:
        (outcome,) = ch.patrol(session, [revision_id], current_user)
    except ch.PatrolError as err:
        session.rollback()
        raise ApiError(err.status, localized(err), code=err.code) from None
    session.commit()
    body: dict[str, Any] = {
        "revision_id": revision_id,
        "patrolled": True,
        "already": outcome.already,
    }
    if outcome.already:
        body["message"] = _("Cette modification était déjà vérifiée.")
    return jsonify(body)


# ----------------------------------------------------------------------- contributions


def _contributor_or_404(username: str, *, api: bool) -> User:
    try:
        return _user_param(username)
    except BadParam as err:
        if api:
            raise ApiError(err.status, err.message) from None
        fail(err.status, err.message)


@bp.get("/contributions/<username>")
def contributions(username: str) -> str:
    """A person's revisions, newest first (their own pending and refused ones for them)."""
    user = _contributor_or_404(username, api=False)
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


@api_bp.get("/users/<username>/contributions")
def api_contributions(username: str) -> Response:
    """A person's revisions: ``{"user", "changes": [...], "next"}``."""
    user = _contributor_or_404(username, api=True)
    flt = _api_filter(author=user, contributions=True)
    return jsonify({"user": user.username, **_changes_body(ch.list_changes(get_session(), flt))})


# -------------------------------------------------------------------------- watchlists


def _watch_target(raw: str) -> Title:
    """The page a follow request is about: a discussion is followed with its page."""
    title = parse_title(raw, capitalize_first=_capitalize(), allow_fragment=False)
    return title.subject_page() if title.is_talk else title


def _capitalize() -> bool:
    return bool(current_app.config["CAPITALIZE_FIRST"])


def _visible_page(title: Title) -> Page | None:
    """The page under ``title`` if it exists for the reader (see
    :func:`wikicoop.visibility.page_exists_for`: not deleted, published, or the reader
    moderates or wrote one of its revisions)."""
    session = get_session()
    page = rev.find_page(session, title)
    if page is None or not visibility.page_exists_for(session, page, account()):
        return None
    return page


def _set_watch(page: Page, follow: bool) -> bool:
    """Follow or unfollow for the current user, committed; whether anything changed."""
    session = get_session()
    if follow:
        changed = watching.watch(session, current_user.id, page.id)
    else:
        changed = watching.unwatch(session, current_user.id, page.id)
    try:
        session.commit()
    except IntegrityError:  # the same follow sent twice at once: it is followed
        session.rollback()
        changed = False
    return changed


@bp.post("/suivi/<path:raw_title>")
def watch_page(raw_title: str) -> Response:
    """Follow (``action=follow``) or stop following (``unfollow``) a page and its discussion."""
    require("watch")
    form = WatchForm()
    if not form.validate_on_submit():
        fail(400, _("Choisissez « follow » (suivre) ou « unfollow » (ne plus suivre)."))
    try:
        title = _watch_target(raw_title)
    except TitleError as err:
        fail(400, _("Titre de page invalide : %(reason)s", reason=localized(err)))
    page = _visible_page(title)
    if page is None:
        fail(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    follow = form.action.data == "follow"
    _set_watch(page, follow)
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
    result = ch.list_changes(
        session,
        ch.ChangeFilter(
            watched_by=current_user.id,
            exclude_author_id=current_user.id,
            limit=WATCHLIST_LIMIT,
        ),
    )
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


@api_bp.get("/watchlist")
def api_watchlist() -> Response:
    """``{"pages": [titles], "changes": [changes since the last visit]}``."""
    guard("watch")
    session = get_session()
    result = ch.list_changes(
        session,
        ch.ChangeFilter(
            watched_by=current_user.id,
            exclude_author_id=current_user.id,
            limit=WATCHLIST_LIMIT,
        ),
    )
    return jsonify(
        {
            "pages": [t.full for t in watching.watched_titles(session, current_user.id)],
            "changes": [change_json(c) for c in result.changes],
        }
    )


@api_bp.route("/watchlist/<path:raw_title>", methods=["PUT", "DELETE"])
def api_watch(raw_title: str) -> Response:
    """PUT follows a page (and its discussion), DELETE stops: ``{"title", "watching"}``."""
    guard("watch")
    try:
        title = _watch_target(raw_title)
    except TitleError as err:
        raise ApiError(400, _("Titre invalide : %(reason)s", reason=localized(err))) from None
    page = _visible_page(title)
    if page is None:
        raise ApiError(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    follow = request.method == "PUT"
    changed = _set_watch(page, follow)
    return jsonify({"title": title.full, "watching": follow, "changed": changed})


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
        return _int_param(request.args, "before", None)
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


def notification_json(item: watching.NotificationItem) -> dict[str, Any]:
    """The API's shape of a notification."""
    return {
        "id": item.id,
        "kind": item.kind,
        "text": item.text(current_language()),
        "page": item.title.full if item.title is not None else None,
        "url": request.host_url.rstrip("/") + item.path,
        "actor": item.actor_name,
        "message": item.extra,
        "revision_id": item.revision_id,
        "comment_id": item.comment_id,
        "timestamp": item.created_at.isoformat(),
        "read": item.read,
    }


@api_bp.get("/notifications")
def api_notifications() -> Response:
    """``{"unread", "notifications": [...], "next"}``, newest first."""
    guard("watch")
    try:
        before = _int_param(request.args, "before", None)
        limit = min(ch.MAX_LIMIT, _int_param(request.args, "limit", NOTIFICATIONS_PER_PAGE) or 1)
    except BadParam as err:
        raise ApiError(err.status, err.message) from None
    session = get_session()
    items, next_before = watching.list_notifications(
        session, current_user.id, before=before, limit=limit
    )
    return jsonify(
        {
            "unread": watching.unread_count(session, current_user.id),
            "notifications": [notification_json(item) for item in items],
            "next": next_before,
        }
    )


@api_bp.post("/notifications/read")
def api_notifications_read() -> Response:
    """Mark all notifications as read: ``{"marked": n}``."""
    guard("watch")
    session = get_session()
    marked = watching.mark_all_read(session, current_user.id)
    session.commit()
    return jsonify({"marked": marked})


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
    """Register the blueprints, the template globals and the notification receivers."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.add_template_global(unread_notification_count)
    app.add_template_global(is_watching_page, "is_watching")
    watching.init_app(app)
