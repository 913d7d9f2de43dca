"""The map /lieux/carte: Leaflet served from xstatic-leaflet over a tile server, or an
SVG plan of the points without one; no inline script or style either way."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, soup

from .geo import LatLon, project
from .samples import lieu_body

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


def add_places(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Alice"))
    api.put("Ouest", lieu_body(position={"lat": 48.40, "lon": -4.52}), 201)
    api.put("Est", lieu_body(position={"lat": 48.38, "lon": -4.46}), 201)
    api.put("Sans position", lieu_body(position=None), 201)


def assert_no_inline_code(page) -> None:
    assert all(script.get("src") for script in page.select("script"))
    assert page.select("style") == [] and page.select("[style]") == []


def test_the_projection_keeps_north_up_and_one_scale() -> None:
    west, east, north = LatLon(48.39, -4.52), LatLon(48.39, -4.46), LatLon(48.42, -4.49)
    (wx, wy), (ex, ey), (nx, ny) = project([west, east, north], 640, 480)
    assert wx < nx < ex and ny < wy == ey
    assert all(0 <= v <= 640 for v in (wx, ex, nx)) and all(0 <= v <= 480 for v in (wy, ny))
    assert project([west], 640, 480) == [(320, 240)]
    assert project([], 640, 480) == []


def test_without_a_tile_server_the_plan_is_drawn_on_the_server(app: Flask, client):
    add_places(app, client)
    answer = client.get("/lieux/carte")
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    page = soup(answer)
    links = page.select(".faire-avec-plan svg a")
    assert sorted(a["data-title"] for a in links) == ["Est", "Ouest"]
    assert {a["href"] for a in links} == {"/wiki/Est", "/wiki/Ouest"}
    # links inside a role="img" would be nested interactive content (axe: serious)
    assert page.select_one(".faire-avec-plan svg")["role"] == "group"
    assert all(a["aria-label"].startswith(a["data-title"]) for a in links)
    west = float(page.select_one('a[data-title="Ouest"] circle')["cx"])
    east = float(page.select_one('a[data-title="Est"] circle')["cx"])
    assert west < east
    assert page.select_one("#faire-avec-map") is None
    assert 'src="/lieux/leaflet/leaflet.js"' not in answer.text
    listed = [a.get_text() for a in page.select("ul.faire-avec-lieux a")]
    assert listed == ["Est", "Ouest", "Sans position"]
    assert_no_inline_code(page)


def test_with_a_tile_server_leaflet_is_served_by_the_app(make_app: Callable[..., Flask]):
    app = make_app(FAIRE_AVEC_TILE_URL=TILES, FAIRE_AVEC_TILE_ATTRIBUTION="© contributeurs")
    client = app.test_client()
    add_places(app, client)
    page = soup(client.get("/lieux/carte"))
    box = page.select_one("#faire-avec-map")
    assert box["data-tiles"] == TILES and box["data-geojson"] == "/lieux.geojson"
    assert box["data-attribution"] == "© contributeurs"
    scripts = [s["src"] for s in page.select("script[src]")]
    assert "/lieux/leaflet/leaflet.js" in scripts and "/lieux/static/carte.js" in scripts
    assert page.select_one(".faire-avec-plan") is None
    assert_no_inline_code(page)
    for path, words in [
        ("/lieux/leaflet/leaflet.js", b"Leaflet"),
        ("/lieux/leaflet/leaflet.css", b".leaflet-"),
        ("/lieux/static/carte.js", b"data-tiles"),
        ("/lieux/static/faire_avec.css", b".faire-avec-map"),
    ]:
        with client.get(path) as served:
            assert served.status_code == 200, path
            assert words in served.data, path
    with client.get("/lieux/leaflet/images/marker-icon.png") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/png"
    assert client.get("/lieux/leaflet/../__init__.py").status_code == 404
