"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale() -> str:
    """Interface language: ?lang=, then the browser's preference, French first."""
    from flask import current_app

    languages = [code.strip() for code in current_app.config["LANGUAGES"].split(",")]
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LANGUAGE"]
