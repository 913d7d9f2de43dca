"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

#: Flask-Limiter's default storage: counters in each worker's memory
MEMORY_STORAGE = "memory://"


class WikiLimiter(Limiter):
    """Flask-Limiter counting in the shared Redis when there is one.

    With ``REDIS_URL`` set and ``RATELIMIT_STORAGE_URI`` left at ``memory://``, the
    counters go to that Redis: every worker of every app server then counts the same
    tries (in memory, each worker counted its own, so two servers of two workers let
    through four times the limit). Their keys start with ``RATELIMIT_KEY_PREFIX``, by
    default the ``JOBS_QUEUE`` name, so that several wikis may share one Redis. While
    Redis does not answer, each worker counts in its own memory instead of failing.
    """

    def init_app(self, app: Flask) -> None:
        """Choose the storage from the wiki's settings, then bind as Flask-Limiter does."""
        config = app.config
        redis_url = config.get("REDIS_URL") or ""
        if redis_url and config.get("RATELIMIT_STORAGE_URI", MEMORY_STORAGE) == MEMORY_STORAGE:
            config["RATELIMIT_STORAGE_URI"] = redis_url
        if not str(config.get("RATELIMIT_STORAGE_URI", MEMORY_STORAGE)).startswith("memory:"):
            config.setdefault("RATELIMIT_KEY_PREFIX", config.get("JOBS_QUEUE") or "wikicoop")
            config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        # one limiter object serves every app of the process (tests make many): the new
        # app's prefix is its own, and its new storage is not known to be down
        self._key_prefix = ""
        self._storage_dead = False
        super().init_app(app)


csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = WikiLimiter(key_func=get_remote_address, default_limits=[])


def select_locale() -> str:
    """Interface language: ?lang=, then the browser's preference, French first."""
    from flask import current_app

    languages = [code.strip() for code in current_app.config["LANGUAGES"].split(",")]
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LANGUAGE"]
