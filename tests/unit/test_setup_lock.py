"""The setup lock: servers started together on one PostgreSQL set it up one at a time
(the concurrent start itself is shown by tests/web/test_two_servers.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from wikicoop.core.setup_lock import LOCK_CLASS, setup_lock

TRY = text("SELECT pg_try_advisory_lock(:cls, hashtext(current_schema()))")
UNLOCK = text("SELECT pg_advisory_unlock(:cls, hashtext(current_schema()))")


def test_a_second_setup_waits_for_the_first_of_its_schema_only(postgres_url: str | None) -> None:
    if not postgres_url:
        pytest.skip("an advisory lock of PostgreSQL: set WIKICOOP_DATABASE_URL")
    engine = create_engine(postgres_url)
    other_schema = create_engine(postgres_url.split("?")[0])  # the default schema
    try:
        with setup_lock(engine):
            with engine.connect() as second:
                assert second.execute(TRY, {"cls": LOCK_CLASS}).scalar() is False
            with other_schema.connect() as elsewhere:
                assert elsewhere.execute(TRY, {"cls": LOCK_CLASS}).scalar() is True
                elsewhere.execute(UNLOCK, {"cls": LOCK_CLASS})
        with engine.connect() as after:  # released at the end of the block
            assert after.execute(TRY, {"cls": LOCK_CLASS}).scalar() is True
            after.execute(UNLOCK, {"cls": LOCK_CLASS})
    finally:
        engine.dispose()
        other_schema.dispose()
