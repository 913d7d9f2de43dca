"""PostgreSQL's change stamp read without the app (wikicoop.postgres_stamp): the URL it
connects to, and the same text as the app's stamp."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import scratch_database
from sqlalchemy import text

from wikicoop.core.change_stamp import ChangeStamp
from wikicoop.postgres_stamp import PostgresStamp, libpq_uri


@pytest.mark.any_database
@pytest.mark.parametrize(
    ("database_url", "uri"),
    [
        (
            "postgresql+psycopg://wiki:s%40cret@db.example:5433/wiki?sslmode=require",
            "postgresql://wiki:s%40cret@db.example:5433/wiki?sslmode=require",
        ),
        ("postgresql://postgres@127.0.0.1/test", "postgresql://postgres@127.0.0.1/test"),
        (
            "postgres:///wiki?host=/var/run/postgresql",
            "postgresql:///wiki?host=/var/run/postgresql",
        ),
        ("postgresql+psycopg2://postgres@127.0.0.1/test", None),  # not psycopg 3's
        ("sqlite:////srv/wiki/wikicoop.db", None),
        ("", None),
    ],
)
def test_the_libpq_uri_of_a_database_url(database_url: str, uri: str | None) -> None:
    assert libpq_uri(database_url) == uri


@pytest.mark.any_database
def test_another_database_is_refused_at_the_first_read() -> None:
    stamp = PostgresStamp("sqlite:////srv/wiki/wikicoop.db")
    with pytest.raises(ValueError):
        stamp.read()
    stamp.close()  # nothing to close: no error either


def test_the_stamp_read_without_the_app_is_the_app_s(tmp_path: Path) -> None:
    """What the early answers read before the app exists is the text the app's stamp
    has, while nothing is committed (other test processes commit on the same server:
    a read between two equal app stamps must equal them), and moves with a commit."""
    with scratch_database("postgresql", tmp_path, "early_stamp") as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        app_stamp = ChangeStamp(engine)
        early = PostgresStamp(engine.url.render_as_string(hide_password=False))
        try:
            for _ in range(100):
                before, read, after = app_stamp.current(), early.read(), app_stamp.current()
                if before == after:
                    assert read == before
                    break
            else:
                pytest.fail("the server's snapshot moved around every read")
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO notes VALUES ('x')"))
            assert early.read() != read
        finally:
            early.close()
            app_stamp.close()
