"""The media library's own test fixtures (the wiki's, such as ``app``, ``client`` and
``auth``, come from ``tests/wiki_fixtures.py``): the plugin's tables, images made with
Pillow, and an upload helper."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import Engine, inspect, text

from wikicoop.core.db import engine_of, upgrade_schema

VERSIONS = Path(__file__).parent / "versions"


@pytest.fixture
def media(app: Flask) -> Iterator[Flask]:
    """``app`` with the plugin's tables (its Alembic folder upgraded, as ``wikicoop
    upgrade`` does: the test databases are migrated for the core only). Dropped at
    teardown with their recorded versions: a PostgreSQL schema is shared by the run."""
    engine = engine_of(app)
    upgrade_schema(engine, [str(VERSIONS)])
    yield app
    drop_plugin_tables(engine)


def drop_plugin_tables(engine: Engine) -> None:
    """Drop every ``mettre_en_communs_*`` table and forget the folder's branches."""
    with engine.begin() as connection:
        names = [n for n in inspect(connection).get_table_names() if n.startswith("mettre_en_")]
        cascade = " CASCADE" if connection.dialect.name == "postgresql" else ""
        for name in names:
            connection.execute(text(f'DROP TABLE IF EXISTS "{name}"{cascade}'))
        connection.execute(
            text("DELETE FROM alembic_version WHERE version_num LIKE 'mettre_en_communs%'")
        )
        connection.execute(text("DELETE FROM alembic_version WHERE version_num LIKE 'reuse_%'"))


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (1200, 900), color: Any = (40, 120, 200), **save: Any
) -> bytes:
    """A real image made by Pillow."""
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def multipart(data: bytes, filename: str, **form: str) -> tuple[bytes, str]:
    """A multipart body with the file and the form's fields, and its Content-Type (built
    here: the test client spools a big body to a temporary file it never closes)."""
    boundary = "wikicoop-test-boundary-7d1f"
    parts = []
    for name, value in form.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    parts.append(head.encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def send_file(media: Flask, client: FlaskClient) -> Callable[..., Any]:
    """``send_file(data, filename, headers=None, **form)``: POST /api/v1/files as
    multipart; the answer."""

    def send(data: bytes, filename: str, headers: dict | None = None, **form: str) -> Any:
        body, content_type = multipart(data, filename, **form)
        return client.post(
            "/api/v1/files", data=body, headers=headers or {}, content_type=content_type
        )

    return send


def fetch(client: FlaskClient, url: str, **kw: Any) -> Any:
    """GET ``url`` and close the answer (a served file is an open file until closed);
    its ``data``, ``status_code`` and ``headers`` stay readable."""
    response = client.get(url, **kw)
    response.get_data()
    response.close()
    return response
