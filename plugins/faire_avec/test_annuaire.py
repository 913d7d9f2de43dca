"""The directory /lieux and its JSON twin GET /api/v1/access-points, through the app."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from .samples import lieu_body

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
#: Tuesday 3 December 2024 … any Tuesday: the places below differ on Tuesday mornings
TUESDAY_10H = "2024-12-03T10:00"


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    """Three access points (and one plain page), written by a trusted resident."""
    api = Api(client, bearer_for(app, "Alice"))
    api.put(
        "Médiathèque Centre",
        lieu_body(
            genre="médiathèque",
            quartier="Centre",
            position={"lat": 48.3904, "lon": -4.4861},
            services=["accès libre", "wifi", "impression"],
            horaires=ALWAYS,
        ),
        201,
    )
    api.put(
        "Maison Bellevue",
        lieu_body(
            genre="maison de quartier",
            quartier="Bellevue",
            position={"lat": 48.4003, "lon": -4.5058},
            services=["ateliers"],
            accessible=False,
            horaires={"tue": [["14:00", "18:00"]]},
        ),
        201,
    )
    api.put(
        "Association sans adresse",
        lieu_body(
            genre="association",
            quartier="bellevue ",
            position=None,
            horaires=None,
            services=["accès accompagné"],
        ),
        201,
    )
    api.put("Page simple", {"text": "Rien à voir.", "base_revision": None}, 201)
    return api


def titles(collection: dict) -> list[str]:
    return [f["properties"]["title"] for f in collection["features"]]


def test_the_directory_lists_filters_and_counts(api: Api, client: FlaskClient):
    page = soup(client.get("/lieux"))
    listed = [li["data-title"] for li in page.select("ul.faire-avec-lieux li")]
    assert listed == ["Association sans adresse", "Maison Bellevue", "Médiathèque Centre"]
    facet = {li["data-value"]: li.get_text() for li in page.select('[data-facet="quartier"]')}
    assert facet["Bellevue"].endswith("(1)") and facet["bellevue"].endswith("(1)")
    # each facet is a link narrowing the current filters
    wifi = page.select_one('[data-facet="service"][data-value="wifi"] a')["href"]
    assert wifi == "/lieux?service=wifi"
    narrowed = soup(client.get(wifi)).select_one(
        '[data-facet="service"][data-value="impression"] a'
    )
    assert narrowed["href"] == "/lieux?service=wifi&service=impression"
    # a neighbourhood matches whatever its case; services must all be there
    page = soup(client.get("/lieux?quartier=Bellevue"))
    assert len(page.select("ul.faire-avec-lieux li")) == 2
    page = soup(client.get("/lieux?service=wifi&service=impression"))
    assert [li["data-title"] for li in page.select("ul.faire-avec-lieux li")] == [
        "Médiathèque Centre"
    ]
    page = soup(client.get("/lieux?genre=association&accessible=1"))
    assert [li["data-title"] for li in page.select("ul.faire-avec-lieux li")] == [
        "Association sans adresse"
    ]
    page = soup(client.get("/lieux?genre=piscine"))
    assert page.select_one(".faire-avec-count").get_text() == "0 lieu(x) trouvé(s)"


def test_open_now_is_read_from_the_hours(api: Api, client: FlaskClient):
    page = soup(client.get("/lieux?ouvert=1"))
    shown = [li["data-title"] for li in page.select("ul.faire-avec-lieux li")]
    assert "Médiathèque Centre" in shown and "Association sans adresse" not in shown
    assert "(ouvert)" in page.select_one('li[data-title="Médiathèque Centre"]').get_text()
    assert "Europe/Paris" in page.select_one(".faire-avec-now").get_text()
    english = soup(client.get("/lieux?lang=en"))
    assert english.select_one("h1").get_text() == "Public internet access points"
    # stored choices stay French; English readers read them in English
    assert english.select_one('#fa-genre option[value="médiathèque"]').get_text() == "library"


def test_the_api_answers_geojson_with_filters(api: Api):
    collection = api.get("/api/v1/access-points")
    assert collection["type"] == "FeatureCollection"
    assert titles(collection) == [
        "Association sans adresse", "Maison Bellevue", "Médiathèque Centre"
    ]  # fmt: skip
    media = collection["features"][2]
    assert media["geometry"] == {"type": "Point", "coordinates": [-4.4861, 48.3904]}
    assert media["properties"]["url"].endswith("/wiki/M%C3%A9diath%C3%A8que_Centre")
    assert media["properties"]["fields"]["genre"] == "médiathèque"
    assert "distance_m" not in media["properties"]
    assert collection["features"][0]["geometry"] is None  # no location given
    only = api.get("/api/v1/access-points", query={"neighbourhood": "BELLEVUE"})
    assert titles(only) == ["Association sans adresse", "Maison Bellevue"]
    served = api.get("/api/v1/access-points", query={"service": "wifi"})
    assert titles(served) == ["Médiathèque Centre"]


def test_the_api_sorts_by_distance_and_keeps_those_within(api: Api):
    near = api.get("/api/v1/access-points", query={"near": "48.4000,-4.5050"})
    assert titles(near) == ["Maison Bellevue", "Médiathèque Centre"]  # located ones only
    first, second = (f["properties"]["distance_m"] for f in near["features"])
    assert 50 < first < 120 and 1_500 < second < 1_800
    close = api.get("/api/v1/access-points", query={"near": "48.4000,-4.5050", "within": "500"})
    assert titles(close) == ["Maison Bellevue"]


def test_open_at_is_read_on_the_wikis_clock(api: Api):
    morning = api.get("/api/v1/access-points", query={"open_at": TUESDAY_10H})
    assert titles(morning) == ["Médiathèque Centre"]
    afternoon = api.get("/api/v1/access-points", query={"open_at": "2024-12-03T15:00"})
    assert titles(afternoon) == ["Maison Bellevue", "Médiathèque Centre"]
    # 14:30 in UTC is 15:30 in Paris in December: open; 12:30 UTC is 13:30: closed
    utc = datetime(2024, 12, 3, 14, 30, tzinfo=ZoneInfo("UTC")).isoformat()
    assert "Maison Bellevue" in titles(api.get("/api/v1/access-points", query={"open_at": utc}))
    early = api.get("/api/v1/access-points", query={"open_at": "2024-12-03T12:30+00:00"})
    assert "Maison Bellevue" not in titles(early)


def test_the_wikis_time_zone_is_a_setting(make_app):
    app = make_app(FAIRE_AVEC_TIMEZONE="America/New_York")
    api = Api(app.test_client(), bearer_for(app, "Alice"))
    api.put("Maison", lieu_body(horaires={"tue": [["14:00", "18:00"]]}), 201)
    # 20:00 UTC is 15:00 in New York
    found = api.get("/api/v1/access-points", query={"open_at": "2024-12-03T20:00Z"})
    assert titles(found) == ["Maison"]


BAD = [
    ({"near": "91,0"}, "near", "hors limites"),
    ({"near": "48.39"}, "near", "illisibles"),
    ({"near": "nord,ouest"}, "near", "illisibles"),
    ({"near": "48.39,-4.48", "within": "-5"}, "within", "Distance invalide"),
    ({"near": "48.39,-4.48", "within": "loin"}, "within", "Distance invalide"),
    ({"open_at": "mardi matin"}, "open_at", "ISO 8601"),
    ({"within": "300"}, "within", "near=LAT,LON"),
    ({"service": "fax"}, "service", "fax (accès libre, accès accompagné"),
    ({"kind": "piscine"}, "kind", "piscine"),
]


@pytest.mark.parametrize(("query", "parameter", "words"), BAD)
def test_bad_input_is_refused_with_a_clear_message(api: Api, query, parameter, words):
    refused = api.call("GET", "/api/v1/access-points", 400, query=query).get_json()
    assert refused["parameter"] == parameter and refused["code"] == "invalid-parameter"
    assert words in refused["error"]


def test_bad_input_in_english(api: Api):
    english = Api(api.client, {"Accept-Language": "en"})
    refused = english.call("GET", "/api/v1/access-points", 400, query={"near": "0,200"})
    assert "out of range" in refused.get_json()["error"]


def test_a_long_directory_is_shown_in_pages(app: Flask, client: FlaskClient, monkeypatch):
    from . import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    api = Api(client, bearer_for(app, "Alice"))
    for name in ("A", "B", "C", "D", "E"):
        api.put(f"Lieu {name}", lieu_body(), 201)
    first = soup(client.get("/lieux?service=wifi"))
    assert [li["data-title"] for li in first.select("ul.faire-avec-lieux li")] == [
        "Lieu A", "Lieu B"
    ]  # fmt: skip
    assert first.select_one(".faire-avec-count").get_text() == "5 lieu(x) trouvé(s)"
    following = first.select_one('.faire-avec-pages a[rel="next"]')["href"]
    assert following == "/lieux?service=wifi&page=2"
    last = soup(client.get("/lieux?service=wifi&page=9"))  # past the end: the last page
    assert [li["data-title"] for li in last.select("ul.faire-avec-lieux li")] == ["Lieu E"]
    assert last.select_one('.faire-avec-pages a[rel="next"]') is None
    assert soup(client.get("/lieux?page=x")).select_one(".faire-avec-pages span").get_text() == (
        "Page 1 sur 3"
    )
