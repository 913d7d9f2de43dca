"""The helpers the plugins' statistics and exports stand on: SVG charts served as images
with their own policy, and CSV cells that no spreadsheet evaluates."""

from __future__ import annotations

import csv
import importlib
import io
import sys

import pytest
from flask import Flask

from wikicoop.web.charts import Figures, bar_svg, pie_svg, svg_response
from wikicoop.web.exports import csv_response, csv_text, safe_cell

pytestmark = pytest.mark.any_database

FIGURES = Figures("Lieux par quartier", [("Bellevue", 4), ("Recouvrance", 2), ("Saint-Marc", 0)])


@pytest.mark.parametrize("chart", [bar_svg, pie_svg])
def test_a_chart_is_an_svg_document_with_the_figures(chart) -> None:
    svg = chart(FIGURES).decode("utf-8")
    assert "<svg" in svg
    assert "Lieux par quartier" in svg
    assert "Bellevue" in svg and "Recouvrance" in svg


def test_a_chart_response_keeps_its_own_strict_policy() -> None:
    with Flask(__name__).test_request_context():
        response = svg_response(bar_svg(FIGURES))
    assert response.mimetype == "image/svg+xml"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy  # nothing may run, even inside the image


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 2 98 00 00 00", "'+33 2 98 00 00 00"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcaché", "'\tcaché"),
        ("Maison de quartier", "Maison de quartier"),
        (-4.49, "-4.49"),  # a number stays a number
        (12, "12"),
        (True, "oui"),
        (None, ""),
        (["wifi", "impression"], "wifi; impression"),
    ],
)
def test_a_cell_is_never_a_formula(value, cell) -> None:
    assert safe_cell(value) == cell


def test_csv_keeps_accents_and_quotes() -> None:
    text = csv_text(["nom", "adresse"], [["Médiathèque", 'rue "des Onze"'], ["=1+1", None]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["nom", "adresse"], ["Médiathèque", 'rue "des Onze"'], ["'=1+1", ""]]
    with Flask(__name__).test_request_context():
        response = csv_response("lieux.csv", ["nom"], [["Médiathèque"]])
    assert response.mimetype == "text/csv"
    assert 'filename="lieux.csv"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).startswith("\ufeffnom")


def test_pygal_leaves_no_legacy_import_hook() -> None:
    """pygal's map-plugin import hook would make every later failed import warn."""
    bar_svg(FIGURES)  # pygal is loaded when the first chart is drawn
    assert "pygal" in sys.modules
    assert not [f for f in sys.meta_path if type(f).__name__ == "PluginImportFixer"]
    with pytest.raises(ImportError):
        importlib.import_module("wikicoop_no_such_module")
