"""Routes that fail as bugs do, added to a real wikicoop app (for the server-log tests).

Imported by tests/web/test_server.py, and by the servers it starts in subprocesses
(``failing_app.run_command()`` for ``wikicoop run``, ``failing_app:wsgi_app()`` for gunicorn).
"""

from __future__ import annotations

from flask import Flask, abort

import wikicoop


def add_failing_routes(app: Flask) -> None:
    """``/test-raises`` raises an exception; ``/test-aborts`` answers an explicit 500."""

    @app.route("/test-raises")
    def raises() -> str:
        raise RuntimeError("boom-marker-raise")

    @app.route("/test-aborts")
    def aborts() -> str:
        abort(500)


def _install() -> None:
    """Make ``wikicoop.create_app`` add the failing routes to every app it builds."""
    create_app = wikicoop.create_app

    def create_failing_app(overrides=None) -> Flask:
        app = create_app(overrides)
        add_failing_routes(app)
        return app

    wikicoop.create_app = create_failing_app


def run_command() -> None:
    """The ``wikicoop`` command (``wikicoop run`` …) serving the failing routes too."""
    _install()
    from wikicoop.cli import main

    main()


def wsgi_app() -> Flask:
    """``wikicoop.wsgi:app`` with the failing routes (a gunicorn app factory)."""
    _install()
    from wikicoop.wsgi import app

    return app
