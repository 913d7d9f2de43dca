"""Revision texts are stored compressed and every reader still gets the text: the page, the
API, the diff, the edit form and the category feed (whose excerpt may come from the source)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from helpers import page_path
from sqlalchemy import delete, text

from wikicoop.core.compressed_text import ZLIB, decompress_text
from wikicoop.core.models import RenderCache
from wikicoop.web.db import get_session

BODY = (
    "La fête des voisins de Kerourien aura lieu le samedi 6 juin : crêpes, café et "
    "« bonne humeur » garantis. Chacun apporte un plat à partager.\n\n"
) * 8 + "[[Catégorie:Fêtes]]\n"


def _stored(app: Flask, revision_id: int) -> bytes:
    with app.app_context():
        value = get_session().execute(
            text("SELECT text FROM revisions WHERE id = :id"), {"id": revision_id}
        )
        return bytes(value.scalar_one())


def test_a_saved_text_is_stored_compressed_and_read_back_everywhere(
    app: Flask, client: FlaskClient, make_page: Any, auth: Any
) -> None:
    first = make_page("Fête des voisins", BODY)
    second = make_page("Fête des voisins", BODY.replace("6 juin", "13 juin"))
    stored = _stored(app, second)
    assert stored[0] == ZLIB and len(stored) < len(BODY.encode()) / 3
    assert decompress_text(stored) == BODY.replace("6 juin", "13 juin")
    assert "13 juin" in client.get("/wiki/F%C3%AAte_des_voisins").text
    assert client.get(page_path("Fête des voisins")).get_json()["text"].startswith("La fête")
    diff = client.get(f"/wiki/F%C3%AAte_des_voisins?action=diff&from={first}&to={second}")
    assert "13" in diff.text and "6" in diff.text
    auth.login("Alice")  # the author make_page wrote as
    assert "13 juin" in client.get("/wiki/F%C3%AAte_des_voisins?action=edit").text


def test_the_category_feed_excerpt_comes_from_the_source_when_nothing_is_rendered(
    app: Flask, client: FlaskClient, make_page: Any
) -> None:
    make_page("Fête des voisins", BODY)
    with app.app_context():
        session = get_session()
        session.execute(delete(RenderCache))
        session.commit()
    feed = client.get("/flux/categorie/F%C3%AAtes.atom")
    assert feed.status_code == 200
    assert "La fête des voisins de Kerourien" in feed.text
