"""The web layer: views (``views/``), shared request helpers (``helpers.py``), URL helpers,
forms, security headers and input checks, themes, templates and static files.
"""
