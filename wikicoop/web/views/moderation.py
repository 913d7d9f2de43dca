"""The moderation queue (/moderation), review actions, reports of pages, and their API.

Moderators approve or reject pending revisions one at a time or several at once, hide
revisions and discussion messages, and close reports. Anyone may report a page.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ...community import review
from ...core import moderation, writing
from ...core import revisions as rev
from ...core.models import Comment, Report, Revision, User
from ...core.page_types import field_changes_json
from ...text.diffing import diff_texts
from ...text.titles import Title
from ..db import get_session
from ..errors import error_page, fail
from ..extensions import limiter
from ..fields import field_changes
from ..helpers import (
    ApiError,
    api_title,
    guard,
    json_body,
    live_page,
    make_api_blueprint,
    parse_or_fail,
    rate_key,
    readable_revision,
    require,
    revision_json,
)
from ..labels import localized
from ..urls import page_url, safe_next

bp = Blueprint("moderation", __name__)
api_bp = make_api_blueprint("moderation_api", __name__)

REASON_MAX = 500


class ReviewForm(FlaskForm):
    """One review act; ``reason`` is required to reject or hide (the service checks)."""

    reason = StringField(_l("Motif"), validators=[Optional(), Length(max=REASON_MAX)])


class BulkReviewForm(FlaskForm):
    decision = SelectField(
        _l("Pour les versions cochées"),
        choices=[SelectChoice("approve", _l("Accepter")), SelectChoice("reject", _l("Refuser"))],
    )
    reason = StringField(_l("Motif (obligatoire pour refuser)"), validators=[Length(max=500)])


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Qu'est-ce qui ne va pas ?"),
        validators=[Length(max=REASON_MAX)],
    )
    revision = HiddenField()


def report_rate_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


def reason_label(code: str) -> str:
    """A pending reason code in the reader's language."""
    label = moderation.REASON_LABELS.get(code)
    return _(label) if label else code


@bp.app_template_global("pending_reason_label")
def _pending_reason_label(code: str) -> str:
    return reason_label(code)


def _moderator() -> User:
    require("moderate")
    return current_user._get_current_object()


# -- the queue ----------------------------------------------------------------------------


@bp.route("/moderation")
def queue() -> str:
    """Pending revisions oldest first with their diffs, pending messages, open reports."""
    _moderator()
    session = get_session()
    items = review.queue(session)
    diffs = {
        item.revision.id: diff_texts(
            item.published.text if item.published else "", item.revision.text
        )
        for item in items
    }
    return render_template(
        "moderation_queue.html",
        items=items,
        diffs=diffs,
        field_diffs={i.revision.id: field_changes(i.published, i.revision) for i in items},
        comments=review.pending_comments(session),
        reports=review.open_reports(session),
        form=ReviewForm(),
        bulk_form=BulkReviewForm(),
    )


def _act(kind: str, action: str, target_id: int, reason: str) -> object:
    """Run one review act; returns the service's result or raises EditError."""
    session = get_session()
    moderator = current_user._get_current_object()
    if kind == "revision":
        if action == "approve":
            return review.approve(
                writing.context_for(current_app, session),
                revision_id=target_id,
                moderator=moderator,
                reason=reason,
            )
        if action == "reject":
            return review.reject(session, revision_id=target_id, moderator=moderator, reason=reason)
        if action == "hide":
            return review.hide(session, revision_id=target_id, moderator=moderator, reason=reason)
        if action == "unhide":
            return review.unhide(session, revision_id=target_id, moderator=moderator, reason=reason)
    if kind == "comment":
        if action in ("approve", "reject"):
            return review.review_comment(
                session,
                comment_id=target_id,
                moderator=moderator,
                approve=action == "approve",
                reason=reason,
            )
        if action == "hide":
            return review.hide_comment(
                session, comment_id=target_id, moderator=moderator, reason=reason
            )
    if kind == "report" and action in ("resolved", "dismissed"):
        return review.close_report(
            session, report_id=target_id, moderator=moderator, outcome=action, reason=reason
        )
    fail(404, _("Action de modération inconnue."))


_DONE = {
    ("revision", "approve"): _l("Version acceptée : elle est maintenant publique."),
    ("revision", "reject"): _l("Version refusée. Son auteur recevra le motif."),
    ("revision", "hide"): _l("Version masquée."),
    ("revision", "unhide"): _l("Version de nouveau visible."),
    ("comment", "approve"): _l("Message publié."),
    ("comment", "reject"): _l("Message refusé. Son auteur recevra le motif."),
    ("comment", "hide"): _l("Message masqué."),
    ("report", "resolved"): _l("Signalement traité."),
    ("report", "dismissed"): _l("Signalement classé sans suite."),
}


@bp.post("/moderation/<any(revision, comment, report):kind>/<int:target_id>/<action>")
def act(kind: str, target_id: int, action: str) -> Response:
    """One act from the queue, a history or a page; back to where it came from."""
    _moderator()
    if not ReviewForm().validate_on_submit():
        return error_page(400, _("Le formulaire a expiré : rechargez la page et recommencez."))
    try:
        _act(kind, action, target_id, request.form.get("reason", ""))
    except rev.EditError as err:
        get_session().rollback()
        flash(localized(err), "error")
        return redirect(_back())
    flash(str(_DONE.get((kind, action), _("C'est fait."))), "success")
    return redirect(_back())


@bp.post("/moderation")
def bulk() -> Response:
    """Approve or reject every checked revision; each one's outcome is reported."""
    _moderator()
    form = BulkReviewForm()
    if not form.validate_on_submit():
        return error_page(400, _("Choisissez une décision et cochez au moins une version."))
    ids = []
    for raw in request.form.getlist("revision_id")[:200]:
        try:
            ids.append(int(raw))
        except ValueError:
            fail(400, _("Numéro de version invalide : « %(value)s ».", value=raw[:20]))
    if not ids:
        flash(_("Cochez au moins une version."), "error")
        return redirect(url_for("moderation.queue"))
    done, failed = 0, []
    for revision_id in ids:
        try:
            _act("revision", str(form.decision.data), revision_id, form.reason.data or "")
            done += 1
        except rev.EditError as err:
            get_session().rollback()
            failed.append(localized(err))
    if done:
        flash(_("%(n)d version(s) traitée(s).", n=done), "success")
    for message in failed:
        flash(message, "error")
    return redirect(url_for("moderation.queue"))


def _back() -> str:
    """Where to go after an act: the ``next`` field when it is safe, else the queue."""
    return safe_next(request.form.get("next"), url_for("moderation.queue"))


# -- reports ------------------------------------------------------------------------------


@bp.route("/signaler/<path:raw_title>", methods=["GET", "POST"])
@limiter.limit(lambda: report_rate_limit(), methods=["POST"], key_func=lambda: rate_key())
def report(raw_title: str) -> Any:
    """Report a page (or one of its versions) to the moderators; visitors may too."""
    title = parse_or_fail(raw_title)
    require("report")
    session = get_session()
    page = rev.find_page(session, title, include_deleted=False)
    if page is None or page.latest_revision_id is None:
        fail(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    form = ReportForm()
    if request.method == "GET":
        form.revision.data = request.args.get("revision", "")
        return render_template("report.html", title=title, page=page, form=form)
    if not form.validate_on_submit():
        return render_template("report.html", title=title, page=page, form=form), 400
    revision = _reported_revision(page.id, form.revision.data)
    try:
        _report, created = review.report_page(
            session,
            page=page,
            reason=form.reason.data,
            reporter=_reporter(),
            reporter_ip=request.remote_addr,
            revision=revision,
        )
    except rev.EditError as err:
        session.rollback()
        return render_template(
            "report.html", title=title, page=page, form=form, error=localized(err)
        ), err.status
    if created:
        flash(_("Merci : les modérateurs vont regarder cette page."), "success")
    else:
        flash(_("Vous avez déjà signalé cette page : les modérateurs vont la regarder."), "info")
    return redirect(page_url(title))


def _reported_revision(page_id: int, raw: str | None) -> Revision | None:
    if not raw:
        return None
    try:
        revision = get_session().get(Revision, int(raw))
    except (ValueError, OverflowError):
        revision = None
    if revision is None or revision.page_id != page_id:
        fail(400, _("Cette version n'appartient pas à la page signalée."))
    return revision


# -- API ----------------------------------------------------------------------------------


def _revision_item(item: review.QueueItem) -> dict[str, Any]:
    diff = diff_texts(item.published.text if item.published else "", item.revision.text)
    return {
        **revision_json(item.revision),
        "page": item.page.title.full,
        "url": page_url(item.page.title, revision=item.revision.id),
        "published_revision": item.published.id if item.published else None,
        "size_change": item.revision.size - (item.published.size if item.published else 0),
        "reasons": [
            {"code": code, "label": reason_label(code)}
            for code in item.revision.pending_reason_codes
        ]
        + ([{"code": "reported", "label": reason_label("reported")}] if item.reports else []),
        "reports": item.reports,
        "diff_html": diff.inline_html(),
        "added": diff.added,
        "removed": diff.removed,
        "field_changes": field_changes_json(
            item.published.page_type if item.published else None,
            item.published.fields if item.published else None,
            item.revision.page_type,
            item.revision.fields,
        ),
    }


def _comment_item(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "page": comment.page.title.full,
        "author": comment.author.username if comment.author else None,
        "timestamp": comment.created_at.isoformat(),
        "subject": comment.subject,
        "text": comment.text,
        "status": comment.status,
        "reasons": comment.pending_reason_codes,
    }


def _report_item(report_row: Report) -> dict[str, Any]:
    return {
        "id": report_row.id,
        "page": report_row.page.title.full,
        "revision": report_row.revision_id,
        "comment": report_row.comment_id,
        "reason": report_row.reason,
        "timestamp": report_row.created_at.isoformat(),
    }


@api_bp.get("/moderation/queue")
def api_queue() -> Response:
    """Pending revisions (oldest first, with diffs), pending messages and open reports."""
    guard("moderate")
    session = get_session()
    return jsonify(
        {
            "revisions": [_revision_item(item) for item in review.queue(session)],
            "comments": [_comment_item(c) for c in review.pending_comments(session)],
            "reports": [_report_item(r) for r in review.open_reports(session)],
        }
    )


def _api_act(kind: str, action: str, target_id: int) -> Response:
    guard("moderate")
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ApiError(400, _("Le corps de la requête doit être un objet JSON (UTF-8)."))
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        raise ApiError(400, _("Le champ « reason » doit être du texte."))
    result = _act(kind, action, target_id, reason)
    if isinstance(result, Revision):
        return jsonify({"revision": revision_json(result)})
    if isinstance(result, Comment):
        return jsonify({"comment": _comment_item(result)})
    assert isinstance(result, Report)
    return jsonify({"report": {"id": result.id, "status": result.status}})


@api_bp.post("/revisions/<int:revision_id>/<any(approve, reject, hide, unhide):action>")
def api_revision_act(revision_id: int, action: str) -> Response:
    """POST /api/v1/revisions/<id>/approve|reject|hide|unhide {reason}."""
    return _api_act("revision", action, revision_id)


@api_bp.post("/comments/<int:comment_id>/<any(approve, reject, hide):action>")
def api_comment_act(comment_id: int, action: str) -> Response:
    return _api_act("comment", action, comment_id)


@api_bp.post("/reports/<int:report_id>/<any(resolved, dismissed):action>")
def api_report_act(report_id: int, action: str) -> Response:
    return _api_act("report", action, report_id)


@api_bp.post("/pages/<path:raw_title>/report")
@limiter.limit(lambda: report_rate_limit(), key_func=lambda: rate_key())
def api_report(raw_title: str) -> tuple[Response, int]:
    """Report a page: {reason, revision?} → 201 (or 200 when already reported by you)."""
    title: Title = api_title(raw_title)
    guard("report")
    page = live_page(title)
    data = json_body()
    revision = None
    if data.get("revision") is not None:
        revision = readable_revision(page, data["revision"])
    report_row, created = review.report_page(
        get_session(),
        page=page,
        reason=data.get("reason", ""),
        reporter=_reporter(),
        reporter_ip=request.remote_addr,
        revision=revision,
    )
    return jsonify({"report": _report_item(report_row), "created": created}), (
        201 if created else 200
    )


def _reporter() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None
