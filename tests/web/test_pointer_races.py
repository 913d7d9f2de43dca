"""Issue 8, point 1: a save racing a rename, a licence change, a delete or a restore.

Two threads, each with its own app context (so its own session and connection), start
together at a barrier: one saves an edit, the other acts on the page. Whatever the order,
a save that was acknowledged is never lost: its revision stays on the page's chain of
public revisions (the current one or an ancestor of it). Each race runs many times, on
SQLite and on PostgreSQL (``WIKICOOP_DATABASE_URL``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from helpers import edit_form
from sqlalchemy import event

from wikicoop.community.accounts import create_user, find_user
from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.models import Page, Revision
from wikicoop.errors import ServiceError
from wikicoop.text.titles import Title, parse_title
from wikicoop.web.db import get_session

ITERATIONS = 20
FIRST = "# Course\n\nPremier paragraphe.\n\nDeuxième paragraphe.\n"
SECOND = FIRST.replace("Premier paragraphe.", "Premier paragraphe, revu.")


def _page_with_history(app: Flask, make_page, name: str) -> tuple[int, int]:
    """A page with two public revisions (something to restore); returns both ids."""
    first = make_page(name, FIRST, licence="CC-BY-4.0")
    second = make_page(name, SECOND)
    return first, second


def _rename(app: Flask, title: Title, first: int) -> None:
    session = get_session()
    writing.rename(
        writing.context_for(app, session),
        page=rev.find_page(session, title),
        new_title=parse_title(f"{title.full} renommée"),
        author=rev.Author(user=find_user(session, "Modo")),
    )


def _relicense(app: Flask, title: Title, first: int) -> None:
    session = get_session()
    rev.change_licence(
        session,
        page=rev.find_page(session, title),
        new_code="CC-BY-SA-4.0",
        author=rev.Author(user=find_user(session, "Modo")),
    )


def _delete(app: Flask, title: Title, first: int) -> None:
    session = get_session()
    rev.delete_page(session, page=rev.find_page(session, title), actor=find_user(session, "Modo"))


def _restore(app: Flask, title: Title, first: int) -> None:
    session = get_session()
    writing.restore(
        writing.context_for(app, session),
        page=rev.find_page(session, title),
        revision_id=first,
        author=rev.Author(user=find_user(session, "Modo")),
    )


#: how a save that comes second is refused (a licence change or a restore never refuses it)
REFUSALS = {"rename": "page-renamed", "delete": "page-deleted"}

OPERATIONS: dict[str, Callable[[Flask, Title, int], None]] = {
    "rename": _rename,
    "licence": _relicense,
    "delete": _delete,
    "restore": _restore,
}


def _race(app: Flask, title: Title, base: int, first: int, operation: Callable) -> dict:
    """Run the save and the operation together; returns what each answered."""
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def save() -> None:
        with app.app_context():
            session = get_session()
            author = rev.Author(user=find_user(session, "Saveur"))
            barrier.wait()
            try:
                result = writing.save(
                    writing.context_for(app, session),
                    writing.Edit(
                        title=title,
                        text=SECOND + "\nUne ligne ajoutée pendant l'opération.\n",
                        base_revision_id=base,
                        author=author,
                    ),
                )
            except ServiceError as err:
                session.rollback()
                outcome["save"] = err
                return
            outcome["save"] = result.revision.id if result.conflict is None else result.conflict

    def act() -> None:
        with app.app_context():
            barrier.wait()
            try:
                operation(app, title, first)
                outcome["operation"] = "done"
            except ServiceError as err:
                get_session().rollback()
                outcome["operation"] = err

    threads = [threading.Thread(target=save), threading.Thread(target=act)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcome


def _public_chain(session, page: Page) -> list[int]:
    """Ids of the page's current public revision and all its ancestors."""
    chain = []
    revision = page.latest_revision
    while revision is not None:
        chain.append(revision.id)
        revision = session.get(Revision, revision.parent_id) if revision.parent_id else None
    return chain


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_a_save_racing_an_operation_is_kept_or_refused(app: Flask, make_page, name: str):
    operation = OPERATIONS[name]
    with app.app_context():
        create_user(get_session(), "Saveur", "mot de passe solide", trust="granted")
        create_user(get_session(), "Modo", "mot de passe solide", role="admin")
    lost = []
    for iteration in range(ITERATIONS):
        title = parse_title(f"Course {name} {iteration}")
        first, second = _page_with_history(app, make_page, title.full)
        outcome = _race(app, title, second, first, operation)
        assert set(outcome) == {"save", "operation"}, outcome  # neither thread crashed
        saved = outcome["save"]
        if isinstance(saved, ServiceError):  # refused, saying why
            assert saved.code == REFUSALS.get(name), (saved.code, saved.message)
            continue
        assert isinstance(saved, int), saved
        with app.app_context():
            session = get_session()
            page = session.get(Page, session.get(Revision, saved).page_id)
            if saved not in _public_chain(session, page):
                lost.append((iteration, saved, outcome["operation"]))
    assert not lost, f"acknowledged saves orphaned off the page's chain: {lost}"


@pytest.mark.parametrize("leave_redirect", [True, False])
def test_a_save_after_a_rename_names_the_new_title(app, auth, make_page, leave_redirect):
    """The edit form was opened before the rename: saving says where the page went."""
    make_page("Verger", FIRST)
    alice = app.test_client()
    auth.login("Alice", client=alice)
    form = edit_form(alice, "Verger")
    with app.app_context():
        session = get_session()
        admin = create_user(session, "Modo", "mot de passe solide", role="admin")
        writing.rename(
            writing.context_for(app, session),
            page=rev.find_page(session, parse_title("Verger")),
            new_title=parse_title("Verger partagé"),
            author=rev.Author(user=admin),
            leave_redirect=leave_redirect,
        )
    response = alice.post("/wiki/Verger?action=edit", data={**form, "text": SECOND, "save": "1"})
    assert response.status_code == 409
    assert "renommée en « Verger partagé »" in response.text


def test_a_save_landing_after_a_delete_is_refused(app, make_page):
    """The page is deleted between the save's read and its write (SQLite lets it happen,
    PostgreSQL's row lock makes the delete wait): the save is refused, not stored on a
    deleted page; when the delete has to wait, the save is kept and deleted with the page."""
    _first, second = _page_with_history(app, make_page, "Verger")
    with app.app_context():
        create_user(get_session(), "Modo", "mot de passe solide", role="admin")
    finished: list[bool] = []

    def delete_meanwhile(*_args) -> None:
        thread = threading.Thread(target=_in_context, args=(app, _delete, parse_title("Verger")))
        thread.start()
        thread.join(timeout=3)
        finished.append(not thread.is_alive())
        threads.append(thread)

    threads: list[threading.Thread] = []
    with app.app_context():
        session = get_session()
        event.listen(session, "before_flush", delete_meanwhile, once=True)
        try:
            result = writing.save(
                writing.context_for(app, session),
                writing.Edit(
                    title=parse_title("Verger"),
                    text=SECOND + "\nUne ligne de plus.\n",
                    base_revision_id=second,
                    author=rev.Author(user=find_user(session, "Alice")),
                ),
            )
            refused = None
        except ServiceError as err:
            session.rollback()
            refused = err
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Verger"))
        assert page.is_deleted
        if finished == [True]:  # deleted first: the save may not land on the deleted page
            assert refused is not None and refused.code == "page-deleted"
            assert page.latest_revision_id == second
        else:  # the delete waited for the save
            assert refused is None
            assert result.revision.id in _public_chain(session, page)


def _in_context(app: Flask, operation: Callable, title: Title) -> None:
    with app.app_context():
        operation(app, title, 0)
