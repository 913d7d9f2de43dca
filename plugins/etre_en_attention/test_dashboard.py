"""The dashboard: its charts (each an SVG of its own) with their tables, its rates with
their definition, and its JSON twin GET /api/v1/initiatives/stats."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from helpers import Api, soup

STATS = "/api/v1/initiatives/stats"
BOARD = "/appel-a-projets/tableau-de-bord"


def test_the_stats_of_every_year(client: FlaskClient, projects: None) -> None:
    body = Api(client).get(STATS)
    assert body["year"] is None and body["total"] == 5
    assert body["by_year"] == {"2025": 2, "2026": 3}
    assert body["by_status"] == {
        "proposée": 1,
        "retenue": 1,
        "en cours": 1,
        "réalisée": 1,
        "abandonnée": 1,
    }
    assert body["by_neighbourhood"] == {"Bellevue": 2, "Kerourien": 2, "Recouvrance": 1}
    assert body["by_theme"]["expression"] == 4 and body["by_theme"]["mutualisation"] == 1
    assert body["by_theme"]["innovation"] == 0  # every theme of the call, in its order
    assert body["priority_neighbourhoods"] == {"count": 4, "share": 0.8}
    rate = body["completion_rate"]
    assert (rate["completed"], rate["counted"], rate["rate"]) == (1, 4, 0.25)
    assert rate["counted_statuses"] == ["retenue", "en cours", "réalisée", "abandonnée"]
    assert "réalisées" in rate["definition"]


def test_the_stats_of_one_year_and_of_none(client: FlaskClient, projects: None) -> None:
    body = Api(client).get(STATS + "?year=2025")
    assert body["year"] == 2025 and body["total"] == 2
    assert body["priority_neighbourhoods"]["share"] == 0.5
    assert body["completion_rate"]["rate"] == 0.5
    empty = Api(client).get(STATS + "?year=2001")
    assert empty["total"] == 0 and empty["priority_neighbourhoods"]["share"] is None
    assert empty["completion_rate"]["rate"] is None
    english = Api(client).get(STATS + "?lang=en")
    assert "completed" in english["completion_rate"]["definition"]


@pytest.mark.parametrize("year", ["deux-mille", "2025.5", "3000", "-1"])
def test_a_bad_year_is_a_400(client: FlaskClient, year: str) -> None:
    body = Api(client).call("GET", STATS, 400, query={"year": year}).get_json()
    assert body["code"] == "bad-year" and "1990" in body["error"]
    assert client.get(BOARD, query_string={"annee": year}).status_code == 400


def test_the_dashboard_shows_charts_tables_and_rates(client: FlaskClient, projects: None) -> None:
    page = soup(client.get(BOARD))
    figures = page.select("figure.chart")
    assert len(figures) == 5
    tables = {f.select_one("caption").text: f for f in figures}
    status = tables["Initiatives par statut"]
    rows = {tr.th.text: tr.td.text for tr in status.select("tbody tr")}
    assert rows["réalisée"] == "1" and rows["proposée"] == "1"
    assert "80" in page.select_one(".priority-share").text
    assert "25" in page.select_one(".completion-rate").text
    assert (
        "retenues + en cours + réalisées + abandonnées"
        in page.select_one(".completion-definition").text
    )
    for figure in figures:
        image = client.get(figure.img["src"])
        assert image.status_code == 200 and image.mimetype == "image/svg+xml"
        assert image.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert b"<svg" in image.data
    one_year = soup(client.get(BOARD + "?annee=2025"))
    assert one_year.select_one("h1").text == "Tableau de bord 2025"
    assert one_year.select_one("figure.chart img")["src"].endswith(".svg?annee=2025")
    assert "50" in one_year.select_one(".completion-rate").text


def test_the_dashboard_speaks_english(client: FlaskClient, projects: None) -> None:
    page = soup(client.get(BOARD + "?lang=en"))
    assert page.select_one("h1").text == "Dashboard"
    assert "Completion rate" in page.select_one(".completion-rate").text
