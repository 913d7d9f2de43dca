"""The app's database binding: one engine per app, one session per app context.

``init_app`` builds the engine (:func:`wikicoop.core.db.make_engine`) and the session
factory; ``get_session()`` hands out the session of the current app context, closed on
teardown. Views, CLI commands and plugins get their session here; the services they call
receive it as an argument.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..core import signals
from ..core.change_stamp import CHANGE_STAMP_KEY, ChangeStamp
from ..core.db import ENGINE_KEY, SESSION_APP, SESSIONMAKER_KEY, make_engine
from ..core.write_mark import WRITE_MARK_FILE, WriteMark


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to ``app``; run the after-commit actions
    of its sessions (:func:`wikicoop.core.signals.after_commit`)."""
    engine = make_engine(app.config["DATABASE_URL"])
    # the app in every session's info (``app_of``), for the listeners below and others'
    maker = sessionmaker(engine, expire_on_commit=False, info={SESSION_APP: app})
    app.extensions[ENGINE_KEY] = engine
    app.extensions[SESSIONMAKER_KEY] = maker
    app.extensions[CHANGE_STAMP_KEY] = _change_stamp(app, engine)
    signals.run_after_commit_actions(maker)
    app.teardown_appcontext(_close_session)


def _change_stamp(app: Flask, engine: Engine) -> ChangeStamp:
    """The database's change stamp; on PostgreSQL, with the write mark that this
    instance's processes touch after their writes (:mod:`wikicoop.core.write_mark`)."""
    seconds = float(app.config["CHANGE_CHECK_SECONDS"])
    if engine.dialect.name != "postgresql" or seconds <= 0:
        return ChangeStamp(engine)
    try:
        mark = WriteMark(Path(app.instance_path) / "cache" / WRITE_MARK_FILE)
    except OSError:  # a read-only instance folder: the snapshot read at each view
        app.logger.warning("no write mark in the instance folder: PostgreSQL read at each view")
        return ChangeStamp(engine)
    return ChangeStamp(engine, mark=mark, check_seconds=seconds)


def get_session() -> Session:
    """The session of the current app context (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[SESSIONMAKER_KEY]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
