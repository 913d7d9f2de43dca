"""Shared resources (free software, guides, open data…): the ``ressource`` page type,
whose licence field is the resource's own (not the page's), and the list
``/ressources`` filtered by kind and licence, with its JSON twin
``GET /api/v1/resources?kind=&license=``."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request
from sqlalchemy.orm import Session

from wikicoop.core.typed_pages import TypedPage, published_of_type
from wikicoop.web.db import get_session
from wikicoop.web.urls import page_url

from .reuse_common import absolute_url, api, bp
from .reuse_texts import say

TYPE_NAME = "ressource"

KINDS = [
    "logiciel libre",
    "guide",
    "données ouvertes",
    "tutoriel",
    "matériel",
    "autre",
]
#: the resource's licence (software, data and content licences), by SPDX identifier
RESOURCE_LICENCES = [
    "CC0-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "GPL-3.0-or-later",
    "AGPL-3.0-or-later",
    "LGPL-3.0-or-later",
    "MIT",
    "Apache-2.0",
    "ODbL-1.0",
    "etalab-2.0",
    "autre",
]


def _field(name: str, kind: str, fr: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": kind, "label": {"fr": fr, "en": en}, **extra}


RESSOURCE: dict[str, Any] = {
    "name": TYPE_NAME,
    "label": {"fr": "Ressource partagée", "en": "Shared resource"},
    "fields": [
        _field(
            "genre",
            "choice",
            "Genre de ressource",
            "Kind of resource",
            choices=KINDS,
            required=True,
        ),
        _field(
            "licence_ressource",
            "choice",
            "Licence de la ressource",
            "Licence of the resource",
            choices=RESOURCE_LICENCES,
            required=True,
        ),
        _field("lien", "url", "Lien", "Link", required=True),
        _field("theme", "text", "Thème", "Theme"),
        _field("description", "longtext", "Description", "Description"),
    ],
}


def resources(session: Session, kind: str = "", licence: str = "") -> list[TypedPage]:
    """The published resources, by title, of ``kind`` and ``licence`` when given."""
    return [
        item
        for item in published_of_type(session, TYPE_NAME)
        if (not kind or item.field("genre") == kind)
        and (not licence or item.field("licence_ressource") == licence)
    ]


@bp.route("/ressources")
def resource_list() -> str:
    """The resources with their filters (``?genre=`` and ``?licence=``)."""
    kind = request.args.get("genre", "")
    licence = request.args.get("licence", "")
    shown = resources(
        get_session(),
        kind if kind in KINDS else "",
        licence if licence in RESOURCE_LICENCES else "",
    )
    return render_template(
        "mettre_en_communs/reuse/ressources.html",
        shown=shown,
        kinds=KINDS,
        licences=RESOURCE_LICENCES,
        kind=kind,
        licence=licence,
        link=page_url,
        say=say,
    )


@api.get("/resources")
def resources_json() -> Response:
    """``{"resources": [{title, url, kind, license, link, theme, description}]}``,
    filtered by ``kind`` and ``license``."""
    shown = resources(get_session(), request.args.get("kind", ""), request.args.get("license", ""))
    return jsonify(
        {
            "resources": [
                {
                    "title": item.title.full,
                    "url": absolute_url(item.title),
                    "kind": item.field("genre"),
                    "license": item.field("licence_ressource"),
                    "link": item.field("lien"),
                    "theme": item.field("theme"),
                    "description": item.field("description"),
                }
                for item in shown
            ]
        }
    )
