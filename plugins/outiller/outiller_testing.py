"""Plain helpers of the plugin's tests (their fixtures are in ``conftest.py``, which tests
never import): the plugin's migrations folder and tables, local moments as typed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from .tables import OWN_TABLES

VERSIONS = Path(__file__).parent / "versions"
PARIS = ZoneInfo("Europe/Paris")


def drop_own_tables(engine: Engine) -> None:
    """Drop the plugin's tables and forget its branch's recorded version. On PostgreSQL
    one statement, parents first: the locks are taken in the order the plugin's own
    queries take them (occurrences, then registrations), so no reader deadlocks it."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in reversed(OWN_TABLES))
            connection.execute(text(f"DROP TABLE IF EXISTS {names}"))
        else:
            for table in OWN_TABLES:
                table.drop(connection, checkfirst=True)
        connection.execute(text("DELETE FROM alembic_version WHERE version_num LIKE 'outiller_%'"))


def local_iso(moment: datetime) -> str:
    """A moment as typed in the editor: local, to the minute, no offset."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def in_days(days: float, hour: int = 14) -> datetime:
    """A local moment ``days`` from today at ``hour``:00."""
    day = datetime.now(PARIS) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)
