"""An export's files come back with an import: every version, the same bytes, the
embedding page showing them; a corrupted version leaves the file out, the pages in."""

from __future__ import annotations

import io
import os
import zipfile

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup
from PIL import Image
from sqlalchemy import text

from wikicoop.core.db import engine_of

from .media_testing import fetch, image_bytes
from .test_import_zip import empty_wiki


def exported_port(media: Flask, client: FlaskClient, send_file) -> tuple[bytes, bytes]:
    """A page of the category Port embedding Phare.png (2 versions): the export's zip
    and the second version's stored bytes."""
    alice = bearer_for(media, "Alice")
    first = send_file(
        image_bytes("PNG", (60, 40), (10, 20, 30)),
        "phare.png",
        alice,
        license="CC-BY-4.0",
        author="Nolwenn L.",
        source="Travail personnel",
    )
    assert first.status_code == 201, first.text
    second = send_file(image_bytes("PNG", (80, 40), (200, 20, 30)), "phare.png", alice)
    assert second.status_code == 201, second.text
    body = {
        "text": "Le phare : [[Fichier:Phare.png|vignette|Le phare]]\n\n[[Catégorie:Port]]",
        "base_revision": None,
        "license": "CC-BY-SA-4.0",
    }
    Api(client, alice).put("Le port", body, 201)
    latest = fetch(client, "/fichiers/Phare.png/brut").data
    answer = client.get("/api/v1/export?category=Port")
    assert answer.status_code == 200, answer.text[:300]
    return answer.data, latest


def empty_everything(app: Flask) -> None:
    """A fresh wiki on the same database: no page, no file row, no file on disk."""
    with engine_of(app).begin() as connection:
        connection.execute(text("DELETE FROM mettre_en_communs_file_usage"))
        connection.execute(text("DELETE FROM mettre_en_communs_file_versions"))
    empty_wiki(app)
    media_dir = os.path.join(app.instance_path, "media")
    for folder, _, files in os.walk(media_dir):
        for name in files:
            os.remove(os.path.join(folder, name))


def import_zip(client: FlaskClient, app: Flask, data: bytes) -> dict:
    answer = client.post(
        "/api/v1/import",
        data={"file": (io.BytesIO(data), "port.zip")},
        headers=bearer_for(app, "Admin", "admin"),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200, answer.text[:500]
    return answer.get_json()


def test_files_come_back_with_their_versions(media: Flask, client: FlaskClient, send_file):
    data, latest = exported_port(media, client, send_file)
    empty_everything(media)
    assert fetch(client, "/fichiers/Phare.png/brut").status_code == 404
    report = import_zip(client, media, data)
    assert report["created"] == ["Le port"]
    assert (report["files"], report["files_failed"]) == (["Phare.png"], [])
    raw = fetch(client, "/fichiers/Phare.png/brut")
    assert raw.status_code == 200 and raw.data == latest
    described = client.get("/api/v1/files/Phare.png").json
    assert [v["version"] for v in described["versions"]] == [2, 1]
    assert [v["comment"] for v in described["versions"]] == ["import", "import"]
    assert (described["license"], described["author"]) == ("CC-BY-4.0", "Nolwenn L.")
    assert described["used_in"] == ["Le port"]
    old = Image.open(io.BytesIO(fetch(client, "/fichiers/Phare.png/version/1").data))
    assert old.size == (60, 40)
    thumb = fetch(client, "/fichiers/Phare.png/vignette/320")  # made on demand
    assert thumb.status_code == 200
    figure = soup(client.get("/wiki/Le_port")).select_one(".page-content figure img")
    assert figure is not None and figure["src"].startswith("/fichiers/Phare.png/")
    # imported again: the file has versions here, it is left alone
    again = import_zip(client, media, data)
    assert again["files"] == [] and again["files_failed"] == [
        {"name": "Phare.png", "reason": "file-exists"}
    ]


def test_a_corrupted_version_leaves_the_file_out_and_the_page_in(
    media: Flask, client: FlaskClient, send_file
):
    data, _ = exported_port(media, client, send_file)
    empty_everything(media)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("files/") and info.filename.endswith("/1.png"):
                content = content[:-20] + b"\x00" * 20  # another sha256
            broken.writestr(info, content)
    report = import_zip(client, media, out.getvalue())
    assert report["created"] == ["Le port"]
    assert report["files"] == []
    assert report["files_failed"] == [{"name": "Phare.png", "reason": "file-corrupt"}]
    with engine_of(media).connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM mettre_en_communs_file_versions"))
        assert rows.scalar() == 0
    leftovers = [
        f for _, _, files in os.walk(os.path.join(media.instance_path, "media")) for f in files
    ]
    assert leftovers == []
    assert soup(client.get("/wiki/Le_port")).select("a.mec-missing")


def test_the_command_says_which_files_came_back(
    media: Flask, client: FlaskClient, send_file, runner, tmp_path
):
    from wikicoop.cli import cli as wikicoop_cli

    data, _ = exported_port(media, client, send_file)
    empty_everything(media)
    bearer_for(media, "Admin", "admin")
    path = tmp_path / "port.zip"
    path.write_bytes(data)
    result = runner.invoke(wikicoop_cli, ["commons", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Fichiers : 1 restauré(s) avec leurs versions, 0 laissé(s) de côté." in result.output


def test_a_whole_wiki_export_brings_the_file_page_and_its_versions(
    media: Flask, client: FlaskClient, send_file
):
    exported_port(media, client, send_file)
    whole = client.get("/api/v1/export")
    assert whole.status_code == 200, whole.text[:300]
    empty_everything(media)
    report = import_zip(client, media, whole.data)
    assert "Fichier:Phare.png" in report["created"]  # the page, with its own history
    assert report["files"] == ["Phare.png"]
    described = client.get("/api/v1/files/Phare.png").json
    assert [v["version"] for v in described["versions"]] == [2, 1]
    assert described["license"] == "CC-BY-4.0"
