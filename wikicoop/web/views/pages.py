"""Page views: read, edit, history, diff, restore, authors and licence, rename, delete.

Every page lives at ``/wiki/<Title>``; its actions are ``?action=...`` on the same URL
(MediaWiki's scheme), so red links can point at ``?action=edit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Blueprint, current_app, flash, redirect, render_template, request
from flask import session as flask_session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ...core import history, visibility, writing
from ...core import revisions as rev
from ...core.models import Page, Revision
from ...core.page_types import FieldError
from ...core.permissions import exempt_from_edit_limits
from ...core.render_cache import CachedRender, cached_render, render_stamp, render_text
from ...errors import ServiceError
from ...text.diffing import diff_texts
from ...text.licences import DEFAULT_LICENCE, LICENCES, can_relicense
from ...text.titles import Title, TitleError, parse_title
from .. import fields as typed
from ..db import get_session
from ..extensions import limiter
from ..forms import DeleteForm, EditForm, LicenceForm, RenameForm, RestoreForm, UndeleteForm
from ..helpers import (
    allowed,
    error_page,
    fail,
    localized,
    page_html_cache,
    page_url,
    renderer,
    require,
    write_refusal,
)

bp = Blueprint("pages", __name__)

ViewResult = Response | str | tuple[str, int]


def parse_or_fail(raw: str) -> Title:
    """Parse a title from a URL or a form, or answer 400 saying which rule it breaks."""
    try:
        return parse_title(
            raw, capitalize_first=current_app.config["CAPITALIZE_FIRST"], allow_fragment=False
        )
    except TitleError as err:
        fail(400, _("Titre de page invalide : %(reason)s", reason=localized(err)))


def author() -> rev.Author:
    """The author of an edit made by the current request."""
    user = current_user if current_user.is_authenticated else None
    return rev.Author(user=user, ip=None if user else request.remote_addr)


@contextmanager
def refusal_as_error_page() -> Iterator[None]:
    """Turn a refused service call (a visibility guard, a malformed revision number)
    into the error page of its status, in the reader's language."""
    try:
        yield
    except ServiceError as err:
        fail(err.status, localized(err))


def live_page_or_404(title: Title) -> Page:
    """The page, or 404 when it does not exist for this reader (the shared guard
    :func:`wikicoop.visibility.readable_page`, which the API uses too)."""
    with refusal_as_error_page():
        return visibility.readable_page(get_session(), title, current_user)


def published_page_or_404(title: Title) -> Page:
    """:func:`live_page_or_404`, and the page must have a published version (for actions
    on the public page: its authors and licence, renaming, deleting)."""
    with refusal_as_error_page():
        return visibility.published_page(get_session(), title, current_user)


def visible_revision_or_fail(page: Page, revision_id: object) -> Revision:
    """Revision ``revision_id`` of ``page`` if this reader may read it (403/404 otherwise)."""
    with refusal_as_error_page():
        return visibility.readable_revision(get_session(), page, current_user, revision_id)


def refuse_if_cannot_write(page: Page | None) -> None:
    """403 with the reason when the current user is blocked or the page is protected."""
    refused = write_refusal(page)
    if refused is not None:
        fail(refused.status, localized(refused))


def edit_rate_limit() -> str:
    """Flask-Limiter's limit for saves (per account when logged in, else per address)."""
    return current_app.config["EDIT_RATE_LIMIT"]


def edit_limit_exempt() -> bool:
    """Flask-Limiter's ``exempt_when`` of the edit limits: admins and bots skip them."""
    return exempt_from_edit_limits(current_user)


def rate_key() -> str:
    """Who a rate limit counts: the account when logged in, else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


@bp.route("/")
def home() -> Response:
    return redirect(page_url(parse_title("Accueil")))


@bp.route("/wiki/", defaults={"raw_title": ""})
@bp.route("/wiki/<path:raw_title>", methods=["GET", "POST"])
@limiter.limit(
    lambda: edit_rate_limit(),
    methods=["POST"],
    key_func=lambda: rate_key(),
    exempt_when=lambda: edit_limit_exempt(),
)
def page(raw_title: str) -> ViewResult:
    """Dispatch ``/wiki/<Title>?action=...`` to the action's handler."""
    title = parse_or_fail(raw_title)
    action = request.args.get("action", "view")
    handler = ACTIONS.get(action)
    if handler is None:
        fail(400, _("Action inconnue : « %(action)s ».", action=action[:50]))
    if request.method == "GET" and raw_title != title.dbkey:
        # one URL per page: /wiki/aide:écrire_ → /wiki/Aide:Écrire
        query = request.query_string.decode("latin-1")
        return redirect(page_url(title) + (f"?{query}" if query else ""), 301)
    if request.method == "POST" and action in {"view", "history", "diff"}:
        fail(405, _("Cette action n'accepte pas l'envoi d'un formulaire."))
    return handler(title)


def view_page(title: Title) -> ViewResult:
    if title.namespace == "talk" and "revision" not in request.args:
        from .discussions import discussion_page  # late: that module imports the API views

        return discussion_page(title)
    session = get_session()
    page = rev.find_page(session, title, with_latest=True)
    members = history.category_members(session, title.name) if title.namespace == "category" else []
    if page is None or not visibility.page_exists_for(session, page, current_user):
        context = {
            "title": title,
            "members": members,
            "deleted": page is not None and page.is_deleted,
            "can_create": page is None and allowed("create"),
            "page_types": typed.creatable_types(),
        }
        return render_template("page_missing.html", **context), 404
    latest = page.latest_revision
    pending = False
    if "revision" in request.args:
        revision: Revision | None = visible_revision_or_fail(page, request.args["revision"])
    else:
        # a reader's own version waiting for review (or, for a page nobody may see yet,
        # the newest pending one for moderators) is shown instead, with a banner
        revision, pending = visibility.shown_revision(session, page, current_user)
    if revision is None:  # e.g. a rejected new page: only its history is left
        context = {"title": title, "members": members, "deleted": False, "can_create": False}
        return render_template("page_missing.html", **context), 404
    follow = request.args.get("redirect") != "no" and "revision" not in request.args
    if page.redirect_target and follow and not pending:
        target = parse_title(page.redirect_target)
        return redirect(page_url(target, redirected_from=title.full))
    if pending or latest is None:
        return _page_template(session, title, page, revision, latest, members, pending=pending)
    assert latest is not None
    cache_key = _anonymous_view_key(page, revision)
    if cache_key is not None:
        html = page_html_cache().get(cache_key)
        if html is not None:
            return html
    rendered = cached_render(session, renderer(), revision)
    if cache_key is not None and cache_key[-1] != rendered.rendered_at:
        cache_key = (*cache_key[:-1], rendered.rendered_at)  # rendered just now
    html = _page_template(session, title, page, revision, latest, members, rendered=rendered)
    if cache_key is not None:
        page_html_cache().put(cache_key, html)
    return html


def _page_template(
    session: Session,
    title: Title,
    page: Page,
    revision: Revision,
    latest: Revision | None,
    members: list[Title],
    *,
    rendered: CachedRender | None = None,
    pending: bool = False,
) -> str:
    rendered = rendered or cached_render(session, renderer(), revision)
    redirected_from = request.args.get("redirected_from", "")[:300]
    authors = list(rendered.authors)
    licence = LICENCES.get(revision.licence) or LICENCES[DEFAULT_LICENCE]
    waiting = 0
    if current_user.is_authenticated and allowed("view_pending"):
        waiting = visibility.pending_count(session, page)
    return render_template(
        "page.html",
        title=title,
        page=page,
        revision=revision,
        is_latest=latest is not None and revision.id == latest.id,
        pending=pending,
        waiting_count=waiting,
        rendered=rendered,
        authors=authors,
        members=members,
        redirected_from=redirected_from,
        licence=licence,
        json_ld=page_json_ld(title, page, revision, licence.deed_url, authors),
        infobox=typed.infobox(revision),
    )


def _anonymous_view_key(page: Page, revision: Revision) -> tuple | None:
    """The whole-page cache key of this view, or None when the view is personal.

    Only plain anonymous views are shared: no query string, no pending message, not a
    category page (its member list changes without a new revision).
    """
    if current_user.is_authenticated or request.args or "_flashes" in flask_session:
        return None
    if page.namespace == "category":
        return None
    return (
        page.id,
        page.namespace,
        page.name,
        revision.id,
        page.touched_at,
        request.host_url,
        str(get_locale()),
        # last: when the revision's HTML was rendered (it changes with link colours)
        render_stamp(get_session(), revision.id),
    )


def page_json_ld(
    title: Title, page: Page, revision: Revision, licence_url: str, authors: list[str]
) -> dict[str, object]:
    """schema.org metadata of a page: licence and authors, for machines."""
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": title.full,
        "url": request.url_root.rstrip("/") + page_url(title),
        "license": licence_url,
        "inLanguage": page.language,
        "dateCreated": page.created_at.isoformat(),
        "dateModified": revision.created_at.isoformat(),
        "author": [{"@type": "Person", "name": name} for name in authors],
    }


def edit_page(title: Title) -> ViewResult:
    session = get_session()
    page = rev.find_page(session, title)
    if page is not None and page.is_deleted:
        fail(409, _("Cette page a été supprimée. Un administrateur peut la rétablir."))
    refuse_if_cannot_write(page)
    require("edit" if page else "create", page)
    form = EditForm()
    latest = page.latest_revision if page else None
    if request.method == "GET":
        source = latest
        # the author goes on from their own version waiting for review
        draft = visibility.own_pending(session, page, current_user) if page else None
        if page is not None and "revision" in request.args:
            source = visible_revision_or_fail(page, request.args["revision"])
        elif draft is not None:
            source = draft
        form.text.data = source.text if source else request.args.get("preload", "")[:10000]
        base = draft if draft is not None and source is draft else latest
        form.base_revision.data = str(base.id) if base else ""
        form.licence.data = current_app.config["DEFAULT_LICENCE"]
        try:
            fields_shown = typed.editor_for_revision(source, request.args.get("type"))
        except FieldError as err:
            fail(400, localized(err))
        return _edit_template(
            title,
            page,
            form,
            editing_old=source is not latest and source is not draft,
            editing_draft=draft is not None and source is draft,
            **fields_shown,
        )
    fields_sent = typed.editor_from_form(request.form)
    if not form.validate_on_submit():
        return _edit_template(title, page, form, status=400, **fields_sent)
    if form.preview.data:
        text = (form.text.data or "").replace("\r\n", "\n")
        preview = render_text(session, renderer(), text) if text.strip() else None
        session.rollback()
        return _edit_template(title, page, form, preview=preview, **fields_sent)
    try:
        # the fields as typed, validated here too so that a refusal names its field
        # beside the input (the write path checks them again)
        page_type, field_values = typed.typed_edit(request.form)
    except FieldError as err:
        return _edit_template(
            title, page, form, status=err.status, **typed.editor_from_form(request.form, err)
        )
    base = form.base_revision.data or None
    try:
        edit = writing.Edit(
            author=author(),
            title=title,
            text=form.text.data or "",
            base_revision_id=base,
            summary=form.summary.data,
            minor=form.minor.data,
            licence=(form.licence.data or None) if page is None and base is None else None,
            page_type=page_type,
            fields=field_values,
        )
        result = writing.save(writing.context_for(current_app, session), edit)
    except FieldError as err:
        session.rollback()
        fields_refused = typed.editor_from_form(request.form, err)
        return _edit_template(title, page, form, status=err.status, **fields_refused)
    except ServiceError as err:
        session.rollback()
        return _edit_template(title, page, form, error=localized(err), status=err.status)
    if result.conflict is not None:
        current = result.current_revision
        assert current is not None
        form.base_revision.data = str(current.id)
        return _edit_template(
            title,
            result.page,
            form,
            conflict=result.conflict,
            current=current,
            conflict_diff=diff_texts(current.text, form.text.data or ""),
            field_conflicts=typed.conflicting_fields(
                current, field_values, result.field_conflicts, page_type
            ),
            status=409,
            **fields_sent,
        )
    if result.pending:
        flash(
            _(
                "Merci ! Votre modification est enregistrée. Elle sera visible par tout le "
                "monde après la relecture d'un modérateur ; en attendant, vous seul la voyez."
            ),
            "success",
        )
    elif not result.changed:
        flash(_("Aucune modification : le texte est identique à la version actuelle."), "info")
    elif result.merged:
        flash(
            _(
                "Quelqu'un a modifié la page pendant que vous écriviez. Vos deux "
                "modifications ne se touchaient pas : elles ont été réunies."
            ),
            "success",
        )
    elif result.created:
        flash(_("La page a été créée. Merci !"), "success")
    else:
        flash(_("Vos modifications ont été enregistrées."), "success")
    return redirect(page_url(title))


def _edit_template(
    title: Title,
    page: Page | None,
    form: EditForm,
    *,
    status: int = 200,
    **context: object,
) -> tuple[str, int]:
    return (
        render_template(
            "edit.html",
            title=title,
            page=page,
            form=form,
            creating=page is None,
            max_bytes=current_app.config["MAX_PAGE_BYTES"],
            **context,
        ),
        status,
    )


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


def _int_arg(name: str, default: int, *, minimum: int = 0, maximum: int = 10**9) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        fail(400, _("Le paramètre « %(name)s » doit être un nombre entier.", name=name))
    return max(minimum, min(maximum, value))


ACTIONS: dict[str, Callable[[Title], ViewResult]] = {
    "view": view_page,
    "edit": edit_page,
    "history": history_page,
    "diff": diff_page,
    "restore": restore_page,
    "info": info_page,
    "rename": rename_page,
    "delete": delete_page,
    "undelete": undelete_page,
}
