"""JSON API v1: pages, history, diffs, restore, backlinks; rename, licence, delete, undelete.

Authentication (:func:`wikicoop.web.helpers.authenticate`, for every API blueprint): the
session cookie (then a CSRF token in ``X-CSRFToken`` is required for writes) or
``Authorization: Bearer TOKEN``. Every error is ``{"error": message}`` with
the right status; titles in paths are written as in page URLs.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ...core import history, visibility, writing
from ...core import revisions as rev
from ...core.models import Page
from ...core.page_types import FieldError, field_changes_json, registry_of, validate_fields
from ...core.render_cache import cached_render
from ...text.diffing import diff_texts
from ...text.titles import Title
from ..db import get_session
from ..extensions import limiter
from ..helpers import (
    ApiError,
    api_title,
    author,
    edit_limit_exempt,
    edit_rate_limit,
    guard,
    json_body,
    live_page,
    localized,
    make_api_blueprint,
    rate_key,
    readable_revision,
    renderer,
    revision_json,
    write_refusal,
)
from ..notices import edit_notices

#: the edit rate limit of every API write (counted per route; admins and bots skip it)
edit_limited = limiter.limit(
    lambda: edit_rate_limit(),
    key_func=lambda: rate_key(),
    exempt_when=lambda: edit_limit_exempt(),
)

bp = make_api_blueprint("api", __name__)

#: /api/v1/pages/<title>/<suffix> are sub-resources, so no page name can end like that
_ENDPOINT_SUFFIXES = {
    "history",
    "diff",
    "backlinks",
    "restore",
    "report",
    "discussion",
    "protection",
    "rename",
    "license",
    "undelete",
}


def published_page(title: Title) -> Page:
    """:func:`live_page` with a published version (actions on the public page)."""
    return visibility.published_page(get_session(), title, current_user)


def optional_json_body() -> dict[str, Any]:
    """The JSON object sent, or ``{}`` when there is no body at all (a DELETE rarely has one)."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def bool_field(data: dict[str, Any], name: str, *, default: bool) -> bool:
    """Field ``name`` of a JSON body: true or false (``default`` when absent)."""
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ApiError(400, _("Le champ « %(name)s » doit valoir true ou false.", name=name))
    return value


def page_state(page: Page) -> dict[str, Any]:
    """A page as it stands after an operation: title, licence, deletion, redirect and
    its published revision."""
    latest = page.latest_revision
    return {
        "title": page.title.full,
        "namespace": page.namespace,
        "license": page.licence,
        "licence": page.licence,
        "deleted": page.is_deleted,
        "redirect": page.redirect_target,
        "revision": revision_json(latest) if latest is not None else None,
    }


@bp.get("/pages/<path:raw_title>")
def get_page(raw_title: str) -> Response:
    title = api_title(raw_title)
    page = live_page(title)
    guard("view", page)
    latest = page.latest_revision
    if "revision" in request.args:
        revision = readable_revision(page, request.args["revision"])
    else:
        # as on the web: the reader's own pending version, else the published one
        shown, _pending = visibility.shown_revision(get_session(), page, current_user)
        if shown is None:  # e.g. a rejected new page: only its history is left
            raise ApiError(404, _("La page « %(title)s » n'existe pas.", title=title.full))
        revision = shown
    rendered = cached_render(get_session(), renderer(), revision)
    return jsonify(
        {
            "title": title.full,
            "namespace": title.namespace,
            "license": revision.licence,
            "licence": revision.licence,
            "text": revision.text,
            "html": rendered.html,
            "categories": list(rendered.categories),
            "redirect": page.redirect_target,
            "latest_revision": latest.id if latest else None,
            "revision": revision_json(revision),
            "type": revision.page_type,
            "fields": (revision.fields or {}) if revision.page_type else None,
        }
    )


@bp.put("/pages/<path:raw_title>")
@edit_limited
def put_page(raw_title: str) -> tuple[Response, int]:
    title = api_title(raw_title)
    if title.name.rsplit("/", 1)[-1] in _ENDPOINT_SUFFIXES and "/" in title.name:
        raise ApiError(
            400,
            _(
                "Un titre finissant par « /%(suffix)s » ne peut pas être écrit par l'API "
                "(l'adresse désignerait une autre ressource) : utilisez le wiki.",
                suffix=title.name.rsplit("/", 1)[-1],
            ),
        )
    data = json_body()
    page = rev.find_page(get_session(), title)
    _refuse_if_cannot_write(page)
    guard("edit" if page else "create", page)
    if "text" not in data:
        raise ApiError(400, _("Le champ « text » est obligatoire."))
    if "base_revision" not in data:
        raise ApiError(
            400,
            _(
                "Le champ « base_revision » est obligatoire : le numéro de la version "
                "que vous avez modifiée, ou null pour créer la page."
            ),
        )
    licence = data.get("license", data.get("licence"))
    if licence is not None and not isinstance(licence, str):
        raise ApiError(400, _("Le champ « license » doit être un code de licence."))
    if licence is None and page is None:
        licence = current_app.config["DEFAULT_LICENCE"]  # the site's default
    minor = bool_field(data, "minor", default=False)
    page_type, field_values = typed_body(data)
    session = get_session()
    edit = writing.Edit(
        author=author(),
        title=title,
        text=data["text"],
        base_revision_id=data["base_revision"],
        summary=data.get("summary", ""),
        minor=minor,
        licence=licence,
        page_type=page_type,
        fields=field_values,
    )
    result = writing.save(writing.context_for(current_app, session), edit)
    if result.conflict is not None:
        current = result.current_revision
        assert current is not None
        raise ApiError(
            409,
            "conflict",
            message=_(
                "La page a été modifiée entre-temps et vos changements touchent les "
                "mêmes passages : rien n'a été enregistré."
            ),
            current_revision=revision_json(current),
            current_text=current.text,
            your_text=data["text"],
            conflicts=[
                {"base": c.base, "yours": c.mine, "theirs": c.theirs}
                for c in result.conflict.conflicts
            ],
            # fields (or "type") changed differently on both sides, and the saved values
            field_conflicts=list(result.field_conflicts),
            current_type=current.page_type,
            current_fields=current.fields,
        )
    assert result.revision is not None
    body = {
        "title": title.full,
        "revision": revision_json(result.revision),
        "status": result.revision.status,
        "merged": result.merged,
        "changed": result.changed,
        "created": result.created,
        "notices": edit_notices(
            session,
            title,
            data["text"],
            page=result.page,
            page_type=page_type,
            fields=field_values,
        ),
    }
    if result.pending:
        # held for review: accepted, not yet public
        body["pending_reasons"] = result.revision.pending_reason_codes
        body["message"] = _(
            "Votre modification est enregistrée et attend la relecture d'un modérateur."
        )
        return jsonify(body), 202
    return jsonify(body), 201 if result.created else 200


def _refuse_if_cannot_write(page: Page | None) -> None:
    """403 with the reason for a blocked account or a protected page."""
    refused = write_refusal(page)
    if refused is not None:
        raise ApiError(refused.status, localized(refused), code=refused.code)


def typed_body(data: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """``type`` and ``fields`` of a PUT body, checked: absent keeps the page's (``type``
    null makes it plain); ``fields`` absent keeps the values (with the same type)."""
    if "type" not in data and "fields" not in data:
        return None, None
    name = data.get("type", ...)
    if name is not ... and name is not None and not isinstance(name, str):
        raise FieldError("type", "unknown-type", value=str(name))
    if name is None:
        if data.get("fields"):
            raise FieldError("fields", "unknown-field")
        return "", {}
    if "fields" not in data:
        return (None if name is ... else name), None
    fields = data["fields"]
    if name is ...:
        return None, fields  # the page's own type checks them (the write path)
    page_type = registry_of(current_app).require(name)
    capitalize = bool(current_app.config["CAPITALIZE_FIRST"])
    return name, validate_fields(page_type, fields, capitalize_first=capitalize)


@bp.get("/page-types")
def page_types_list() -> Response:
    """The enabled page types: name, labels, plugin (null for ``PAGE_TYPES``), moderation
    mode and fields (name, kind, label, required, choices)."""
    guard("view")
    return jsonify({"page_types": [item.as_dict() for item in registry_of(current_app).all()]})


@bp.get("/pages/<path:raw_title>/history")
def page_history(raw_title: str) -> Response:
    page = live_page(api_title(raw_title))
    guard("history", page)
    limit = _int_arg("limit", 50, 1, 500)
    offset = _int_arg("offset", 0, 0, 10**9)
    total, rows = history.history_rows(
        get_session(),
        page,
        limit=limit,
        offset=offset,
        visible=visibility.listed_in_history(current_user),
    )
    return jsonify(
        {
            "total": total,
            "limit": limit,
            "offset": offset,
            "revisions": [
                {**revision_json(row.revision, current_user), "size_change": row.size_change}
                for row in rows
            ],
        }
    )


@bp.get("/pages/<path:raw_title>/diff")
def page_diff(raw_title: str) -> Response:
    page = live_page(api_title(raw_title))
    guard("history", page)
    for name in ("from", "to"):
        if name not in request.args:
            raise ApiError(400, _("Le paramètre « %(name)s » est obligatoire.", name=name))
    old = readable_revision(page, request.args["from"])
    new = readable_revision(page, request.args["to"])
    diff = diff_texts(old.text, new.text)
    html = diff.side_by_side_html() if request.args.get("view") == "side" else diff.inline_html()
    return jsonify(
        {
            "from": revision_json(old),
            "to": revision_json(new),
            "html": html,
            "added": diff.added,
            "removed": diff.removed,
            "field_changes": field_changes_json(
                old.page_type, old.fields, new.page_type, new.fields
            ),
        }
    )


@bp.post("/pages/<path:raw_title>/restore")
@edit_limited
def page_restore(raw_title: str) -> tuple[Response, int]:
    page = published_page(api_title(raw_title))
    _refuse_if_cannot_write(page)
    guard("restore", page)
    data = json_body()
    if "revision" not in data:
        raise ApiError(400, _("Le champ « revision » est obligatoire."))
    # the web's guard: nobody restores (then reads) a revision they may not see
    old = readable_revision(page, data["revision"])
    result = writing.restore(
        writing.context_for(current_app, get_session()),
        page=page,
        revision_id=old.id,
        author=author(),
        summary=data.get("summary", ""),
    )
    if result.conflict is not None or result.revision is None:  # pragma: no cover - same base
        raise ApiError(409, "conflict")
    body = {"revision": revision_json(result.revision), "restored": not result.pending}
    return jsonify(body), 202 if result.pending else 200


@bp.get("/pages/<path:raw_title>/backlinks")
def page_backlinks(raw_title: str) -> Response:
    title = api_title(raw_title)
    guard("view")
    return jsonify({"titles": [t.full for t in history.backlinks(get_session(), title)]})


def _int_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return max(minimum, min(maximum, int(raw)))
    except ValueError:
        raise ApiError(
            400, _("Le paramètre « %(name)s » doit être un nombre entier.", name=name)
        ) from None


# -- page operations: the web's rename, licence, delete and undelete actions ----------------


@bp.post("/pages/<path:raw_title>/rename")
@edit_limited
def page_rename(raw_title: str) -> Response:
    """``{to, reason, leave_redirect}``: move the page, leaving a redirect unless told not to."""
    title = api_title(raw_title)
    page = published_page(title)
    _refuse_if_cannot_write(page)
    guard("rename", page)
    data = json_body()
    target = data.get("to")
    if not isinstance(target, str):
        raise ApiError(400, _("Le champ « to » est obligatoire : le nouveau titre de la page."))
    leave_redirect = bool_field(data, "leave_redirect", default=True)
    page = writing.rename(
        writing.context_for(current_app, get_session()),
        page=page,
        new_title=api_title(target),
        author=author(),
        reason=data.get("reason", ""),
        leave_redirect=leave_redirect,
    )
    return jsonify({**page_state(page), "from": title.full, "redirect_left": leave_redirect})


@bp.put("/pages/<path:raw_title>/license")
@edit_limited
def page_license(raw_title: str) -> Response:
    """``{license, reason}``: move the page to a licence that keeps every contributor's terms."""
    page = published_page(api_title(raw_title))
    guard("relicense", page)
    data = json_body()
    code = data.get("license", data.get("licence"))
    if not isinstance(code, str):
        raise ApiError(400, _("Le champ « license » doit être un code de licence."))
    rev.change_licence(
        get_session(), page=page, new_code=code, author=author(), reason=data.get("reason", "")
    )
    return jsonify(page_state(page))


@bp.delete("/pages/<path:raw_title>")
@edit_limited
def page_delete(raw_title: str) -> Response:
    """``{reason}`` (optional): soft-delete the page; an administrator can bring it back."""
    page = published_page(api_title(raw_title))
    # a deleted page exists only for who may bring it back: they are told it is deleted
    # already (409) rather than refused
    guard("undelete" if page.is_deleted else "delete", page)
    data = optional_json_body()
    actor = current_user._get_current_object()
    rev.delete_page(get_session(), page=page, actor=actor, reason=data.get("reason", ""))
    return jsonify(page_state(page))


@bp.post("/pages/<path:raw_title>/undelete")
@edit_limited
def page_undelete(raw_title: str) -> Response:
    """``{reason}`` (optional): bring a deleted page back with its whole history."""
    title = api_title(raw_title)
    page = rev.find_page(get_session(), title)
    if page is None:
        raise ApiError(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    guard("undelete", page)  # as on the web
    data = optional_json_body()
    actor = current_user._get_current_object()
    rev.undelete_page(get_session(), page=page, actor=actor, reason=data.get("reason", ""))
    return jsonify(page_state(page))
