"""The edit_notices hook: warnings shown in the editor's preview, flashed after a form
save, and returned by the API's save, without ever refusing the edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, edit_form, login, make_user, save, soup

from wikicoop.plugins import hookimpl


class NcWarning:
    """Warns when a page that allows commercial reuse mentions an NC image."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    @hookimpl
    def edit_notices(self, ctx: Any) -> list[Any]:
        self.seen.append(ctx)
        if "image-nc" in ctx.text and "nc" not in ctx.licence:
            return [
                {
                    "fr": "L'image est sous licence NC : cette page ne peut pas la porter.",
                    "en": "The image is NC-licensed: this page cannot carry it.",
                }
            ]
        return []


def test_preview_shows_the_notices_and_saving_flashes_them(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    hook = plugin(NcWarning())
    make_user(app, "Alice")
    login(client, "Alice")
    fields = edit_form(client, "Galerie")
    preview = client.post(
        "/wiki/Galerie?action=edit",
        data={**fields, "text": "Voir image-nc", "summary": "", "preview": "Aperçu"},
    )
    box = soup(preview).select_one(".edit-notices")
    assert box is not None and "licence NC" in box.get_text()
    ctx = hook.seen[-1]
    assert (ctx.title.full, ctx.text, ctx.licence) == ("Galerie", "Voir image-nc", "CC-BY-SA-4.0")
    # nothing refused: the save goes through and says it again
    saved = save(client, "Galerie", "Voir image-nc")
    assert saved.status_code == 302
    page = soup(client.get(saved.headers["Location"]))
    assert "licence NC" in page.select_one(".flash-warning").get_text()
    # a harmless edit has no notice
    box = soup(
        client.post(
            "/wiki/Galerie?action=edit",
            data={**edit_form(client, "Galerie"), "text": "Rien", "summary": "", "preview": "1"},
        )
    ).select_one(".edit-notices")
    assert box is None


def test_the_api_save_returns_the_notices_in_the_reader_s_language(
    app: Flask, client: FlaskClient, plugin: Callable[..., Any]
) -> None:
    plugin(NcWarning())
    api = Api(client, {**bearer_for(app, "Alice"), "Accept-Language": "en"})
    body = api.put("Galerie", {"text": "image-nc", "base_revision": None}, 201).get_json()
    assert body["notices"] == ["The image is NC-licensed: this page cannot carry it."]
    revision = body["revision"]["id"]
    body = api.put("Galerie", {"text": "ok", "base_revision": revision}, 200).get_json()
    assert body["notices"] == []
