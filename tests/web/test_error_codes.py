"""Services raise coded errors; the web layer says them in the reader's language.

A service raises ``ServiceError("code", status=..., **params)`` with no sentence; the
table of :mod:`wikicoop.error_messages` gives each code its French sentence and the
catalog its English one. The scans below keep it so: every code raised has a sentence,
every sentence a translation, and converted services carry no English of their own.
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from helpers import bearer_for, make_user

from wikicoop import error_messages
from wikicoop.community.accounts import AccountError, create_user
from wikicoop.errors import ServiceError
from wikicoop.web.db import get_session
from wikicoop.web.labels import localized

pytestmark = pytest.mark.any_database

PACKAGE = Path(__file__).resolve().parents[2] / "wikicoop"
PO_FILE = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
EN = {"Accept-Language": "en"}

#: Services that raise coded errors only: no ``message_en``, no (French, English) pair.
CONVERTED = [
    "community/accounts.py",
    "community/changes.py",
    "community/discussions.py",
    "community/governance.py",
    "community/review.py",
    "community/watching.py",
    "core/moderation.py",
    "core/revisions.py",
    "core/visibility.py",
    "core/writing.py",
    "search/backend.py",
    "search/query_syntax.py",
    "search/whoosh_backend.py",
    "search/whoosh_query.py",
    "search/whoosh_results.py",
    "search/whoosh_schema.py",
    "search/whoosh_suggest.py",
    "text/licences.py",
    "text/titles.py",
    "web/security.py",
]
#: Services still carrying their own English (converted later, then moved up).
NOT_YET_CONVERTED: list[str] = []

#: Errors whose first argument is not a code (FieldError names the field; its code is
#: always "invalid-field"): not scanned here.
OWN_SIGNATURE = {"FieldError"}


# ------------------------------------------------------------------ the mechanism


def test_a_coded_error_has_no_sentence_of_its_own():
    err = ServiceError("unknown-revision", status=404, id=12)
    assert (err.code, err.status, err.params) == ("unknown-revision", 404, {"id": 12})
    assert err.message == "La version n° 12 n'existe pas."  # French, for the CLI and logs
    assert str(err) == err.message
    assert error_messages.sentence_in(err, "en") == "Version 12 does not exist."


def test_a_service_cannot_write_its_own_sentence():
    with pytest.raises(TypeError):
        ServiceError("x", "Message.")  # type: ignore[misc]
    with pytest.raises(TypeError):
        ServiceError("x", message_en="Message.")  # type: ignore[call-arg]
    assert not hasattr(ServiceError("hidden"), "message_en")


def test_localized_follows_the_request_language(app: Flask):
    err = ServiceError("page-not-found", status=404, title="Absente")
    with app.test_request_context("/", headers=EN):
        assert localized(err) == 'The page "Absente" does not exist.'
    with app.test_request_context("/"):
        assert localized(err) == "La page « Absente » n'existe pas."


def test_unknown_code_missing_parameter_and_nested_error(app: Flask, monkeypatch):
    with app.test_request_context("/", headers=EN):
        assert localized(ServiceError("no-such-code")) == "Action refused (no-such-code)."
        assert localized(ServiceError("unknown-revision")) == "Version ? does not exist."
    # a parameter that is an error shows as its sentence, in the same language
    monkeypatch.setitem(error_messages.MESSAGES, "test-wrapper", "Refusé : %(reason)s")
    wrapper = ServiceError("test-wrapper", reason=ServiceError("hidden", status=403))
    assert wrapper.message == "Refusé : Cette version a été masquée par un modérateur."


def test_variant_picks_another_sentence(monkeypatch):
    monkeypatch.setitem(error_messages.MESSAGES, "test-code", "Un.")
    monkeypatch.setitem(error_messages.MESSAGES, "test-code:other", "Deux.")
    assert ServiceError("test-code").message == "Un."
    assert ServiceError("test-code", variant="other").message == "Deux."
    assert ServiceError("test-code", variant="absent").message == "Un."


def test_a_plugin_registers_the_sentences_of_its_codes(app: Flask, monkeypatch):
    monkeypatch.setattr(error_messages, "MESSAGES", dict(error_messages.MESSAGES))
    error_messages.register({"annonce-expired": "L'annonce « %(title)s » a expiré."})
    error_messages.register({"annonce-expired": "L'annonce « %(title)s » a expiré."})  # again
    err = ServiceError("annonce-expired", status=409, title="Vélo")
    assert err.message == "L'annonce « Vélo » a expiré."
    with app.test_request_context("/", headers=EN):  # no English in any catalog: French
        assert localized(err) == "L'annonce « Vélo » a expiré."
    with pytest.raises(ValueError, match="busy"):
        error_messages.register({"busy": "Occupé."})  # a core code keeps its meaning


def test_a_coded_error_survives_pickling():
    err = pickle.loads(pickle.dumps(ServiceError("unknown-revision", status=404, id=3)))
    assert (err.code, err.status, err.params, err.message) == (
        "unknown-revision",
        404,
        {"id": 3},
        "La version n° 3 n'existe pas.",
    )


def test_api_answers_the_code_and_its_sentence(client: FlaskClient):
    english = client.get("/api/v1/pages/Absente/history", headers=EN)
    french = client.get("/api/v1/pages/Absente/history")
    assert english.status_code == french.status_code == 404
    assert english.get_json()["error"] == 'The page "Absente" does not exist.'
    assert french.get_json()["error"] == "La page « Absente » n'existe pas."


def test_a_wrapped_error_is_said_in_the_readers_language(app: Flask):
    """An account name that cannot be a page title: the title's reason, translated too."""
    with app.app_context(), pytest.raises(AccountError) as caught:
        create_user(get_session(), "Ab\x7fcd", "correct horse battery")
    err = caught.value
    assert (err.code, err.params["reason"].code) == ("unusable-username", "forbidden-characters")
    with app.test_request_context("/", headers=EN):
        assert localized(err) == (
            "This username cannot be used: The title contains an invisible control "
            "character (U+007F). Control characters are not allowed."
        )
    assert str(err).startswith("Nom d'utilisateur impossible : Le titre contient un caractère")


def test_search_api_answers_code_and_english(client: FlaskClient):
    english = client.get("/api/v1/search", query_string={"q": "-atelier"}, headers=EN)
    assert english.status_code == 400
    assert english.get_json() == {
        "error": "Type at least one word to look for, not only words to exclude.",
        "code": "only-exclusions",
    }


def test_community_error_in_english_through_the_api(app: Flask, client: FlaskClient):
    make_user(app, "Modo", role="moderator")
    token = bearer_for(app, "Modo", role="moderator")
    response = client.post(
        "/api/v1/users/Modo/block",
        json={"duration": "1d", "reason": "essai"},
        headers={**token, **EN},
    )
    assert response.status_code == 403
    assert response.get_json() == {
        "error": "You cannot block your own account.",
        "code": "block-self",
    }


def test_report_reasons_and_notifications_come_from_the_catalog(client: FlaskClient):
    from wikicoop.community import discussions, watching
    from wikicoop.web.views.discussions import report_choices

    with client.application.test_request_context("/", headers=EN):
        labels = [choice.label for choice in report_choices()]
    assert labels[0] == "Advertising or spam" and len(labels) == len(discussions.REPORT_REASONS)
    text = watching.notification_text("revision-rejected", "en", actor="Mod", page="A", extra="x")
    assert text == 'Mod declined your change to the page "A". Reason: x'
    assert watching.notification_text(
        "revision-rejected", "fr", actor=None, page="A", extra="x"
    ) == ("Quelqu'un a refusé votre modification de la page « A ». Motif : x")


# ------------------------------------------------------------------ the scans


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """Names of ServiceError and of every class deriving from it (read from the source:
    importing every module would start an app, wsgi.py)."""
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                bases.setdefault(node.name, set()).update(names)
    found = {"ServiceError"}
    while grown := {name for name, parents in bases.items() if parents & found} - found:
        found |= grown
    return found


def _constants(node: ast.expr | None) -> list[str]:
    """The string constants an argument may be (``"a" if x else "b"`` is both)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def _raised_codes() -> list[tuple[str, int, str]]:
    """(module, line, table key) of each error built with a literal code."""
    paths = [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in paths]
    classes = _error_classes(trees)
    found = []
    for path, tree in zip(paths, trees, strict=True):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in classes or name in OWN_SIGNATURE:
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            variants = _constants(keywords.get("variant")) or [None]
            for code in _constants(node.args[0]):
                for variant in variants:
                    key = f"{code}:{variant}" if variant else code
                    found.append((str(path.relative_to(PACKAGE)), node.lineno, key))
    return found


def test_every_code_raised_has_a_sentence():
    raised = _raised_codes()
    assert len(raised) > 20
    missing = [
        (module, line, key) for module, line, key in raised if key not in error_messages.MESSAGES
    ]
    assert not missing, f"codes without a sentence in error_messages.MESSAGES: {missing}"


def test_every_sentence_is_translated():
    # a plugin registers its sentences (error_messages.register) and ships their English
    # in its own catalog, joined to the core's at run time (the translation_dirs hook)
    plugin_catalogs = PACKAGE.parent.glob("plugins/*/translations/en/LC_MESSAGES/*.po")
    catalog = {}
    for po_file in (PO_FILE, *sorted(plugin_catalogs)):
        with po_file.open("rb") as f:
            catalog.update({m.id: m for m in read_po(f) if m.id and m.string})
    sentences = [*error_messages.MESSAGES.values(), error_messages.UNKNOWN]
    lacking = [
        s for s in sentences if s not in catalog or not catalog[s].string or catalog[s].fuzzy
    ]
    assert not lacking, f"error sentences without English in the catalog: {lacking}"


def _words(node: ast.expr) -> str:
    """The literal text of a string or f-string (its constant parts)."""
    if isinstance(node, ast.JoinedStr):
        return "".join(_words(part) for part in node.values)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _bilingual_pairs(tree: ast.AST) -> list[int]:
    """Lines of a tuple of two sentences or labels (a French one and its English): two
    strings holding words, one with a letter outside ASCII or both with a space."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first, second = (_words(e) for e in node.elts)
            if not (first.strip() and second.strip()) or first == second:
                continue
            if (" " in first and " " in second) or not first.isascii():
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("module", CONVERTED)
def test_converted_services_carry_no_english(module: str):
    source = (PACKAGE / module).read_text(encoding="utf-8")
    assert "message_en" not in source
    assert not _bilingual_pairs(ast.parse(source)), f"{module}: a (fr, en) pair of sentences"


def test_the_list_of_services_left_is_honest():
    """A module converted must move from NOT_YET_CONVERTED to CONVERTED (and be checked)."""
    assert not set(CONVERTED) & set(NOT_YET_CONVERTED)
    done = [m for m in NOT_YET_CONVERTED if "message_en" not in (PACKAGE / m).read_text("utf-8")]
    done = [m for m in done if not _bilingual_pairs(ast.parse((PACKAGE / m).read_text("utf-8")))]
    assert not done, f"converted: move them to CONVERTED: {done}"
