"""JSON API v1: the editor's live preview, rendered by the saved page's pipeline.

``POST /api/v1/preview`` with ``{text, type?, fields?, form_fields?, title?}`` answers
``{html, infobox, notices, habits, size, max_bytes}``. Nothing is saved. The
structured fields come either as JSON values (``fields``, as ``PUT /api/v1/pages/…``
takes them) or as the edit form's inputs (``form_fields``: ``{"field.<name>": "…"}``, what
the editor's script sends), checked by the same rules as a save.

Reading is enough to preview (no right to edit needed); a cookie-authenticated call sends
the CSRF token in the ``X-CSRFToken`` header, like every API write.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ...core import revisions as rev
from ...core.page_types import FieldError, registry_of, validate_fields
from ...text.mediawiki import mediawiki_habits
from ...text.titles import Title
from .. import fields as typed
from ..db import get_session
from ..editing import render_preview
from ..extensions import limiter
from ..helpers import ApiError, api_title, json_body, make_api_blueprint, rate_key
from ..labels import localized
from ..mediawiki_hints import habit_hints
from ..notices import edit_notices

bp = make_api_blueprint("preview_api", __name__)


def preview_rate_limit() -> str:
    """Flask-Limiter's limit of previews (``PREVIEW_RATE_LIMIT``, per account or address):
    more generous than saves, as a live preview follows typing (one call per pause)."""
    return str(current_app.config["PREVIEW_RATE_LIMIT"])


def _text_of(data: dict[str, Any]) -> str:
    text = data.get("text", "")
    if not isinstance(text, str):
        raise ApiError(400, _("Le champ « text » doit être du texte."))
    text = text.replace("\r\n", "\n")
    max_bytes = int(current_app.config["MAX_PAGE_BYTES"])
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
        raise ApiError(400, localized(rev.EditError("invalid-utf8", variant="text"))) from None
    if size > max_bytes:
        err = rev.EditError("too-large", status=413, size=size, max=max_bytes)
        raise ApiError(413, localized(err), code="too-large", size=size, max_bytes=max_bytes)
    return text


def _typed_values(data: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The page type and its checked values: :class:`FieldError` for a bad one."""
    name = data.get("type")
    if name in (None, ""):
        if data.get("fields") or data.get("form_fields"):
            raise FieldError("fields", "unknown-field")
        return None, {}
    if not isinstance(name, str):
        raise FieldError("type", "unknown-type", value=str(name)[:100])
    page_type = registry_of(current_app).require(name)
    capitalize = bool(current_app.config["CAPITALIZE_FIRST"])
    if "form_fields" in data:
        sent = data["form_fields"]
        if not isinstance(sent, dict):
            raise FieldError("fields", "not-an-object")
        form: MultiDict[str, str] = MultiDict()
        for key, value in sent.items():
            for item in value if isinstance(value, list) else [value]:
                form.add(str(key), "" if item is None else str(item))
        values = typed.values_from_form(page_type, form)
    else:
        values = data.get("fields") or {}
    return name, validate_fields(page_type, values, capitalize_first=capitalize)


@bp.post("/preview")
@limiter.limit(lambda: preview_rate_limit(), key_func=lambda: rate_key())
def preview() -> Response:
    """The page as it would be saved: its HTML, the infobox and the warnings."""
    data = json_body()
    text = _text_of(data)
    title: Title | None = None
    if data.get("title") not in (None, ""):
        if not isinstance(data["title"], str):
            raise ApiError(400, _("Le champ « title » doit être du texte."))
        title = api_title(data["title"])
    try:
        page_type, values = _typed_values(data)
    except FieldError as err:
        raise ApiError(
            400,
            localized(err),
            code=err.code,
            field=err.field,
            reason=err.params.get("reason", ""),
            errors=typed.error_of(err),
        ) from None
    session = get_session()
    try:
        shown = render_preview(session, text, page_type, values)
        notices = habit_hints(text)  # what edit_notices says first, without a title
        if title is not None:
            page = rev.find_page(session, title)
            notices = edit_notices(
                session, title, text, page=page, page_type=page_type, fields=values
            )
    finally:
        session.rollback()  # a preview writes nothing
    return jsonify(
        {
            "html": shown.html,
            "infobox": str(shown.infobox_html),
            "notices": notices,
            "habits": mediawiki_habits(text),
            "size": len(text.encode("utf-8")),
            "max_bytes": int(current_app.config["MAX_PAGE_BYTES"]),
        }
    )
