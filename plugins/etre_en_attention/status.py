"""Moderators move an initiative's status: a small form in a panel of the initiative's
page, posted to ``/appel-a-projets/statut/<page id>``, which saves a new revision with only
the ``statut`` field changed, through the write path (history, diff, moderation, the
``page_published`` hook all see it as any edit).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField

from wikicoop.core import writing
from wikicoop.core.models import Page
from wikicoop.errors import ServiceError
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.helpers import allowed, author, require
from wikicoop.web.labels import localized
from wikicoop.web.urls import page_url

from .blueprint import bp
from .declarations import INITIATIVE, STATUSES
from .texts import TEXTS, say


class StatusForm(FlaskForm):
    """The new status, and the revision the moderator saw (a stale form changes nothing)."""

    statut = SelectField(choices=list(STATUSES), validate_choice=True)
    base_revision = HiddenField()


def status_panel(ctx: Any) -> dict[str, str] | None:
    """The ``page_panels`` item: the form, for moderators, on an initiative's public
    version (nothing for others: the infobox already shows the status, and anonymous
    views, cached whole, never carry a form)."""
    page, revision = ctx.page, ctx.revision
    if (
        page is None
        or revision is None
        or revision.page_type != INITIATIVE
        or page.latest_revision_id != revision.id
        or not allowed("moderate", page)
    ):
        return None
    form = StatusForm(statut=(revision.fields or {}).get("statut"), base_revision=revision.id)
    html = render_template(
        "etre_en_attention/_status_form.html", form=form, page=page, statuses=STATUSES, say=say
    )
    return {"title": TEXTS["status_title"], "html": html}


@bp.post("/appel-a-projets/statut/<int:page_id>")
def change_status(page_id: int) -> Response:
    """Save the initiative again with its new status; back to its page."""
    session = get_session()
    page = session.get(Page, page_id)
    latest = page.latest_revision if page is not None and not page.is_deleted else None
    if page is None or latest is None or latest.page_type != INITIATIVE:
        fail(404, say("not_initiative"))
    require("moderate", page)
    form = StatusForm()
    if not form.validate_on_submit():  # a missing CSRF token or an unknown status
        fail(400, say("bad_filter", name="statut", value=str(form.statut.data)[:40]))
    back = redirect(page_url(page.title))
    if form.base_revision.data != str(latest.id):
        flash(say("status_stale"), "info")
        return back
    old = (latest.fields or {}).get("statut")
    new = form.statut.data
    if new == old:
        flash(say("status_same"), "info")
        return back
    edit = writing.Edit(
        author=author(),
        title=page.title,
        text=latest.text,
        base_revision_id=latest.id,
        # the history speaks the wiki's language, whoever made the change
        summary=TEXTS["status_summary"]["fr"].format(old=old or "—", new=new),
        page_type=INITIATIVE,
        fields={**(latest.fields or {}), "statut": new},
    )
    try:
        writing.save(writing.context_for(current_app, session), edit)
    except ServiceError as err:
        session.rollback()
        fail(err.status, localized(err))
    flash(say("status_saved", status=new), "success")
    return back
