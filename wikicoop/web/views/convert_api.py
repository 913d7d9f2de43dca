"""JSON API v1: MediaWiki wikitext converted to this wiki's syntax.

``POST /api/v1/convert/mediawiki`` with ``{"text": "…"}`` answers ``{"text": "…",
"habits": [...]}`` (the habits still found in the result: what the conversion left to do
by hand, templates mostly). Nothing is saved and nothing is read from the database: a
pure function, open to anyone (no login, no CSRF token: a cross-site page cannot read the
answer), rate-limited per account or address. A text over ``MAX_PAGE_BYTES`` is refused
(413), as a save would refuse it, and so is one too full of structures to parse in a few
seconds (:func:`wikicoop.text.mediawiki.is_too_complex`, 413 ``too-complex``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...core import revisions as rev
from ...errors import ServiceError
from ...text.mediawiki import convert_mediawiki, is_too_complex, mediawiki_habits
from ..extensions import csrf, limiter
from ..helpers import ApiError, api_error, json_body, rate_key, service_error
from ..labels import localized

# Not make_api_blueprint: its authentication asks a login (or anonymous editing) for
# every POST, and a conversion changes nothing.
bp = Blueprint("convert_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.register_error_handler(ApiError, api_error)
bp.register_error_handler(ServiceError, service_error)


def convert_rate_limit() -> str:
    """Flask-Limiter's limit of conversions (``CONVERT_RATE_LIMIT``, per account or
    address)."""
    return str(current_app.config["CONVERT_RATE_LIMIT"])


@bp.post("/convert/mediawiki")
@limiter.limit(lambda: convert_rate_limit(), key_func=lambda: rate_key())
def convert() -> Response:
    """``{text}`` in MediaWiki syntax -> ``{text, habits}`` in this wiki's syntax."""
    data = json_body()
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(400, _("Le champ « text » doit être du texte."), code="invalid-text")
    max_bytes = int(current_app.config["MAX_PAGE_BYTES"])
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
        error = rev.EditError("invalid-utf8", variant="text")
        raise ApiError(400, localized(error), code="invalid-utf8") from None
    if size > max_bytes:
        error = rev.EditError("too-large", status=413, size=size, max=max_bytes)
        raise ApiError(413, localized(error), code="too-large", size=size, max_bytes=max_bytes)
    if is_too_complex(text):
        raise ApiError(
            413,
            _(
                "Ce texte est trop chargé pour être converti d'un coup : convertissez-le "
                "en plusieurs morceaux."
            ),
            code="too-complex",
        )
    converted = convert_mediawiki(text.replace("\x00", ""))
    return jsonify({"text": converted, "habits": mediawiki_habits(converted)})
