"""Plain helpers of the media library's tests (their fixtures are in ``conftest.py``,
which tests never import): images made with Pillow, multipart bodies, closed answers, the
plugin's tables."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import Engine, inspect, text

VERSIONS = Path(__file__).parent / "versions"


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


def fetch(client: FlaskClient, url: str, **kw: Any) -> Any:
    """GET ``url`` and close the answer (a served file is an open file until closed);
    its ``data``, ``status_code`` and ``headers`` stay readable."""
    response = client.get(url, **kw)
    response.get_data()
    response.close()
    return response
