"""A page with 10,000 revisions opens its history, diffs any two and restores with the same
work as a page with 10: the same SQL statements and the same number of revision texts
decompressed (proved by counting, not by timing: bench/bench_long_history.py times them)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, page_path
from sqlalchemy import bindparam, event, insert, select, update

from wikicoop.core.compressed_text import STATS
from wikicoop.core.db import engine_of
from wikicoop.core.models import Page, Revision, utcnow
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

LONG, SHORT = 10_000, 10
PARAGRAPH = (
    "Le Repair Café de Kerourien ouvre chaque premier samedi du mois, de 14 h à 18 h, à la "
    "maison de quartier. Bénévoles et voisins y réparent ensemble grille-pains, vélos, "
    "vêtements et ordinateurs : on apprend en faisant, on évite de jeter.\n\n"
)


def version_text(number: int) -> str:
    """The text of the ``number``-th version: a growing French page, one line changed."""
    return f"= Repair Café =\n\nVersion n° {number}.\n\n" + PARAGRAPH * (3 + number % 7)


def wiki(title: str) -> str:
    """The page's web address."""
    return "/wiki/" + title.replace(" ", "_")


def build_page(app: Flask, make_page: Any, title: str, count: int) -> list[int]:
    """A page with ``count`` published revisions (the first through the write path, the
    others inserted in bulk with SQLAlchemy Core), newest as its public one; their ids."""
    first = make_page(title, version_text(0), summary="Création")
    with app.app_context():
        session = get_session()
        page = session.scalars(select(Page).where(Page.name == parse_title(title).name)).one()
        start = utcnow()
        author_id = session.get(Revision, first).author_id
        rows = [
            {
                "page_id": page.id,
                "author_id": author_id,
                "created_at": start + timedelta(minutes=n),
                "summary": f"Retouche n° {n}",
                "minor": False,
                "size": len(version_text(n).encode()),
                "text": version_text(n),
                "licence": page.licence,
                "action": "edit",
                "status": "published",
            }
            for n in range(1, count)
        ]
        if rows:
            session.execute(insert(Revision.__table__), rows)
        ids = list(
            session.scalars(
                select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
            )
        )
        # each revision's parent is the one before it (one statement per revision would
        # take long: a batch of parameter sets)
        session.execute(
            update(Revision.__table__).where(Revision.__table__.c.id == bindparam("rid")),
            [{"rid": rid, "parent_id": parent} for parent, rid in pairwise(ids)],
        )
        page.latest_revision_id = ids[-1]
        session.commit()
    assert len(ids) == count
    return ids


@dataclass
class Work:
    """What a request did: its SQL statements and how many revision texts it decoded."""

    statements: list[str] = field(default_factory=list)
    texts: int = 0


@contextmanager
def measured(app: Flask) -> Iterator[Work]:
    """Count the statements run and the revision texts decompressed inside the block."""
    work = Work()
    me = threading.get_ident()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # this request's statements, not those of the search index's thread
        if threading.get_ident() == me:
            work.statements.append(statement)

    engine = engine_of(app)
    event.listen(engine, "before_cursor_execute", count)
    STATS.reset()
    try:
        yield work
    finally:
        work.texts = STATS.decoded
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def pages(app: Flask, make_page: Any) -> dict[str, list[int]]:
    return {
        "Longue histoire": build_page(app, make_page, "Longue histoire", LONG),
        "Courte histoire": build_page(app, make_page, "Courte histoire", SHORT),
    }


def _work(app: Flask, client: FlaskClient, path: str, **form: str) -> Work:
    with measured(app) as work:
        response = client.post(path, data=form) if form else client.get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    return work


def _same_work(long: Work, short: Work, what: str) -> None:
    assert len(long.statements) == len(short.statements), (what, long.statements)
    assert long.texts == short.texts, what


def test_history_pages_read_no_text_whatever_the_length(
    app: Flask, client: FlaskClient, pages: dict[str, list[int]]
) -> None:
    size = app.config["HISTORY_PAGE_SIZE"]
    for offset_of in (lambda n: 0, lambda n: n // 2, lambda n: max(0, n - size)):
        done = {}
        for title, ids in pages.items():
            path = f"{wiki(title)}?action=history&offset={offset_of(len(ids))}"
            done[title] = _work(app, client, path)
            api = f"{page_path(title, '/history')}?offset={offset_of(len(ids))}"
            done[title + " API"] = _work(app, client, api)
        _same_work(done["Longue histoire"], done["Courte histoire"], "history")
        _same_work(done["Longue histoire API"], done["Courte histoire API"], "API history")
        # no text is decompressed to list revisions, however many there are
        assert done["Longue histoire"].texts == 0
        assert done["Longue histoire API"].texts == 0
    last = client.get(f"{wiki('Longue histoire')}?action=history&offset={LONG - 1}")
    assert f"Retouche n° {LONG - 1}" not in last.text and "Création" in last.text
    first = client.get(f"{wiki('Longue histoire')}?action=history").text
    assert f"{LONG} versions au total" in first


def test_a_diff_of_the_first_and_last_revisions_reads_those_two_texts(
    app: Flask, client: FlaskClient, pages: dict[str, list[int]]
) -> None:
    done = {}
    for title, ids in pages.items():
        done[title] = _work(app, client, f"{wiki(title)}?action=diff&from={ids[0]}&to={ids[-1]}")
        done[title + " API"] = _work(
            app, client, f"{page_path(title, '/diff')}?from={ids[0]}&to={ids[-1]}"
        )
    _same_work(done["Longue histoire"], done["Courte histoire"], "diff")
    _same_work(done["Longue histoire API"], done["Courte histoire API"], "API diff")
    assert done["Longue histoire"].texts == 2
    assert done["Longue histoire API"].texts == 2
    body = client.get(
        f"{wiki('Longue histoire')}?action=diff&from={pages['Longue histoire'][0]}"
        f"&to={pages['Longue histoire'][-1]}"
    ).text
    assert str(LONG - 1) in body


def test_restoring_the_first_revision_reads_it_once(
    app: Flask, client: FlaskClient, auth: Any, pages: dict[str, list[int]]
) -> None:
    auth.login("Restauratrice")
    done = {}
    for title, ids in pages.items():
        path = f"{wiki(title)}?action=restore&revision={ids[0]}"
        form = _work(app, client, path)
        token = csrf_from(client.get(path).text)
        done[title + " form"] = form
        done[title] = _work(app, client, path, csrf_token=token, revision=str(ids[0]))
    _same_work(done["Longue histoire form"], done["Courte histoire form"], "restore form")
    _same_work(done["Longue histoire"], done["Courte histoire"], "restore")
    # the form shows the diff of the current version and the old one: those two texts
    assert done["Longue histoire form"].texts == 2
    with app.app_context():
        session = get_session()
        page = session.scalars(select(Page).where(Page.name == "Longue histoire")).one()
        latest = session.get(Revision, page.latest_revision_id)
        assert latest.text.strip() == version_text(0).strip() and latest.action == "restore"
        assert latest.id > pages["Longue histoire"][-1]
