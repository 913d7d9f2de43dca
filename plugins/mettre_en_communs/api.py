"""The media library's JSON API.

- ``POST /api/v1/files`` (multipart: ``file``, ``license``, ``author``, ``source``,
  ``description``; optional ``name``, ``comment``): 201 with the file's ``name``,
  ``title``, ``url`` (the raw file), ``page_url``, ``license``, ``version``, ``mime``,
  ``size``, ``width``, ``height``, ``sha256``, ``status`` and ``thumbnails``
  (``{"320": url, "800": url}``). A name already taken adds a new version.
- ``GET /api/v1/files/<name>``: the same description of the newest version, with
  ``versions`` and ``used_in``.

Errors: ``{"error": sentence, "code": …}`` (401/403 for who may not upload, 409 for a
file already there, 413 over the size limit, 415 for a refused or lying type, 422 for a
broken image or a decompression bomb).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_login import current_user
from werkzeug.wrappers import Response

from wikicoop.community.mailer import site_root
from wikicoop.core import visibility, writing
from wikicoop.errors import ServiceError
from wikicoop.web.db import get_session
from wikicoop.web.errors import json_error
from wikicoop.web.helpers import ApiError, guard, make_api_blueprint, write_refusal
from wikicoop.web.labels import localized
from wikicoop.web.security import body_limit
from wikicoop.web.urls import page_url

from .detect import UploadError
from .embed import file_url
from .media_api import FileVersion, file_versions, media_dir, resolve_file_name
from .texts import say
from .uploads import UploadRequest, file_title, thumbnail_widths, upload
from .usage import pages_using
from .views import upload_body_limit

api = make_api_blueprint("mettre_en_communs_api", __name__)


@api.errorhandler(UploadError)
def _refused(err: UploadError) -> Response:
    get_session().rollback()
    return json_error(err.status, say(err.key, **err.params), code=err.key)


def file_json(version: FileVersion, licence: str, root: str, status: str) -> dict[str, Any]:
    """A file's newest version as the API shows it."""
    widths = thumbnail_widths(current_app.config)
    stamp = "?v=" + version.sha256[:16]
    thumbs = (
        {str(w): root + file_url(version.name, "vignette", str(w)) + stamp for w in widths}
        if version.is_image
        else {}
    )
    return {
        "name": version.name,
        "title": "Fichier:" + version.name,
        "url": root + file_url(version.name, "brut"),
        "page_url": root + page_url(file_title(version.name)),
        "license": licence,
        "version": version.number,
        "mime": version.mime,
        "size": version.size,
        "width": version.width,
        "height": version.height,
        "sha256": version.sha256,
        "author": None,
        "status": status,
        "thumbnails": thumbs,
    }


@api.route("/files", methods=["POST"])
@body_limit(upload_body_limit)
def create_file() -> tuple[Response, int]:
    """Upload a file (or a new version of one)."""
    if not current_user.is_authenticated:
        raise ApiError(401, say("login_needed"))
    refused = write_refusal(None)
    if refused is not None:  # a blocked account reads why
        raise ApiError(refused.status, localized(refused), code=refused.code)
    guard("create")
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise UploadError("no-file", 400)
    form = request.form
    result = upload(
        writing.context_for(current_app, get_session()),
        media_dir(),
        current_user._get_current_object(),
        UploadRequest(
            data=sent.read(),
            filename=sent.filename,
            name=form.get("name", ""),
            licence=form.get("license", ""),
            author=form.get("author", ""),
            source=form.get("source", ""),
            description=form.get("description", ""),
            comment=form.get("comment", ""),
        ),
    )
    session = get_session()
    version = file_versions(session, result.title.name)[0]
    page = visibility.readable_page(session, result.title, current_user)
    body = file_json(
        version,
        page.licence,
        site_root(current_app.config),
        "pending" if result.pending else "published",
    )
    shown = page.latest_revision  # None while the file page waits for review
    fields = (shown.fields or {}) if shown is not None else {}
    body["author"] = form.get("author") or fields.get("auteur")
    return jsonify(body), 201


@api.route("/files/<name>")
def describe_file(name: str) -> Response:
    """A file: its newest version, every version and the pages using it."""
    session = get_session()
    try:
        title = file_title(name)
        title = file_title(resolve_file_name(session, title.name))  # a renamed file
    except UploadError:
        raise ApiError(404, say("not-a-file")) from None
    try:
        page = visibility.readable_page(session, title, current_user)
    except ServiceError:
        raise ApiError(404, say("not-a-file")) from None
    versions = file_versions(session, title.name)
    if not versions:
        raise ApiError(404, say("not-a-file"))
    root = site_root(current_app.config)
    revision = page.latest_revision
    fields = (revision.fields or {}) if revision is not None else {}
    body = file_json(
        versions[0], page.licence, root, "published" if revision is not None else "pending"
    )
    body["author"] = fields.get("auteur")
    body["source"] = fields.get("source")
    body["description"] = fields.get("description")
    body["versions"] = [
        {
            "version": v.number,
            "url": root + file_url(v.name, "version", str(v.number)),
            "size": v.size,
            "mime": v.mime,
            "width": v.width,
            "height": v.height,
            "sha256": v.sha256,
            "uploader": v.uploader,
            "timestamp": v.created_at.isoformat(),
            "comment": v.comment,
        }
        for v in versions
    ]
    body["used_in"] = [p.title.full for p in pages_using(session, title.name)]
    return jsonify(body)
