""" "Près de chez moi" /lieux/proches and GET /api/v1/access-points/coverage."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from .geo import LatLon, haversine_m
from .samples import lieu_body

CENTRE = {"lat": 48.3904, "lon": -4.4861}
BELLEVUE_1 = {"lat": 48.4003, "lon": -4.5058}
BELLEVUE_2 = {"lat": 48.4013, "lon": -4.5038}


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    api = Api(client, bearer_for(app, "Alice"))
    api.put("Médiathèque Centre", lieu_body(quartier="Centre", position=CENTRE), 201)
    api.put("Maison Bellevue", lieu_body(quartier="Bellevue", position=BELLEVUE_1), 201)
    api.put("Local Bellevue", lieu_body(quartier="Bellevue", position=BELLEVUE_2), 201)
    return api


def test_haversine_distances() -> None:
    paris, brest = LatLon(48.8566, 2.3522), LatLon(48.3904, -4.4861)
    assert 504_000 < haversine_m(paris, brest) < 506_000
    assert haversine_m(brest, brest) == 0
    # one thousandth of a degree of latitude is about 111 m
    assert 110 < haversine_m(LatLon(48.0, -4.0), LatLon(48.001, -4.0)) < 112


def listed(page) -> list[tuple[str, float]]:
    return [
        (li["data-title"], float(li["data-distance"]))
        for li in page.select("ol.faire-avec-proches li")
    ]


def test_nearest_to_typed_coordinates_with_the_rule(api: Api, client: FlaskClient):
    answer = client.get("/lieux/proches?lat=48.4005&lon=-4.5055&chercher=1")
    assert answer.status_code == 200
    assert "geolocation=(self)" in answer.headers["Permissions-Policy"]
    page = soup(answer)
    found = listed(page)
    assert [title for title, _ in found] == [
        "Maison Bellevue",
        "Local Bellevue",
        "Médiathèque Centre",
    ]
    assert found[0][1] < 40 and found[1][1] < found[2][1]
    rule = page.select_one(".faire-avec-rule")
    assert "rule-met" in rule["class"] and "Règle respectée" in rule.get_text()
    # a decimal comma is fine in the form's boxes
    far = soup(client.get("/lieux/proches?lat=48,36&lon=-4,45&distance=300"))
    assert "rule-not-met" in far.select_one(".faire-avec-rule")["class"]


def test_nearest_to_a_neighbourhoods_centre(api: Api, client: FlaskClient):
    page = soup(client.get("/lieux/proches?quartier=Bellevue"))
    assert "Bellevue" in page.select_one(".faire-avec-origin").get_text()
    found = listed(page)
    assert {found[0][0], found[1][0]} == {"Maison Bellevue", "Local Bellevue"}
    assert abs(found[0][1] - found[1][1]) < 1  # the centre lies halfway
    options = [o["value"] for o in page.select("#fa-quartier option")]
    assert options == ["", "Bellevue", "Centre"]


def test_the_form_works_without_a_point_and_offers_the_location_script(api, client):
    page = soup(client.get("/lieux/proches"))
    assert page.select_one("ol.faire-avec-proches") is None
    script = page.select_one('script[src="/lieux/static/proches.js"]')
    assert script is not None
    with client.get("/lieux/static/proches.js") as served:
        assert served.status_code == 200 and "geolocation" in served.text
    assert page.select_one("form.faire-avec-near")["data-locate-label"] == "Utiliser ma position"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("lat=95&lon=0", "hors limites"),
        ("lat=abc&lon=0", "illisibles"),
        ("lat=48.4&lon=-4.5&distance=-1", "Distance invalide"),
        ("quartier=Atlantide", "Atlantide"),
        ("chercher=1", "Donnez une latitude"),
    ],
)
def test_bad_input_shows_on_the_form(api: Api, client: FlaskClient, query: str, words: str):
    answer = client.get(f"/lieux/proches?{query}")
    assert answer.status_code == 400
    assert words in soup(answer).select_one(".banner-error").get_text()


def test_coverage_checks_the_rule_for_each_point(api: Api):
    body = api.get(
        "/api/v1/access-points/coverage", query={"points": "48.4005,-4.5055;48.36,-4.45"}
    )
    assert body["within"] == 300
    near, far = body["points"]
    assert near["point"] == {"lat": 48.4005, "lon": -4.5055}
    assert near["nearest"]["title"] == "Maison Bellevue" and near["within"] is True
    assert near["nearest"]["url"].endswith("/wiki/Maison_Bellevue")
    assert near["distance_m"] < 40
    assert far["within"] is False and far["distance_m"] > 3_000
    wide = api.get(
        "/api/v1/access-points/coverage", query={"points": "48.36,-4.45", "within": "10000"}
    )
    assert wide["points"][0]["within"] is True


def test_coverage_with_no_access_point(app: Flask, client: FlaskClient):
    body = Api(client).get("/api/v1/access-points/coverage", query={"points": "48.4,-4.5"})
    assert body["points"][0] == {
        "point": {"lat": 48.4, "lon": -4.5}, "nearest": None, "distance_m": None, "within": False
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({}, "points"),
        ({"points": "48.4,-4.5;"}, None),
        ({"points": "48.4;-4.5"}, "points"),
        ({"points": "48.4,-4.5", "within": "-300"}, "within"),
        ({"points": ";".join(["48.4,-4.5"] * 101)}, "points"),
    ],
)
def test_coverage_refuses_bad_input(api: Api, query: dict, parameter: str | None):
    answer = api.call("GET", "/api/v1/access-points/coverage", None, query=query)
    if parameter is None:
        assert answer.status_code == 200  # a trailing separator is harmless
    else:
        assert answer.status_code == 400 and answer.get_json()["parameter"] == parameter


def test_an_access_points_page_links_to_its_neighbours(api: Api, client: FlaskClient):
    page = soup(client.get("/wiki/Maison_Bellevue"))
    panel = next(
        p for p in page.select("section.plugin-panel") if p.h2.get_text() == "Autour de ce lieu"
    )
    links = [a["href"] for a in panel.select("a")]
    assert links == ["/lieux/proches?lat=48.4003&lon=-4.5058", "/lieux/carte"]
    near = soup(client.get(links[0]))
    assert listed(near)[0][0] == "Maison Bellevue"
