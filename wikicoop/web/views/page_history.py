"""A page's past: its history, the diff of two of its versions, and restoring an old one
(``/wiki/<Title>?action=history``, ``diff``, ``restore``; dispatched by ``pages.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ...core import history, visibility, writing
from ...errors import ServiceError
from ...text.diffing import diff_texts
from ...text.titles import Title
from .. import fields as typed
from ..db import get_session
from ..errors import error_page, fail
from ..forms import RestoreForm
from ..helpers import (
    ViewResult,
    author,
    live_page_or_404,
    refuse_if_cannot_write,
    require,
    visible_revision_or_fail,
)
from ..labels import localized
from ..urls import page_url


def history_page(title: Title) -> ViewResult:
    page = live_page_or_404(title)
    require("history", page)
    size = current_app.config["HISTORY_PAGE_SIZE"]
    offset = _int_arg("offset", 0, minimum=0)
    limit = _int_arg("limit", size, minimum=1, maximum=500)
    total, rows = history.history_rows(
        get_session(),
        page,
        limit=limit,
        offset=offset,
        visible=visibility.listed_in_history(current_user),
    )
    return render_template(
        "history.html",
        title=title,
        page=page,
        rows=rows,
        total=total,
        offset=offset,
        limit=limit,
        diffable=_diffable(rows),
    )


def _diffable(rows: list[history.HistoryRow]) -> set[int]:
    """Ids of the listed revisions whose diff with their parent the reader may open (both
    texts readable): the history links no diff that would answer 403. The parents' status
    and author come with the rows (one query for the whole page)."""
    reader = current_user._get_current_object()  # resolved once, not per row
    return {
        row.revision.id
        for row in rows
        if row.parent_status is not None
        and visibility.can_see_text(reader, row.revision)
        and visibility.may_read(reader, row.parent_status, row.parent_author_id)
    }


def diff_page(title: Title) -> ViewResult:
    page = live_page_or_404(title)
    require("history", page)
    latest = page.latest_revision
    if latest is None and "to" not in request.args:
        fail(404, _("La page « %(title)s » n'a pas encore de version publiée.", title=title.full))
    new = visible_revision_or_fail(page, request.args.get("to", latest.id if latest else 0))
    if "from" in request.args:
        old = visible_revision_or_fail(page, request.args["from"])
    elif new.parent_id is not None:
        old = visible_revision_or_fail(page, new.parent_id)
    else:
        old = new
    if old.id > new.id:
        old, new = new, old
    diff = diff_texts(old.text, new.text)
    side = request.args.get("view") == "side"
    return render_template(
        "diff.html",
        field_changes=typed.field_changes(old, new),
        title=title,
        page=page,
        old=old,
        new=new,
        diff=diff,
        side=side,
        latest_id=latest.id if latest else None,
    )


def restore_page(title: Title) -> ViewResult:
    page = live_page_or_404(title)
    refuse_if_cannot_write(page)
    require("restore", page)
    form = RestoreForm()
    revision_id = request.values.get("revision", "")
    old = visible_revision_or_fail(page, revision_id)
    latest = page.latest_revision
    if latest is None:
        fail(404, _("La page « %(title)s » n'a pas encore de version publiée.", title=title.full))
    if request.method == "POST" and form.validate_on_submit():
        session = get_session()
        try:
            result = writing.restore(
                writing.context_for(current_app, session),
                page=page,
                revision_id=old.id,
                author=author(),
                summary=form.summary.data,
            )
        except ServiceError as err:
            session.rollback()
            return error_page(err.status, localized(err))
        if result.pending:
            flash(_("Votre demande est enregistrée : elle attend la relecture d'un modérateur."))
        else:
            flash(_("La version n° %(id)s a été rétablie.", id=old.id), "success")
        return redirect(page_url(title))
    form.revision.data = str(old.id)
    return render_template(
        "restore.html",
        title=title,
        page=page,
        old=old,
        form=form,
        diff=diff_texts(latest.text, old.text),
        field_changes=typed.field_changes(latest, old),
    )


def _int_arg(name: str, default: int, *, minimum: int = 0, maximum: int = 10**9) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        fail(400, _("Le paramètre « %(name)s » doit être un nombre entier.", name=name))
    return max(minimum, min(maximum, value))


#: the ``?action=`` handlers of this module
ACTIONS: dict[str, Callable[[Title], ViewResult]] = {
    "history": history_page,
    "diff": diff_page,
    "restore": restore_page,
}
