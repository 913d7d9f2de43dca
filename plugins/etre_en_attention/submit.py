"""``/appel-a-projets/proposer``: the form residents fill while this year's call is open.

The proposal goes through the one write path (``writing.save``): the initiative type's
moderation mode (``a_priori``) keeps it pending until a moderator approves it, and the
plugin's ``validate_edit`` rule refuses it once the call has closed, here as in the API.
Anonymous proposals only where the wiki lets visitors edit.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.errors import ServiceError
from wikicoop.text.titles import TitleError, parse_title
from wikicoop.web.db import get_session
from wikicoop.web.extensions import limiter
from wikicoop.web.helpers import (
    author,
    edit_limit_exempt,
    edit_rate_limit,
    rate_key,
    write_refusal,
)
from wikicoop.web.labels import localized

from . import calls
from .blueprint import bp
from .declarations import INITIATIVE, PROPOSED, THEMES
from .texts import say

MAX_TITLE = 200
MAX_LINE = 500


class ProposalForm(FlaskForm):
    """The proposal's inputs (labels and checks in the view: the reader's language)."""

    titre = StringField()
    texte = TextAreaField()
    porteur = StringField()
    organisation = StringField()
    quartier = StringField()
    themes = SelectMultipleField(
        choices=list(THEMES),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )
    prioritaire = BooleanField()
    montant = StringField()
    partenaires = TextAreaField()


def _amount(raw: str) -> float | int | None:
    text = raw.strip().replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
    if not text:
        return None
    value = float(text)  # ValueError for words
    if value < 0 or value != value or value > 10**9:
        raise ValueError(raw)
    return int(value) if value.is_integer() else value


def _checked(form: ProposalForm) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's errors (input name → sentence) and the initiative's field values."""
    errors: dict[str, str] = {}
    for name in ("titre", "texte", "porteur", "quartier"):
        if not (getattr(form, name).data or "").strip():
            errors[name] = say("required")
    for name, limit in (("titre", MAX_TITLE), ("porteur", MAX_LINE), ("quartier", MAX_LINE)):
        if len((getattr(form, name).data or "").strip()) > limit:
            errors[name] = say("too_long", limit=limit)
    themes = list(form.themes.data or [])
    if any(theme not in THEMES for theme in themes):
        errors["themes"] = say("bad_theme")
    amount = None
    try:
        amount = _amount(form.montant.data or "")
    except ValueError:
        errors["montant"] = say("bad_amount")
    fields = {
        "porteur": (form.porteur.data or "").strip(),
        "organisation": (form.organisation.data or "").strip(),
        "quartier": (form.quartier.data or "").strip(),
        "themes": [theme for theme in THEMES if theme in themes],
        "quartier_prioritaire": bool(form.prioritaire.data),
        "statut": PROPOSED,
        "montant_demande": amount,
        "partenaires": (form.partenaires.data or "").strip(),
    }
    return errors, {key: value for key, value in fields.items() if value not in ("", None, [])}


def _page(form: ProposalForm, call: Any, day: Any, **extra: Any) -> tuple[str, int]:
    status = extra.pop("status", 200)
    html = render_template(
        "etre_en_attention/proposer.html",
        form=form,
        call=call,
        today=day,
        say=say,
        format_date=format_date,
        themes=call.themes or THEMES if call else THEMES,
        **extra,
    )
    return html, status


@bp.route("/appel-a-projets/proposer", methods=["GET", "POST"])
@limiter.limit(  # a proposal is an edit: the same limits as the editor's saves
    lambda: edit_rate_limit(),
    methods=["POST"],
    key_func=lambda: rate_key(),
    exempt_when=lambda: edit_limit_exempt(),
)
def propose() -> Response | tuple[str, int]:
    """The proposal form; a proposal saved as a pending initiative page."""
    session = get_session()
    call, day = calls.current_call(session, current_app.config)
    form = ProposalForm()
    if call is None or not call.is_open(day):
        # GET says why there is no form; a POST (an old tab) is refused, nothing saved
        return _page(form, call, day, closed=True, status=422 if request.method == "POST" else 200)
    may_write = current_user.is_authenticated or current_app.config["ANONYMOUS_EDITING"]
    if not may_write:
        login = url_for("auth.login", next=request.path)
        return _page(form, call, day, login=login, status=401 if request.method == "POST" else 200)
    refused = write_refusal()
    if refused is not None:
        return _page(form, call, day, error=localized(refused), status=refused.status)
    if request.method == "GET":
        return _page(form, call, day)
    if not form.validate_on_submit():  # the CSRF token: Flask-WTF's check
        return _page(form, call, day, error=say("required"), status=400)
    errors, fields = _checked(form)
    title = None
    if "titre" not in errors:
        try:
            title = parse_title(
                form.titre.data.strip(),
                capitalize_first=current_app.config["CAPITALIZE_FIRST"],
                allow_fragment=False,
            )
        except TitleError as err:
            errors["titre"] = localized(err)
    if title is not None and rev.find_page(session, title) is not None:
        errors["titre"] = say("title_taken")
    if errors:
        return _page(form, call, day, errors=errors, status=422)
    assert title is not None
    edit = writing.Edit(
        author=author(),
        title=title,
        text=form.texte.data,
        base_revision_id=None,
        summary=say("menu") + f" {call.year}",
        page_type=INITIATIVE,
        fields={**fields, "annee": call.year},
    )
    try:
        writing.save(writing.context_for(current_app, session), edit)
    except ServiceError as err:
        session.rollback()
        return _page(form, call, day, error=localized(err), status=err.status)
    flash(say("thanks"), "success")
    return redirect(url_for("etre_en_attention.propose"))
