"""The directory's downloads: /lieux.csv and /lieux.geojson."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from .samples import lieu_body


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    api = Api(client, bearer_for(app, "Alice"))
    api.put("Maison Nord", lieu_body(quartier="Nord", structure='=HYPERLINK("x")'), 201)
    api.put("Local Sud", lieu_body(quartier="Sud", position=None, services=["ateliers"]), 201)
    return api


def test_the_csv_export(api: Api, client: FlaskClient):
    answer = client.get("/lieux.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "lieux-acces.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert [r["titre"] for r in rows] == ["Local Sud", "Maison Nord"]
    north = rows[1]
    assert north["structure"] == '\'=HYPERLINK("x")'  # never a formula
    assert north["latitude"] == "48.3958" and north["services"] == "accès libre; wifi"
    assert north["horaires"].startswith("lun 09:00-12:00, 14:00-18:00; mar ")
    assert north["accessible"] == "oui" and north["adhesion"] == "2003"
    assert north["url"].endswith("/wiki/Maison_Nord")
    assert rows[0]["latitude"] == ""
    # the directory's filters apply
    only = client.get("/lieux.csv?quartier=Sud").text
    assert "Local Sud" in only and "Maison Nord" not in only


def test_the_geojson_export(api: Api, client: FlaskClient):
    answer = client.get("/lieux.geojson?service=wifi")
    assert answer.mimetype == "application/geo+json"
    collection = json.loads(answer.text)
    assert collection["type"] == "FeatureCollection"
    (north,) = collection["features"]
    assert north["geometry"]["coordinates"] == [-4.4857, 48.3958]
    assert north["properties"]["title"] == "Maison Nord"


def test_the_directory_links_its_exports_with_its_filters(api: Api, client: FlaskClient):
    links = [
        a["href"] for a in soup(client.get("/lieux?quartier=Sud")).select(".faire-avec-exports a")
    ]
    assert links == ["/lieux.csv?quartier=Sud", "/lieux.geojson?quartier=Sud"]
