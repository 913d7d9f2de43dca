"""The upload form and the gallery, as a browser uses them."""

from __future__ import annotations

import io

from flask import Flask
from helpers import banner, csrf_from, login, soup

from wikicoop.core.models import Block
from wikicoop.web.db import get_session

from .media_testing import image_bytes

FORM = "/fichiers/televerser"


def post_upload(client, data: bytes, filename: str, token: str | None = None, **fields: str):
    token = token if token is not None else csrf_from(client.get(FORM).text)
    body = {"csrf_token": token, "file": (io.BytesIO(data), filename), **fields}
    return client.post(FORM, data=body, content_type="multipart/form-data")


def test_upload_through_the_form_goes_to_the_file_page(media: Flask, client, auth) -> None:
    auth.login("Alice")
    form = soup(client.get(FORM))
    assert form.select_one("label[for=mec-file]") is not None
    assert form.select_one("#mec-licence option[selected]")["value"] == "CC-BY-SA-4.0"
    answer = post_upload(
        client,
        image_bytes("JPEG", (640, 480)),
        "IMG_2041.JPG",
        name="Marché de Saint-Martin.jpg",
        licence="CC-BY-4.0",
        author="Alice",
        source="Travail personnel",
        description="Le marché du dimanche.",
    )
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].endswith("/wiki/Fichier:March%C3%A9_de_Saint-Martin.jpg")
    page = soup(client.get(answer.headers["Location"]))
    assert "Le marché du dimanche." in page.get_text()
    assert page.select_one(".plugin-panel .mec-preview img") is not None
    # the form for a new version proposes the file's own licence
    again = soup(client.get(FORM + "?nom=Marché de Saint-Martin.jpg"))
    assert again.select_one("#mec-licence option[selected]")["value"] == "CC-BY-4.0"


def test_a_refused_file_keeps_the_form_with_the_reason(media: Flask, client, auth) -> None:
    auth.login("Alice")
    answer = post_upload(client, b"GIF89a-not-really", "faux.gif", description="Mon texte")
    assert answer.status_code == 422
    assert "abîmé" in banner(answer)
    assert soup(answer).select_one("#mec-description").get_text().strip() == "Mon texte"
    answer = post_upload(client, image_bytes("PNG", (10, 10)), "image.jpg")
    assert answer.status_code == 415
    assert ".png" in banner(answer)
    answer = client.post(FORM, data={"csrf_token": csrf_from(client.get(FORM).text)})
    assert answer.status_code == 400
    assert "Aucun fichier" in banner(answer)


def test_the_form_needs_its_csrf_token(media: Flask, client, auth) -> None:
    auth.login("Alice")
    answer = post_upload(client, image_bytes("PNG", (10, 10)), "sans-jeton.png", token="faux")
    assert answer.status_code == 400
    assert client.get("/wiki/Fichier:Sans-jeton.png").status_code == 404


def test_visitors_are_sent_to_log_in_and_blocked_accounts_are_refused(
    media: Flask, client, auth
) -> None:
    answer = client.get(FORM)
    assert answer.status_code == 302
    assert "/compte/connexion" in answer.headers["Location"]
    auth.login("Bob")
    token = csrf_from(client.get(FORM).text)
    with media.app_context():
        from wikicoop.community.accounts import find_user

        session = get_session()
        session.add(Block(user_id=find_user(session, "Bob").id, reason="Spam d'images"))
        session.commit()
    answer = post_upload(client, image_bytes("PNG", (10, 10)), "spam.png", token=token)
    assert answer.status_code == 403
    assert "Spam d'images" in banner(answer)


def test_a_newcomers_file_waits_with_its_page(media: Flask, client, auth) -> None:
    auth.login("Nouveau", trust="auto")
    answer = post_upload(client, image_bytes("PNG", (30, 30)), "nouveau.png")
    assert answer.status_code == 302
    client.post("/compte/deconnexion", data={"csrf_token": csrf_from(client.get(FORM).text)})
    # visitors see neither the page nor the file until a moderator approves it
    assert client.get("/fichiers/Nouveau.png/brut").status_code == 404


def test_the_gallery_filters_by_licence_and_uploader(media: Flask, client, auth) -> None:
    auth.login("Alice")
    post_upload(client, image_bytes("PNG", (30, 30), color=(1, 1, 1)), "a.png", licence="CC0-1.0")
    login(client, "Alice")
    auth.login("Bob")
    post_upload(client, image_bytes("PNG", (30, 30), color=(2, 2, 2)), "b.png", licence="CC-BY-4.0")
    names = lambda url: [n.get_text() for n in soup(client.get(url)).select(".mec-name")]  # noqa: E731
    assert names("/fichiers") == ["B.png", "A.png"]
    assert names("/fichiers?licence=CC0-1.0") == ["A.png"]
    assert names("/fichiers?par=Bob") == ["B.png"]
    assert names("/fichiers?par=Personne") == []
