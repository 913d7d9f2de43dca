"""The Flask ceiling: the fastest a Flask app serves this wiki's pages on this machine.

A benchmark tool (issue 14, point 1), not a part of the wiki. Every page's HTML is
rendered beforehand (the wiki's own stored renderings) and held in a dict; a view looks
the page up and puts it through a small Jinja layout, nothing else: no database, no
session, no plugin. Served by gunicorn with the settings of ``wikicoop run`` (the same
workers, threads, access log and timeout), so that ``bench_views.py`` compares like
with like::

    python bench/ceiling_app.py --pages pages.json --port 5055 --workers 2

``pages.json`` maps a page's URL path (``Accueil``, ``Aide:Écrire_une_page``) to its
title and HTML; ``bench_views.py`` writes it from a wiki's database.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from flask import Flask, abort

from wikicoop.server import GunicornApp

#: a page as small as the wiki's own layout could be: head, a header, the page, a footer
LAYOUT = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} — wikicoop</title><link rel="stylesheet" href="/static/wikicoop.css"></head>
<body><header><a href="/">wikicoop</a>
<form action="/recherche"><input name="q" aria-label="Rechercher"></form></header>
<main><h1>{{ title }}</h1>{{ html | safe }}</main>
<footer>Contenu sous licence CC BY-SA 4.0.</footer></body></html>
"""


def create_ceiling_app(pages: dict[str, tuple[str, str]]) -> Flask:
    """The app serving ``pages`` (URL path -> (title, HTML)) at ``/wiki/<path>``."""
    app = Flask(__name__)
    layout = app.jinja_env.from_string(LAYOUT)

    @app.get("/wiki/<path:path>")
    def page(path: str) -> str:
        found = pages.get(path)
        if found is None:
            abort(404)
        return layout.render(title=found[0], html=found[1])

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True, help="the pages' JSON file")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    listed = json.loads(args.pages.read_text(encoding="utf-8"))
    pages = {path: (title, html) for path, (title, html) in listed.items()}
    options = {  # those of wikicoop.server.serve
        "bind": f"127.0.0.1:{args.port}",
        "workers": args.workers,
        "threads": 4,
        "accesslog": "-",
        "timeout": 60,
        "control_socket_disable": True,
    }
    GunicornApp(create_ceiling_app(pages), options).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
