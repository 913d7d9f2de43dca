"""Discussions in the browser and the API: the ``Discussion:`` page of every page.

``/wiki/Discussion:<Title>`` (the page views' dispatcher calls :func:`discussion_page`, the
namespace view that ``register_views`` names for ``talk``) shows the talk page's
own wiki text, when someone wrote one, then the threads and the form to start one.
Writing: ``POST /discussion/<Title>`` (a new thread, or a reply with a ``thread`` field),
``/messages/<id>/modifier`` (the author, for a short while), ``POST
/messages/<id>/signaler`` (anyone). API: ``GET``/``POST /api/v1/pages/<Title>/discussion``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField

from ...community import discussions as talk
from ...core import moderation
from ...core import revisions as rev
from ...core.models import Comment, Page, User
from ...core.moderation import WriteRefused
from ...core.render_cache import cached_render
from ...text.titles import Title, TitleError, parse_title
from ..db import get_session
from ..errors import error_page, fail
from ..extensions import limiter
from ..helpers import (
    ApiError,
    ViewResult,
    allowed,
    api_title,
    make_api_blueprint,
    parse_or_fail,
    rate_key,
    renderer,
    write_refusal,
)
from ..labels import localized
from ..urls import page_url

bp = Blueprint("discussions", __name__)
#: the API side: token or cookie authentication and JSON errors (helpers.make_api_blueprint)
api_bp = make_api_blueprint("discussions_api", __name__)


# -- forms ------------------------------------------------------------------------------


class MessageForm(FlaskForm):
    """A new thread (subject and message) or a reply (``thread`` set, no subject)."""

    thread = HiddenField()
    subject = StringField(_l("Sujet"))
    text = TextAreaField(_l("Votre message"))


class EditMessageForm(FlaskForm):
    subject = StringField(_l("Sujet"))
    text = TextAreaField(_l("Votre message"))
    submit = SubmitField(_l("Enregistrer les modifications"))


def report_choices() -> list[SelectChoice]:
    """The reasons offered to report a message, in the reader's language."""
    return [SelectChoice(code, _(label)) for code, label in talk.REPORT_REASONS.items()]


class ReportForm(FlaskForm):
    reason = SelectField(_l("Pourquoi ?"), choices=report_choices, validate_choice=False)
    details = StringField(_l("Précisions (facultatives)"))


# -- helpers ----------------------------------------------------------------------------


def _app() -> Flask:
    """The app itself (the sender of signals), not the context-local proxy."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


def viewer() -> User | None:
    """The logged-in user of this request, None for a visitor."""
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


def _comment_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


def _report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


#: one budget for every way of writing a message (web form, edit, API)
comment_rate_limit = limiter.shared_limit(
    _comment_limit, scope="comment", key_func=rate_key, methods=["POST"]
)


def subject_title_or_fail(raw: str) -> Title:
    """The subject page named in a URL (a ``Discussion:`` title names its subject)."""
    title = parse_or_fail(raw).subject_page()
    try:
        title.talk_page()  # a subject whose talk title would be too long cannot be discussed
    except TitleError as err:
        fail(400, _("Titre de page invalide : %(reason)s", reason=localized(err)))
    return title


def visible_page(title: Title) -> Page | None:
    """The page at ``title`` when its readers can see it: live, with a published version."""
    page = rev.find_page(get_session(), title)
    if page is None or page.is_deleted or page.latest_revision_id is None:
        return None
    return page


def message_url(comment: Comment) -> str:
    """Where a message is read: its discussion, scrolled to it."""
    return page_url(comment.page.title.talk_page()) + f"#message-{comment.id}"


def visible_message_or_404(message_id: int) -> Comment:
    comment = talk.find_message(get_session(), message_id)
    if comment is None or not talk.can_see(comment, viewer()) or comment.page.is_deleted:
        fail(404, _("Ce message n'existe pas (ou plus)."))
    return comment


def write_refusal_text() -> str | None:
    """Why the logged-in user may not write now (blocked), in their language, or None."""
    refused = write_refusal()
    return localized(refused) if refused is not None else None


def comment_refusal() -> tuple[int, str, str] | None:
    """(status, message, code) when the current user may not write a message, else None.

    A blocked account reads why it is blocked rather than a bare "not allowed".
    """
    if not current_user.is_authenticated:
        return 401, _("Connectez-vous pour écrire dans une discussion."), "login-required"
    refusal = write_refusal_text()
    if refusal is not None:
        return 403, refusal, "blocked"
    if not allowed("comment"):
        return 403, _("Vous n'avez pas le droit d'écrire dans les discussions."), "forbidden"
    return None


def discussion_count(page: Page | None) -> int:
    """Template global: the published messages of ``page``'s discussion (one COUNT)."""
    if page is None or page.id is None:
        return 0
    return talk.count(get_session(), page.id)


def pending_reason_labels(comment: Comment) -> list[str]:
    """Why a message waits for review, in the reader's language (for moderators)."""
    labels = moderation.REASON_LABELS
    return [_(labels[code]) if code in labels else code for code in comment.pending_reason_codes]


def _flash_written(comment: Comment, edited: bool = False) -> None:
    if comment.status == moderation.PENDING:
        flash(
            _(
                "Votre message est enregistré. Il sera visible de tous quand un modérateur "
                "l'aura relu."
            ),
            "info",
        )
    elif edited:
        flash(_("Votre message a été modifié."), "success")
    else:
        flash(_("Votre message est publié. Merci !"), "success")


# -- the discussion page ----------------------------------------------------------------


def discussion_page(
    title: Title,
    *,
    form: MessageForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> ViewResult:
    """``/wiki/Discussion:<Title>``: the talk page's own text, the threads, the forms.

    ``form`` and ``error`` bring back a refused message, with what the person typed.
    """
    session = get_session()
    subject_title = title.subject_page()
    subject = visible_page(subject_title)
    talk_page = rev.find_page(session, title, with_latest=True)
    if talk_page is not None and (
        talk_page.latest_revision_id is None
        or not allowed("view", talk_page)  # deleted: admins only
    ):
        talk_page = None  # nothing public written there yet
    if talk_page is not None and talk_page.redirect_target and request.args.get("redirect") != "no":
        target = parse_title(talk_page.redirect_target)
        return redirect(page_url(target, redirected_from=title.full))
    talk_html = None
    if talk_page is not None:
        assert talk_page.latest_revision is not None
        talk_html = cached_render(session, renderer(), talk_page.latest_revision).html
    user = viewer()
    threads = talk.list_threads(session, subject, user) if subject is not None else []
    refusal = write_refusal_text() if subject is not None and user is not None else None
    form = form or MessageForm(formdata=None)
    can_write = subject is not None and refusal is None and allowed("comment")
    # threads still open to replies (hidden or rejected ones are closed)
    open_threads = {
        str(t.start.id)
        for t in threads
        if t.start.status in (moderation.PUBLISHED, moderation.PENDING)
    }
    if form.thread.data and form.thread.data not in open_threads:
        form.thread.data = ""  # no reply form for that thread here: keep the text in the new one
    context: dict[str, Any] = {
        "title": title,
        "page": talk_page,
        "subject_title": subject_title,
        "post_url": "/discussion/" + subject_title.url_path,
        "subject": subject,
        "talk_html": talk_html,
        "threads": threads,
        "published_count": talk.count(session, subject.id) if subject is not None else 0,
        "moderator": allowed("moderate_comments"),
        "editable": {
            c.id
            for t in threads
            for c in (t.start, *t.replies)
            if talk.edit_refusal(c, user, current_app.config) is None
        },
        "refusal": refusal,
        "can_write": can_write,
        "open_threads": open_threads,
        "form": form,
        "error": error,
        "report_form": ReportForm(formdata=None),
        "reason_labels": pending_reason_labels,
        "max_chars": talk.MAX_MESSAGE_CHARS,
    }
    if subject is None and talk_page is None:
        status = 404
    return render_template("discussion.html", **context), status


@bp.get("/discussion/<path:raw_subject>")
def to_discussion(raw_subject: str) -> Response:
    """The posting address, visited: go to the discussion itself."""
    return redirect(page_url(subject_title_or_fail(raw_subject).talk_page()))


@bp.post("/discussion/<path:raw_subject>")
@comment_rate_limit
def post_message(raw_subject: str) -> ViewResult:
    """A new thread, or a reply when the form names its ``thread``."""
    subject_title = subject_title_or_fail(raw_subject)
    talk_title = subject_title.talk_page()
    refusal = comment_refusal()
    if refusal is not None:
        fail(*refusal[:2])
    form = MessageForm()
    subject = visible_page(subject_title)
    if subject is None:
        return discussion_page(talk_title, form=form, status=404)
    session = get_session()
    try:
        if form.thread.data:
            comment = talk.reply(
                session,
                _app(),
                page=subject,
                thread_id=form.thread.data,
                author=viewer(),
                text=form.text.data,
            )
        else:
            comment = talk.post_thread(
                session,
                _app(),
                page=subject,
                author=viewer(),
                subject=form.subject.data,
                text=form.text.data,
            )
    except WriteRefused as err:
        session.rollback()
        return error_page(err.status, localized(err))
    except talk.DiscussionError as err:
        session.rollback()
        if err.code == "control-characters":
            form.text.data = talk.without_control_characters(form.text.data or "")
            form.subject.data = talk.without_control_characters(form.subject.data or "")
        return discussion_page(talk_title, form=form, error=localized(err), status=err.status)
    _flash_written(comment)
    return redirect(page_url(talk_title) + f"#message-{comment.id}")


@bp.get("/messages/<int:message_id>")
def show_message(message_id: int) -> Response:
    """A message's own address (for notifications): its place in the discussion."""
    return redirect(message_url(visible_message_or_404(message_id)))


@bp.route("/messages/<int:message_id>/modifier", methods=["GET", "POST"])
@comment_rate_limit
def edit_message(message_id: int) -> ViewResult:
    """The author changes their message, for ``COMMENT_EDIT_MINUTES`` after posting."""
    if not current_user.is_authenticated:
        fail(401, _("Connectez-vous pour modifier votre message."))
    comment = visible_message_or_404(message_id)
    refusal = talk.edit_refusal(comment, viewer(), current_app.config)
    if refusal is not None:
        fail(refusal.status, localized(refusal))
    form = EditMessageForm()
    if request.method == "GET":
        form.text.data, form.subject.data = comment.text, comment.subject
        return _edit_template(comment, form)
    session = get_session()
    try:
        talk.edit_message(
            session,
            _app(),
            comment=comment,
            editor=viewer(),
            text=form.text.data,
            subject=form.subject.data if comment.thread_id is None else None,
        )
    except WriteRefused as err:
        session.rollback()
        return error_page(err.status, localized(err))
    except talk.DiscussionError as err:
        session.rollback()
        if err.code == "control-characters":
            form.text.data = talk.without_control_characters(form.text.data or "")
            form.subject.data = talk.without_control_characters(form.subject.data or "")
        return _edit_template(comment, form, error=localized(err), status=err.status)
    _flash_written(comment, edited=True)
    return redirect(message_url(comment))


def _edit_template(
    comment: Comment, form: EditMessageForm, *, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    talk_title = comment.page.title.talk_page()
    return (
        render_template(
            "comment_edit.html",
            title=talk_title,
            page=None,
            comment=comment,
            form=form,
            error=error,
            minutes=int(current_app.config["COMMENT_EDIT_MINUTES"]),
            max_chars=talk.MAX_MESSAGE_CHARS,
        ),
        status,
    )


@bp.post("/messages/<int:message_id>/signaler")
@limiter.limit(_report_limit, key_func=rate_key)
def report_message(message_id: int) -> Response:
    """Flag a message for the moderators (visitors too); it stays visible."""
    if not allowed("report"):
        fail(403, _("Vous n'avez pas le droit de faire cela."))
    comment = visible_message_or_404(message_id)
    form = ReportForm()
    session = get_session()
    try:
        _report, created = talk.report_message(
            session,
            comment=comment,
            reporter=viewer(),
            ip=request.remote_addr,
            reason=form.reason.data,
            details=form.details.data,
        )
    except talk.DiscussionError as err:
        session.rollback()
        fail(err.status, localized(err))
    if created:
        flash(_("Merci : les modérateurs vont regarder ce message."), "success")
    else:
        flash(_("Vous avez déjà signalé ce message : les modérateurs vont le regarder."), "info")
    return redirect(message_url(comment))


# -- API --------------------------------------------------------------------------------


def message_json(comment: Comment, *, masked: bool = False) -> dict[str, Any]:
    """The public shape of a message (a masked one keeps only its place)."""
    body: dict[str, Any] = {
        "id": comment.id,
        "thread": comment.thread_id,
        "status": comment.status,
        "created_at": comment.created_at.isoformat(),
    }
    if comment.thread_id is None:
        body["subject"] = None if masked else comment.subject
    if masked:
        return {**body, "author": None, "edited_at": None, "text": None, "html": None}
    body.update(
        {
            "author": comment.author.username if comment.author else None,
            "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
            "text": comment.text,
            "html": comment.html,
        }
    )
    if comment.status != moderation.PUBLISHED:  # only its author and moderators get here
        body["pending_reasons"] = comment.pending_reason_codes
        body["review_reason"] = comment.review_reason
    return body


def _api_subject(raw_title: str) -> Page:
    title = api_title(raw_title).subject_page()
    page = visible_page(title)
    if page is None or not allowed("view", page):
        raise ApiError(
            404,
            _(
                "La page « %(title)s » n'existe pas : on ne peut pas en discuter.",
                title=title.full,
            ),
        )
    return page


@api_bp.get("/pages/<path:raw_title>/discussion")
def api_discussion(raw_title: str) -> Response:
    """The threads of a page's discussion, with their replies, as the caller sees them."""
    page = _api_subject(raw_title)
    threads = talk.list_threads(get_session(), page, viewer())
    return jsonify(
        {
            "title": page.title.full,
            "discussion": page.title.talk_page().full,
            "count": talk.count(get_session(), page.id),
            "threads": [
                {
                    **message_json(t.start, masked=t.masked),
                    "replies": [message_json(r) for r in t.replies],
                }
                for t in threads
            ],
        }
    )


@api_bp.post("/pages/<path:raw_title>/discussion")
@comment_rate_limit
def api_post_message(raw_title: str) -> tuple[Response, int]:
    """``{subject, text}`` starts a thread, ``{thread, text}`` replies: 201 published,
    202 pending (``status`` in the body)."""
    refusal = comment_refusal()
    if refusal is not None:
        status, message, code = refusal
        if status == 401:
            message = _("Connectez-vous (ou envoyez un jeton d'API) pour faire cela.")
        raise ApiError(status, message, code=code)
    page = _api_subject(raw_title)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _("Le corps de la requête doit être un objet JSON (UTF-8)."))
    if "text" not in data:
        raise ApiError(400, _("Le champ « text » est obligatoire."))
    session = get_session()
    app = _app()
    try:
        if data.get("thread") is not None:
            comment = talk.reply(
                session,
                app,
                page=page,
                thread_id=data["thread"],
                author=viewer(),
                text=data["text"],
            )
        else:
            comment = talk.post_thread(
                session,
                app,
                page=page,
                author=viewer(),
                subject=data.get("subject"),
                text=data["text"],
            )
    except (WriteRefused, talk.DiscussionError) as err:
        session.rollback()
        raise ApiError(err.status, localized(err), code=err.code) from None
    published = comment.status == moderation.PUBLISHED
    body = {"status": comment.status, "message": message_json(comment)}
    return jsonify(body), 201 if published else 202


def init_app(app: Flask) -> None:
    """Register the tab's message count (a template global)."""
    app.add_template_global(discussion_count, "discussion_count")
