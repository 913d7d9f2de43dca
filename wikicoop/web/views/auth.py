"""Accounts in the browser: register, log in, log out, change password."""

from __future__ import annotations

import unicodedata

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ...community.accounts import (
    AccountError,
    authenticate,
    change_password,
    create_user,
    end_sessions,
    username_key,
)
from ..db import get_session
from ..extensions import limiter
from ..forms import ChangePasswordForm, LoginForm, RegisterForm
from ..helpers import rate_key
from ..labels import localized
from ..urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/compte")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _login_account_key() -> str:
    """The account a login attempt is about: every spelling of its name counts the same."""
    return "login-account:" + username_key(request.form.get("username", "")[:200])


def _login_failed(response: Response) -> bool:
    """Only failed logins count against an account (its owner's own logins do not)."""
    return response.status_code == 401


def _password_change_limit() -> str:
    return current_app.config["PASSWORD_CHANGE_RATE_LIMIT"]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])  # per address
@limiter.limit(
    _login_account_limit,
    methods=["POST"],
    key_func=_login_account_key,
    deduct_when=_login_failed,
)  # per account, whatever the address: three addresses do not give three times the tries
def login() -> Response | tuple[str, int] | str:
    form = LoginForm()
    if form.validate_on_submit():
        if any(unicodedata.category(c) == "Cc" for c in form.username.data or ""):
            # no name holds a control character (PostgreSQL would refuse a NUL byte)
            error = _("Le nom d'utilisateur contient un caractère invisible interdit.")
            return render_template("auth/login.html", form=form, error=error), 400
        user = authenticate(get_session(), form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
            flash(_("Bonjour %(name)s, vous êtes connecté.", name=user.username), "success")
            return redirect(safe_next(request.args.get("next")))
        return render_template(
            "auth/login.html",
            form=form,
            error=_("Nom d'utilisateur ou mot de passe incorrect."),
        ), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/deconnexion", methods=["POST"])
def logout() -> Response:
    """Log out (POST only, so the global CSRF check applies), ending the account's sessions.

    A copy of the cookies replayed later must not log anyone in: see ``end_sessions``.
    """
    if current_user.is_authenticated:
        end_sessions(get_session(), current_user._get_current_object())
    logout_user()
    flash(_("Vous êtes déconnecté. À bientôt !"), "info")
    return redirect("/")


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def register() -> Response | tuple[str, int] | str:
    if not current_app.config["OPEN_REGISTRATION"]:
        return render_template(
            "error.html", status=403, message=_("Les inscriptions sont fermées sur ce wiki.")
        ), 403
    form = RegisterForm()
    if form.validate_on_submit():
        if form.website.data:  # the honeypot: only robots fill it in; tell them nothing
            current_app.logger.info("registration refused: honeypot filled")
            form.website.data, form.website.raw_data = "", []  # a person's autofill: let them retry
            return render_template(
                "auth/register.html",
                form=form,
                error=_("Le compte n'a pas pu être créé. Vérifiez le formulaire et réessayez."),
            ), 400
        try:
            user = create_user(
                get_session(),
                form.username.data or "",
                form.password.data or "",
                email=form.email.data,
            )
        except AccountError as err:
            return render_template("auth/register.html", form=form, error=localized(err)), 400
        login_user(user)
        flash(_("Bienvenue %(name)s ! Votre compte est créé.", name=user.username), "success")
        return redirect("/")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@limiter.limit(_password_change_limit, methods=["POST"], key_func=rate_key)  # per account
@login_required
def password() -> Response | tuple[str, int] | str:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(
                get_session(), current_user, form.current.data or "", form.password.data or ""
            )
        except AccountError as err:
            return render_template("auth/password.html", form=form, error=localized(err)), 400
        # the nonce changed: keep this session, end the others (the account itself, not the
        # proxy: a proxy stored as the user would point at itself)
        login_user(current_user._get_current_object())
        flash(_("Votre mot de passe a été changé."), "success")
        return redirect(url_for("auth.password"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status
