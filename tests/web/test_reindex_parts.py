"""A Whoosh index rebuilt in parts (``wikicoop reindex --workers N``): each worker writes
a segment of its own and the parts are committed together. The index they make takes
later edits like any other; a worker that fails or dies leaves the previous index whole.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from helpers import found
from sqlalchemy import select

from wikicoop.core.models import Page
from wikicoop.search import parallel, rebuild, search_backend
from wikicoop.search.whoosh_backend import WhooshBackend
from wikicoop.web.db import get_session

WORKSHOPS = [f"Atelier {n}" for n in range(12)]


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(SEARCH_BACKEND="whoosh")


@pytest.fixture
def workshops(app: Flask, make_page, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Twelve pages about « cuisine », in chunks of two (enough to spread over workers);
    returns title -> page id."""
    monkeypatch.setattr(parallel, "CHUNK_PAGES", 2)
    for title in WORKSHOPS:
        make_page(title, f"{title} : cuisine solidaire du quartier.")
    with app.app_context():
        return {page.name: page.id for page in get_session().scalars(select(Page))}


def segments(app: Flask) -> int:
    with app.app_context():
        backend = search_backend()
        assert isinstance(backend, WhooshBackend)
        return len(backend._open()._segments())


def leftover_temporary_folders(app: Flask) -> list[Path]:
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    return [path for path in index_dir.iterdir() if path.suffix == ".tmp"]


def every_worker_takes_a_chunk(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """Each worker holds its first chunk until all have one: however fast the first
    forked worker is, every part gets pages."""
    barrier = multiprocessing.get_context("fork").Barrier(workers)
    documents_of = parallel._documents_of
    waited: list[bool] = []  # per process: each worker has its own copy

    def held(application: Flask, page_ids: list[int]):
        if not waited:
            waited.append(True)
            barrier.wait(timeout=30)
        return documents_of(application, page_ids)

    monkeypatch.setattr(parallel, "_documents_of", held)


def test_the_parts_make_one_index_that_later_edits_update(
    app, make_page, workshops, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_worker_takes_a_chunk(monkeypatch, 3)
    with app.app_context():
        assert rebuild(app, workers=3) == len(WORKSHOPS)
    assert segments(app) == 3  # one part a worker, nothing merged
    assert leftover_temporary_folders(app) == []
    assert sorted(found(app, "cuisine")) == sorted(WORKSHOPS)
    with app.app_context():
        assert search_backend().suggest_titles("atelier 1", limit=5) == [
            "Atelier 1",
            "Atelier 10",
            "Atelier 11",
        ]

    make_page("Atelier 3", "Atelier 3 : poterie.")  # its document is in one of the parts
    assert found(app, "poterie") == ["Atelier 3"]
    still = found(app, "cuisine")
    assert sorted(still) == sorted(set(WORKSHOPS) - {"Atelier 3"})  # replaced, not doubled
    with app.app_context():
        search_backend().maintain()
        assert search_backend().indexed_revisions().keys() == set(workshops.values())


def test_a_failing_worker_leaves_the_previous_index(
    app, make_page, workshops, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_page("Atelier 5", "Atelier 5 : couture.")
    with app.app_context():
        rebuild(app)
    before = segments(app)
    documents_of = parallel._documents_of

    def failing(application: Flask, page_ids: list[int]):
        if workshops["Atelier 7"] in page_ids:
            raise ValueError("page illisible")
        return documents_of(application, page_ids)

    monkeypatch.setattr(parallel, "_documents_of", failing)
    with app.app_context(), pytest.raises(RuntimeError, match=r"(?s)worker failed.*page illisible"):
        rebuild(app, workers=2)
    assert segments(app) == before
    assert found(app, "couture") == ["Atelier 5"]

    make_page("Atelier 8", "Atelier 8 : broderie.")  # the write lock was released
    assert found(app, "broderie") == ["Atelier 8"]
    monkeypatch.setattr(parallel, "_documents_of", documents_of)
    with app.app_context():
        assert rebuild(app, workers=2) == len(WORKSHOPS)
    assert found(app, "broderie") == ["Atelier 8"]
    assert leftover_temporary_folders(app) == []


def test_a_worker_killed_stops_the_rebuild(app, workshops, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        rebuild(app)
    documents_of = parallel._documents_of

    def killed(application: Flask, page_ids: list[int]):
        if workshops["Atelier 2"] in page_ids:
            os.kill(os.getpid(), signal.SIGKILL)
        return documents_of(application, page_ids)

    monkeypatch.setattr(parallel, "_documents_of", killed)
    with app.app_context(), pytest.raises(RuntimeError, match="stopped without a word"):
        rebuild(app, workers=2)
    assert sorted(found(app, "cuisine")) == sorted(WORKSHOPS)
