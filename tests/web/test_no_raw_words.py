"""Issue 8, point 10: no internal name is shown raw in a page.

Namespace, page type, licence and audit action codes are stored values, not words for
people: the search facets, the audit log, the diffs and the recent changes show labels
(translated), licences by their name, and plurals through ``ngettext`` (never « (s) »).
Checked in French and in English, on the visible text only (not attributes or URLs).
"""

from __future__ import annotations

import re

import pytest
from helpers import soup

from wikicoop.community.accounts import find_user
from wikicoop.core.models import Page
from wikicoop.core.moderation import audit
from wikicoop.text.licences import LICENCES
from wikicoop.text.titles import NAMESPACES
from wikicoop.web.db import get_session

pytestmark = pytest.mark.any_database

LANGUAGES = {"fr": {"Accept-Language": "fr"}, "en": {"Accept-Language": "en"}}

NAMESPACE_CODES = set(NAMESPACES)
TYPE_CODES = {"page"}
LICENCE_CODES = (
    {licence.code for licence in LICENCES.values()}
    if isinstance(LICENCES, dict)
    else {licence.code for licence in LICENCES}
)
#: every act the audit log records (codes written by the services)
AUDIT_ACTIONS = (
    "approve", "reject", "hide", "unhide", "block", "unblock", "protect", "relicense",
    "role", "trust", "patrol", "rename", "delete", "undelete", "report-resolved",
    "report-dismissed",
)  # fmt: skip
#: codes that are never words of either language: they must not appear anywhere
NEVER_WORDS = LICENCE_CODES | {code for code in AUDIT_ACTIONS if "-" in code}


def visible_text(response) -> str:
    """What a reader sees: the body's text, without scripts, styles or attributes."""
    page = soup(response)
    for hidden in page.select("script, style, template"):
        hidden.decompose()
    return page.body.get_text(" ", strip=True)


def assert_no_raw_words(response) -> None:
    assert response.status_code == 200
    text = visible_text(response)
    assert "(s)" not in text
    for code in NEVER_WORDS:
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), code


def labels(response, selector: str) -> list[str]:
    page = soup(response)
    return [node.get_text(" ", strip=True) for node in page.select(selector)]


@pytest.fixture
def wiki(app, make_page):
    """Pages in several namespaces and licences, edited twice, one of each audit act."""
    make_page("Jardin partagé", "Un jardin partagé, des légumes.\n\nLigne deux.")
    make_page("Jardin partagé", "Un jardin partagé, des légumes.\n\nLigne trois.\n\nEt quatre.")
    make_page("Aide:Jardin", "Aide pour le jardin partagé.", licence="CC-BY-4.0")
    make_page("Portail:Jardins", "Portail des jardins partagés.", licence="CC0-1.0")
    make_page("Utilisateur:Alice", "Alice aime le jardin partagé.")
    with app.app_context():
        session = get_session()
        alice = find_user(session, "Alice")
        alice.role = "moderator"
        page = session.query(Page).filter_by(name="Jardin partagé").one()
        for action in AUDIT_ACTIONS:
            audit(session, alice, action, "page", page.id, page_id=page.id, reason="essai")
        session.commit()


@pytest.fixture
def moderator(auth):
    auth.login("Alice", role="moderator")


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_search_facets_show_labels(client, wiki, lang):
    response = client.get("/recherche?q=jardin", headers=LANGUAGES[lang])
    assert_no_raw_words(response)
    shown = labels(response, ".facets li a, .facets li strong")
    assert shown, "the search shows facets"
    for label in shown:
        assert label not in NAMESPACE_CODES | TYPE_CODES | LICENCE_CODES, label
    expected = {"fr": {"Aide", "Portail", "Principal"}, "en": {"Help", "Portal", "Main"}}[lang]
    assert expected <= set(shown)
    assert "CC BY 4.0" in shown and "CC0 1.0" in shown
    # a chosen filter is named the same way
    chosen = client.get("/recherche?q=jardin&namespace=help", headers=LANGUAGES[lang])
    assert labels(chosen, ".facets li strong")[:1] == [{"fr": "Aide", "en": "Help"}[lang]]


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_audit_log_names_every_action(client, wiki, moderator, lang):
    response = client.get("/journal?limit=100", headers=LANGUAGES[lang])
    assert_no_raw_words(response)
    shown = labels(response, "td.audit-action")
    assert len(shown) == len(AUDIT_ACTIONS) and all(shown)
    if lang == "fr":  # in English, a label may rightly be the code's word ("rename")
        for label in shown + labels(response, "#f-action option"):
            assert label.split(" ")[0] not in AUDIT_ACTIONS, label


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_diff_counts_lines_with_plurals(client, wiki, lang):
    response = client.get("/wiki/Jardin_partag%C3%A9?action=diff", headers=LANGUAGES[lang])
    assert_no_raw_words(response)
    stats = labels(response, ".diff-stats")[0]
    expected = {
        "fr": "3 lignes ajoutées, 1 ligne retirée.",
        "en": "3 lines added, 1 line removed.",
    }[lang]
    assert stats.startswith(expected), stats


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_recent_changes_show_no_codes(client, wiki, moderator, lang):
    assert_no_raw_words(client.get("/modifications-recentes", headers=LANGUAGES[lang]))
