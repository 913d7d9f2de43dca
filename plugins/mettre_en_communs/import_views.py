"""The export page ``/reutiliser`` (a form to download the zip of a category or of the
whole wiki) and the import, for administrators: the form ``/reutiliser/importer``
(CSRF-protected) and its JSON twin ``POST /api/v1/import`` (multipart ``file``)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.helpers import ApiError, allowed, guard

from .import_archive import ArchiveRefused
from .import_run import run_import
from .import_zip import ImportReport
from .reuse_common import api, bp
from .reuse_texts import TEXTS, say


class ImportForm(FlaskForm):
    """The archive to import (checked by :func:`run_import`)."""

    archive = FileField()


def _skipped(report: ImportReport) -> list[tuple[str, str]]:
    return [(title, say(key) if key in TEXTS else key) for title, key in report.skipped]


@bp.route("/reutiliser")
def export_page() -> str:
    """The form of the zip export (a GET to the API's address) and, for
    administrators, a link to the import."""
    return render_template(
        "mettre_en_communs/reuse/exporter.html", say=say, may_import=allowed("admin")
    )


@bp.route("/reutiliser/importer", methods=["GET", "POST"])
def import_form() -> tuple[str, int]:
    """Upload an archive; the report of what was created, completed and skipped."""
    if not allowed("admin"):
        fail(403, say("import_refused"))
    form = ImportForm()
    context = {"form": form, "say": say, "report": None, "error": None}
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200  # a POST without its CSRF token
        return render_template("mettre_en_communs/reuse/importer.html", **context), status
    upload = form.archive.data
    if upload is None or not getattr(upload, "filename", ""):
        context["error"] = say("import_no_file")
        return render_template("mettre_en_communs/reuse/importer.html", **context), 400
    try:
        report = run_import(
            current_app,
            get_session(),
            upload.stream,
            actor=current_user._get_current_object(),
            name=upload.filename,
        )
    except ArchiveRefused as err:
        context["error"] = say(err.key, **err.params)
        return render_template("mettre_en_communs/reuse/importer.html", **context), err.status
    context["report"] = report
    context["skipped"] = _skipped(report)
    return render_template("mettre_en_communs/reuse/importer.html", **context), 200


@api.post("/import")
def import_api() -> Response:
    """Import the archive sent as ``file`` (multipart); the report as JSON (200), or
    ``{error, code}`` 400/413/422."""
    guard("admin")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, say("import_no_file"), code="no-file")
    try:
        report = run_import(
            current_app,
            get_session(),
            upload.stream,
            actor=current_user._get_current_object(),
            name=upload.filename,
        )
    except ArchiveRefused as err:
        raise ApiError(err.status, say(err.key, **err.params), code=err.key) from None
    return jsonify(report.as_json())
