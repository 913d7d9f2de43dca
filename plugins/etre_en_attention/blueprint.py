"""The plugin's two blueprints: its pages under ``/appel-a-projets`` and its JSON API
under ``/api/v1`` (the API's authentication and error shape, as the core's)."""

from __future__ import annotations

from flask import Blueprint

from wikicoop.web.helpers import make_api_blueprint

bp = Blueprint(
    "etre_en_attention",
    __name__,
    static_folder="static",
    static_url_path="/appel-a-projets/static",
)
api = make_api_blueprint("etre_en_attention_api", __name__)
