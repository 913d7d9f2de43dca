"""The change stamp (wikicoop.core.change_stamp): the same while nothing is committed,
different after any commit, by this process or another, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import scratch_database
from sqlalchemy import Engine, text

from wikicoop.core.change_stamp import ChangeStamp
from wikicoop.core.db import make_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'wiki.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (body TEXT)"))
    yield engine
    engine.dispose()


def write(engine: Engine, body: str = "x") -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO notes VALUES (:b)"), {"b": body})


@pytest.mark.any_database
def test_sqlite_the_stamp_moves_with_commits_only(sqlite_engine: Engine) -> None:
    stamp = ChangeStamp(sqlite_engine)
    first = stamp.current()
    with sqlite_engine.connect() as conn:
        conn.execute(text("SELECT * FROM notes")).all()
    assert stamp.current() == first  # a read commits nothing
    write(sqlite_engine)
    second = stamp.current()
    assert second != first
    path = sqlite_engine.url.database
    other = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO notes VALUES ('y')\"); c.commit()"  # noqa: E501
    subprocess.run([sys.executable, "-c", other, path], check=True)
    assert stamp.current() not in (first, second)  # another process's commit
    stamp.close()


@pytest.mark.any_database
def test_sqlite_a_replaced_or_missing_file_is_never_unchanged(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    stamp = ChangeStamp(sqlite_engine)
    path = Path(sqlite_engine.url.database)
    before = stamp.current()
    sqlite_engine.dispose()
    shutil.copy(path, tmp_path / "backup.db")
    (tmp_path / "backup.db").replace(path)  # a backup restored: another file, same name
    assert stamp.current() != before
    path.rename(tmp_path / "away.db")
    assert stamp.current() != stamp.current()  # no file: no stamp ever equal
    stamp.close()


def test_postgresql_the_stamp_moves_with_commits(tmp_path: Path) -> None:
    with scratch_database("postgresql", tmp_path, "stamp") as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        stamp = ChangeStamp(engine)
        for _ in range(100):  # other test processes commit on the same server meanwhile
            first = stamp.current()
            with engine.connect() as conn:
                conn.execute(text("SELECT * FROM notes")).all()
            if stamp.current() == first:
                break
        else:
            pytest.fail("the stamp moved around every read")
        write(engine)
        assert stamp.current() != first
        stamp.close()
