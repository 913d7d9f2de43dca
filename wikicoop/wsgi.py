"""WSGI entry point for production: ``gunicorn 'wikicoop.wsgi:app'`` after ``wikicoop init``.

Each worker checks at start that the search index is in step with the database.
"""

from wikicoop import create_app
from wikicoop.search import ensure_in_step

app = create_app()
ensure_in_step(app)
