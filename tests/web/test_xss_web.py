"""Every XSS payload of ../shared/testdata/xss-vectors/ stays inert in served pages:
page text, wiki-link labels, titles and edit summaries, through the real views."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from inert import page_problems
from wiki_fixtures import shared_path

from wikicoop.core import revisions as rev
from wikicoop.core.models import Revision
from wikicoop.text.titles import TitleError, parse_title
from wikicoop.web.db import get_session


@pytest.fixture(scope="module")
def payloads() -> list[str]:
    data = json.loads(shared_path("xss-vectors", "all-payloads.json").read_text("utf-8"))
    assert len(data) >= 1200
    return [item["payload"] for item in data]


def assert_inert(response, where: str) -> None:
    problems = page_problems(response.text)
    assert not problems, f"{where}: {problems[:5]}"


def test_checker_catches_live_markup():
    assert page_problems('<p onclick="x()">a</p>')
    assert page_problems('<a href="javascript:alert(1)">a</a>')
    assert page_problems("<script>alert(1)</script>")
    assert page_problems('<script type="application/ld+json">{"a": "</script><b>"}</script>')
    assert not page_problems(
        '<a href="/wiki/A">a</a><script type="application/ld+json">{}</script>'
    )


def test_payloads_as_page_titles(client, payloads):
    for payload in payloads:
        response = client.get("/wiki/" + quote(payload, safe=""))
        assert response.status_code in {200, 301, 302, 308, 400, 404}, payload
        assert_inert(response, f"title {payload!r}")


def test_valid_payload_titles_render_inert(app, client, make_page, payloads):
    """Payloads that happen to be valid titles become pages, links and list entries."""
    valid = []
    for payload in payloads:
        try:
            title = parse_title(payload)
        except TitleError:
            continue
        if len(title.name) < 200:
            valid.append(title)
    assert valid, "some payloads are valid titles (e.g. javascript:alert(1))"
    for title in valid[:60]:
        make_page(title.full, f"Page « {title.full} »")
    make_page("Liens", "\n".join(f"- [[{t.full}]]" for t in valid[:60]))
    for title in valid[:60]:
        assert_inert(client.get("/wiki/" + title.url_path), f"page {title.full!r}")
    assert_inert(client.get("/wiki/Liens"), "links to payload titles")
    assert_inert(client.get("/pages"), "all pages list")


def test_payloads_in_page_text_and_link_labels(client, make_page, payloads):
    make_page("Texte piégé", "\n\n".join(payloads))
    make_page("Étiquettes piégées", "\n\n".join(f"[[Accueil|{p}]]" for p in payloads))
    make_page("Liens piégés", "\n\n".join(f"[{p}](https://exemple.org) [x]({p})" for p in payloads))
    for path in (
        "Texte_pi%C3%A9g%C3%A9",
        "%C3%89tiquettes_pi%C3%A9g%C3%A9es",
        "Liens_pi%C3%A9g%C3%A9s",
    ):
        assert_inert(client.get(f"/wiki/{path}"), path)
        assert_inert(client.get(f"/wiki/{path}?action=history"), f"{path} history")


def test_payloads_in_edit_summaries(app, client, make_page, payloads):
    first = make_page("Résumés", "texte de départ")
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Résumés"))
        parent = first
        for n, payload in enumerate(payloads):
            summary = rev.clean_summary(payload[: rev.MAX_SUMMARY_CHARS])
            revision = Revision(
                page_id=page.id,
                parent_id=parent,
                summary=summary,
                size=10 + n,
                text=f"texte {n}\n",
                licence=page.licence,
            )
            session.add(revision)
            session.flush()
            parent = revision.id
        page.latest_revision_id = parent
        session.commit()
    for offset in range(0, len(payloads) + 1, 500):
        response = client.get(f"/wiki/R%C3%A9sum%C3%A9s?action=history&limit=500&offset={offset}")
        assert response.status_code == 200
        assert_inert(response, f"history offset {offset}")
    for revision_id in range(first + 1, parent + 1, 97):
        response = client.get(f"/wiki/R%C3%A9sum%C3%A9s?action=diff&to={revision_id}")
        assert_inert(response, f"diff to {revision_id}")
        response = client.get(f"/wiki/R%C3%A9sum%C3%A9s?revision={revision_id}")
        assert_inert(response, f"old revision {revision_id}")


def test_payloads_in_search_queries(client, payloads):
    for payload in payloads[::5]:
        response = client.get("/recherche", query_string={"q": payload})
        assert response.status_code in {200, 400}  # 400: a query with no word to search
        assert_inert(response, f"search {payload!r}")
