"""GET /api/v1/initiatives, the JSON twin of the list and of a year's page, through the
app: the same filters, order, paging and refusals as the HTML list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from helpers import Api, soup

LIST = "/api/v1/initiatives"


def titles(client: FlaskClient, query: dict[str, str] | None = None) -> list[str]:
    body = Api(client).get(LIST, query=query or {})
    return [item["title"] for item in body["initiatives"]]


def test_every_initiative_with_its_fields(client: FlaskClient, projects: None) -> None:
    body = Api(client).get(LIST)
    assert (body["total"], body["page"], body["pages"]) == (5, 1, 1)
    assert "call" not in body  # only a year's list has its call
    assert [item["title"] for item in body["initiatives"]] == [
        '=HYPERLINK("x")',
        "Radio des jeunes",
        "Écrivain public",
        "Café numérique",
        "Repair café",
    ]
    radio = body["initiatives"][1]
    assert radio["url"].startswith("http") and radio["url"].endswith("/wiki/Radio_des_jeunes")
    assert radio["fields"]["annee"] == 2026 and radio["fields"]["statut"] == "en cours"
    assert radio["fields"]["quartier_prioritaire"] is True
    assert radio["fields"]["themes"] == ["expression"]


@pytest.mark.parametrize(
    ("query", "html"),
    [
        ({"year": "2025"}, "annee=2025"),
        ({"theme": "mutualisation"}, "theme=mutualisation"),
        ({"neighbourhood": "Kerourien"}, "quartier=Kerourien"),
        ({"status": "en cours"}, "statut=en+cours"),
        ({"priority": "false"}, "prioritaire=non"),
        ({"priority": "true", "year": "2026"}, "prioritaire=oui&annee=2026"),
        ({"year": "2026", "neighbourhood": "Kerourien"}, "annee=2026&quartier=Kerourien"),
        ({"year": "", "priority": ""}, ""),  # empty: no filter, as on the list
    ],
)
def test_the_filters_twin_the_list(
    client: FlaskClient, projects: None, query: dict[str, str], html: str
) -> None:
    page = soup(client.get("/appel-a-projets?" + html))
    on_the_list = [a.text for a in page.select("table.initiative-list tbody th a")]
    assert on_the_list and titles(client, query) == on_the_list


def test_a_year_brings_its_call(client: FlaskClient, projects: None, make_call: Callable) -> None:
    make_call(year=2025, opens_in=-400, closes_in=-300)
    make_call(year=2026, opens_in=-10, closes_in=10)
    past = Api(client).get(LIST, query={"year": "2025"})
    assert [item["title"] for item in past["initiatives"]] == ["Café numérique", "Repair café"]
    call = past["call"]
    assert call["title"] == "Appel à projets 2025" and call["open"] is False
    assert call["url"].endswith("/wiki/Appel_%C3%A0_projets_2025")
    assert call["themes"] == ["expression", "innovation"]
    assert date.fromisoformat(call["opens"]) < date.fromisoformat(call["closes"]) < date.today()
    assert Api(client).get(LIST, query={"year": "2026"})["call"]["open"] is True
    nothing = Api(client).get(LIST, query={"year": "2001"})
    assert nothing == {"initiatives": [], "total": 0, "page": 1, "pages": 0, "call": None}


@pytest.mark.parametrize(
    ("query", "code", "parameter"),
    [
        ({"year": "deux-mille"}, "bad-year", "year"),
        ({"year": "3000"}, "bad-year", "year"),
        ({"theme": "jardin"}, "bad-filter", "theme"),
        ({"status": "gagnée"}, "bad-filter", "status"),
        ({"priority": "oui"}, "bad-filter", "priority"),  # the list's words are not the API's
        ({"priority": "peut-être"}, "bad-filter", "priority"),
        ({"page": "0"}, "bad-filter", "page"),
        ({"page": "2"}, "bad-filter", "page"),
        ({"page": "un"}, "bad-filter", "page"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(
    client: FlaskClient, projects: None, query: dict[str, str], code: str, parameter: str
) -> None:
    body = Api(client).call("GET", LIST, 400, query=query).get_json()
    assert (body["code"], body["parameter"]) == (code, parameter)
    assert ("1990" if code == "bad-year" else f"{parameter}={query[parameter]}") in body["error"]


def test_a_refusal_speaks_the_readers_language(client: FlaskClient) -> None:
    french = Api(client).call("GET", LIST, 400, query={"theme": "jardin"}).get_json()
    assert french["error"] == "Filtre invalide : theme=jardin."
    english = Api(client).call("GET", LIST, 400, query={"theme": "jardin", "lang": "en"})
    assert english.get_json()["error"] == "Invalid filter: theme=jardin."


def test_the_list_is_paged_as_the_html_one(
    client: FlaskClient, make_page: Callable, initiative: Callable, moderator: str
) -> None:
    assert Api(client).get(LIST) == {"initiatives": [], "total": 0, "page": 1, "pages": 0}
    for n in range(53):
        make_page(
            f"Projet {n:02d}",
            "Le projet.",
            author=moderator,
            page_type="initiative",
            fields=initiative(),
        )
    first = Api(client).get(LIST)
    assert (first["total"], first["page"], first["pages"]) == (53, 1, 2)
    assert len(first["initiatives"]) == 50 and first["initiatives"][0]["title"] == "Projet 00"
    second = Api(client).get(LIST, query={"page": "2"})
    assert [item["title"] for item in second["initiatives"]] == [
        "Projet 50",
        "Projet 51",
        "Projet 52",
    ]
    assert second["page"] == 2
