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


def serve(app: Flask, *, host: str, port: int, workers: int = 2) -> None:
    """Serve ``app`` with gunicorn: ``workers`` processes of 4 threads each."""
    from .db import engine_of

    def post_fork(_server: object, _worker: object) -> None:
        # connections opened before the fork must not be shared between workers
        engine_of(app).dispose(close=False)

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
