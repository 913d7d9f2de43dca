"""Unit tests of structured page types: declarations, value validation, merge of fields."""

from __future__ import annotations

import pytest
from page_type_samples import PLACE as SAMPLE_PLACE

from wikicoop.core.page_types import (
    FieldError,
    PageTypeError,
    PageTypeRegistry,
    changed_fields,
    merge_fields,
    validate_fields,
)

pytestmark = pytest.mark.any_database

#: moderation "a_priori" on top of the shared declaration
PLACE = {**SAMPLE_PLACE, "moderation": "a_priori"}


@pytest.fixture()
def place():
    registry = PageTypeRegistry()
    return registry.register(PLACE)


def _reason(place, fields):
    with pytest.raises(FieldError) as caught:
        validate_fields(place, fields)
    assert caught.value.code == "invalid-field"
    assert caught.value.status == 400
    return caught.value.field, caught.value.reason


def test_plain_dict_declaration_and_registry():
    registry = PageTypeRegistry()
    place = registry.register(PLACE)
    assert registry.get("lieu") is place
    assert registry.all() == [place]
    assert place.label_for("en") == "Place"
    assert place.field("acces").choices == ("libre", "rdv")
    assert place.field("notes").label == {"fr": "Notes", "en": "Notes"}
    assert registry.moderation_modes() == {"type:lieu": "a_priori"}
    assert place.plugin is None
    assert registry.register({"name": "autre"}, plugin="demo").plugin == "demo"
    with pytest.raises(FieldError) as caught:
        registry.require("inconnu")
    assert caught.value.field == "type" and caught.value.reason == "unknown-type"


@pytest.mark.parametrize(
    ("declaration", "words"),
    [
        ({"name": "x", "fields": [{"name": "a", "kind": "colour"}]}, "unknown kind"),
        ({"name": "x", "fields": [{"name": "a", "kind": "text"}] * 2}, "duplicate field"),
        ({"name": "x", "fields": [{"name": "a", "kind": "choice"}]}, "choices"),
        ({"name": "x", "fields": [{"name": "a", "kind": "choices", "choices": []}]}, "choices"),
        ({"name": "x", "moderation": "sometimes"}, "moderation"),
        ({"name": "Bad Name"}, "name"),
        ({"name": "x", "fields": [{"name": "a", "kind": "text", "colour": 1}]}, "unknown keys"),
    ],
)
def test_bad_declarations_are_refused(declaration, words):
    with pytest.raises(PageTypeError, match=words):
        PageTypeRegistry().register(declaration)


def test_same_name_twice_is_refused():
    registry = PageTypeRegistry()
    registry.register({"name": "x"})
    with pytest.raises(PageTypeError, match="already declared"):
        registry.register({"name": "x"}, plugin="demo")


def test_good_values_are_normalised(place):
    values = validate_fields(
        place,
        {
            "nom": "  Médiathèque ",
            "notes": "ligne 1\nligne 2",
            "places": 12.5,
            "ouverture": "2026-12-03",
            "rdv": "2026-12-03 14:30",
            "horaires": {"mon": [["14:00", "18:00"], ["09:00", "12:30"]], "sun": []},
            "acces": "libre",
            "publics": ["c", "a", "c"],
            "wifi": False,
            "site": "https://example.org/a?b=c",
            "courriel": "contact@example.org",
            "tel": "+33 2 98 00 00 00",
            "position": {"lat": 48.39, "lon": -4.49},
            "structure": "mairie de Brest",
        },
    )
    assert values["nom"] == "Médiathèque"
    assert values["rdv"] == "2026-12-03T14:30"
    assert values["horaires"]["mon"] == [["09:00", "12:30"], ["14:00", "18:00"]]
    assert values["horaires"]["tue"] == []
    assert values["publics"] == ["a", "c"]
    assert values["wifi"] is False
    assert values["structure"] == "Mairie de Brest"
    assert list(values) == [f["name"] for f in PLACE["fields"]]


def test_empty_values_are_dropped(place):
    assert validate_fields(place, {"nom": "x", "notes": "  ", "publics": [], "horaires": {}}) == {
        "nom": "x"
    }


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({}, "nom", "required"),
        ({"nom": "   "}, "nom", "required"),
        ({"nom": "x", "couleur": "bleu"}, "couleur", "unknown-field"),
        ({"nom": 12}, "nom", "wrong-kind"),
        ({"nom": "a\nb"}, "nom", "single-line"),
        ({"nom": "x", "places": "12"}, "places", "wrong-kind"),
        ({"nom": "x", "places": True}, "places", "wrong-kind"),
        ({"nom": "x", "ouverture": "03/12/2026"}, "ouverture", "bad-date"),
        ({"nom": "x", "ouverture": "2026-02-30"}, "ouverture", "bad-date"),
        ({"nom": "x", "rdv": "2026-12-03"}, "rdv", "bad-datetime"),
        ({"nom": "x", "rdv": "2026-12-03T25:00"}, "rdv", "bad-datetime"),
        ({"nom": "x", "horaires": {"lun": []}}, "horaires", "bad-day"),
        ({"nom": "x", "horaires": {"mon": [["9h", "12:00"]]}}, "horaires", "bad-time"),
        ({"nom": "x", "horaires": {"mon": [["09:60", "12:00"]]}}, "horaires", "bad-time"),
        ({"nom": "x", "horaires": {"mon": [["12:00", "09:00"]]}}, "horaires", "hours-order"),
        ({"nom": "x", "horaires": {"mon": [["12:00", "12:00"]]}}, "horaires", "hours-order"),
        (
            {"nom": "x", "horaires": {"tue": [["09:00", "12:30"], ["12:00", "18:00"]]}},
            "horaires",
            "hours-overlap",
        ),
        ({"nom": "x", "horaires": {"mon": [["09:00"]]}}, "horaires", "bad-slot"),
        ({"nom": "x", "acces": "payant"}, "acces", "not-a-choice"),
        ({"nom": "x", "publics": ["a", "z"]}, "publics", "not-a-choice"),
        ({"nom": "x", "publics": "a"}, "publics", "wrong-kind"),
        ({"nom": "x", "wifi": "oui"}, "wifi", "wrong-kind"),
        ({"nom": "x", "site": "javascript:alert(1)"}, "site", "bad-url"),
        ({"nom": "x", "site": "example.org"}, "site", "bad-url"),
        ({"nom": "x", "courriel": "pas une adresse"}, "courriel", "bad-email"),
        ({"nom": "x", "tel": "appelez-nous"}, "tel", "bad-phone"),
        ({"nom": "x", "position": {"lat": 91, "lon": 0}}, "position", "out-of-range"),
        ({"nom": "x", "position": {"lat": 0, "lon": -180.5}}, "position", "out-of-range"),
        ({"nom": "x", "position": {"lat": 0}}, "position", "wrong-kind"),
        ({"nom": "x", "position": [48, -4]}, "position", "wrong-kind"),
        ({"nom": "x", "structure": "a[b]"}, "structure", "bad-title"),
    ],
)
def test_bad_values_name_their_field(place, fields, field, reason):
    assert _reason(place, fields) == (field, reason)


def test_not_an_object(place):
    assert _reason(place, ["nom"]) == ("fields", "not-an-object")


def test_hours_edges(place):
    week = {"mon": [["00:00", "12:00"], ["12:00", "24:00"]]}
    assert validate_fields(place, {"nom": "x", "horaires": week})["horaires"]["mon"] == week["mon"]
    assert _reason(place, {"nom": "x", "horaires": {"mon": [["00:00", "24:01"]]}}) == (
        "horaires",
        "bad-time",
    )


def test_error_sentences_name_the_field(place):
    with pytest.raises(FieldError) as caught:
        validate_fields(
            place, {"nom": "x", "horaires": {"mon": [["09:00", "12:30"], ["12:00", "13:00"]]}}
        )
    assert "horaires" in caught.value.message
    assert "09:00-12:30" in caught.value.message


def test_merge_fields():
    base = {"a": 1, "b": 1, "c": 1, "d": 1}
    ours = {"a": 2, "b": 1, "c": 3, "d": 5, "e": 9}
    theirs = {"a": 1, "b": 4, "c": 3, "d": 6}
    merged, conflicts = merge_fields(base, ours, theirs)
    assert merged == {"a": 2, "b": 4, "c": 3, "d": 6, "e": 9}
    assert conflicts == ["d"]
    # a field removed on one side and untouched on the other is removed
    merged, conflicts = merge_fields({"a": 1}, {}, {"a": 1})
    assert merged == {} and conflicts == []
    # removed on one side, changed on the other: conflict
    assert merge_fields({"a": 1}, {}, {"a": 2}) == ({"a": 2}, ["a"])
    assert merge_fields(None, None, None) == ({}, [])


def test_changed_fields():
    assert changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ["b", "c"]


def test_hours_typed_in_the_editor():
    from wikicoop.web.fields import hours_from_text

    assert hours_from_text("h", "mon", "9:00-12:30, 14h-18h") == [
        ["09:00", "12:30"],
        ["14:00", "18:00"],
    ]
    assert hours_from_text("h", "mon", "10h30 – 12h ; 13:00-24:00") == [
        ["10:30", "12:00"],
        ["13:00", "24:00"],
    ]
    assert hours_from_text("h", "sun", " Fermé ") == []
    with pytest.raises(FieldError) as caught:
        hours_from_text("h", "tue", "le matin")
    assert (caught.value.field, caught.value.reason) == ("h", "bad-slot")
    assert caught.value.params["day"] == "tue"


def test_search_fields_and_indexed_values(place):
    from wikicoop.search.fields import declared_fields, indexed_values

    registry = PageTypeRegistry()
    registry.register(PLACE)
    registry.register({"name": "autre", "fields": [{"name": "notes", "kind": "text"}]})
    fields = declared_fields(registry)
    assert fields["f_nom"] == "keyword" and fields["f_notes"] == "keyword"  # keyword wins
    assert "f_position" not in fields
    assert indexed_values("hours", {"mon": [["09:00", "10:00"]], "sat": [["1:00", "2:00"]]}) == [
        "mon",
        "sat",
    ]
    assert indexed_values("bool", False) == ["false"]
    assert indexed_values("number", 12.0) == ["12"]
    assert indexed_values("datetime", "2026-12-03T14:30") == ["2026-12-03"]
    assert indexed_values("choices", ["a", "b"]) == ["a", "b"]
    assert indexed_values("point", {"lat": 1, "lon": 2}) == []
    only_longtext = PageTypeRegistry()
    only_longtext.register({"name": "x", "fields": [{"name": "notes", "kind": "longtext"}]})
    assert declared_fields(only_longtext) == {"f_notes": "text"}


def test_init_app_reads_the_setting_and_the_plugins_hook(tmp_path):
    import types

    import pluggy

    from wikicoop.core.page_types import init_app, registry_of
    from wikicoop.plugins import hookimpl, hookspecs

    class OnePlugin:
        @hookimpl
        def page_types(self):
            return {"name": "annonce", "moderation": "open", "fields": []}  # one dict

    class TwoTypes:
        @hookimpl
        def page_types(self):
            return [{"name": "a"}, {"name": "b", "moderation": "a_priori"}]

    manager = pluggy.PluginManager("wikicoop")
    manager.add_hookspecs(hookspecs)
    manager.register(OnePlugin(), name="annonces")
    manager.register(TwoTypes(), name="deux")
    app = types.SimpleNamespace(
        config={"PAGE_TYPES": '[{"name": "lieu"}]', "MODERATION_MODES": {"type:b": "open"}},
        extensions={"wikicoop.plugins": manager},
    )
    registry = init_app(app)
    assert registry_of(app) is registry
    assert {t.name: t.plugin for t in registry.all()} == {
        "lieu": None,
        "annonce": "annonces",
        "a": "deux",
        "b": "deux",
    }
    # declared modes join the policy; the site's own setting wins
    assert app.config["MODERATION_MODES"] == {"type:annonce": "open", "type:b": "open"}
    # the same name declared twice stops the start
    manager.register(types.SimpleNamespace(page_types=OnePlugin().page_types), name="encore")
    with pytest.raises(PageTypeError, match="already declared by annonces"):
        init_app(app)


def test_every_kind_has_a_check_and_an_example():
    from wikicoop.core import field_kinds

    assert set(field_kinds._CHECKS) == set(field_kinds.KINDS) == set(field_kinds.EXAMPLES)
