"""The index writer's tasks, each in a child process (wikicoop.index_writer.in_child):
the child's answer comes back, its errors come back as the indexer expects them
(transient: retried; others: logged), a child that dies says so, and what a task
allocates stays in the child. A real fork of a real app's process."""

from __future__ import annotations

import os

import pytest
from flask import Flask

from wikicoop.index_writer import in_child
from wikicoop.search import index_pages, pages_behind
from wikicoop.search.backend import SearchIndexError

pytestmark = pytest.mark.any_database

#: what a task appends to here stays in its child
KEPT_BY_THE_TASK: list[bytes] = []


def test_the_childs_answer_comes_back(app: Flask) -> None:
    assert in_child(app, lambda: ({1, 2}, "deux")) == ({1, 2}, "deux")
    assert in_child(app, lambda: pages_behind(app)) == pages_behind(app)


def test_what_a_task_allocates_stays_in_its_child(app: Flask) -> None:
    def allocate() -> int:
        KEPT_BY_THE_TASK.append(b"x" * 10_000_000)
        return os.getpid()

    child = in_child(app, allocate)
    assert child != os.getpid()
    assert KEPT_BY_THE_TASK == []


def test_a_transient_error_is_raised_to_be_retried(app: Flask) -> None:
    def busy() -> None:
        raise SearchIndexError("the index is locked by another process")

    with pytest.raises(SearchIndexError, match="locked by another process"):
        in_child(app, busy)


def test_another_error_is_raised_with_its_name(app: Flask) -> None:
    def broken() -> None:
        raise ValueError("a bug")

    with pytest.raises(RuntimeError, match="ValueError: a bug"):
        in_child(app, broken)


def test_a_child_that_dies_without_answering_says_so(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="died without an answer"):
        in_child(app, lambda: os._exit(3))


def test_pages_indexed_in_a_child_are_found_by_the_parent(app: Flask, make_page) -> None:
    from helpers import found
    from sqlalchemy import select

    from wikicoop.core.models import Page
    from wikicoop.search import backend_of
    from wikicoop.web.db import get_session

    make_page("Atelier vannerie", "Le mot osiérite, tressé en atelier.")
    with app.app_context():
        page_id = get_session().scalar(select(Page.id).where(Page.name == "Atelier vannerie"))
        backend_of(app).remove_pages([page_id])
    assert pages_behind(app) == {page_id}
    assert found(app, "osiérite") == []
    assert in_child(app, lambda: index_pages(app, {page_id})) == set()
    assert pages_behind(app) == set()
    assert found(app, "osiérite") == ["Atelier vannerie"]
