"""Accounts people can keep: a forgotten password, a new e-mail address, and the link a
moderator hands over in person (issue 12, point 4).

Thin HTTP layer over :mod:`wikicoop.community.recovery` (tokens, checks, e-mail texts).
Asking for a link answers the same sentence whether an account matches or not, and sends
its e-mail after the response, so neither the page nor its timing tells who has an account.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from ...community import mailer, recovery
from ...community.accounts import AccountError, find_user
from ...community.credentials import verify_password
from ...core.models import User, utcnow
from ...core.moderation import audit
from ...errors import ServiceError
from ..db import get_session
from ..errors import fail
from ..extensions import limiter
from ..helpers import ViewResult, allowed, rate_key, require
from ..labels import localized
from ..recovery_forms import EmailChangeForm, ForgotForm, ResetForm, ResetLinkForm

bp = Blueprint("auth_recovery", __name__)


def _setting(name: str) -> str:
    """A rate limit of the settings (``config.py``: PASSWORD_RESET_RATE_LIMIT...)."""
    return current_app.config[name]


def _reset_limit() -> str:
    return _setting("PASSWORD_RESET_RATE_LIMIT")


def _reset_target_limit() -> str:
    return _setting("PASSWORD_RESET_TARGET_RATE_LIMIT")


def _reset_target_key() -> str:
    """The account or address a request for a link names, however it is spelt."""
    return recovery.target_key(request.form.get("identifier", ""))


def _email_change_limit() -> str:
    return _setting("EMAIL_CHANGE_RATE_LIMIT")


def _language() -> str:
    """The language of the page the person asked from: their e-mail is written in it."""
    return str(get_locale() or current_app.config["DEFAULT_LANGUAGE"]).split("_")[0]


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _mail_on() -> bool:
    """Whether this wiki sends e-mail (``SMTP_HOST`` is set)."""
    return mailer.SmtpSettings.from_config(current_app.config) is not None


def _send_after_response(mails: list[mailer.Mail]) -> bool:
    """Send ``mails`` in the background (a job: retried, sent once); False when e-mail
    is off."""
    return mailer.send_later(current_app.config, mails)


def _private(response: Response) -> Response:
    """A page whose address or content holds a link's token: kept out of caches and of
    the Referer header sent to other sites."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _reset_url(token: str) -> str:
    return mailer.site_root(current_app.config) + url_for("auth_recovery.reset", token=token)


# ---------------------------------------------------------------- forgotten password


@bp.route("/compte/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])  # per address
@limiter.limit(_reset_target_limit, methods=["POST"], key_func=_reset_target_key)  # per target
def forgot() -> ViewResult:
    """Ask for a link to choose a new password, by e-mail address or by name."""
    form = ForgotForm()
    if not _mail_on():  # no e-mail on this wiki: say who can help instead of a dead form
        return render_template("auth/forgot.html", form=form, sent=False, mail_on=False)
    if form.validate_on_submit():
        session = get_session()
        people = recovery.accounts_to_reach(session, form.identifier.data or "")
        if not people:  # the same work as for one account: the same time to answer
            recovery.decoy_token(_secret())
        mails = [
            recovery.mail_in(
                current_app.config,
                recovery.RESET_MAIL,
                person.email or "",
                _language(),
                name=person.username,
                link=_reset_url(recovery.reset_token(_secret(), person)),
            )
            for person in people
        ]
        _send_after_response(mails)
        session.rollback()  # nothing was written; end the read transaction
        blank = ForgotForm(formdata=None)
        return render_template("auth/forgot.html", form=blank, sent=True, mail_on=True)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form, sent=False, mail_on=True), status


def _link_refused(err: ServiceError) -> Response:
    """The page of a link that does not work, with a way to ask for another."""
    html = render_template("auth/link_refused.html", message=localized(err), code=err.code)
    return _private(make_response(html, err.status))


@bp.route("/compte/nouveau-mot-de-passe/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset(token: str) -> ViewResult:
    """Choose a new password with a link: the account is then logged in here and logged
    out everywhere else."""
    session = get_session()
    try:
        user = recovery.user_for_reset(session, _secret(), token)
    except recovery.RecoveryError as err:
        return _link_refused(err)
    form = ResetForm()
    error = None
    if form.validate_on_submit():
        try:
            recovery.set_new_password(session, user, form.password.data or "")
        except AccountError as err:
            error = localized(err)
        else:
            login_user(user)
            flash(
                _(
                    "Votre nouveau mot de passe est enregistré, %(name)s. Vous êtes connecté.",
                    name=user.username,
                ),
                "success",
            )
            current_app.logger.info("password reset by link for account %s", user.id)
            return redirect("/")
    status = 400 if request.method == "POST" else 200
    html = render_template("auth/reset.html", form=form, user=user, error=error)
    return _private(make_response(html, status))


# ------------------------------------------------------------------- e-mail change


@bp.route("/compte/e-mail", methods=["GET", "POST"])
@limiter.limit(_email_change_limit, methods=["POST"], key_func=rate_key)  # per account
@login_required
def change_email() -> ViewResult:
    """Ask to change the account's address: a link goes to the new one, a notice to the
    old one; the address changes when the link is opened."""
    form = EmailChangeForm()
    error = None
    if form.validate_on_submit() and _mail_on():
        user = current_user._get_current_object()
        try:
            if not verify_password(user, form.current.data or ""):
                raise AccountError("wrong-password")
            new = recovery.check_new_email(user, form.email.data or "")
        except ServiceError as err:
            error = localized(err)
        else:
            _send_email_links(user, new)
            flash(
                _(
                    "Nous avons envoyé un lien à %(email)s. Ouvrez-le dans les 24 heures : "
                    "l'adresse de votre compte changera à ce moment-là.",
                    email=new,
                ),
                "success",
            )
            return redirect(url_for("auth_recovery.change_email"))
    status = 400 if request.method == "POST" else 200
    html = render_template("auth/email.html", form=form, error=error, mail_on=_mail_on())
    return html, status


def _send_email_links(user: User, new: str) -> None:
    """The confirmation link to the new address, a notice to the old one (if any)."""
    config = current_app.config
    token = recovery.email_token(_secret(), user, new)
    root = mailer.site_root(config)
    link = root + url_for("auth_recovery.confirm_email", token=token)
    name = user.username
    mails = [
        recovery.mail_in(
            config, recovery.EMAIL_CONFIRM_MAIL, new, _language(), name=name, link=link
        )
    ]
    old = user.email
    if old:
        mails.append(
            recovery.mail_in(
                config,
                recovery.EMAIL_NOTICE_MAIL,
                old,
                _language(),
                name=name,
                new=new,
                site_link=root + "/",
            )
        )
    _send_after_response(mails)


@bp.route("/compte/e-mail/confirmer/<token>")
def confirm_email(token: str) -> ViewResult:
    """Open the link sent to a new address: the account takes it (logged in or not)."""
    try:
        user, _old = recovery.confirm_email(get_session(), _secret(), token)
    except recovery.RecoveryError as err:
        return _link_refused(err)
    message = _(
        "C'est fait : l'adresse e-mail du compte « %(name)s » est maintenant %(email)s.",
        name=user.username,
        email=user.email,
    )
    flash(message, "success")
    target = url_for("auth_recovery.change_email") if current_user.is_authenticated else "/"
    return _private(redirect(target))


# ------------------------------------------------------------- a moderator's link


@bp.route("/moderation/utilisateurs/<username>/lien-mot-de-passe", methods=["POST"])
@limiter.limit(_email_change_limit, key_func=rate_key)  # per moderator
def moderator_link(username: str) -> ViewResult:
    """A moderator makes a password link for someone: e-mailed when the account has an
    address, and shown to be handed over in person (a workshop, a phone call)."""
    require("block")  # moderators and admins (the permission table)
    session = get_session()
    user = find_user(session, username)
    if user is None:
        fail(404, _("Aucun compte ne porte le nom « %(name)s ».", name=username[:64]))
    if not allowed("manage_user", target=user):  # oneself, or a higher rank
        if user.id == current_user.id:
            fail(
                403,
                _(
                    "Pour votre propre compte, changez votre mot de passe "
                    "sur la page « Mot de passe »."
                ),
            )
        fail(
            403,
            _("Un modérateur ne peut pas faire cela pour le compte d'un administrateur."),
        )
    if not user.active:
        fail(409, recovery_sentence("account-inactive"))
    form = ResetLinkForm()
    if not form.validate_on_submit():
        fail(400, _("Le formulaire n'est pas valide : la raison dépasse 500 caractères."))
    link = _reset_url(recovery.reset_token(_secret(), user))
    emailed = bool(user.email) and _mail_on()
    audit(
        session,
        current_user._get_current_object(),
        recovery.ACTION_RESET_LINK,
        "user",
        user.id,
        reason=" ".join((form.reason.data or "").split()),
        emailed=emailed,
    )
    session.commit()
    if emailed:
        mail = recovery.mail_in(
            current_app.config,
            recovery.RESET_MAIL,
            user.email or "",
            current_app.config["DEFAULT_LANGUAGE"],  # the account's language is not known
            name=user.username,
            link=link,
        )
        _send_after_response([mail])
    until = format_time(utcnow() + timedelta(seconds=recovery.RESET_MAX_AGE), "short")
    html = render_template(
        "auth/reset_link.html", user=user, link=link, emailed=emailed, until=until
    )
    return _private(make_response(html, 200))


def recovery_sentence(code: str) -> str:
    """The sentence of one of :mod:`~wikicoop.community.recovery`'s codes, translated."""
    return localized(recovery.RecoveryError(code))
