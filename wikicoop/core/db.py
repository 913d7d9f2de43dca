"""The database engine and the schema's migrations.

No Flask here: the app's engine is built by :func:`wikicoop.web.db.init_app`, which also
hands out one session per app context (``get_session``). Services receive the session
as an argument.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert

if TYPE_CHECKING:  # Alembic is loaded only when a migration runs (a quicker start)
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


#: SQLite's page cache of each connection, in KiB
SQLITE_CACHE_KIB = 256


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # 512 KiB of pages a connection instead of 2 MiB: each worker holds one a
            # thread, the file's pages stay in the OS's cache, shared by all
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def insert_unless_present(table: Table, dialect_name: str) -> Insert | None:
    """An ``INSERT`` into ``table`` that skips a row whose unique key is already there
    (``ON CONFLICT DO NOTHING``), on PostgreSQL and SQLite; None on another database.
    The dialect's module is imported here, not at the start: PostgreSQL's costs a
    SQLite wiki 25 ms of its cold start (issue 14, point 4)."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect_name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return None
    return insert(table).on_conflict_do_nothing()


#: where the app keeps its engine and its session factory (``app.extensions``)
ENGINE_KEY = "wikicoop.engine"
SESSIONMAKER_KEY = "wikicoop.sessionmaker"


def engine_of(app: Any) -> Engine:
    """The engine of ``app`` (any object with Flask's ``extensions`` dict)."""
    return app.extensions[ENGINE_KEY]


def sessionmaker_of(app: Any) -> sessionmaker[Session]:
    """The session factory of ``app`` (sessions that run the after-commit actions)."""
    return app.extensions[SESSIONMAKER_KEY]


#: the key of ``session.info`` that holds the app a session was made for
SESSION_APP = "wikicoop.app"


def app_of(session: Session) -> Any:
    """The app whose session factory made ``session``.

    The listeners of the factory's sessions find their app here rather than in a
    closure: SQLAlchemy keeps class-level listeners in a module-level weak-key mapping
    whose values would then hold the app, and through it the key, forever.
    """
    return session.info[SESSION_APP]


#: indexes that migrations make on PostgreSQL only (an operator class, an expression:
#: what the models cannot declare for both databases); autogenerate leaves them alone
POSTGRESQL_ONLY_INDEXES = frozenset(
    {"ix_search_entries_title_prefix", "ix_search_entries_name_prefix"}
)


def compared_by_autogenerate(
    _object: object, name: str | None, type_: str, reflected: bool, _compare_to: object
) -> bool:
    """Alembic's ``include_object``: everything but :data:`POSTGRESQL_ONLY_INDEXES`."""
    return not (type_ == "index" and reflected and name in POSTGRESQL_ONLY_INDEXES)


def alembic_config(engine: Engine, version_dirs: Sequence[str] = ()) -> AlembicConfig:
    """An Alembic configuration bound to ``engine`` (no alembic.ini needed).

    :param version_dirs: more version folders (the plugins' own tables, each a branch).
    """
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if version_dirs:
        cfg.set_main_option("path_separator", "os")
        folders = [str(MIGRATIONS_DIR / "versions"), *version_dirs]
        cfg.set_main_option("version_locations", os.pathsep.join(folders))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade_schema(engine: Engine, version_dirs: Sequence[str] = ()) -> None:
    """Bring the schema to the latest migration of every branch (idempotent).

    The branches of plugins that are disabled (or gone) are left as they are: their
    recorded versions are set aside during the upgrade, which could not resolve them,
    and put back after it, in the same transaction. When the database is already at
    every head, Alembic is not even loaded (a quicker start).
    """
    if _at_heads(engine, version_dirs):
        return
    with engine.begin() as connection:
        # the core's branch first: a plugin's migrations may then refer to its tables
        # (pages, users) whether or not they name a core revision in ``depends_on``
        # (Alembic runs independent branches in no fixed order)
        _upgrade_branches(engine, connection, ())
        if version_dirs:
            _upgrade_branches(engine, connection, version_dirs)


def _upgrade_branches(engine: Engine, connection: Connection, version_dirs: Sequence[str]) -> None:
    """Upgrade the branches found in the core's and ``version_dirs``' folders to their
    heads, the versions of other branches set aside meanwhile."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine, version_dirs)
    cfg.attributes["connection"] = connection
    known = {script.revision for script in ScriptDirectory.from_config(cfg).walk_revisions()}
    heads = MigrationContext.configure(connection).get_current_heads()
    aside = [head for head in heads if head not in known]
    for head in aside:
        connection.execute(_DELETE_VERSION, {"version": head})
    command.upgrade(cfg, "heads")
    for head in aside:
        connection.execute(_INSERT_VERSION, {"version": head})


def declared_revisions(folders: Iterable[Path]) -> tuple[set[str], set[str]]:
    """Every revision the migration files of ``folders`` declare, and the heads among
    them (those no other revision follows), read from the files without running them."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for folder in folders:
        for path in Path(folder).glob("*.py"):
            declared = _module_constants(path, ("revision", "down_revision"))
            if isinstance(declared.get("revision"), str):
                revisions.add(declared["revision"])
            down = declared.get("down_revision")
            followed.update([down] if isinstance(down, str) else down or ())
    return revisions, revisions - followed


def _module_constants(path: Path, names: Sequence[str]) -> dict[str, Any]:
    """The literal values assigned to ``names`` at the top of a Python file: only the
    lines that assign them are parsed, unless one of them goes on over several lines
    (a whole migration file takes 0.3 ms to parse, at each start)."""
    source = path.read_text(encoding="utf-8")
    assigning = re.compile(rf"^(?:{'|'.join(map(re.escape, names))})\b.*$", re.MULTILINE)
    try:
        tree = ast.parse("\n".join(assigning.findall(source)))
    except SyntaxError:  # an assignment over several lines
        tree = ast.parse(source)
    found: dict[str, Any] = {}
    for node in tree.body:
        target = value = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id in names and value is not None:
            found[target.id] = ast.literal_eval(value)
    return found


def _at_heads(engine: Engine, version_dirs: Sequence[str]) -> bool:
    """Whether the database is at the head of every branch found (the versions of
    branches not found, a disabled plugin's, are left aside as the upgrade does)."""
    known, heads = declared_revisions([MIGRATIONS_DIR / "versions", *map(Path, version_dirs)])
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            current = {row[0] for row in rows}
    except SQLAlchemyError:  # no table yet: a new database
        return False
    return heads <= current and not (current - heads) & known


_DELETE_VERSION = text("DELETE FROM alembic_version WHERE version_num = :version")
_INSERT_VERSION = text("INSERT INTO alembic_version (version_num) VALUES (:version)")


def schema_is_empty(engine: Engine) -> bool:
    """True before the first migration ran."""
    return not inspect(engine).has_table("pages")
