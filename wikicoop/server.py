"""Production serving with gunicorn (what ``wikicoop run`` uses without --debug)."""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, object]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


def release_inherited_handles(app: Flask, *, in_child: bool = True) -> None:
    """Close what a process must not share with its forks: database connections and
    the search index's open files.

    A forked worker inherits the parent's file descriptors, and with them their read
    offsets: two workers reading the same inherited index file move each other's
    position, and about one search in six failed. Called in the parent before forking
    and in each worker after; the index reopens itself on the next search.
    """
    from .db import engine_of

    # in a child, close=False: the parent's connections must not be closed under it
    engine_of(app).dispose(close=not in_child)
    app.extensions["wikicoop.search"].close()


def serve(app: Flask, *, host: str, port: int, workers: int = 2) -> None:
    """Serve ``app`` with gunicorn: ``workers`` processes of 4 threads each."""

    def post_fork(_server: object, _worker: object) -> None:
        release_inherited_handles(app)

    release_inherited_handles(app, in_child=False)  # the workers open their own
    _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": max(1, workers),
            "threads": 4,
            "accesslog": "-",
            "timeout": 60,
            "post_fork": post_fork,
        },
    ).run()
