"""Moderators' tools against abuse, in the browser: a user's moderation page (block,
trust, role), page protection and the audit log (the same acts in the JSON API are in
``community_api.py``).

Thin HTTP layer over :mod:`wikicoop.community`: permissions through ``allowed``/``require``,
refusals shown in the reader's language with the service's HTTP status, the form keeping
what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Length

from ...community import governance as community
from ...community.accounts import find_user
from ...core import revisions as rev
from ...core import visibility
from ...core.models import Page, User
from ...core.moderation import active_block
from ...text.titles import Title, TitleError, parse_title
from ..db import get_session
from ..errors import fail
from ..helpers import ViewResult, account, allowed, parse_or_fail, require
from ..labels import N_, localized

bp = Blueprint("community", __name__)


#: how the audit log names each act (others' modules write some of these)
ACTION_LABELS = {
    "approve": N_("approbation"),
    "reject": N_("refus"),
    "hide": N_("masquage"),
    "unhide": N_("démasquage"),
    "block": N_("blocage"),
    "unblock": N_("levée de blocage"),
    "protect": N_("protection"),
    "relicense": N_("changement de licence"),
    "role": N_("changement de rôle"),
    "trust": N_("confiance"),
    "patrol": N_("relecture"),
    "rename": N_("renommage"),
    "delete": N_("suppression"),
    "undelete": N_("rétablissement"),
    "report-resolved": N_("signalement traité"),
    "report-dismissed": N_("signalement écarté"),
    "import": N_("import de page"),
    "reset-link": N_("lien pour un nouveau mot de passe"),
}
PROTECTION_LABELS = {
    "": N_("aucune"),
    "trusted": N_("contributeurs confirmés seulement"),
    "moderators": N_("modérateurs seulement"),
}
TRUST_LABELS = {
    "auto": N_("automatique"),
    "granted": N_("accordée par un modérateur"),
    "withdrawn": N_("retirée par un modérateur"),
}
ROLE_LABELS = {
    "contributor": N_("contributeur"),
    "moderator": N_("modérateur"),
    "admin": N_("administrateur"),
}
AUDIT_PAGE_SIZE = 50


# ---------------------------------------------------------------------------- forms

REASON_FIELD_ARGS: dict[str, Any] = {"validators": [Length(max=community.MAX_REASON_CHARS)]}


class BlockForm(FlaskForm):
    duration = SelectField(
        _l("Durée"),
        choices=[
            SelectChoice("1d", _l("1 jour")),
            SelectChoice("3d", _l("3 jours")),
            SelectChoice("1w", _l("1 semaine")),
            SelectChoice("1m", _l("1 mois")),
            SelectChoice("forever", _l("Sans date de fin")),
        ],
        default="1d",
    )
    block_reason = StringField(_l("Raison (obligatoire)"), **REASON_FIELD_ARGS)
    block_submit = SubmitField(_l("Bloquer ce compte"))


class LiftBlockForm(FlaskForm):
    block_id = HiddenField()
    lift_reason = StringField(_l("Raison (obligatoire)"), **REASON_FIELD_ARGS)
    lift_submit = SubmitField(_l("Lever le blocage"))


class TrustForm(FlaskForm):
    trust = SelectField(
        _l("Confiance"),
        choices=[
            SelectChoice("granted", _l("Accorder la confiance (publie sans relecture)")),
            SelectChoice("withdrawn", _l("Retirer la confiance (tout passe en relecture)")),
            SelectChoice("auto", _l("Revenir à la règle automatique")),
        ],
    )
    trust_reason = StringField(_l("Raison (obligatoire)"), **REASON_FIELD_ARGS)
    trust_submit = SubmitField(_l("Changer la confiance"))


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Rôle"),
        choices=[
            SelectChoice("contributor", _l("Contributeur")),
            SelectChoice("moderator", _l("Modérateur")),
            SelectChoice("admin", _l("Administrateur")),
        ],
    )
    role_reason = StringField(_l("Raison (obligatoire)"), **REASON_FIELD_ARGS)
    role_submit = SubmitField(_l("Changer le rôle"))


class ProtectionForm(FlaskForm):
    level = RadioField(
        _l("Qui peut modifier cette page ?"),
        choices=[
            SelectChoice("", _l("Toute personne qui peut modifier le wiki (pas de protection)")),
            SelectChoice("trusted", _l("Les contributeurs confirmés seulement")),
            SelectChoice("moderators", _l("Les modérateurs seulement")),
        ],
    )
    reason = StringField(_l("Raison (obligatoire)"), **REASON_FIELD_ARGS)
    submit = SubmitField(_l("Enregistrer la protection"))


# ------------------------------------------------------------------- URL helpers


def user_key(username: str) -> str:
    """A username as written in URLs: spaces become underscores (usernames have none)."""
    return username.replace(" ", "_")


@bp.app_template_global()
def user_moderation_url(username: str) -> str:
    """The moderation page of the account ``username``."""
    return url_for("community.user_moderation", username=user_key(username))


@bp.app_template_global()
def protection_url(title: Title) -> str:
    """The protection page of ``title``."""
    return "/protection/" + title.url_path


@bp.app_template_global()
def audit_log_url(**filters: Any) -> str:
    """The audit log, filtered (``actor=``, ``target=``, ``action=``)."""
    return url_for("community.audit_log", **{k: v for k, v in filters.items() if v})


@bp.app_template_filter("iso_datetime")
def iso_datetime(raw: str) -> datetime:
    """An ISO 8601 string kept in an audit entry's details, as a datetime to format."""
    return datetime.fromisoformat(raw)


def _user_or_404(raw: str) -> User:
    user = find_user(get_session(), raw)  # any spelling: accounts.username_key
    if user is None:
        fail(404, _("Aucun compte ne porte le nom « %(name)s ».", name=raw[:64]))
    return user


# --------------------------------------------------------------- a user's moderation


@bp.route("/utilisateur/<username>/moderation", methods=["GET", "POST"])
def user_moderation(username: str) -> ViewResult:
    """A user's role, trust, blocks; forms to block, lift, change trust and role."""
    require("block")
    user = _user_or_404(username)
    forms: dict[str, FlaskForm] = {
        "block": BlockForm(),
        "lift": LiftBlockForm(),
        "trust": TrustForm(),
        "role": RoleForm(),
    }
    if request.method == "POST":
        for name, act in _USER_ACTS.items():
            if f"{name}_submit" in request.form:
                return act(user, forms)
        return _user_template(user, forms, _("Choisissez une action dans la page."), 400)
    forms["trust"].trust.data = "auto" if user.trust != "auto" else "granted"  # type: ignore[attr-defined]
    forms["role"].role.data = user.role  # type: ignore[attr-defined]
    return _user_template(user, forms)


def _user_template(
    user: User, forms: dict[str, FlaskForm], error: str | None = None, status: int = 200
) -> tuple[str, int]:
    session = get_session()
    current = active_block(session, user)
    _total, audit_rows = community.audit_entries(
        session, community.AuditFilter(user_id=user.id), limit=10
    )
    html = render_template(
        "user_moderation.html",
        user=user,
        trust=community.trust_summary(session, user, current_app.config),
        current_block=current,
        blocks=community.block_history(session, user),
        audit_rows=audit_rows,
        can_block_target=allowed("manage_user", target=user),
        forms=forms,
        error=error,
        labels=_labels(),
    )
    return html, status


def _run_act(
    user: User, forms: dict[str, FlaskForm], form_name: str, act: Callable[[Session], str]
) -> ViewResult:
    """Validate ``form_name``, run ``act``; flash its message and come back, or show why not."""
    if not forms[form_name].validate_on_submit():
        return _user_template(
            user, forms, _("Le formulaire n'est pas valide : voyez ci-dessous."), 400
        )
    session = get_session()
    try:
        message = act(session)
    except community.CommunityError as err:
        session.rollback()
        return _user_template(user, forms, localized(err), err.status)
    flash(message, "success")
    return redirect(user_moderation_url(user.username))


def _block(user: User, forms: dict[str, FlaskForm]) -> ViewResult:
    form: BlockForm = forms["block"]  # type: ignore[assignment]

    def act(session: Session) -> str:
        expires = community.expiry_for(form.duration.data)
        community.block_user(
            session, user, by=current_user, reason=form.block_reason.data, expires_at=expires
        )
        return _("Le compte « %(name)s » est bloqué.", name=user.username)

    return _run_act(user, forms, "block", act)


def _lift(user: User, forms: dict[str, FlaskForm]) -> ViewResult:
    form: LiftBlockForm = forms["lift"]  # type: ignore[assignment]

    def act(session: Session) -> str:
        block = community.block_of(session, user, form.block_id.data)
        community.lift_block(session, block, by=current_user, reason=form.lift_reason.data)
        return _("Le blocage de « %(name)s » est levé.", name=user.username)

    return _run_act(user, forms, "lift", act)


def _trust(user: User, forms: dict[str, FlaskForm]) -> ViewResult:
    form: TrustForm = forms["trust"]  # type: ignore[assignment]

    def act(session: Session) -> str:
        community.set_trust(
            session, user, form.trust.data, by=current_user, reason=form.trust_reason.data
        )
        return _("La confiance accordée à « %(name)s » est changée.", name=user.username)

    return _run_act(user, forms, "trust", act)


def _role(user: User, forms: dict[str, FlaskForm]) -> ViewResult:
    require("set_role")
    form: RoleForm = forms["role"]  # type: ignore[assignment]

    def act(session: Session) -> str:
        community.set_role(
            session, user, form.role.data, by=current_user, reason=form.role_reason.data
        )
        return _("Le rôle de « %(name)s » est changé.", name=user.username)

    return _run_act(user, forms, "role", act)


_USER_ACTS: dict[str, Callable[[User, dict[str, FlaskForm]], ViewResult]] = {
    "block": _block,
    "lift": _lift,
    "trust": _trust,
    "role": _role,
}


# ------------------------------------------------------------------------ protection


@bp.route("/protection/<path:raw_title>", methods=["GET", "POST"])
def protection(raw_title: str) -> ViewResult:
    """A page's protection and the form to change it."""
    title = parse_or_fail(raw_title)
    page = _page_or_404(title)
    require("protect", page)
    form = ProtectionForm()
    if request.method == "GET":
        form.level.data = page.protection
        return _protection_template(title, page, form)
    if not form.validate_on_submit():
        error = _("Choisissez qui peut modifier la page.")
        return _protection_template(title, page, form, error, 400)
    session = get_session()
    try:
        community.set_protection(
            session, page, form.level.data, by=current_user, reason=form.reason.data
        )
    except community.CommunityError as err:
        session.rollback()
        return _protection_template(title, page, form, localized(err), err.status)
    flash(_("La protection de la page est enregistrée."), "success")
    return redirect(protection_url(title))


def _page_or_404(title: Title) -> Page:
    session = get_session()
    page = rev.find_page(session, title)
    if page is None or not visibility.page_exists_for(session, page, account()):
        fail(404, _("La page « %(title)s » n'existe pas.", title=title.full))
    return page


def _protection_template(
    title: Title, page: Page, form: ProtectionForm, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    _total, rows = community.audit_entries(
        get_session(), community.AuditFilter(action="protect", page_id=page.id), limit=20
    )
    html = render_template(
        "protection.html",
        title=title,
        page=page,
        form=form,
        error=error,
        audit_rows=rows,
        labels=_labels(),
    )
    return html, status


# ------------------------------------------------------------------------ audit log


@bp.route("/journal")
def audit_log() -> str:
    """The moderation log, newest first, filtered by action, actor and target."""
    require("view_audit")
    session = get_session()
    action = request.args.get("action", "").strip()[:32]
    actor_name = request.args.get("actor", "").strip()[:64]
    target = request.args.get("target", "").strip()[:300]
    offset = _int_arg("offset", 0, 0, 10**9)
    notices: list[str] = []
    where = community.AuditFilter(action=action or None)
    matches = True
    if actor_name:
        actor = find_user(session, actor_name)
        if actor is None:
            notices.append(_("Aucun compte ne porte le nom « %(name)s ».", name=actor_name))
            matches = False
        else:
            where = replace(where, actor_id=actor.id)
    if target:
        user_id, page_id = _target_ids(session, target)
        if user_id is None and page_id is None:
            notices.append(_("Aucun compte ni aucune page ne s'appelle « %(name)s ».", name=target))
            matches = False
        where = replace(where, user_id=user_id, page_id=page_id)
    total, rows = (
        community.audit_entries(session, where, limit=AUDIT_PAGE_SIZE, offset=offset)
        if matches
        else (0, [])
    )
    return render_template(
        "audit_log.html",
        rows=rows,
        total=total,
        offset=offset,
        limit=AUDIT_PAGE_SIZE,
        actions=sorted(
            set(community.audit_actions(session)) | set(ACTION_LABELS),
            key=lambda code: _(ACTION_LABELS[code]) if code in ACTION_LABELS else code,
        ),
        filters={"action": action, "actor": actor_name, "target": target},
        notices=notices,
        labels=_labels(),
    )


def _target_ids(session: Session, target: str) -> tuple[int | None, int | None]:
    """The account and the page named ``target`` (either may be None)."""
    user = find_user(session, target)
    page = None
    try:
        title = parse_title(target, capitalize_first=current_app.config["CAPITALIZE_FIRST"])
    except TitleError:
        title = None
    if title is not None:
        page = rev.find_page(session, title)
    return (user.id if user else None), (page.id if page else None)


def _int_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return max(minimum, min(maximum, int(raw)))
    except ValueError:
        fail(400, _("Le paramètre « %(name)s » doit être un nombre entier.", name=name))


def _labels() -> dict[str, dict[str, str]]:
    return {
        "action": ACTION_LABELS,
        "protection": PROTECTION_LABELS,
        "trust": TRUST_LABELS,
        "role": ROLE_LABELS,
    }
