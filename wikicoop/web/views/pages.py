"""Page views: the ``/wiki/<Title>`` dispatcher, reading a page and editing it.

Every page lives at ``/wiki/<Title>``; its actions are ``?action=...`` on the same URL
(MediaWiki's scheme), so red links can point at ``?action=edit``. The dispatcher finds
each action's handler in the app's :class:`~wikicoop.web.helpers.PageViews`, which
:func:`wikicoop.web.views.register_views` fills: ``view`` and ``edit`` are here, the
history, diff and restore in ``page_history.py``, the authors and licence, rename, delete
and undelete in ``page_operations.py``; a namespace may have its own view (the
discussions').
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ...core import history, visibility, writing
from ...core import revisions as rev
from ...core.models import Page, Revision
from ...core.page_types import FieldError
from ...core.render_cache import CachedRender, cached_render, render_stamp
from ...errors import ServiceError
from ...text.diffing import diff_texts
from ...text.licences import DEFAULT_LICENCE, LICENCES
from ...text.mediawiki import convert_mediawiki, is_too_complex, mediawiki_habits
from ...text.titles import Title, parse_title
from .. import fields as typed
from ..db import get_session
from ..editing import UPLOAD_PATH, editor_texts, render_preview
from ..errors import fail, handle_http_error
from ..extensions import limiter
from ..forms import EditForm
from ..helpers import (
    ViewResult,
    allowed,
    author,
    edit_limit_exempt,
    edit_rate_limit,
    page_html_cache,
    page_views,
    parse_or_fail,
    rate_key,
    refuse_if_cannot_write,
    renderer,
    require,
    visible_revision_or_fail,
    write_refusal,
)
from ..home import changes_stamp, is_home
from ..http_caching import (
    anonymous_address,
    change_stamp,
    finished_page,
    personal_cache_control,
    share_with_visitors,
    visitor_response,
)
from ..labels import localized
from ..notices import edit_notices
from ..themes import current_theme_name
from ..urls import page_url

bp = Blueprint("pages", __name__)


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
    handler = page_views().actions.get(action)
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
    own_view = page_views().namespace_views.get(title.namespace)
    if own_view is not None and "revision" not in request.args:
        return own_view(title)  # a discussion: its threads (views/discussions.py)
    address, stamp = anonymous_address(title), None
    if address is not None:
        stamp = change_stamp()  # before anything it guards is read
        fresh = page_html_cache().fresh(address, stamp)
        if fresh is not None:  # nothing committed since this address was checked
            share_with_visitors(fresh)
            return visitor_response(fresh)
    session = get_session()
    reader = current_user._get_current_object()  # resolved once for the whole view
    page = rev.find_page(session, title, with_latest=True)
    members = history.category_members(session, title.name) if title.namespace == "category" else []
    if page is None or not visibility.page_exists_for(session, page, reader):
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
        revision, pending = visibility.shown_revision(session, page, reader)
    if revision is None:  # e.g. a rejected new page: only its history is left
        context = {"title": title, "members": members, "deleted": False, "can_create": False}
        return render_template("page_missing.html", **context), 404
    follow = request.args.get("redirect") != "no" and "revision" not in request.args
    if page.redirect_target and follow and not pending:
        target = parse_title(page.redirect_target)
        return redirect(page_url(target, redirected_from=title.full))
    if pending or latest is None:
        html = _page_template(session, title, page, revision, latest, members, pending=pending)
        return personal_cache_control(Response(html, mimetype="text/html"))
    assert latest is not None
    cache_key = None if reader.is_authenticated else _anonymous_view_key(page, revision)
    if cache_key is None:
        html = _page_template(session, title, page, revision, latest, members)
        if address is None:
            return personal_cache_control(Response(html, mimetype="text/html"))
        # a visitor's category page: its members change without a new revision, so it
        # is kept only while nothing at all is committed (its ETag: its own HTML)
        cache_key = ("until a commit", address, stamp)
        cached = finished_page(html, html)
        page_html_cache().put(cache_key, cached)
    else:
        cached = page_html_cache().get(cache_key)
    if cached is None:
        rendered = cached_render(session, renderer(), revision)
        if cache_key[-1] != rendered.rendered_at:
            cache_key = (*cache_key[:-1], rendered.rendered_at)  # rendered just now
        html = _page_template(session, title, page, revision, latest, members, rendered=rendered)
        cached = finished_page(html, cache_key)
        page_html_cache().put(cache_key, cached)
    if address is not None:
        page_html_cache().remember(address, stamp, cache_key)
        share_with_visitors(cached)
    return visitor_response(cached)


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
    """The whole-page cache key of an anonymous view, or None when the view is personal.

    Only plain anonymous views are shared: no query string, no pending message, not a
    category page (its member list changes without a new revision: see view_page). The
    home's key also holds the newest change and moderation act: its lists move with them.
    """
    if request.args or "_flashes" in flask_session:
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
        current_theme_name(),  # the reader's stylesheets and <body data-theme>
        changes_stamp() if is_home(page.title) else None,
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
    if request.method == "POST":
        # the same checks as below, answered with the text sent kept in the form
        kept = _text_kept_if_refused(title, page)
        if kept is not None:
            return kept
    else:
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
    # a browser sends the one button pressed; scripts posting every input get a preview
    if form.preview.data:
        text = (form.text.data or "").replace("\r\n", "\n")
        try:
            page_type, values = typed.typed_edit(request.form)
        except FieldError:  # the fields' own errors are shown beside them on save
            page_type, values = None, None
        shown = render_preview(session, text, page_type, values)
        notices = _notices(session, title, page, form, text)
        session.rollback()
        preview = None if shown.empty else shown
        return _edit_template(title, page, form, preview=preview, notices=notices, **fields_sent)
    if form.convert.data:
        return _converted(title, page, form, fields_sent)
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
    for notice in _notices(session, title, result.page, form, form.text.data or ""):
        flash(notice, "warning")
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


def _notices(
    session: Session, title: Title, page: Page | None, form: EditForm, text: str
) -> list[str]:
    """The plugins' warnings about the edit in ``form`` (its fields as typed)."""
    try:
        page_type, field_values = typed.typed_edit(request.form)
    except FieldError:  # the fields' own errors are shown beside them
        page_type, field_values = None, {}
    licence = (form.licence.data or None) if page is None else None
    return edit_notices(
        session, title, text, page=page, licence=licence, page_type=page_type, fields=field_values
    )


def _edit_template(
    title: Title,
    page: Page | None,
    form: EditForm,
    *,
    status: int = 200,
    **context: object,
) -> tuple[str, int]:
    text = form.text.data or ""
    max_bytes = int(current_app.config["MAX_PAGE_BYTES"])
    return (
        render_template(
            "edit.html",
            title=title,
            page=page,
            form=form,
            creating=page is None,
            max_bytes=max_bytes,
            # the form comes back with what was sent (an error, a conflict, a preview):
            # the editor's script keeps the browser's draft of it
            returned=request.method == "POST",
            show_convert=bool(context.pop("show_convert", False) or mediawiki_habits(text)),
            upload_url=_upload_url(),
            editor_texts=editor_texts(max_bytes),
            **context,
        ),
        status,
    )


def _upload_url() -> str | None:
    """The file upload form, when a plugin serves one (the Image button points to it).

    Looked up once per app: the URL map does not change once requests are served.
    """
    extensions = current_app.extensions
    if _UPLOAD_URL not in extensions:
        served = any(
            rule.rule == UPLOAD_PATH and "GET" in (rule.methods or ())
            for rule in current_app.url_map.iter_rules()
        )
        extensions[_UPLOAD_URL] = UPLOAD_PATH if served else None
    return extensions[_UPLOAD_URL]


_UPLOAD_URL = "wikicoop.upload_url"


def _converted(
    title: Title, page: Page | None, form: EditForm, fields_sent: dict[str, object]
) -> tuple[str, int]:
    """The « Convertir en syntaxe du wiki » button: the text converted, nothing saved."""
    before = form.text.data or ""
    form.text.data = convert_mediawiki(before)
    if form.text.data == before and is_too_complex(before):
        note = _(
            "Ce texte est trop chargé pour être converti d'un coup : convertissez-le "
            "en plusieurs morceaux."
        )
    elif form.text.data == before:
        note = _("Rien à convertir : le texte n'utilise pas la syntaxe de MediaWiki.")
    else:
        note = _(
            "Le texte a été converti en syntaxe du wiki. Rien n'est encore enregistré : "
            "relisez-le, puis enregistrez."
        )
    return _edit_template(title, page, form, converted=note, **fields_sent)


def _text_kept_if_refused(title: Title, page: Page | None) -> tuple[str, int] | None:
    """A save refused before it is read (the session expired meanwhile, the account was
    blocked, the page protected): the form again with the text sent, and why; None when
    the edit may go on."""
    refused = write_refusal(page)
    if refused is None and allowed("edit" if page else "create", page):
        return None
    form = EditForm()
    fields_sent = typed.editor_from_form(request.form)
    if not current_user.is_authenticated:
        return _edit_template(
            title,
            page,
            form,
            status=401,
            session_expired=True,
            login_url=url_for("auth.login", next=page_url(title) + "?action=edit"),
            **fields_sent,
        )
    if refused is not None:
        message, status = localized(refused), refused.status
    else:
        message, status = _("Vous n'avez pas le droit de modifier cette page."), 403
    return _edit_template(title, page, form, error=message, status=status, **fields_sent)


@bp.errorhandler(CSRFError)
def _expired_form(error: CSRFError) -> ViewResult:
    """An edit form sent with an expired (or missing) CSRF token: shown again with its
    text and a fresh token, instead of the bare error page that would lose the text."""
    raw_title = (request.view_args or {}).get("raw_title", "")
    if request.method != "POST" or request.args.get("action") != "edit" or not raw_title:
        return handle_http_error(error)
    title = parse_or_fail(raw_title)
    page = rev.find_page(get_session(), title)
    if page is not None and page.is_deleted:
        return handle_http_error(error)
    kept = _text_kept_if_refused(title, page)
    if kept is not None:
        return kept
    form = EditForm()
    return _edit_template(
        title, page, form, status=400, csrf_expired=True, **typed.editor_from_form(request.form)
    )


#: the ``?action=`` handlers of this module (the others: page_history, page_operations)
ACTIONS: dict[str, Callable[[Title], ViewResult]] = {
    "view": view_page,
    "edit": edit_page,
}
