"""Issue 8, point 5: the French paths of the list pages are canonical; each English path
answers 301 to its French one, query string kept."""

from __future__ import annotations

import pytest
from helpers import csrf_from

# the web layer's answers (addresses, forms, templates, text conversions) do not depend
# on the database: the SQLite pass runs them
pytestmark = pytest.mark.any_database

#: English path -> French (canonical) path of each list page
ENGLISH_PATHS = {
    "/search": "/recherche",
    "/recent-changes": "/modifications-recentes",
    "/all-pages": "/pages",
    "/watchlist": "/suivi",
    "/audit-log": "/journal",
}
#: list pages whose French and English names are the same word: one path serves both
SAME_WORD = ("/notifications", "/moderation", "/contributions/Alice", "/pages")


@pytest.fixture
def moderator(auth):
    auth.login("Alice", role="moderator")


@pytest.mark.parametrize(("english", "french"), sorted(ENGLISH_PATHS.items()))
def test_english_path_redirects_to_french_with_its_query(client, moderator, english, french):
    response = client.get(f"{english}?q=jardin&namespace=help")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{french}?q=jardin&namespace=help"
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("english", sorted(ENGLISH_PATHS))
def test_english_path_without_query_redirects_to_bare_french_path(client, english):
    response = client.get(english)
    assert response.status_code == 301
    assert response.headers["Location"] == ENGLISH_PATHS[english]


@pytest.mark.parametrize("path", sorted(set(ENGLISH_PATHS.values()) | set(SAME_WORD)))
def test_french_paths_answer_200(client, moderator, path):
    assert client.get(path).status_code == 200


def test_the_patrol_form_posts_to_a_french_path_and_the_old_one_keeps_the_method(client, moderator):
    html = client.get("/modifications-recentes").text
    assert 'action="/modifications-recentes/verifier"' in html
    token = csrf_from(html)
    response = client.post("/recent-changes/patrol?x=1", data={"csrf_token": token, "only": "1"})
    assert response.status_code == 308  # a POST stays a POST (301 would turn it into a GET)
    assert response.headers["Location"] == "/modifications-recentes/verifier?x=1"


def test_links_in_pages_use_the_french_paths(client, moderator):
    html = client.get("/modifications-recentes").text
    for english in ("/recent-changes", "/audit-log", "/watchlist", '"/search', "/all-pages"):
        assert english not in html, english
