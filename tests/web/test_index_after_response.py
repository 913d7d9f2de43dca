"""Saves never wait for the search index (issue 8, point 16).

A save commits and answers; the process's indexing thread writes the index afterwards.
While another writer holds Whoosh's lock (here: the test, through Whoosh's own file
lock, as another process would), saves still answer at once; their pages are indexed
once the lock is free. A process that dies with queued updates leaves them to the
"index behind the database" checks. No timing is asserted: a watchdog releases the lock
after WATCHDOG seconds, and a save that needed it to answer has waited for the index.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from helpers import found, save
from search_corpus import huge_page_text
from whoosh.filedb.filestore import FileStorage

from wikicoop.core.models import Page
from wikicoop.search import backend_of, ensure_in_step, wait_for_index
from wikicoop.search.whoosh_schema import MAX_INDEXED_CHARS
from wikicoop.web.db import get_session

#: seconds after which the test gives the lock up (only a save that waits for it needs it)
WATCHDOG = 30.0
TESTS = Path(__file__).resolve().parents[1]


def latest_text(app: Flask, name: str) -> str | None:
    """The committed text of a page of the main namespace (None when there is none),
    without the final newline that saving adds."""
    with app.app_context():
        page = get_session().query(Page).filter_by(name=name).one_or_none()
        return page.latest_revision.text.rstrip("\n") if page and page.latest_revision else None


@contextmanager
def index_lock_held(app: Flask) -> Iterator[threading.Event]:
    """Hold the index's write lock until the block ends, or for at most WATCHDOG seconds.

    Yields an event that is set if the watchdog had to release the lock: something in
    the block was waiting for it. Writers are made patient (they would otherwise give
    up after ``writer_timeout`` and hide the wait).
    """
    backend = backend_of(app)
    backend.writer_timeout = 2 * WATCHDOG
    lock = FileStorage(str(backend.index_dir)).lock(backend.index_name + "_WRITELOCK")
    assert lock.acquire(), "the index lock is free at the start"
    done, gave_up = threading.Event(), threading.Event()

    def watchdog() -> None:
        if not done.wait(WATCHDOG):
            gave_up.set()
            lock.release()

    watcher = threading.Thread(target=watchdog, daemon=True)
    watcher.start()
    try:
        yield gave_up
    finally:
        done.set()
        watcher.join()
        if not gave_up.is_set():
            lock.release()


def test_a_save_answers_while_another_writer_holds_the_index(app, client, auth):
    auth.login("Alice")
    with index_lock_held(app) as gave_up:
        response = save(client, "Composteur", "Le composteur collectif des Tilleuls.")
        assert response.status_code == 302
        assert not gave_up.is_set(), "the save waited for the index lock"
        assert latest_text(app, "Composteur") == "Le composteur collectif des Tilleuls."
        assert found(app, "composteur", wait=False) == []  # queued, not written yet
        assert not wait_for_index(app, timeout=0)  # still queued: neither written nor lost
    assert found(app, "composteur") == ["Composteur"]  # written once the lock is free


def test_a_huge_page_never_blocks_another_writer(app, client, auth):
    """The 2 MB page of 250,000 distinct words of the issue, then another person's save."""
    huge, words = huge_page_text()
    assert len(huge.encode()) == 2_000_000 - 1
    auth.login("Alice")
    other = app.test_client()
    auth.login("Bob", client=other)
    with index_lock_held(app) as gave_up:
        assert save(client, "Très_grande_page", huge).status_code == 302
        assert save(other, "Four_à_pain", "Le four à pain du quartier.").status_code == 302
        assert not gave_up.is_set(), "a save waited for the index"
        assert latest_text(app, "Très grande page") == huge
    assert found(app, "four pain") == ["Four à pain"]
    assert found(app, words[0]) == ["Très grande page"]
    indexed_words = len(huge[:MAX_INDEXED_CHARS].split())
    assert found(app, words[indexed_words - 2]) == ["Très grande page"]
    assert found(app, words[indexed_words + 1]) == []  # only the start of a huge page
    assert found(app, words[-1]) == []


_DYING_SAVE = """
import json, os, sys
from helpers import login, save
from wikicoop import create_app

config, path, text = json.loads(sys.argv[1])
app = create_app(config)
client = app.test_client()
assert login(client, "Alice").status_code == 302
response = save(client, path, text)
print(response.status_code, flush=True)
os._exit(0)  # like kill -9: no exit handlers, the indexing thread dies with its queue
"""


def save_in_a_process_that_dies(app: Flask, path: str, text: str) -> None:
    """Save through the web in another process of the same wiki, which dies at once."""
    keys = "DATABASE_URL SECRET_KEY TESTING SEED_ON_FIRST_RUN SESSION_COOKIE_SECURE"
    config = {key: app.config[key] for key in [*keys.split(), "PASSWORD_HASH_METHOD"]}
    config["INSTANCE_PATH"] = app.instance_path
    done = subprocess.run(
        [sys.executable, "-c", _DYING_SAVE, json.dumps([config, path, text])],
        cwd=TESTS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "302", done.stdout + done.stderr


def test_updates_queued_by_a_dead_process_are_repaired_at_start_up(app, auth):
    auth.make_user("Alice")
    with index_lock_held(app) as gave_up:
        save_in_a_process_that_dies(app, "Grainothèque", "Une grainothèque de semences libres.")
        assert not gave_up.is_set()
    assert latest_text(app, "Grainothèque") == "Une grainothèque de semences libres."
    assert found(app, "semences") == []  # its update died with the process
    with app.app_context():
        assert ensure_in_step(app) == 1  # as each process does when it starts
    assert found(app, "semences") == ["Grainothèque"]


def test_a_running_process_catches_up_what_a_dead_one_left(app, client, auth):
    auth.login("Alice")
    with index_lock_held(app):
        save_in_a_process_that_dies(app, "Grainothèque", "Une grainothèque de semences libres.")
    assert found(app, "semences") == []
    # the next save in this process starts its indexing thread, which checks the index
    # against the database once its queue is empty
    assert save(client, "Ressourcerie", "Une ressourcerie de quartier.").status_code == 302
    assert found(app, "ressourcerie") == ["Ressourcerie"]
    assert found(app, "semences") == ["Grainothèque"]


def test_a_page_changed_while_it_was_written_is_written_again(app, make_page, monkeypatch):
    """Two writers of one page: the one that read the older version writes last."""
    backend = backend_of(app)
    write = backend.index_pages
    newer_saved: list[bool] = []

    def index_pages(documents) -> None:
        if not newer_saved:  # meanwhile another process saves the page and indexes it
            newer_saved.append(True)
            make_page("Atelier", "On y répare des radios.")
        write(documents)  # then this older version lands on top of it

    monkeypatch.setattr(backend, "index_pages", index_pages)
    make_page("Atelier", "On y répare des vélos.")
    assert found(app, "radios") == ["Atelier"]
    assert found(app, "vélos") == []


def test_bulk_writes_are_indexed_once_at_the_end_of_the_block(app: Flask) -> None:
    """indexing_deferred (seed pages, imports): the commits inside the block index
    nothing yet; its end writes every touched page at once; a nested block changes
    nothing; pages saved after it are indexed as usual."""
    from wikicoop.core import revisions as rev
    from wikicoop.core.writing import Edit, context_for
    from wikicoop.core.writing import save as save_edit
    from wikicoop.search import indexing_deferred
    from wikicoop.text.titles import parse_title

    def write(session, title: str, text: str) -> None:
        edit = Edit(
            author=rev.Author(user=None, ip="127.0.0.1"),
            title=parse_title(title),
            text=text,
            base_revision_id=None,
            system=True,
        )
        save_edit(context_for(app, session), edit)

    with app.app_context():
        session = get_session()
        with indexing_deferred(app):
            write(session, "Potager", "Un potager zinzolin.")
            with indexing_deferred(app):
                write(session, "Verger", "Un verger zinzolin.")
            assert found(app, "zinzolin") == []  # not even the nested block's page
        assert sorted(found(app, "zinzolin")) == ["Potager", "Verger"]
        write(session, "Rucher", "Un rucher zinzolin.")
    assert sorted(found(app, "zinzolin")) == ["Potager", "Rucher", "Verger"]
