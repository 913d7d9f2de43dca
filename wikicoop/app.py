"""The application factory: ``create_app`` assembles settings, plugins, the database,
extensions, the renderer, page types, search, the theme and the web layer."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.logging import has_level_handler, wsgi_errors_stream
from werkzeug.middleware.proxy_fix import ProxyFix

from .version import __version__

#: gunicorn's shape, so the server log reads as one: time, worker pid, level, logger
LOG_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
_log_handler = logging.StreamHandler(wsgi_errors_stream)  # type: ignore[arg-type]
_log_handler.setFormatter(logging.Formatter(LOG_FORMAT, "%Y-%m-%d %H:%M:%S %z"))


def _init_logging(app: Flask) -> None:
    """Send the wiki's log (``wikicoop`` and ``wikicoop.*``) to the server log by default.

    Every 500 is logged there with its traceback (``wikicoop.web.errors.log_server_error``), under
    ``wikicoop run`` and plain gunicorn alike: the request's ``wsgi.errors`` stream,
    else stderr. Set up at start, so that background work (search indexing, e-mail)
    logs the same way before the first request. A logging configuration of the host
    (a handler on the root logger, gunicorn's ``--log-config``) takes over instead.
    """
    logger = logging.getLogger(app.import_name)
    if not has_level_handler(logger):
        logger.addHandler(_log_handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.DEBUG if app.debug else logging.INFO)


def _current_app_or_none() -> Flask | None:
    """The sender of the wiki's signals: the app of the current context, if any."""
    from flask import current_app, has_app_context

    return current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]


def _code_folders(pm: Any) -> list[Path]:
    """The folders of the code a page is made with: wikicoop's package (templates and
    translations included), the shipped themes, and each enabled plugin's package."""
    from .plugins.manager import plugins_of
    from .web.themes import THEMES_DIR

    folders = [Path(__file__).resolve().parent, THEMES_DIR]
    for plugin in plugins_of(pm):
        module_file = Path(plugin.module.__file__ or "")
        folders.append(module_file.parent if module_file.name == "__init__.py" else module_file)
    return folders


def _early_start(
    app: Flask, instance: Path, folders: list[Path], private_cookies: tuple[str, ...]
) -> dict[str, Any]:
    """What the next start of ``wikicoop run`` checks before it builds its app, kept
    with the page files at a clean stop (:mod:`wikicoop.early_answers`)."""
    from .core.change_stamp import CHANGE_STAMP_KEY
    from .page_generation import start_inputs
    from .postgres_stamp import libpq_uri

    database = app.extensions[CHANGE_STAMP_KEY].sqlite_file
    return {
        "inputs": start_inputs(instance, folders),
        # the command line those inputs hold: `wikicoop upgrade` makes the pages of the
        # next start of the same command (wikicoop.pages_for_next_start)
        "argv": sys.argv[1:],
        "folders": [str(folder) for folder in folders],
        "database": str(Path(database).resolve()) if database else "",
        # its URL is read again from the settings: a password is no file's business
        "postgresql": libpq_uri(app.config["DATABASE_URL"]) is not None,
        "private_cookies": [f"{name}=" for name in private_cookies],
        "behind_proxy": bool(app.config["TRUSTED_PROXIES"]),
    }


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, plugins, database and extensions, the renderer,
    page types, search, theme, views, then the plugins' routes, helpers and ``startup``.

    :param overrides: settings applied last (tests use this).
    :raises wikicoop.plugins.manager.PluginError: a plugin failed to load (named).
    """
    from . import config, search
    from .core import page_types, signals
    from .core.change_stamp import CHANGE_STAMP_KEY
    from .core.render_cache import RENDERER_VERSION
    from .early_answers import EARLY_START_KEY
    from .page_files import PAGE_FILES_KEY, PageFiles, pages_folder
    from .page_generation import page_generation
    from .plugins import wiring as plugins
    from .rendering.pipeline import Renderer
    from .text.titles import Title
    from .web import db, security
    from .web import init_app as init_web
    from .web.extensions import babel, csrf, limiter, login_manager, select_locale
    from .web.front_cache import FrontCache
    from .web.lazy_rules import LazyBuilderRule
    from .web.requests_counted import CountedRequests
    from .web.themes import init_themes

    instance = Path((overrides or {}).get("INSTANCE_PATH") or config.instance_path_from_env())
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(
        "wikicoop",  # the import name: the logger and the root path are the package's
        instance_path=str(instance),
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
    )
    app.url_rule_class = LazyBuilderRule  # before any route is added (a quicker start)
    config.load_settings(app, overrides)
    _init_logging(app)
    # plugins are found first: their hooks feed the extensions, renderer, theme and views
    pm = plugins.init_plugins(app)

    db.init_app(app)
    folders = _code_folders(pm)
    page_files = app.extensions[PAGE_FILES_KEY] = PageFiles(
        pages_folder(instance),
        budget=int(float(app.config["PAGE_CACHE_DISK_MB"]) * 2**20),
        # the same after a restart with the same code and settings: a run may serve the
        # pages an earlier one made, while nothing was committed since
        generation=page_generation(app.config, folders),
    )
    private_cookies = (
        app.config["SESSION_COOKIE_NAME"],
        app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    )
    app.extensions[EARLY_START_KEY] = _early_start(app, instance, folders, private_cookies)
    # visitors' unchanged pages answered before Flask; behind the proxy fix, so that its
    # keys hold the host and scheme the visitor asked for
    app.wsgi_app = FrontCache(  # type: ignore[method-assign]
        app.wsgi_app,
        app.extensions[CHANGE_STAMP_KEY],
        budget=int(float(app.config["PAGE_CACHE_MB"]) * 2**20),
        private_cookies=private_cookies,
        files=page_files,
    )
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    # counted while answered: the search indexing thread of this process gives way to them
    app.wsgi_app = CountedRequests(app.wsgi_app)  # type: ignore[method-assign]
    signals.set_sender_provider(_current_app_or_none)
    security.init_app(app)  # first: its form check must see the body before CSRF does
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)

    def wiki_url(title: Title) -> str:
        return "/wiki/" + title.url_path

    capitalize_first = bool(app.config["CAPITALIZE_FIRST"])
    app.extensions["wikicoop.renderer"] = Renderer(
        wiki_url=wiki_url,
        capitalize_first=capitalize_first,
        **plugins.renderer_options(
            pm, version=__version__, renderer=RENDERER_VERSION, capitalize=capitalize_first
        ),
    )
    page_types.init_app(app)  # before search: the index has a facet per declared field
    search.init_app(app)
    init_themes(app, extra_template_dirs=plugins.template_dirs(pm))
    init_web(app)  # error pages, template helpers, then every view
    plugins.init_web(app)  # blueprints, template helpers, event hooks, then startup()
    return app


def close_app(app: Flask, timeout: float | None = 60.0, *, index_queued: bool = True) -> None:
    """Release what ``app`` holds once its work is done: the search updates it queued
    are written (unless ``index_queued`` is False: its index is thrown away with it),
    its indexing thread ends, its database connections and files close.

    For the processes that make several apps (tests, scripts): a server's app lives as
    long as its process. Without it, each app stays in memory while its indexing thread
    idles (:data:`~wikicoop.search.indexer.IDLE_SECONDS`).
    """
    from .core.change_stamp import CHANGE_STAMP_KEY
    from .core.db import engine_of
    from .search import close_search

    close_search(app, timeout, index_queued=index_queued)
    engine_of(app).dispose()
    app.extensions[CHANGE_STAMP_KEY].close()
