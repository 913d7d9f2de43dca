"""Acts on a whole page: its authors and licence (and the licence change), renaming,
deleting and undeleting (``/wiki/<Title>?action=info``, ``rename``, ``delete``,
``undelete``; dispatched by ``pages.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ...core import history, writing
from ...core import revisions as rev
from ...core.models import Page
from ...text.licences import LICENCES, can_relicense
from ...text.titles import Title
from ..db import get_session
from ..errors import error_page, fail
from ..forms import DeleteForm, LicenceForm, RenameForm, UndeleteForm
from ..helpers import (
    ViewResult,
    author,
    parse_or_fail,
    published_page_or_404,
    refuse_if_cannot_write,
    require,
)
from ..labels import localized
from ..urls import page_url


def info_page(title: Title) -> ViewResult:
    """The "authors and licence" page, with the licence change form for moderators."""
    page = published_page_or_404(title)
    session = get_session()
    form = LicenceForm()
    form.licence.choices = [
        choice
        for choice in form.licence.choices  # type: ignore[union-attr]
        if choice.value != page.licence and can_relicense(page.licence, choice.value)
    ]
    if request.method == "POST":
        require("relicense", page)
        if form.validate_on_submit():
            try:
                rev.change_licence(
                    session,
                    page=page,
                    new_code=form.licence.data,
                    author=author(),
                    reason=form.reason.data,
                )
            except rev.EditError as err:
                session.rollback()
                return error_page(err.status, localized(err))
            flash(_("La licence de la page a été changée."), "success")
            return redirect(page_url(title, "info"))
        return error_page(400, _("Choisissez une licence compatible dans la liste."))
    total, _rows = history.history_rows(session, page, limit=1)
    return render_template(
        "info.html",
        title=title,
        page=page,
        licence=LICENCES[page.licence],
        authors=history.page_authors(session, page),
        revision_count=total,
        form=form,
        backlinks=history.backlinks(session, title),
    )


def rename_page(title: Title) -> ViewResult:
    page = published_page_or_404(title)
    refuse_if_cannot_write(page)
    require("rename", page)
    form = RenameForm()
    if request.method == "POST" and form.validate_on_submit():
        new_title = parse_or_fail(form.new_title.data or "")
        session = get_session()
        try:
            writing.rename(
                writing.context_for(current_app, session),
                page=page,
                new_title=new_title,
                author=author(),
                reason=form.reason.data,
                leave_redirect=bool(form.leave_redirect.data),
            )
        except rev.EditError as err:
            session.rollback()
            return _rename_template(title, page, form, localized(err), err.status)
        flash(_("La page a été renommée."), "success")
        return redirect(page_url(new_title))
    if request.method == "GET":
        form.new_title.data = title.full
    return _rename_template(title, page, form, None, 200 if request.method == "GET" else 400)


def _rename_template(
    title: Title, page: Page, form: RenameForm, error: str | None, status: int
) -> tuple[str, int]:
    return render_template("rename.html", title=title, page=page, form=form, error=error), status


def delete_page(title: Title) -> ViewResult:
    page = published_page_or_404(title)
    require("delete", page)
    form = DeleteForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            rev.delete_page(
                get_session(),
                page=page,
                actor=current_user._get_current_object(),
                reason=form.reason.data,
            )
        except rev.EditError as err:
            return error_page(err.status, localized(err))
        flash(_("La page a été supprimée. Elle peut être rétablie par un administrateur."), "info")
        return redirect(page_url(title))
    return render_template("delete.html", title=title, page=page, form=form)


def undelete_page(title: Title) -> ViewResult:
    page = rev.find_page(get_session(), title)
    if page is None:
        fail(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    require("undelete", page)
    form = UndeleteForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            rev.undelete_page(
                get_session(),
                page=page,
                actor=current_user._get_current_object(),
                reason=form.reason.data,
            )
        except rev.EditError as err:
            return error_page(err.status, localized(err))
        flash(_("La page a été rétablie avec tout son historique."), "success")
        return redirect(page_url(title))
    return render_template("undelete.html", title=title, page=page, form=form)


#: the ``?action=`` handlers of this module
ACTIONS: dict[str, Callable[[Title], ViewResult]] = {
    "info": info_page,
    "rename": rename_page,
    "delete": delete_page,
    "undelete": undelete_page,
}
