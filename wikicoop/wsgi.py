"""WSGI entry point for production: ``gunicorn 'wikicoop.wsgi:app'`` after ``wikicoop init``."""

from wikicoop import create_app

app = create_app()
