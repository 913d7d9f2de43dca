"""``wikicoop.close_app`` releases everything an app holds: a process that makes many
apps (the test suite, scripts) does not keep them all in memory."""

from __future__ import annotations

import gc
import weakref

from helpers import edit_form, login, make_user

import wikicoop
from wikicoop.search import ensure_in_step, indexer_of, indexes_in_background


def test_a_closed_app_is_freed_after_saves_and_searches(wiki_settings: dict) -> None:
    application = wikicoop.create_app(wiki_settings)  # not the fixtures': they keep theirs
    ensure_in_step(application)
    client = application.test_client()
    make_user(application, "Alice")
    login(client, "Alice")
    # a save runs every listener of the sessions (search, the plugins' events, the
    # signals' after-commit actions) and, on Whoosh, starts the indexing thread
    form = {**edit_form(client, "Verger"), "text": "Des pommes.", "licence": "CC-BY-SA-4.0"}
    answer = client.post("/wiki/Verger?action=edit", data=form)
    assert answer.status_code == 302, answer.text
    thread = indexer_of(application)._thread if indexes_in_background(application) else None
    assert client.get("/recherche?q=pommes").status_code == 200
    freed = weakref.ref(application)
    wikicoop.close_app(application)
    del application, client, answer
    gc.collect()
    assert thread is None or not thread.is_alive(), "the indexing thread outlived its app"
    assert freed() is None, "something still holds the closed app"
