"""Uploads through the JSON API: what is stored, what is refused, who may upload."""

from __future__ import annotations

import io

from flask import Flask
from helpers import bearer_for
from PIL import Image
from sqlalchemy import text

from wikicoop.web.db import get_session

from .media_api import file_versions, stored_path
from .media_testing import fetch, image_bytes


def test_an_image_is_stored_with_its_page_and_thumbnails(media: Flask, client, send_file) -> None:
    headers = bearer_for(media, "Alice")
    answer = send_file(
        image_bytes("PNG", (1200, 900)),
        "port de brest.png",
        headers,
        license="CC-BY-4.0",
        author="Nolwenn L.",
        source="Travail personnel",
        description="Le port au matin.",
    )
    assert answer.status_code == 201, answer.text
    body = answer.json
    assert body["name"] == "Port de brest.png"
    assert body["license"] == "CC-BY-4.0"
    assert body["url"].endswith("/fichiers/Port_de_brest.png/brut")
    assert sorted(body["thumbnails"]) == ["320", "800"]
    assert (body["width"], body["height"], body["mime"]) == (1200, 900, "image/png")
    assert body["status"] == "published"
    # the thumbnails are served at their width, never upscaled, with the right type
    for width in (320, 800):
        thumb = fetch(client, body["thumbnails"][str(width)].split("localhost")[-1])
        assert thumb.status_code == 200
        assert thumb.headers["Content-Type"] == "image/png"
        assert thumb.headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in thumb.headers["Cache-Control"]
        assert Image.open(io.BytesIO(thumb.data)).size == (width, round(900 * width / 1200))
    raw = fetch(client, "/fichiers/Port_de_brest.png/brut")
    assert raw.status_code == 200
    assert Image.open(io.BytesIO(raw.data)).size == (1200, 900)
    # the file page is a wiki page of the type "fichier", under its own licence
    page = client.get("/api/v1/pages/Fichier:Port_de_brest.png").json
    assert page["type"] == "fichier"
    assert page["fields"]["auteur"] == "Nolwenn L."
    assert page["licence"] == "CC-BY-4.0"
    described = client.get("/api/v1/files/Port_de_brest.png").json
    assert described["versions"][0]["uploader"] == "Alice"
    assert described["source"] == "Travail personnel"


def test_a_small_image_gets_thumbnails_at_its_own_size(media: Flask, client, send_file) -> None:
    headers = bearer_for(media, "Alice")
    answer = send_file(image_bytes("GIF", (200, 100)), "petit.gif", headers)
    assert answer.status_code == 201, answer.text
    thumb = fetch(client, "/fichiers/Petit.gif/vignette/800")
    assert thumb.headers["Content-Type"] == "image/gif"
    assert Image.open(io.BytesIO(thumb.data)).size == (200, 100)
    assert fetch(client, "/fichiers/Petit.gif/vignette/500").status_code == 404


def test_gps_and_other_exif_data_are_removed(media: Flask, send_file) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Appareil indiscret"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90° clockwise
    gps = {1: "N", 2: (48.0, 23.0, 30.0), 3: "W", 4: (4.0, 29.0, 10.0)}
    exif[0x8825] = gps
    photo = image_bytes("JPEG", (300, 200), exif=exif.tobytes())
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)
    answer = send_file(photo, "photo.jpg", bearer_for(media, "Alice"))
    assert answer.status_code == 201, answer.text
    # turned upright (orientation 6: the stored picture is 200 wide, 300 high)
    assert (answer.json["width"], answer.json["height"]) == (200, 300)
    with media.app_context():
        version = file_versions(get_session(), "Photo.jpg")[0]
        stored = stored_path(version).read_bytes()
    kept = Image.open(io.BytesIO(stored))
    assert not kept.getexif().get_ifd(0x8825)
    assert 0x010F not in kept.getexif()
    assert b"Appareil indiscret" not in stored
    assert "exif" not in kept.info and "xmp" not in kept.info


def test_lying_types_are_refused_and_nothing_is_kept(media: Flask, client, send_file) -> None:
    headers = bearer_for(media, "Alice")
    cases = [
        (b"<html><script>alert(1)</script></html>", "chat.jpg", 415, "markup-refused"),
        (b"<?php system($_GET['c']); ?>", "photo.jpg", 415, "markup-refused"),
        (image_bytes("PNG", (20, 20)), "rapport.pdf", 415, "wrong-extension"),
        (b"\x00\x01\x02binary junk", "x.png", 415, "unknown-type"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
            "a.svg",
            415,
            "svg-refused",
        ),
        (b"", "vide.png", 422, "empty"),
        (image_bytes("PNG", (400, 400))[:300], "coupe.png", 422, "broken"),
        (b"%PDF-1.4\n1 0 obj\n", "sans-fin.pdf", 422, "broken"),
    ]
    for data, name, status, code in cases:
        answer = send_file(data, name, headers)
        assert answer.status_code == status, (name, answer.text)
        assert answer.json["code"] == code
        assert answer.json["error"]
    with media.app_context():
        session = get_session()
        count = session.execute(text("SELECT count(*) FROM mettre_en_communs_file_versions"))
        assert count.scalar() == 0
        pages = session.execute(text("SELECT count(*) FROM pages WHERE namespace = 'file'"))
        assert pages.scalar() == 0
    media_dir = media.instance_path + "/media"
    import os

    leftovers = [f for _, _, files in os.walk(media_dir) for f in files]
    assert leftovers == []


def test_a_decompression_bomb_is_refused(media: Flask, send_file) -> None:
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")  # 400 million pixels, tiny on disk
    assert len(out.getvalue()) < 200_000
    answer = send_file(out.getvalue(), "bombe.png", bearer_for(media, "Alice"))
    assert answer.status_code == 422
    assert answer.json["code"] == "bomb"
    assert "pixels" in answer.json["error"]


def test_the_size_limit_is_the_plugins_own(make_app, client) -> None:
    from wikicoop.core.db import engine_of, upgrade_schema

    from .media_testing import VERSIONS, drop_plugin_tables

    small = make_app(COMMONS_MAX_UPLOAD_BYTES=1000)
    upgrade_schema(engine_of(small), [str(VERSIONS)])
    try:
        answer = small.test_client().post(
            "/api/v1/files",
            data={"file": (io.BytesIO(b"x" * 2000), "long.txt")},
            headers=bearer_for(small, "Alice"),
        )
        assert answer.status_code == 413
        assert answer.json["code"] == "too-big"
        assert "0.001 Mo" in answer.json["error"]
    finally:
        drop_plugin_tables(engine_of(small))


def test_documents_are_checked_by_their_content(media: Flask, client, send_file) -> None:
    headers = bearer_for(media, "Alice")
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    answer = send_file(pdf, "compte-rendu.pdf", headers, license="CC-BY-SA-4.0")
    assert answer.status_code == 201, answer.text
    assert answer.json["mime"] == "application/pdf"
    assert answer.json["thumbnails"] == {}
    served = fetch(client, "/fichiers/Compte-rendu.pdf/brut")
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.data == pdf
    import zipfile

    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    answer = send_file(odt.getvalue(), "statuts.odt", headers)
    assert answer.status_code == 201, answer.text
    served = fetch(client, "/fichiers/Statuts.odt/brut")
    assert served.headers["Content-Disposition"].startswith("attachment")
    answer = send_file("Bonjour à tous.\n".encode(), "note.txt", headers)
    assert answer.status_code == 201
    assert fetch(client, "/fichiers/Note.txt/brut").headers["Content-Type"] == (
        "text/plain; charset=utf-8"
    )


def test_the_same_bytes_twice_are_detected(media: Flask, send_file) -> None:
    headers = bearer_for(media, "Alice")
    data = image_bytes("PNG", (50, 50))
    assert send_file(data, "un.png", headers).status_code == 201
    again = send_file(data, "deux.png", headers)
    assert again.status_code == 409
    assert again.json["code"] == "duplicate"
    assert "Un.png" in again.json["error"]


def test_a_new_version_keeps_the_history(media: Flask, client, send_file) -> None:
    headers = bearer_for(media, "Alice")
    first = send_file(image_bytes("PNG", (400, 300)), "plan.png", headers, author="A")
    assert first.status_code == 201
    second = send_file(
        image_bytes("PNG", (600, 300), color=(200, 10, 10)),
        "plan.png",
        headers,
        comment="Plan mis à jour",
    )
    assert second.status_code == 201, second.text
    assert second.json["version"] == 2
    assert second.json["author"] == "A"  # the file's author, kept
    described = client.get("/api/v1/files/Plan.png").json
    assert [v["version"] for v in described["versions"]] == [2, 1]
    assert described["versions"][0]["comment"] == "Plan mis à jour"
    assert described["author"] == "A"  # kept from the first upload
    old = fetch(client, "/fichiers/Plan.png/version/1")
    assert Image.open(io.BytesIO(old.data)).size == (400, 300)
    assert Image.open(io.BytesIO(fetch(client, "/fichiers/Plan.png/brut").data)).size == (600, 300)
    # another licence for a new version is refused: the page's licence is changed on the page
    third = send_file(image_bytes("PNG", (10, 10)), "plan.png", headers, license="CC0-1.0")
    assert third.status_code == 409
    assert third.json["code"] == "licence-differs"


def test_anonymous_and_blocked_people_may_not_upload(media: Flask, client, send_file) -> None:
    answer = send_file(image_bytes("PNG", (10, 10)), "anonyme.png")
    assert answer.status_code == 401
    headers = bearer_for(media, "Bob")
    with media.app_context():
        from wikicoop.community.accounts import find_user
        from wikicoop.core.models import Block

        session = get_session()
        session.add(Block(user_id=find_user(session, "Bob").id, reason="Vandalisme"))
        session.commit()
    answer = send_file(image_bytes("PNG", (10, 10)), "bloque.png", headers)
    assert answer.status_code == 403
    assert "Vandalisme" in answer.json["error"]
    assert fetch(client, "/fichiers/Bloque.png/brut").status_code == 404


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(make_app) -> None:
    from wikicoop.core.db import engine_of, upgrade_schema

    from .media_testing import VERSIONS, drop_plugin_tables

    small = make_app(COMMONS_MAX_UPLOAD_BYTES=1000)
    upgrade_schema(engine_of(small), [str(VERSIONS)])
    try:
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="enorme.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n" + b"x" * 1_200_000 + b"\r\n--b--\r\n"
        )
        answer = small.test_client().post(
            "/api/v1/files",
            data=body,
            content_type="multipart/form-data; boundary=b",
            headers=bearer_for(small, "Alice"),
        )
        assert answer.status_code == 413
        assert answer.json["error"]
    finally:
        drop_plugin_tables(engine_of(small))


def test_a_file_over_the_page_size_limit_but_within_the_plugins_is_accepted(
    media: Flask, send_file
) -> None:
    # the core refuses bodies over 2 × MAX_PAGE_BYTES (page texts); files have their own
    big = b"%PDF-1.4\n" + b"0" * (int(media.config["MAX_CONTENT_LENGTH"]) + 100_000) + b"\n%%EOF\n"
    answer = send_file(big, "gros-document.pdf", bearer_for(media, "Alice"))
    assert answer.status_code == 201, answer.text
    assert answer.json["size"] == len(big)


def test_a_width_added_later_is_made_on_demand(media: Flask, client, send_file) -> None:
    answer = send_file(image_bytes("PNG", (1000, 500)), "large.png", bearer_for(media, "Alice"))
    assert answer.status_code == 201
    media.config["COMMONS_THUMBNAIL_WIDTHS"] = "[320, 500, 800]"  # as the environment gives it
    thumb = fetch(client, "/fichiers/Large.png/vignette/500")
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.data)).size == (500, 250)


def test_bad_names_in_file_urls_are_404(media: Flask, client) -> None:
    for url in (
        "/fichiers/%3Cx%3E",
        "/fichiers/%3Cx%3E/brut",
        "/fichiers/Rien.png/brut",
        "/fichiers/Rien.png/vignette/320",
        "/fichiers/Rien.png/version/3",
        "/api/v1/files/%3Cx%3E",
        "/api/v1/files/Rien.png",
    ):
        assert fetch(client, url).status_code == 404, url
    assert client.get("/fichiers/Rien.png").status_code == 302


def test_a_transaction_that_fails_leaves_neither_page_nor_row_nor_file(
    media: Flask, monkeypatch
) -> None:
    import os

    import pytest
    from sqlalchemy import text as sql

    from wikicoop.community.accounts import create_user
    from wikicoop.core import writing

    from . import uploads

    original = uploads._VersionRecorder.__call__

    def fail_after_placing(self, session) -> None:
        original(self, session)  # the row inserted, the files moved into place…
        raise RuntimeError("disk full")  # …then the commit fails

    monkeypatch.setattr(uploads._VersionRecorder, "__call__", fail_after_placing)
    with media.app_context():
        session = get_session()
        user = create_user(session, "Alice", "un mot de passe assez long", trust="granted")
        sent = uploads.UploadRequest(data=image_bytes("PNG", (900, 600)), filename="echec.png")
        with pytest.raises(RuntimeError):
            uploads.upload(writing.context_for(media, session), stored_root(media), user, sent)
        assert (
            session.execute(sql("SELECT count(*) FROM pages WHERE namespace = 'file'")).scalar()
            == 0
        )
        rows = session.execute(sql("SELECT count(*) FROM mettre_en_communs_file_versions"))
        assert rows.scalar() == 0
    leftovers = [f for _, _, files in os.walk(stored_root(media)) for f in files]
    assert leftovers == []


def stored_root(app: Flask):
    from pathlib import Path

    return Path(app.instance_path) / "media"


def test_refusals_are_said_in_the_readers_language(media: Flask, send_file) -> None:
    headers = {**bearer_for(media, "Alice"), "Accept-Language": "en"}
    answer = send_file(image_bytes("PNG", (10, 10)), "image.pdf", headers)
    assert answer.status_code == 415
    assert answer.json["error"].startswith("The name does not match the content")
    french = send_file(image_bytes("PNG", (10, 10)), "image.pdf", bearer_for(media, "Alice"))
    assert french.json["error"].startswith("Le nom ne correspond pas au contenu")


def test_webp_and_animated_gif_images(media: Flask, client, send_file) -> None:
    headers = bearer_for(media, "Alice")
    answer = send_file(image_bytes("WEBP", (500, 400)), "fresque.webp", headers)
    assert answer.status_code == 201, answer.text
    assert (answer.json["mime"], answer.json["width"]) == ("image/webp", 500)
    thumb = fetch(client, "/fichiers/Fresque.webp/vignette/320")
    assert thumb.headers["Content-Type"] == "image/webp"
    frames = [Image.new("RGB", (60, 40), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    answer = send_file(out.getvalue(), "anime.gif", headers)
    assert answer.status_code == 201, answer.text
    assert Image.open(out).n_frames == 3
    stored = Image.open(io.BytesIO(fetch(client, "/fichiers/Anime.gif/brut").data))
    assert getattr(stored, "n_frames", 1) == 3


def test_only_trusted_accounts_replace_someone_elses_file(media: Flask, send_file) -> None:
    first = send_file(image_bytes("PNG", (40, 40)), "affiche.png", bearer_for(media, "Alice"))
    assert first.status_code == 201
    newcomer = bearer_for(media, "Nouvelle", trust="auto")
    answer = send_file(image_bytes("PNG", (40, 40), color=(9, 9, 9)), "affiche.png", newcomer)
    assert answer.status_code == 403
    assert answer.json["code"] == "reupload-trusted"
    # a newcomer may replace a file that is all theirs
    own = send_file(image_bytes("PNG", (30, 30), color=(5, 5, 5)), "mien.png", newcomer)
    assert own.status_code == 201 and own.json["status"] == "pending"
    again = send_file(image_bytes("PNG", (30, 30), color=(6, 6, 6)), "mien.png", newcomer)
    assert again.status_code == 201, again.text
    assert again.json["version"] == 2


def test_a_bad_licence_or_name_is_a_clear_400(media: Flask, send_file) -> None:
    headers = bearer_for(media, "Alice")
    png = image_bytes("PNG", (10, 10))
    answer = send_file(png, "a.png", headers, license="GPL-99")
    assert (answer.status_code, answer.json["code"]) == (400, "bad-licence")
    assert "GPL-99" in answer.json["error"]
    for name in ("Fichier:", "a|b.png", "dossier/image.png", "x" * 300 + ".png"):
        answer = send_file(png, "ok.png", headers, name=name)
        assert (answer.status_code, answer.json["code"]) == (400, "bad-name"), name
    answer = send_file(png, "sans-extension", headers)
    assert (answer.status_code, answer.json["code"]) == (415, "wrong-extension")
