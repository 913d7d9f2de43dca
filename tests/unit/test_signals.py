"""The transaction helpers of wikicoop.core.signals on a real SQLite database: a
``last_write`` runs once per key, after every other statement of its transaction and
inside it; a rollback drops it; ``after_commit`` actions run only after a commit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, sessionmaker

from wikicoop.core import signals

pytestmark = pytest.mark.any_database

metadata = MetaData()
counter = Table(
    "counter", metadata, Column("name", String, primary_key=True), Column("value", Integer)
)
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String))


@pytest.fixture
def maker() -> Iterator[sessionmaker[Session]]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(counter.insert().values(name="generation", value=0))
    made = sessionmaker(engine)
    signals.run_after_commit_actions(made)
    yield made
    engine.dispose()


def bump(session: Session) -> None:
    session.execute(sql_update(counter).values(value=counter.c.value + 1))


def generation(made: sessionmaker[Session]) -> int:
    with made() as session:
        return session.scalar(select(counter.c.value))


def test_a_last_write_runs_once_after_the_transactions_other_statements(
    maker: sessionmaker[Session],
) -> None:
    statements: list[str] = []
    engine = maker.kw["bind"]
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].split()[0]))
    with maker() as session:
        signals.last_write(session, "generation", bump)
        session.execute(notes.insert().values(text="one"))
        signals.last_write(session, "generation", bump)  # asked twice: once
        session.execute(notes.insert().values(text="two"))
        assert generation(maker) == 0  # nothing yet
        session.commit()
        written = list(statements)
    assert written[-1] == "UPDATE" and written.count("UPDATE") == 1
    assert generation(maker) == 1


def test_a_rollback_drops_the_last_write_and_the_after_commit_actions(
    maker: sessionmaker[Session],
) -> None:
    done: list[str] = []
    with maker() as session:
        signals.last_write(session, "generation", bump)
        signals.after_commit(session, lambda: done.append("after"))
        session.execute(notes.insert().values(text="dropped"))
        session.rollback()
        session.execute(notes.insert().values(text="kept"))
        session.commit()
    assert generation(maker) == 0
    assert done == []


def test_after_commit_actions_follow_the_commit(maker: sessionmaker[Session]) -> None:
    seen: list[int] = []
    with maker() as session:
        signals.last_write(session, "generation", bump)
        signals.after_commit(session, lambda: seen.append(generation(maker)))
        session.commit()
    assert seen == [1]  # the action saw the committed counter
