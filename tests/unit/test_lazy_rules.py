"""URL rules whose builders are compiled on first use (wikicoop.web.lazy_rules): the
same URLs as Werkzeug's own rules, and nothing compiled before a URL is built."""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from werkzeug.routing import Rule

from wikicoop.web.lazy_rules import LazyBuilderRule

CASES = [
    ("page", {"raw_title": "Lavoir du pont/Histoire"}),
    ("page", {"raw_title": "Catégorie:Lavoirs", "action": "edit", "lang": "en"}),
    ("revision", {"number": 42}),
    ("revision", {"number": 42, "diff": "prev"}),
    ("home", {}),
]


def routed_app(rule_class: type[Rule]) -> Flask:
    app = Flask(__name__)
    app.url_rule_class = rule_class
    app.add_url_rule("/", "home", lambda: "")
    app.add_url_rule("/wiki/<path:raw_title>", "page", lambda raw_title: raw_title)
    app.add_url_rule("/revision/<int:number>", "revision", lambda number: str(number))
    return app


@pytest.mark.parametrize(("endpoint", "values"), CASES)
def test_the_urls_are_werkzeug_s(endpoint: str, values: dict) -> None:
    built = []
    for rule_class in (Rule, LazyBuilderRule):
        with routed_app(rule_class).test_request_context():
            built.append(url_for(endpoint, **values))
    assert built[0] == built[1]


def test_a_builder_is_compiled_only_when_a_url_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = Rule._compile_builder

    def counting(rule: Rule, append_unknown: bool = True):
        compiled.append(rule.rule)
        return real(rule, append_unknown)

    monkeypatch.setattr(Rule, "_compile_builder", counting)
    routed_app(Rule)
    assert len(compiled) == 2 * 4  # Werkzeug's own rules: two builders each at once
    compiled.clear()
    app = routed_app(LazyBuilderRule)
    compiled.clear()  # Flask's static route, added before the rule class was set
    with app.test_request_context():
        url_for("revision", number=7)
        url_for("revision", number=8)
    assert compiled == ["/revision/<int:number>"]  # one builder, once; the others never
    assert app.test_client().get("/wiki/Lavoir").text == "Lavoir"  # matching unchanged
