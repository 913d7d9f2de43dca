"""WSGI entry point for production: ``gunicorn 'wikicoop.wsgi:app'`` after ``wikicoop init``.

Each worker checks at start that the search index is in step with the database. With
``gunicorn --preload`` the app is built once in the master: every forked worker then
drops the inherited database connections and index files and opens its own.
"""

import os

from . import create_app
from .processes import release_inherited_handles
from .search import ensure_in_step

app = create_app()
ensure_in_step(app)
os.register_at_fork(after_in_child=lambda: release_inherited_handles(app))
