"""The ``wikicoop`` command's entry point: the command line loaded with the garbage
collector paused.

Starting the wiki allocates about a million objects that live as long as the process
(modules, classes, routes, templates) and almost no garbage: each collection on the way
only walks them again (about 0.1 s in all). The collector is paused while the command
line and its libraries load; every command but ``run`` turns it back on before it
starts, and ``run`` does so once it has built its app, after freezing those objects out
of the collector's way (:func:`gc.freeze`; :func:`wikicoop.server.share_with_workers`
freezes what the master holds again before forking its workers).

Before any of that, ``wikicoop run`` may already answer visitors' page views from the
pages the last run kept (:mod:`wikicoop.early_answers`).
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Console script entry point."""
    gc.disable()
    _answer_early(sys.argv[1:])
    try:
        from .cli import main as cli_main
    except BaseException:
        gc.enable()
        raise
    cli_main()


def _answer_early(argv: list[str]) -> None:
    """``wikicoop run``: visitors' kept pages answered while the app is built, when the
    last clean stop allows it (:mod:`wikicoop.early_answers`). Never stops a start."""
    if not argv or argv[0] != "run":
        return
    try:
        from .early_answers import start

        start(argv)
    except Exception as error:  # the usual start then answers everything
        print(f"wikicoop: no early answers ({error!r})", file=sys.stderr)
