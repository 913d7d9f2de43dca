"""The domain: models, the write path, history, permissions, moderation policy, page types.

Imports ``wikicoop.text``, ``wikicoop.rendering`` and the error codes, never Flask nor the
web layer (``tests/unit/test_layers.py`` checks it). Its services take a SQLAlchemy
session and settings as arguments.
"""
