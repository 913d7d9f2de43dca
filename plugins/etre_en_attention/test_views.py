"""The list with its facets, the page of a year and the CSV export, through the app."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from helpers import soup


def listed(client: FlaskClient, query: str = "") -> list[str]:
    page = soup(client.get("/appel-a-projets" + query))
    return [a.text for a in page.select("table.initiative-list tbody th a")]


def test_the_list_filters_by_each_facet(client: FlaskClient, projects: None) -> None:
    assert listed(client) == [
        '=HYPERLINK("x")',
        "Radio des jeunes",
        "Écrivain public",
        "Café numérique",
        "Repair café",
    ]
    assert listed(client, "?annee=2025") == ["Café numérique", "Repair café"]
    assert listed(client, "?theme=mutualisation") == ["Repair café"]
    assert listed(client, "?quartier=Kerourien") == ["Radio des jeunes", "Café numérique"]
    assert listed(client, "?statut=en+cours") == ["Radio des jeunes"]
    assert listed(client, "?prioritaire=non") == ["Repair café"]
    assert listed(client, "?annee=2026&quartier=Kerourien") == ["Radio des jeunes"]
    page = soup(client.get("/appel-a-projets?annee=2026"))
    facet = page.select_one("section.facet[data-facet=statut]")
    counts = {a.text: a.find_next_sibling("span").text for a in facet.select("a")}
    assert counts == {"proposée": "(1)", "retenue": "(1)", "en cours": "(1)"}
    year = page.select_one("section.facet[data-facet=annee] a.active")
    assert year.text == "2026" and year["href"] == "/appel-a-projets"  # a click removes it
    assert page.select_one("a[href='/appel-a-projets/export.csv?annee=2026']") is not None


@pytest.mark.parametrize(
    "query",
    [
        "?annee=deux-mille",
        "?annee=3000",
        "?theme=jardin",
        "?statut=gagnée",
        "?prioritaire=peut-etre",
        "?page=0",
        "?page=99",
    ],
)
def test_bad_filters_get_a_clear_400(client: FlaskClient, projects: None, query: str) -> None:
    answer = client.get("/appel-a-projets" + query)
    assert answer.status_code == 400
    assert "invalide" in soup(answer).select_one("main").text


def test_the_list_is_paged(
    client: FlaskClient, make_page: Callable, initiative: Callable, moderator: str
) -> None:
    for n in range(53):
        make_page(
            f"Projet {n:02d}",
            "Le projet.",
            author=moderator,
            page_type="initiative",
            fields=initiative(),
        )
    first = soup(client.get("/appel-a-projets"))
    assert len(first.select("table.initiative-list tbody tr")) == 50
    second = client.get(first.select_one("a[rel=next]")["href"])
    assert len(soup(second).select("table.initiative-list tbody tr")) == 3


def test_the_page_of_a_year(client: FlaskClient, projects: None, make_call: Callable) -> None:
    make_call(year=2025, opens_in=-400, closes_in=-300)
    page = soup(client.get("/appel-a-projets/2025"))
    assert page.select_one("h1").text == "Appel à projets 2025"
    assert page.select_one("a[href='/wiki/Appel_%C3%A0_projets_2025']") is not None
    by_status = {
        s["data-status"]: [a.text for a in s.select("a")]
        for s in page.select("section.year-status")
    }
    assert by_status == {"réalisée": ["Café numérique"], "abandonnée": ["Repair café"]}
    assert client.get("/appel-a-projets/2026").status_code == 200  # initiatives, no call page
    assert client.get("/appel-a-projets/1999").status_code == 404
    assert client.get("/appel-a-projets/20266").status_code == 404


def test_the_csv_export_follows_the_filters_and_is_safe(
    client: FlaskClient, projects: None
) -> None:
    answer = client.get("/appel-a-projets/export.csv?annee=2026")
    assert answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["titre", "url", "annee", "porteur"]
    titles = [row[0] for row in rows[1:]]
    assert titles == ['\'=HYPERLINK("x")', "Radio des jeunes", "Écrivain public"]
    assert rows[1][3] == "'@moi"  # no formula for a spreadsheet
    radio = rows[2]
    assert radio[1].endswith("/wiki/Radio_des_jeunes") and radio[2] == "2026"
    assert "expression" in radio[6] and radio[7] == "oui" and radio[8] == "en cours"
    assert client.get("/appel-a-projets/export.csv?annee=x").status_code == 400


def test_the_list_speaks_english(client: FlaskClient, projects: None) -> None:
    page = soup(client.get("/appel-a-projets?lang=en"))
    assert page.select_one("h1").text == "The initiatives of the call"
    menu = {a.text: a["href"] for a in page.select(".site-nav a")}
    assert menu["Call for projects"] == "/appel-a-projets"


def test_the_pages_bring_their_narrow_screen_styles(client: FlaskClient, projects: None) -> None:
    for url in ("/appel-a-projets", "/appel-a-projets/2026", "/appel-a-projets/tableau-de-bord"):
        sheet = soup(client.get(url)).select_one("link[href$='appel.css']")
        assert sheet is not None, url
    with client.get("/appel-a-projets/static/appel.css") as css:  # a file: close it
        assert css.status_code == 200 and b"max-width: 100%" in css.data
