"""The pages of the next start, made by ``wikicoop upgrade`` (issue 14, point 4).

A restart answers visitors from the pages its last run kept while its app is built
(:mod:`wikicoop.early_answers`), but only when nothing changed since that run's clean
stop: not the code, not the settings. After an upgrade, every page of the last run
belongs to another generation (:mod:`wikicoop.page_generation`), and the first answer
waits for the app, about 0.6 s here, most of it importing SQLAlchemy and Flask.

``wikicoop upgrade``, the step after installing a new version, builds the app the next
``wikicoop run`` will build: the new code, the settings and environment of this
command, and the command line of the run that stopped last (its stop record holds it).
That app views the pages the last run kept (the most recently made first), which keeps
them on disk under the new generation, until a round of views commits nothing. It
then records the database's state as a clean stop does
(:func:`wikicoop.server.keep_pages_for_the_next_run`), with that run's command line in
the start's inputs. The next ``wikicoop run`` with that command line and environment
answers those pages at once; anything else (other settings, a write meanwhile, another
command line) sends its requests to the app, as before.

Nothing is made while a ``wikicoop run`` serves the same instance folder: its stop
would record its own pages, of the old code, over these.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

#: rounds of views at most: a page's first view may store its rendering (a commit, which
#: outdates the pages made before it); the second round then commits nothing
ROUNDS = 3


@dataclass(frozen=True)
class NextStart:
    """What ``wikicoop upgrade`` made for the next start."""

    #: pages kept for the next start's early answers
    pages: int
    #: why none were, in French for the command's output ("" when some were)
    reason: str = ""


def make_pages_for_next_start(
    instance: Path,
    limit: int,
    overrides_for: Callable[[str], Mapping[str, Any]],
) -> NextStart:
    """Make the pages of the next ``wikicoop run`` on the instance folder ``instance``:
    at most ``limit`` of those its last run kept, viewed by the app that run will build
    (``overrides_for(host)``: the settings ``wikicoop run`` overrides for its host),
    then the database's state recorded for its early answers (see the module's
    docstring)."""
    from .early_answers import run_address
    from .page_files import keys_of_generation, pages_folder, read_stop_record
    from .pid_file import serving_pid

    pid = serving_pid(instance)
    if pid is not None:
        serving = f"le wiki est servi en ce moment (processus {pid})"
        return NextStart(0, f"{serving} ; arrêtez-le, puis relancez la commande")
    record = read_stop_record(pages_folder(instance))
    if record is None:
        return NextStart(0, "aucun arrêt propre de « wikicoop run » n'est enregistré")
    argv = record["start"].get("argv")
    address = run_address(argv) if isinstance(argv, list) else None
    if address is None:  # a record of an earlier version, which did not keep it
        return NextStart(0, "le dernier arrêt enregistré ne dit pas sa ligne de commande")
    keys = keys_of_generation(pages_folder(instance), record["generation"], limit)
    if not keys:
        return NextStart(0, "le dernier démarrage n'a gardé aucune page")
    return _make(instance, keys, argv, overrides_for(address[0]))


def _make(
    instance: Path,
    keys: Sequence[Hashable],
    argv: list[str],
    overrides: Mapping[str, Any],
) -> NextStart:
    """View ``keys`` with the app of the next run until a round commits nothing, then
    record the database's state for that run."""
    from . import close_app, create_app
    from .core.change_stamp import CHANGE_STAMP_KEY
    from .early_answers import EARLY_START_KEY
    from .page_files import PAGE_FILES_KEY
    from .page_generation import start_inputs
    from .server import adopt_pages_of_the_last_run, keep_pages_for_the_next_run

    app = create_app(overrides)  # the instance folder of the environment, as the run
    try:
        adopt_pages_of_the_last_run(app)  # the same code and settings: nothing to remake
        stamp = app.extensions[CHANGE_STAMP_KEY]
        client = app.test_client(use_cookies=False)
        for _ in range(ROUNDS):
            before = stamp.current()
            for key in keys:
                _view(client, key)
            if stamp.current() == before:
                break
        files, now = app.extensions[PAGE_FILES_KEY], stamp.current()
        made = sum(files.get(key, now) is not None for key in keys)
        if not made:
            return NextStart(0, "aucune page gardée : le wiki écrivait à chaque vue")
        # the inputs of the run's command line, read now: the views may have added a
        # file to the instance folder
        start = dict(app.extensions[EARLY_START_KEY], argv=argv)
        start["inputs"] = start_inputs(instance, start["folders"], argv)
        app.extensions[EARLY_START_KEY] = start
        if not keep_pages_for_the_next_run(app):
            return NextStart(0, "l'état de la base n'a pas pu être enregistré (occupée ?)")
        return NextStart(made)
    finally:
        close_app(app)


def _view(client: Any, key: Hashable) -> None:
    """View a kept page's request key (:func:`wikicoop.page_files.request_key`) as its
    visitor did: the same address, host, scheme, languages and cookies."""
    if not (isinstance(key, tuple) and len(key) == 5 and all(isinstance(k, str) for k in key)):
        return  # not a request's key
    path, host, scheme, languages, cookies = key
    if not host or scheme not in ("http", "https"):  # no Host (HTTP/1.0): left to the app
        return
    headers = {"Accept-Language": languages} if languages else {}
    if cookies:
        headers["Cookie"] = cookies
    client.get(
        quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~"),
        base_url=f"{scheme}://localhost/",
        headers=headers,
        # the visitor's own, as the server passed them (not parsed again)
        environ_overrides={"PATH_INFO": path, "HTTP_HOST": host},
    )
