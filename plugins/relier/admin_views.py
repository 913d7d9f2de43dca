"""The admin-managed tables: interwiki prefixes (``/interwiki``) and partner wikis
(``/reseau/wikis-partenaires``). Everyone reads them; admins change them through forms
with a CSRF token. A page view of the partners only reads the cache, and may start a
background refresh (:func:`.partners.refresh_soon`); it never waits for a partner.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request
from flask_babel import format_timedelta
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField

from wikicoop.core.models import utcnow
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.helpers import allowed, require

from . import interwiki, partners
from .tables import installed
from .texts import say

bp = Blueprint("relier_admin", __name__)


class InterwikiForm(FlaskForm):
    """Add or change one prefix."""

    prefix = StringField()
    url = StringField()


class RemoveForm(FlaskForm):
    """Remove one row (a prefix or a partner's id)."""

    key = HiddenField()


class PartnerForm(FlaskForm):
    """Add one partner wiki."""

    name = StringField()
    site_url = StringField()
    feed_url = StringField()


def _tables_or_503() -> None:
    if not installed(get_session()):
        fail(503, say("not_installed"))


@bp.route("/interwiki", methods=["GET", "POST"])
def interwiki_table() -> Response | str | tuple[str, int]:
    """The prefixes (for everyone); admins add or change one here."""
    session = get_session()
    form = InterwikiForm()
    error, field = None, None
    if request.method == "POST":
        require("admin")
        _tables_or_503()
        if form.validate_on_submit():
            try:
                prefix, url = interwiki.check(form.prefix.data or "", form.url.data or "")
            except interwiki.BadInterwiki as bad:
                error, field = say(bad.key), bad.field
            else:
                interwiki.put(session, prefix, url)
                session.commit()
                flash(say("iw_saved", prefix=prefix), "success")
                return redirect("/interwiki")
        else:  # the CSRF token (checked by the app first) or a field missing
            fail(400, say("iw_bad_prefix"))
    page = render_template(
        "relier/interwiki.html",
        say=say,
        rows=interwiki.rows(session),
        form=form,
        remove=RemoveForm(),
        admin=allowed("admin"),
        error=error,
        field=field,
    )
    return (page, 422) if error else page


@bp.route("/interwiki/retirer", methods=["POST"])
def interwiki_remove() -> Response:
    """Remove a prefix (admins)."""
    require("admin")
    _tables_or_503()
    form = RemoveForm()
    if not form.validate_on_submit():
        fail(400, say("iw_unknown", prefix=""))
    prefix = (form.key.data or "").strip().casefold()
    session = get_session()
    if not interwiki.remove(session, prefix):
        fail(404, say("iw_unknown", prefix=prefix))
    session.commit()
    flash(say("iw_removed", prefix=prefix), "success")
    return redirect("/interwiki")


def _ago(when) -> str:
    return format_timedelta(utcnow() - when, threshold=1.1) if when else ""


@bp.route("/reseau/wikis-partenaires", methods=["GET", "POST"])
def partner_wikis() -> Response | str | tuple[str, int]:
    """The partners' latest changes from the cache; admins add a partner here."""
    session = get_session()
    form = PartnerForm()
    error = None
    if request.method == "POST":
        require("admin")
        _tables_or_503()
        if not form.validate_on_submit():
            fail(400, say("partner_bad_name"))
        name = " ".join((form.name.data or "").split())
        site_url, feed_url = (form.site_url.data or "").strip(), (form.feed_url.data or "").strip()
        urls_ok = all(
            u.lower().startswith(("http://", "https://")) and len(u) <= 500 and " " not in u
            for u in (site_url, feed_url)
        )
        if not 1 <= len(name) <= 120:
            error = say("partner_bad_name")
        elif not urls_ok:
            error = say("partner_bad_url")
        elif any(p.name.casefold() == name.casefold() for p in partners.listing(session)):
            error = say("partner_taken")
        else:
            partners.add(session, name, site_url, feed_url)
            session.commit()
            flash(say("partner_added", name=name), "success")
            return redirect("/reseau/wikis-partenaires")
    shown = partners.listing(session)
    partners.refresh_soon(current_app._get_current_object(), session)
    page = render_template(
        "relier/partenaires.html",
        say=say,
        partners=shown,
        ago=_ago,
        form=form,
        remove=RemoveForm(),
        admin=allowed("admin"),
        error=error,
    )
    return (page, 422) if error else page


@bp.route("/reseau/wikis-partenaires/retirer", methods=["POST"])
def partner_remove() -> Response:
    """Remove a partner (admins)."""
    require("admin")
    _tables_or_503()
    form = RemoveForm()
    key = form.key.data or "" if form.validate_on_submit() else ""
    if not key.isdigit():
        fail(400, say("partner_bad_name"))
    session = get_session()
    if not partners.remove(session, int(key)):
        fail(404, say("partners_none"))
    session.commit()
    flash(say("partner_removed"), "success")
    return redirect("/reseau/wikis-partenaires")
