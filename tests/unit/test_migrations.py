"""Upgrading a wiki that already has pages: migrations 0002 to 0009 keep every row, and go back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import scratch_database
from sqlalchemy import Engine, create_engine, inspect, text

from wikicoop.core.db import alembic_config, compared_by_autogenerate, upgrade_schema
from wikicoop.core.models import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path: Path) -> Iterator[Engine]:
    with scratch_database(request.param, tmp_path, "migration") as engine:
        yield engine


def test_upgrade_from_0001_keeps_pages_and_publishes_their_revisions(engine: Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "0001")
    with engine.begin() as conn:  # a wiki of the first schema, with one page
        conn.execute(
            text(
                "INSERT INTO users (id, username, username_key, password_hash, role, active,"
                " session_nonce, created_at) VALUES (1, 'Alice', 'alice', 'x', 'contributor',"
                " true, 'n', '2026-01-01 00:00:00+00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO pages (id, namespace, name, licence, language, created_at,"
                " touched_at) VALUES (1, 'main', 'Accueil', 'CC-BY-SA-4.0', 'fr',"
                " '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO revisions (id, page_id, author_id, created_at, summary, minor,"
                " size, text, licence, action, status) VALUES (1, 1, 1,"
                " '2026-01-01 00:00:00+00', '', false, 6, 'Salut\n', 'CC-BY-SA-4.0',"
                " 'create', 'published')"
            )
        )
        conn.execute(text("UPDATE pages SET latest_revision_id = 1 WHERE id = 1"))

    upgrade_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT trust FROM users")).scalar_one() == "auto"
        assert conn.execute(text("SELECT protection FROM pages")).scalar_one() == ""
        row = conn.execute(
            text("SELECT status, pending_reasons, review_reason FROM revisions")
        ).one()
        assert tuple(row) == ("published", "", "")
        assert conn.execute(text("SELECT latest_revision_id FROM pages")).scalar_one() == 1
        differences = compare_metadata(
            MigrationContext.configure(
                conn,
                opts={"compare_type": True, "include_object": compared_by_autogenerate},
            ),
            Base.metadata,
        )
    if engine.dialect.name == "sqlite":
        # SQLite cannot ALTER a foreign key in: the two reviewer references stay
        # unconstrained; nor change a column's VARCHAR length, which it does not enforce
        # anyway (0006: revisions.author_ip)
        kinds = {d[0][0] if isinstance(d, list) else d[0] for d in differences}
        assert kinds <= {"add_fk", "modify_type"}
        assert [d[0][3] for d in differences if isinstance(d, list)] in ([], ["author_ip"])
    else:
        assert differences == []

    command.downgrade(config, "0001")  # and back, with the page still there
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM pages")).scalar_one() == "Accueil"
    upgrade_schema(engine)


def _execute(engine: Engine, *statements: str) -> None:
    """Run raw SQL ``statements`` in one transaction (rows written at an older schema)."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_0003_adds_the_bot_flag_off_and_goes_back(engine: Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "0002")
    _execute(
        engine,
        "INSERT INTO users (id, username, username_key, password_hash, role, active,"
        " session_nonce, created_at, trust) VALUES (1, 'Alice', 'alice', 'x',"
        " 'contributor', true, 'n', '2026-01-01 00:00:00+00', 'auto')",
    )
    command.upgrade(config, "0003")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT bot FROM users")).scalar_one() in (False, 0)
    command.downgrade(config, "0002")
    with engine.connect() as conn:
        columns = [c["name"] for c in inspect(conn).get_columns("users")]
        assert "bot" not in columns
        assert conn.execute(text("SELECT username FROM users")).scalar_one() == "Alice"
    upgrade_schema(engine)


def test_0004_adds_page_type_and_fields_empty_and_goes_back(engine: Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "0003")
    _execute(  # one page with one revision, saved before page types existed
        engine,
        "INSERT INTO pages (id, namespace, name, licence, language, created_at,"
        " touched_at, protection) VALUES (1, 'main', 'Accueil', 'CC-BY-SA-4.0', 'fr',"
        " '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', '')",
        "INSERT INTO revisions (id, page_id, created_at, summary, minor, size, text,"
        " licence, action, status, pending_reasons, review_reason) VALUES (1, 1,"
        " '2026-01-01 00:00:00+00', '', false, 6, 'Salut\n', 'CC-BY-SA-4.0', 'create',"
        " 'published', '', '')",
    )
    command.upgrade(config, "0004")
    with engine.begin() as conn:
        assert tuple(conn.execute(text("SELECT page_type, fields FROM revisions")).one()) == (
            None,
            None,
        )
        conn.execute(
            text("UPDATE revisions SET page_type = 'recette', fields = '{\"portions\": 4}'")
        )
    command.downgrade(config, "0003")
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("revisions")}
        assert not columns & {"page_type", "fields"}
        assert conn.execute(text("SELECT text FROM revisions")).scalar_one() == "Salut\n"
    upgrade_schema(engine)


def test_0005_adds_the_render_fingerprint_empty_and_goes_back(engine: Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "0005")
    with engine.connect() as conn:
        columns = {c["name"]: c for c in inspect(conn).get_columns("render_cache")}
        assert columns["fingerprint"]["nullable"]
    command.downgrade(config, "0004")
    with engine.connect() as conn:
        assert "fingerprint" not in {c["name"] for c in inspect(conn).get_columns("render_cache")}
    upgrade_schema(engine)


def test_0006_widens_the_author_name_and_goes_back(engine: Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "0006")
    name = "wiki-brest>" + "Maëlle Le Goff, animatrice " * 3
    _execute(
        engine,
        "INSERT INTO pages (id, namespace, name, language, licence, created_at, touched_at,"
        " protection)"
        " VALUES (7, 'main', 'Importée', 'fr', 'CC-BY-SA-4.0', '2026-01-01 00:00:00+00',"
        " '2026-01-01 00:00:00+00', '')",
        "INSERT INTO revisions (id, page_id, author_ip, created_at, summary, minor, size, text,"
        " licence, action, status, pending_reasons, review_reason) VALUES (7, 7,"
        f" '{name}', '2026-01-01 00:00:00+00', '', false, 1, 'x', 'CC-BY-SA-4.0', 'import',"
        " 'published', '', '')",
    )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT author_ip FROM revisions")).scalar_one() == name
    command.downgrade(config, "0005")
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT author_ip FROM revisions")).scalar_one()
    assert kept == name[:45] if engine.dialect.name != "sqlite" else kept == name
    _execute(engine, "DELETE FROM revisions", "DELETE FROM pages")
    upgrade_schema(engine)


#: old rows 0009 converts: accents, an empty text, a 2 MB text, a short one left raw
_TEXTS_0009 = {
    1: "Fête des voisins à Kerourien : crêpes, café et « bonne humeur » ! " * 20,
    2: "",
    3: ("Le Repair Café répare grille-pains, vélos et ordinateurs. " * 40_000)[:2_000_000],
    4: "Été",
}


def test_0009_compresses_revision_texts_in_place_and_goes_back(
    engine: Engine, capfd: pytest.CaptureFixture[str]
) -> None:
    from wikicoop.core.compressed_text import RAW, ZLIB, decompress_text

    config = alembic_config(engine)
    command.upgrade(config, "0008")
    capfd.readouterr()
    command.upgrade(config, "0009")  # no rows: not a word on stderr
    assert capfd.readouterr().err == ""
    command.downgrade(config, "0008")
    _execute(
        engine,
        "INSERT INTO pages (id, namespace, name, licence, language, created_at,"
        " touched_at, protection) VALUES (1, 'main', 'Fête', 'CC-BY-SA-4.0', 'fr',"
        " '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', '')",
    )
    with engine.begin() as conn:
        for row_id, body in _TEXTS_0009.items():
            conn.execute(
                text(
                    "INSERT INTO revisions (id, page_id, created_at, summary, minor, size,"
                    " text, licence, action, status, pending_reasons, review_reason)"
                    " VALUES (:id, 1, '2026-01-01 00:00:00+00', '', false, :size, :text,"
                    " 'CC-BY-SA-4.0', 'edit', 'published', '', '')"
                ),
                {"id": row_id, "size": len(body.encode()), "text": body},
            )
        many = {row_id: f"Retouche n° {row_id} : « été » " * 4 for row_id in range(10, 1210)}
        conn.execute(  # more rows than one batch holds (BATCH_ROWS = 500)
            text(
                "INSERT INTO revisions (id, page_id, created_at, summary, minor, size,"
                " text, licence, action, status, pending_reasons, review_reason)"
                " VALUES (:id, 1, '2026-01-01 00:00:00+00', '', false, 1, :text,"
                " 'CC-BY-SA-4.0', 'edit', 'published', '', '')"
            ),
            [{"id": row_id, "text": body} for row_id, body in many.items()],
        )
    capfd.readouterr()
    command.upgrade(config, "0009")
    err = capfd.readouterr().err
    assert "Compression des textes des révisions" in err and "1204/1204 (100 %)" in err
    assert "500/1204" in err  # redrawn after each batch
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, text FROM revisions")).all())
        column = {c["name"]: c for c in inspect(conn).get_columns("revisions")}["text"]
    assert not column["nullable"]
    assert {i: decompress_text(v) for i, v in stored.items()} == {**_TEXTS_0009, **many}
    assert bytes(stored[1])[0] == ZLIB and bytes(stored[4])[0] == RAW
    assert len(bytes(stored[3])) < len(_TEXTS_0009[3]) // 50  # repetitive: > 50x smaller

    command.downgrade(config, "0008")
    assert "Décompression" in capfd.readouterr().err
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT id, text FROM revisions")).all())
        column = {c["name"]: c for c in inspect(conn).get_columns("revisions")}["text"]
    assert back == {**_TEXTS_0009, **many}
    assert not column["nullable"]
    upgrade_schema(engine)
    with engine.connect() as conn:  # the ORM reads the converted rows as str
        from sqlalchemy.orm import Session

        from wikicoop.core.models import Revision

        with Session(conn) as session:
            assert session.get(Revision, 1).text == _TEXTS_0009[1]
            assert session.get(Revision, 2).text == ""


def test_a_fresh_database_takes_every_plugin_branch_at_once(engine: Engine) -> None:
    """`wikicoop init` on an empty database: the core's branch goes first, so a plugin's
    first migration may refer to pages and users without naming a core revision (on
    PostgreSQL a foreign key to a missing table fails)."""
    from wikicoop.bundled_data import bundled_dir

    dirs = sorted(
        str(path) for path in bundled_dir("plugins").glob("*/versions") if any(path.glob("*.py"))
    )
    assert len(dirs) >= 4
    upgrade_schema(engine, dirs)
    tables = set(inspect(engine).get_table_names())
    assert {"pages", "users", "outiller_registrations", "relier_interwiki"} <= tables
    upgrade_schema(engine, dirs)  # and again: nothing to do


def _plugin_version_dirs() -> list[str]:
    from wikicoop.bundled_data import bundled_dir

    return sorted(
        str(path) for path in bundled_dir("plugins").glob("*/versions") if any(path.glob("*.py"))
    )


def test_the_heads_read_from_the_files_are_alembic_s() -> None:
    """The quick check at start reads the migration files without running them: it
    finds the same revisions and heads as Alembic."""
    from alembic.script import ScriptDirectory

    from wikicoop.core.db import MIGRATIONS_DIR, declared_revisions

    dirs = _plugin_version_dirs()
    config = alembic_config(create_engine("sqlite://"), dirs)
    scripts = ScriptDirectory.from_config(config)
    known, heads = declared_revisions([MIGRATIONS_DIR / "versions", *map(Path, dirs)])
    assert known == {script.revision for script in scripts.walk_revisions()}
    assert heads == set(scripts.get_heads()) and len(heads) > len(dirs)  # core + plugins


def test_a_database_at_every_head_is_not_handed_to_alembic(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wikicoop.core.db as db

    dirs = _plugin_version_dirs()
    upgrade_schema(engine, dirs)
    upgraded: list[tuple[str, ...]] = []
    real_upgrade = db._upgrade_branches

    def recording(engine: Engine, connection, version_dirs) -> None:
        upgraded.append(tuple(version_dirs))
        real_upgrade(engine, connection, version_dirs)

    monkeypatch.setattr(db, "_upgrade_branches", recording)
    upgrade_schema(engine, dirs)
    upgrade_schema(engine, dirs[1:])  # a plugin disabled: its version is left aside
    assert upgraded == []
    command.downgrade(alembic_config(engine, dirs), "0010")
    upgrade_schema(engine, dirs)  # one revision behind: upgraded
    assert upgraded == [(), tuple(dirs)]
    with engine.connect() as conn:
        assert "0011" in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
