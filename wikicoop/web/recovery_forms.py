"""The forms of account recovery: ask for a link, choose a new password, change the
e-mail address, and a moderator's password link (Flask-WTF: each carries a CSRF token).

The password fields are those of the registration and password-change forms (the same
labels, lengths and messages): one rule for every password.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..community.governance import MAX_REASON_CHARS
from .forms import ChangePasswordForm, RegisterForm


def _strip(value: str | None) -> str | None:
    """Forgive spaces typed around an address or a name (a common slip on phones)."""
    return " ".join(value.split()) if isinstance(value, str) else value


class ForgotForm(FlaskForm):
    identifier = StringField(
        _l("Adresse e-mail ou nom d'utilisateur"),
        validators=[DataRequired(), Length(max=254)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Recevoir un lien"))


class ResetForm(FlaskForm):
    # «Nouveau mot de passe (10 caractères au moins)», 10 to 200 characters
    password = ChangePasswordForm.password
    # «Le même mot de passe, une deuxième fois», equal to the first
    confirm = RegisterForm.confirm
    submit = SubmitField(_l("Enregistrer le nouveau mot de passe"))


class EmailChangeForm(FlaskForm):
    email = StringField(
        _l("Nouvelle adresse e-mail"),
        validators=[DataRequired(), Length(max=254)],
        filters=[_strip],
    )
    # «Mot de passe actuel»: whoever borrows an open session cannot move the account
    current = ChangePasswordForm.current
    submit = SubmitField(_l("Recevoir un lien de confirmation"))


class ResetLinkForm(FlaskForm):
    reason = StringField(_l("Raison (facultative)"), validators=[Length(max=MAX_REASON_CHARS)])
    submit = SubmitField(_l("Envoyer un lien pour choisir un nouveau mot de passe"))
