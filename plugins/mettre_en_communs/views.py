"""The media library's pages: the gallery (``/fichiers``), the upload form
(``/fichiers/televerser``) and the files themselves (``/fichiers/<nom>/brut``,
``/vignette/<largeur>``, ``/version/<n>``; ``/fichiers/<nom>`` is the file page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.models import Page, Revision, User
from wikicoop.errors import ServiceError
from wikicoop.text.licences import LICENCES
from wikicoop.web.db import get_session
from wikicoop.web.forms import licence_choices
from wikicoop.web.helpers import allowed, refuse_if_cannot_write, require
from wikicoop.web.labels import licence_label, localized
from wikicoop.web.security import body_limit
from wikicoop.web.urls import page_url

from . import serving
from .detect import UploadError
from .embed import file_url
from .media_api import media_dir
from .tables import file_versions
from .texts import say
from .uploads import UploadRequest, file_title, thumbnail_widths, upload

HERE = Path(__file__).parent

bp = Blueprint(
    "mettre_en_communs",
    __name__,
    static_folder=str(HERE / "static"),
    static_url_path="/fichiers/static",
)

#: files per gallery page
PER_PAGE = 48


class UploadForm(FlaskForm):
    """The upload form (Flask-WTF: it carries a CSRF token)."""

    file = FileField()
    name = StringField(validators=[Optional(), Length(max=240)])
    licence = SelectField(choices=licence_choices, validate_choice=False)
    author = StringField(validators=[Optional(), Length(max=500)])
    source = StringField(validators=[Optional(), Length(max=500)])
    description = TextAreaField(validators=[Optional(), Length(max=20_000)])
    comment = StringField(validators=[Optional(), Length(max=500)])


def upload_body_limit() -> int:
    """The upload routes' request body limit (``body_limit``): the plugin's file limit
    and a margin for the form's other fields and the multipart framing; a body just over
    the file limit gets the plugin's own sentence, one far over it the core's 413."""
    return int(current_app.config["COMMONS_MAX_UPLOAD_BYTES"]) + 1_000_000


def widths() -> tuple[int, ...]:
    """The running wiki's thumbnail widths."""
    return thumbnail_widths(current_app.config)


@bp.route("/fichiers/<name>")
def file_page(name: str) -> Response:
    """A file's page is the wiki page ``Fichier:<nom>``."""
    try:
        return redirect(page_url(file_title(name)))
    except UploadError:
        abort(404)


@bp.route("/fichiers/<name>/brut")
def raw(name: str) -> Response:
    """The newest version's bytes."""
    return serving.raw(name)


@bp.route("/fichiers/<name>/vignette/<int:width>")
def thumbnail(name: str, width: int) -> Response:
    """A thumbnail of the newest version, ``width`` pixels wide (or the image's own)."""
    return serving.thumbnail(name, width, widths())


@bp.route("/fichiers/<name>/version/<int:number>")
def old_version(name: str, number: int) -> Response:
    """Version ``number``'s bytes."""
    return serving.old_version(name, number)


@bp.route("/fichiers/televerser", methods=["GET", "POST"])
@body_limit(upload_body_limit)
def upload_form() -> Response | tuple[str, int] | str:
    """The form; a POST stores the file and goes to its page (the form again, with the
    sentence, when refused; nothing is kept then)."""
    if not current_user.is_authenticated:
        return redirect("/compte/connexion?next=" + request.full_path.rstrip("?"))
    refuse_if_cannot_write(None)  # a blocked account reads why
    require("create")
    form = UploadForm()
    if request.method == "GET":
        form.name.data = request.args.get("nom", "")
        form.licence.data = _licence_of(form.name.data) or current_app.config["DEFAULT_LICENCE"]
        return _form(form)
    if not form.validate_on_submit():
        return _form(form), 400
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _form(form, say("no-file")), 400
    try:
        result = upload(
            writing.context_for(current_app, get_session()),
            media_dir(),
            current_user._get_current_object(),
            UploadRequest(
                data=sent.read(),
                filename=sent.filename,
                name=form.name.data or "",
                licence=form.licence.data or "",
                author=form.author.data or "",
                source=form.source.data or "",
                description=form.description.data or "",
                comment=form.comment.data or "",
            ),
        )
    except UploadError as refused:
        return _form(form, say(refused.key, **refused.params)), refused.status
    except ServiceError as refused:
        return _form(form, localized(refused)), refused.status
    key = "uploaded_pending" if result.pending else "uploaded"
    flash(say(key, name=result.title.name), "success")
    return redirect(page_url(result.title))


def _licence_of(name: str) -> str | None:
    """The licence of an existing file page (a new version keeps it), or None."""
    if not name:
        return None
    try:
        page = rev.find_page(get_session(), file_title(name))
    except UploadError:
        return None
    return page.licence if page is not None and not page.is_deleted else None


def _form(form: UploadForm, error: str = "") -> str:
    limit = f"{int(current_app.config['COMMONS_MAX_UPLOAD_BYTES']) / 1_000_000:g} Mo"
    return render_template(
        "mettre_en_communs/televerser.html", form=form, error=error, limit=limit, say=say
    )


@bp.route("/fichiers")
def gallery() -> str:
    """The newest files first, filtered by licence and by uploader."""
    session = get_session()
    licence = request.args.get("licence", "").strip()
    uploader = request.args.get("par", "").strip()
    page_number = max(1, request.args.get("page", 1, type=int) or 1)
    items, total = _files(session, licence, uploader, page_number)
    return render_template(
        "mettre_en_communs/galerie.html",
        items=items,
        total=total,
        licence=licence if licence in LICENCES else "",
        uploader=uploader,
        licences=[(code, licence_label(code)) for code in LICENCES],
        page_number=page_number,
        pages=max(1, -(-total // PER_PAGE)),
        say=say,
        can_upload=current_user.is_authenticated and allowed("create"),
    )


def _files(
    session: Any, licence: str, uploader: str, page_number: int
) -> tuple[list[dict[str, Any]], int]:
    """One gallery page: each file's newest version, page and licence (two queries)."""
    v = file_versions.c
    newest = select(v.page_id, func.max(v.number).label("number")).group_by(v.page_id).subquery()
    query = (
        select(Page.name, Revision.licence, v.mime, v.width, v.height, v.sha256, v.created_at)
        .join(newest, newest.c.page_id == Page.id)
        .join(file_versions, (v.page_id == newest.c.page_id) & (v.number == newest.c.number))
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(Page.namespace == "file", Page.deleted_at.is_(None))
    )
    if licence in LICENCES:
        query = query.where(Revision.licence == licence)
    if uploader:
        uploaded = select(v.page_id).join(User, User.id == v.uploader_id)
        query = query.where(Page.id.in_(uploaded.where(User.username == uploader)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(v.created_at.desc(), Page.name)
        .limit(PER_PAGE)
        .offset((page_number - 1) * PER_PAGE)
    )
    items = []
    for name, code, mime, width, height, sha, created in rows:
        thumb = None
        if mime.startswith("image/"):
            fitting = [w for w in widths() if width and w < width]
            rest = ("vignette", str(fitting[0])) if fitting else ("brut",)
            thumb = file_url(name, *rest) + "?v=" + sha[:16]
        items.append(
            {
                "name": name,
                "href": page_url(file_title(name)),
                "licence": code,
                "licence_label": licence_label(code),
                "mime": mime,
                "thumb": thumb,
                "width": width,
                "height": height,
                "created": created,
            }
        )
    return items, total
