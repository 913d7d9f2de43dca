"""wikicoop: a participatory wiki engine for territories.

``create_app`` is the only entry point: nothing is built at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

__version__ = "0.1.0"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, database, extensions, rendering, theme, views.

    :param overrides: settings applied last (tests use this).
    """
    from . import config, db, search, security, signals, web
    from .extensions import babel, csrf, limiter, login_manager, select_locale
    from .rendering.pipeline import Renderer
    from .themes import init_themes
    from .titles import Title

    instance = Path((overrides or {}).get("INSTANCE_PATH") or config.instance_path_from_env())
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    config.load_settings(app, overrides)

    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    db.init_app(app)
    signals.init_app(app)
    security.init_app(app)  # first: its form check must see the body before CSRF does
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)

    def wiki_url(title: Title) -> str:
        return "/wiki/" + title.url_path

    app.extensions["wikicoop.renderer"] = Renderer(
        wiki_url=wiki_url, capitalize_first=app.config["CAPITALIZE_FIRST"]
    )
    search.init_app(app)
    init_themes(app)
    web.init_app(app)
    return app
