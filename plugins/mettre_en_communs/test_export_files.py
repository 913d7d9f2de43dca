"""With the media library: the zip carries the files a page embeds, every version, with
their licence and author; a file page's credit names its file's author and licence."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, page_path, soup
from PIL import Image


def png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def test_embedded_files_travel_with_their_versions(media: Flask, client: FlaskClient, send_file):
    alice = bearer_for(media, "Alice")
    first = send_file(
        png((10, 20, 30)),
        "Phare.png",
        alice,
        license="CC-BY-4.0",
        author="Nolwenn L.",
        source="Travail personnel",
    )
    assert first.status_code == 201, first.text
    second = send_file(
        png((200, 20, 30)),
        "Phare.png",
        alice,
        license="CC-BY-4.0",
        author="Nolwenn L.",
        source="Travail personnel",
    )
    assert second.status_code in (200, 201), second.text
    send_file(png((1, 1, 1)), "Inutile.png", alice, license="CC0-1.0")
    Api(client, alice).put(
        "Le port",
        {
            "text": "Le phare : [[Fichier:Phare.png]]\n\n[[Catégorie:Port]]",
            "base_revision": None,
            "license": "CC-BY-SA-4.0",
        },
        201,
    )
    answer = client.get("/api/v1/export?category=Port")
    assert answer.status_code == 200, answer.text[:300]
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    manifest = json.loads(archive.read("manifest.json"))
    files = manifest["files"]
    assert [(f["name"], f["version"]) for f in files] == [("Phare.png", 1), ("Phare.png", 2)]
    assert manifest["counts"]["files"] == 2
    for item in files:
        data = archive.read(item["path"])
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        assert (item["licence"], item["author"]) == ("CC-BY-4.0", "Nolwenn L.")
    assert not any("Inutile" in name for name in archive.namelist())
    assert "- Fichier:Phare.png" in archive.read("LICENCES.md").decode()
    credits = archive.read("ATTRIBUTIONS.md").decode()
    assert "Fichier « Phare.png » (version 2), par Nolwenn L. — CC BY 4.0" in credits


def test_a_file_page_is_credited_to_the_files_author(media: Flask, client, send_file):
    answer = send_file(
        png((5, 5, 5)),
        "Affiche.png",
        bearer_for(media, "Alice"),
        license="CC-BY-NC-4.0",
        author="Studio Kerbonne",
    )
    assert answer.status_code == 201, answer.text
    credit = Api(client).get(page_path("Fichier:Affiche.png", "/credit"))
    assert credit["authors"] == ["Studio Kerbonne"]
    assert credit["license"] == "CC-BY-NC-4.0"
    assert credit["source"].endswith("/wiki/Fichier:Affiche.png")
    assert client.get("/reutiliser/Fichier:Affiche.png").status_code == 200
    file_page = soup(client.get("/wiki/Fichier:Affiche.png"))
    assert file_page.find("a", href="/reutiliser/Fichier:Affiche.png") is not None
