"""The HTML forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ..core.revisions import MAX_SUMMARY_CHARS
from ..text.licences import LICENCES
from .labels import licence_name

USERNAME_RULE = Regexp(
    r"^[\w][\w .\-]{1,62}[\w]$",
    message=_l("De 3 à 64 lettres, chiffres, espaces, points ou tirets."),
)


def licence_choices() -> list[SelectChoice]:
    """The licences offered in forms, in display order, named in the reader's language.

    Fields take the function itself, so the names are chosen when a form is shown.
    """
    return [
        SelectChoice(code, f"{lic.short_name} — {licence_name(lic)}")
        for code, lic in LICENCES.items()
    ]


class EditForm(FlaskForm):
    text = TextAreaField(_l("Texte de la page"))
    summary = StringField(
        _l("Résumé de vos modifications (facultatif)"),
        validators=[Optional(), Length(max=MAX_SUMMARY_CHARS)],
    )
    minor = BooleanField(_l("Modification mineure (orthographe, mise en forme)"))
    base_revision = HiddenField()
    # only shown on creation; the service checks the code (and refuses unknown ones)
    licence = SelectField(_l("Licence de la page"), choices=licence_choices, validate_choice=False)
    preview = SubmitField(_l("Prévisualiser"))
    save = SubmitField(_l("Enregistrer"))
    # MediaWiki wikitext to this wiki's syntax, shown again in the form (nothing saved)
    convert = SubmitField(_l("Convertir en syntaxe du wiki"))


def _strip(value: str | None) -> str | None:
    """Forgive spaces typed around a name (a common slip on phones)."""
    return " ".join(value.split()) if isinstance(value, str) else value


class LoginForm(FlaskForm):
    username = StringField(_l("Nom d'utilisateur"), validators=[DataRequired()], filters=[_strip])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired()])
    remember = BooleanField(_l("Rester connecté sur cet appareil"))
    submit = SubmitField(_l("Se connecter"))


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Nom d'utilisateur"), validators=[DataRequired(), USERNAME_RULE], filters=[_strip]
    )
    email = StringField(
        _l("Adresse e-mail (facultative, pour retrouver votre compte)"),
        validators=[Optional(), Length(max=254)],
        filters=[_strip],
    )
    password = PasswordField(
        _l("Mot de passe (10 caractères au moins)"),
        validators=[DataRequired(), Length(min=10, max=200)],
    )
    confirm = PasswordField(
        _l("Le même mot de passe, une deuxième fois"),
        validators=[EqualTo("password", message=_l("Les deux mots de passe sont différents."))],
    )
    # honeypot: hidden from people (CSS, aria-hidden, tabindex=-1); robots fill it in
    website = StringField(_l("Site web (laissez ce champ vide)"))
    submit = SubmitField(_l("Créer mon compte"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()])
    password = PasswordField(
        _l("Nouveau mot de passe (10 caractères au moins)"),
        validators=[DataRequired(), Length(min=10, max=200)],
    )
    confirm = PasswordField(
        _l("Le nouveau mot de passe, une deuxième fois"),
        validators=[EqualTo("password", message=_l("Les deux mots de passe sont différents."))],
    )
    submit = SubmitField(_l("Changer le mot de passe"))


class RestoreForm(FlaskForm):
    revision = HiddenField(validators=[DataRequired()])
    summary = StringField(_l("Raison (facultative)"), validators=[Length(max=MAX_SUMMARY_CHARS)])
    submit = SubmitField(_l("Rétablir cette version"))


class RenameForm(FlaskForm):
    new_title = StringField(_l("Nouveau titre"), validators=[DataRequired()])
    reason = StringField(_l("Raison"), validators=[Length(max=MAX_SUMMARY_CHARS)])
    leave_redirect = BooleanField(_l("Laisser une redirection depuis l'ancien titre"), default=True)
    submit = SubmitField(_l("Renommer la page"))


class DeleteForm(FlaskForm):
    reason = StringField(_l("Raison"), validators=[Length(max=MAX_SUMMARY_CHARS)])
    submit = SubmitField(_l("Supprimer la page"))


class UndeleteForm(FlaskForm):
    reason = StringField(_l("Raison"), validators=[Length(max=MAX_SUMMARY_CHARS)])
    submit = SubmitField(_l("Rétablir la page"))


class LicenceForm(FlaskForm):
    licence = SelectField(_l("Nouvelle licence"), choices=licence_choices)
    reason = StringField(_l("Raison"), validators=[Length(max=MAX_SUMMARY_CHARS)])
    submit = SubmitField(_l("Changer la licence"))
