"""Statistics /lieux/statistiques: charts at their own .svg URLs with their tables."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from .samples import lieu_body


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    api = Api(client, bearer_for(app, "Alice"))
    api.put("A", lieu_body(quartier="Bellevue", adhesion=2001, postes=4), 201)
    api.put("B", lieu_body(quartier="Bellevue", adhesion=1999, postes=2), 201)
    api.put("C", lieu_body(quartier="Centre", adhesion=2001, postes=None), 201)
    api.put("D", lieu_body(quartier="Europe", adhesion=None), 201)
    return api


def table(figure) -> list[tuple[str, str]]:
    return [(tr.th.get_text(), tr.td.get_text()) for tr in figure.select("tbody tr")]


def test_the_statistics_page_shows_charts_and_tables(api: Api, client: FlaskClient):
    page = soup(client.get("/lieux/statistiques"))
    total = page.select_one(".faire-avec-total")
    assert total["data-total"] == "4" and total["data-computers"] == "11"
    quarters = page.select_one("#quartiers figure")
    assert quarters.img["src"] == "/lieux/statistiques/quartiers.svg"
    assert table(quarters) == [("Bellevue", "2"), ("Centre", "1"), ("Europe", "1")]
    years = page.select_one("#annees figure")
    assert years.img["src"] == "/lieux/statistiques/annees.svg"
    assert table(years) == [("1999", "1"), ("2001", "2"), ("non renseigné", "1")]
    english = soup(client.get("/lieux/statistiques?lang=en"))
    assert english.select_one("#annees caption").get_text() == "Places by year joined"


@pytest.mark.parametrize("name", ["quartiers", "annees"])
def test_each_chart_is_an_svg_image_under_its_own_policy(api, client, name):
    answer = client.get(f"/lieux/statistiques/{name}.svg")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert b"<svg" in answer.data and (b"Bellevue" in answer.data or b"2001" in answer.data)


def test_the_json_twin(api: Api):
    stats = api.get("/api/v1/access-points/stats")
    assert stats["total"] == 4 and stats["computers"] == 11
    assert stats["by_neighbourhood"][0] == {"neighbourhood": "Bellevue", "count": 2}
    assert {"year": "2001", "count": 2} in stats["by_year"]


def test_an_empty_directory_has_no_chart(app: Flask, client: FlaskClient):
    page = soup(client.get("/lieux/statistiques"))
    assert page.select_one("figure") is None
    assert client.get("/lieux/statistiques/annees.svg").status_code == 200
