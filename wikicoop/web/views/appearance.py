"""Each person's choice of theme, remembered.

- ``GET/POST /compte/apparence``: a form listing every theme; the choice goes in the
  ``theme`` cookie (a year) and, for an account, in ``users.theme``;
- ``?theme=<name>`` on any GET does the same (the footer's « Contraste élevé » link);
  an unknown name there is simply ignored;
- after logging in, the account's choice comes back (it wins over the cookie, which is
  set again to match, so that the look stays after logging out).

The site's templates do not change: a chosen theme brings its stylesheets (see
``wikicoop/web/themes.py``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import update
from werkzeug.wrappers import Response

from ...core.models import User
from ..db import get_session
from ..errors import fail
from ..themes import (
    THEME_COOKIE,
    current_theme_name,
    query_theme,
    theme_choices,
    valid_theme,
)
from ..urls import safe_next

bp = Blueprint("appearance", __name__)

#: how long the browser keeps the chosen theme: a year
THEME_COOKIE_AGE = 365 * 24 * 3600
#: requests that never carry a page (no cookie to set, no account to read)
_QUIET_ENDPOINTS = {"static", "theme_static"}


def theme_label(name: str) -> str:
    """A theme's name for readers, in their language (the bundled themes are translated;
    another theme shows the ``label`` of its theme.toml)."""
    known = {
        "default": _("Wikicoop (par défaut)"),
        "high-contrast": _("Contraste élevé, grands caractères"),
    }
    choice = theme_choices().get(name)
    return known.get(name) or (choice.label if choice else name)


def _remember(name: str) -> None:
    """Keep ``name`` as the reader's theme: cookie at the end of this request, account now."""
    g.wikicoop_theme = name
    g.wikicoop_theme_cookie = name
    if current_user.is_authenticated and current_user.theme != name:
        session = get_session()
        session.execute(update(User).where(User.id == current_user.id).values(theme=name))
        session.commit()


@bp.before_app_request
def _theme_from_query() -> None:
    """``?theme=<name>`` on a GET: this page and the next ones in that theme."""
    if request.endpoint in _QUIET_ENDPOINTS or THEME_COOKIE not in request.args:
        return
    name = query_theme()
    if name is not None:
        _remember(name)


@bp.after_app_request
def _set_theme_cookie(response: Response) -> Response:
    """Write the ``theme`` cookie when it must change: a choice made now, or an account
    whose choice differs from the browser's cookie (just logged in, another device)."""
    if request.endpoint in _QUIET_ENDPOINTS:
        return response
    name = g.pop("wikicoop_theme_cookie", None)
    # an account's choice comes back with a page (the API's answers need no cookie)
    if name is None and response.mimetype == "text/html" and current_user.is_authenticated:
        name = valid_theme(current_user.theme)
    if name and request.cookies.get(THEME_COOKIE) != name:
        response.set_cookie(
            THEME_COOKIE,
            name,
            max_age=THEME_COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


def switch_url(name: str) -> str:
    """Template global: this page's address asking for theme ``name`` (a plain link)."""
    if request.method != "GET":
        return url_for("appearance.choose")
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in {"theme", "lang"}]
    return request.path + "?" + urlencode([*args, (THEME_COOKIE, name)])


@bp.app_context_processor
def _footer_switch() -> dict[str, object]:
    return {
        "theme_switch_url": switch_url,
        "theme_label": theme_label,
        "theme_names": list(theme_choices()),
    }


@bp.route("/compte/apparence", methods=["GET", "POST"])
def choose() -> Response | str:
    """The list of themes; choosing one keeps it (cookie, and account when logged in)."""
    if request.method == "POST":
        asked = request.form.get("theme", "")[:64]
        if valid_theme(asked) is None:
            fail(
                400,
                _(
                    "Thème inconnu : « %(name)s ». Choisissez un des thèmes de la liste.",
                    name=asked,
                ),
            )
        _remember(asked)
        flash(
            _(
                "C'est noté : le site s'affiche maintenant en « %(label)s ».",
                label=theme_label(asked),
            ),
            "success",
        )
        back = safe_next(request.form.get("next"), url_for("appearance.choose"))
        return redirect(back)
    names = list(theme_choices())
    return render_template(
        "appearance.html",
        themes=[(name, theme_label(name)) for name in names],
        chosen=current_theme_name(),
        next=safe_next(request.args.get("next"), ""),
    )
