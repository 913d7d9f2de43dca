"""Settings: typed defaults < instance/config.py < WIKICOOP_* environment < overrides.

Every setting has a default here, so the list below is also the documentation of what
can be set. An environment variable ``WIKICOOP_<NAME>`` overrides ``<NAME>``; its text is
converted to the type of the default (``true``/``false`` for booleans, digits for ints).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:  # not at run time: a start reads the instance folder before Flask loads
    from flask import Flask

ENV_PREFIX = "WIKICOOP_"

#: Repository root (plugins/, themes/ and pages_seed/ live beside the package).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "wikicoop",
    # address of the site's logo in the header band; empty: the theme's own (theme.toml
    # ``logo``), or none
    "LOGO_URL": "",
    # SQLAlchemy URL; empty means a SQLite file in the instance folder.
    "DATABASE_URL": "",
    # Folder of the Whoosh index; empty means <instance>/search-index.
    "SEARCH_INDEX_DIR": "",
    # Whoosh: seconds a process gathers the index updates of its saves into one write
    # (a burst of saves costs one index commit); search finds a save after about this
    "SEARCH_INDEX_GATHER_SECONDS": 0.5,
    # Whoosh under `wikicoop run`: one process writes the index for every worker (their
    # saves never wait behind an index commit); off: each worker writes its own pages
    "SEARCH_INDEX_WRITER": True,
    "DEFAULT_LICENCE": "CC-BY-SA-4.0",
    "DEFAULT_LANGUAGE": "fr",
    "LANGUAGES": "fr,en",
    # The site's clock (an IANA name): every date and time shown is in it (databases
    # store UTC); plugins use it too (outiller's OUTILLER_TIMEZONE, when set, wins there)
    "TIMEZONE": "Europe/Paris",
    # Largest page text accepted, in bytes of UTF-8 (413 beyond).
    "MAX_PAGE_BYTES": 2_000_000,
    "ANONYMOUS_EDITING": False,
    "OPEN_REGISTRATION": True,
    # MediaWiki's rule: the first letter of a page name is upper-cased.
    "CAPITALIZE_FIRST": True,
    "HISTORY_PAGE_SIZE": 50,
    "THEME": "default",
    # plugins turned off, by entry-point, package or distribution name (every installed
    # plugin is on by default); a JSON list in the environment
    "DISABLED_PLUGINS": [],
    # structured page types declared without a plugin (list of dict declarations)
    "PAGE_TYPES": [],
    "SEED_ON_FIRST_RUN": True,
    "ADMIN_USERNAME": "admin",
    # Taken from the environment on first run; generated and printed once when empty.
    "ADMIN_PASSWORD": "",
    # Werkzeug method string; tests use a cheaper "scrypt:1024:8:1"
    "PASSWORD_HASH_METHOD": "scrypt",
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    # failed logins on one account, from whatever addresses (a limited account waits,
    # even with the right password: that is what stops a spread-out guessing)
    "LOGIN_ACCOUNT_RATE_LIMIT": "10 per minute;30 per hour;100 per day",
    # password-change attempts per account (the form checks the current password)
    "PASSWORD_CHANGE_RATE_LIMIT": "5 per minute;20 per hour",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    "TRUSTED_PROXIES": 0,
    # seconds a caching reverse proxy may serve a visitor's page without asking (0: none,
    # every view asks the wiki, which answers 304 when the page is unchanged), then
    # seconds it may serve the old copy while it asks again (wikicoop.web.http_caching)
    "PROXY_CACHE_SECONDS": 0,
    "PROXY_STALE_SECONDS": 30,
    # PostgreSQL: seconds a worker may go on trusting its last reading of the database's
    # state while no process of this instance folder wrote since (their writes are seen
    # at once) and no other server was present (with one, every view asks again);
    # writes made without the wiki (psql, a restore) are seen within this time. The same
    # on every server. 0: PostgreSQL asked at every visitor's page view
    # (wikicoop.core.write_mark)
    "CHANGE_CHECK_SECONDS": 1.0,
    # megabytes of visitors' finished pages each worker keeps (wikicoop.web.front_cache;
    # 0: none, every view goes through Flask)
    "PAGE_CACHE_MB": 4,
    # megabytes of the same pages kept on disk (instance folder, cache/pages) for all
    # the workers of the machine (wikicoop.page_files; 0: none)
    "PAGE_CACHE_DISK_MB": 256,
    # megabytes a worker of `wikicoop run` may hold of its own (what it does not share
    # with the master) before it is replaced by a fresh one, once it has answered a
    # thousand requests (wikicoop.worker_memory; 0: never)
    "WORKER_MEMORY_MB": 40,
    # -- moderation (wikicoop.moderation) --
    # where no mode is set: "newcomers" (newcomers' edits wait for review, trusted
    # contributors publish at once), "open" (published at once, patrolled afterwards)
    # or "a_priori" (everything but moderators' edits waits for review)
    "MODERATION_DEFAULT": "newcomers",
    # per namespace or page type: {"namespace:help": "a_priori", "type:article": "open"};
    # a page type's mode wins over its namespace's (JSON in the environment)
    "MODERATION_MODES": {},
    # trust comes with this many approved edits on an account at least this old
    "TRUST_MIN_APPROVED_EDITS": 5,
    "TRUST_MIN_ACCOUNT_DAYS": 3,
    # an untrusted contributor's edit adding more external links than this waits for review
    "NEWCOMER_MAX_EXTERNAL_LINKS": 2,
    # pages where everyone may try things out: edits are published at once (blocks and
    # protection still apply), earn no trust and are never indexed by the search
    # (JSON list, or titles separated by "|", in the environment)
    "SANDBOX_PAGES": ["Bac à sable"],
    # sub-pages of each person's page that are their own sandboxes, with the same rules
    # ("Utilisateur:Alice/Bac à sable"): a place to learn and to draft
    "PERSONAL_SANDBOXES": ["Bac à sable", "Brouillon"],
    # minutes during which the author of a discussion message may still edit it
    "COMMENT_EDIT_MINUTES": 15,
    # Flask-Limiter limits (per user when logged in, else per address)
    "EDIT_RATE_LIMIT": "20 per minute;200 per hour",
    # per address: a workshop signs up a dozen residents from one connection
    "REGISTRATION_RATE_LIMIT": "20 per hour;60 per day",
    # password-reset links asked for, per address; and naming one account, whoever asks
    "PASSWORD_RESET_RATE_LIMIT": "5 per minute;20 per hour",
    "PASSWORD_RESET_TARGET_RATE_LIMIT": "3 per 15 minutes;10 per day",
    # e-mail changes and moderators' password links, per account
    "EMAIL_CHANGE_RATE_LIMIT": "5 per minute;20 per hour",
    # the editor's live preview and MediaWiki conversion (per account, or per address)
    "PREVIEW_RATE_LIMIT": "120 per minute;3000 per hour",
    "CONVERT_RATE_LIMIT": "60 per minute;1000 per hour",
    "COMMENT_RATE_LIMIT": "6 per minute;60 per hour",
    "REPORT_RATE_LIMIT": "10 per hour",
    # -- beyond one machine (docs/scaling.md) --
    # "whoosh" (a folder per machine, the embedded default) or "postgresql" (full-text
    # search in the wiki's PostgreSQL database, shared by every app server)
    "SEARCH_BACKEND": "whoosh",
    # Redis shared by the app servers ("redis://127.0.0.1:6379/0"); empty: no Redis.
    # When set, background jobs go through an RQ queue run by `wikicoop worker`, and
    # the rate limits are counted there unless RATELIMIT_STORAGE_URI says otherwise
    "REDIS_URL": "",
    # the RQ queue's name (several wikis may share one Redis)
    "JOBS_QUEUE": "wikicoop",
    # a failed job is tried again this many times, after JOB_RETRY_SECONDS, then twice
    # as long each time
    "JOB_RETRIES": 3,
    "JOB_RETRY_SECONDS": 10,
    # -- e-mail (notifications); nothing is sent while SMTP_HOST is empty --
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "MAIL_FROM": "wikicoop@localhost",
    # absolute address of the wiki for links in e-mails ("" = the request's host)
    "SITE_URL": "",
}

SECRET_KEY_FILE = "secret_key"


def instance_path_from_env() -> Path:
    """Return the instance folder: ``$WIKICOOP_INSTANCE`` or ``./instance``."""
    return Path(os.environ.get(f"{ENV_PREFIX}INSTANCE") or "instance").resolve()


def database_url_setting(instance: Path) -> str:
    """The ``DATABASE_URL`` set for ``instance``, read as :func:`load_settings` reads
    it but without Flask (``WIKICOOP_DATABASE_URL``, else ``instance/config.py``, run
    as Flask runs it), for a start that needs it before the app is built; "" when
    none is set (SQLite in the instance folder)."""
    url = os.environ.get(f"{ENV_PREFIX}DATABASE_URL")
    if url is not None:
        return url
    settings_file = instance / "config.py"
    if not settings_file.is_file():
        return ""
    namespace: dict[str, Any] = {"__file__": str(settings_file), "__name__": "config"}
    exec(compile(settings_file.read_bytes(), str(settings_file), "exec"), namespace)
    return str(namespace.get("DATABASE_URL") or "")


#: list settings that only take a JSON list in the environment (no "a|b" form)
JSON_LISTS = frozenset({"DISABLED_PLUGINS", "PAGE_TYPES"})


def _coerce(raw: str, default: Any, name: str = "") -> Any:
    """Convert an environment string to the type of the setting's default."""
    if name in JSON_LISTS:
        try:
            value = json.loads(raw)
        except ValueError as error:
            raise ValueError(f"{ENV_PREFIX}{name} is not valid JSON ({error}): {raw!r}") from None
        if not isinstance(value, list):
            raise ValueError(f"{ENV_PREFIX}{name} expects a JSON list, got {raw!r}")
        return value
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on", "oui"}:
            return True
        if lowered in {"0", "false", "no", "off", "non", ""}:
            return False
        raise ValueError(f"{ENV_PREFIX}… expects true or false, got {raw!r}")
    if isinstance(default, int):
        return int(raw.replace("_", ""))
    if isinstance(default, float):
        return float(raw.replace("_", "").replace(",", "."))
    if isinstance(default, list):
        if raw.lstrip().startswith("["):
            items = json.loads(raw)
            if not isinstance(items, list):
                raise ValueError(f"{ENV_PREFIX}… expects a JSON list, got {raw!r}")
            return [str(item) for item in items]
        return [part.strip() for part in raw.split("|") if part.strip()]
    if isinstance(default, dict):
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError(f"{ENV_PREFIX}… expects a JSON object, got {raw!r}")
        return value
    return raw


def load_settings(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` in the documented order of precedence."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for key, value in os.environ.items():
        if not key.startswith(ENV_PREFIX) or key == f"{ENV_PREFIX}INSTANCE":
            continue
        name = key[len(ENV_PREFIX) :]
        app.config[name] = _coerce(value, DEFAULTS.get(name, ""), name)
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'wikicoop.db'}"
    if not app.config["SEARCH_INDEX_DIR"]:
        app.config["SEARCH_INDEX_DIR"] = str(instance / "search-index")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_or_create_secret_key(instance)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_PAGE_BYTES"]) * 2 + 65536
    app.config["TIMEZONE"] = checked_timezone(app.config["TIMEZONE"])
    # Flask-Babel's format_datetime shows every date on the site's clock
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]


def checked_timezone(name: object) -> str:
    """The TIMEZONE setting, checked at start: a name the tz database knows."""
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"TIMEZONE: {name!r} is not a time zone name (for example Europe/Paris, "
            "America/Montreal, UTC)"
        ) from None
    return str(name)


def read_or_create_secret_key(instance: Path) -> str:
    """Return the instance's secret key, generating it (mode 0600) on first use."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
