"""The search hooks of a plugin installed through an entry point: search_fields() adds a
field to the index schema, search_document(ctx) fills it, and searches filter on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from helpers import Api, bearer_for, found

from wikicoop.search import ensure_in_step

LONGUEUR = """
from wikicoop.plugins import hookimpl


@hookimpl
def search_fields():
    return {"longueur": "keyword"}


@hookimpl
def search_document(ctx):
    words = len(ctx.revision.text.split())
    return {"longueur": "courte" if words < 5 else "longue"}
"""


def test_search_fields_and_search_document_feed_the_index(
    install_plugin: Callable[..., Path], make_app: Callable[..., Flask]
) -> None:
    install_plugin("longueur_pkg", LONGUEUR, entry_point="longueur")
    app = make_app()
    ensure_in_step(app)
    api = Api(app.test_client(), bearer_for(app, "Alice"))
    api.create("Brève", "Un vélo réparé.")
    api.create("Récit", "Un vélo réparé par toute une équipe de bénévoles un samedi matin.")
    assert sorted(found(app, "vélo")) == ["Brève", "Récit"]
    assert found(app, "vélo", longueur="courte") == ["Brève"]
    assert found(app, "vélo", longueur="longue") == ["Récit"]


BAD_FIELD = """
from wikicoop.plugins import hookimpl


@hookimpl
def search_fields():
    return {"title": "keyword"}  # the index's own field
"""


def test_a_plugin_s_bad_search_field_stops_the_start(
    install_plugin: Callable[..., Path], make_app: Callable[..., Flask]
) -> None:
    """Checked when the app is built, though the index is opened at its first use."""
    install_plugin("bad_field_pkg", BAD_FIELD, entry_point="bad_field")
    with pytest.raises(ValueError, match="invalid search field name 'title'"):
        make_app()
