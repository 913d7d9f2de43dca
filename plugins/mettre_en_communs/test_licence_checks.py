"""Licence conflicts through the app: the editor's notice in the API's save answer and
the preview, the moderators' list (HTML and JSON) and its clearing by a later revision
or a change of the file's licence."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup
from PIL import Image


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


def upload(send_file, app: Flask, name: str, licence: str) -> None:
    answer = send_file(
        png(), name, bearer_for(app, "Alice"), license=licence, author="Alice", source="perso"
    )
    assert answer.status_code == 201, answer.text


def test_an_nc_image_in_a_commercial_page_is_flagged_listed_and_cleared(
    media: Flask, client: FlaskClient, send_file
):
    upload(send_file, media, "Phare.png", "CC-BY-NC-4.0")
    writer = Api(client, bearer_for(media, "Modo", "moderator"))
    saved = writer.put(
        "Le port",
        {
            "text": "Le phare.\n\n[[Fichier:Phare.png]]",
            "base_revision": None,
            "license": "CC-BY-SA-4.0",
        },
        201,
    ).get_json()
    (notice,) = saved["notices"]
    assert "Phare.png" in notice and "CC BY-NC 4.0" in notice and "CC BY-SA 4.0" in notice
    listed = writer.get("/api/v1/licences/conflicts")
    (row,) = listed["conflicts"]
    assert row["title"] == "Le port" and row["item"] == "Phare.png"
    assert (row["reason"], row["item_license"], row["page_license"]) == (
        "nc",
        "CC-BY-NC-4.0",
        "CC-BY-SA-4.0",
    )
    since = row["since"]
    # the HTML list for moderators
    page = soup(client.get("/communs/licences/a-verifier", headers={}))
    assert page.find("h1") is not None and page.select(".reuse-conflicts") == []  # anonymous
    # a later edit that keeps the file keeps the date; one that removes it clears it
    base = saved["revision"]["id"]
    again = writer.put(
        "Le port", {"text": "Le phare blanc.\n\n[[Fichier:Phare.png]]", "base_revision": base}, 200
    ).get_json()
    assert writer.get("/api/v1/licences/conflicts")["conflicts"][0]["since"] == since
    fixed = writer.put(
        "Le port", {"text": "Le phare blanc.", "base_revision": again["revision"]["id"]}, 200
    ).get_json()
    assert fixed["notices"] == []
    assert writer.get("/api/v1/licences/conflicts")["conflicts"] == []


def test_the_moderators_page_and_who_may_read_it(
    media: Flask, client: FlaskClient, send_file, auth
):
    upload(send_file, media, "Affiche.png", "CC-BY-SA-4.0")
    Api(client, bearer_for(media, "Modo", "moderator")).put(
        "Fête du quartier",
        {"text": "![Affiche](Fichier:Affiche.png)", "base_revision": None, "license": "CC-BY-4.0"},
        201,
    )
    assert client.get("/communs/licences/a-verifier").status_code == 403
    Api(client).call("GET", "/api/v1/licences/conflicts", 401)
    Api(client, bearer_for(media, "Alice")).call("GET", "/api/v1/licences/conflicts", 403)
    auth.login("Modo", role="moderator")
    page = soup(client.get("/communs/licences/a-verifier"))
    (row,) = page.select(".reuse-conflicts tbody tr")
    assert row["data-reason"] == "sa"
    assert row.th.a["href"] == "/wiki/F%C3%AAte_du_quartier"
    assert "Affiche.png" in row.get_text() and "CC BY-SA 4.0" in row.get_text()
    assert row.find("time")["datetime"].startswith("20")


def test_the_preview_warns_the_editor(media: Flask, client: FlaskClient, send_file, auth):
    upload(send_file, media, "Plan.png", "CC-BY-NC-4.0")
    auth.login("Alice")
    form = soup(client.get("/wiki/Carte?action=edit")).find("form", class_="edit-form")
    data = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("name")
    }
    data.update({"text": "[[Fichier:Plan.png]]", "licence": "CC-BY-4.0", "preview": "1"})
    answer = client.post("/wiki/Carte?action=edit", data=data)
    notices = soup(answer).select_one(".edit-notices")
    assert notices is not None and "Plan.png" in notices.get_text(), answer.text[:2000]


def test_without_the_table_nothing_is_stored(app: Flask, make_page, client: FlaskClient):
    # the plugin's branch not migrated (as in the core's tests): saves still work
    make_page("Sans table", "[[Fichier:Rien.png]]")
    assert client.get("/wiki/Sans_table").status_code == 200


def test_a_file_moved_to_a_stricter_licence_flags_the_pages_using_it(
    media: Flask, client: FlaskClient, send_file
):
    upload(send_file, media, "Lavoir.png", "CC-BY-4.0")
    modo = Api(client, bearer_for(media, "Modo", "moderator"))
    saved = modo.put(
        "Lavoirs",
        {"text": "[[Fichier:Lavoir.png]]", "base_revision": None, "license": "CC-BY-4.0"},
        201,
    ).get_json()
    assert saved["notices"] == []
    assert modo.get("/api/v1/licences/conflicts")["conflicts"] == []
    modo.call(
        "PUT",
        "/api/v1/pages/Fichier:Lavoir.png/license",
        200,
        json_body={"license": "CC-BY-NC-4.0", "reason": "demande de l'autrice"},
    )
    (row,) = modo.get("/api/v1/licences/conflicts")["conflicts"]
    assert (row["title"], row["reason"]) == ("Lavoirs", "nc")
