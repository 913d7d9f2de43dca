"""Visitors' page views served from memory without SQL while nothing changed, and honest
HTTP caching: ETag and Last-Modified with 304 answers, Cache-Control for a proxy
(issue 14, point 1). On both databases (the change stamp differs: SQLite's
data_version, PostgreSQL's snapshot)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from helpers import CSRF_RE, make_user
from sqlalchemy import event

from wikicoop.community.accounts import find_user
from wikicoop.core import writing
from wikicoop.core.change_stamp import CHANGE_STAMP_KEY
from wikicoop.core.db import engine_of
from wikicoop.core.revisions import Author, find_page
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

PAGE = "/wiki/Lavoir"


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements ``app``'s engine runs meanwhile."""
    seen: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:
        seen.append(statement)

    event.listen(engine_of(app), "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine_of(app), "before_cursor_execute", count)


def reading(seen: list[str]) -> list[str]:
    """The statements other than PostgreSQL's change stamp (one snapshot a view)."""
    return [s for s in seen if "pg_current_snapshot" not in s]


def quiet_second_view(app: Flask, client) -> tuple[list[str], str]:
    """The statements and text of a view made right after another, nothing having been
    committed around the two. PostgreSQL's stamp is the whole server's snapshot: the
    other test processes' commits move it too, so the pair is tried again until quiet."""
    stamp = app.extensions[CHANGE_STAMP_KEY]
    for _ in range(100):
        before = stamp.current()
        client.get(PAGE)
        with statements(app) as seen:
            text = client.get(PAGE).text
        if stamp.current() == before:
            return seen, text
    raise AssertionError("something was committed around every pair of views")


def test_a_visitor_view_runs_no_sql_while_nothing_changed(app, client, make_page) -> None:
    make_page("Lavoir", "Le lavoir du quartier.")
    assert client.get(PAGE).status_code == 200  # rendered, cached, address checked
    seen, text = quiet_second_view(app, client)
    assert "Le lavoir du quartier." in text
    assert reading(seen) == []
    assert len(seen) <= 1

    make_page("Fontaine", "Une autre page.")  # any commit: the address is checked again
    with statements(app) as seen:
        assert "Le lavoir du quartier." in client.get(PAGE).text
    assert reading(seen) != []


def test_an_edit_made_by_another_process_is_seen_at_once(
    app, client, make_app: Callable[..., Flask]
) -> None:
    """Another app on the same database (another worker, another server) saves: this
    worker's cached page is not served any more."""
    other = make_app()
    make_user(other, "Alice", trust="granted")

    def save(text: str) -> None:
        with other.app_context():
            session = get_session()
            page = find_page(session, parse_title("Lavoir"))
            edit = writing.Edit(
                author=Author(user=find_user(session, "Alice")),
                title=parse_title("Lavoir"),
                text=text,
                base_revision_id=page.latest_revision_id if page else None,
            )
            assert writing.save(writing.context_for(other, session), edit).revision is not None

    save("Première version.")
    assert "Première version." in client.get(PAGE).text
    assert "Première version." in client.get(PAGE).text  # from this worker's memory
    save("Seconde version.")
    assert "Seconde version." in client.get(PAGE).text


def test_a_visitor_gets_an_etag_and_a_304_while_the_page_is_unchanged(client, make_page) -> None:
    make_page("Lavoir", "Le lavoir.")
    first = client.get(PAGE)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert "Accept-Language" in first.headers["Vary"] and "Cookie" in first.headers["Vary"]

    unchanged = client.get(PAGE, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert client.get(PAGE, headers={"If-Modified-Since": modified}).status_code == 304

    make_page("Lavoir", "Le lavoir, restauré.")
    changed = client.get(PAGE, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "restauré" in changed.text
    assert changed.headers["ETag"] != etag
    english = client.get(PAGE, headers={"Accept-Language": "en"})
    assert english.headers["ETag"] not in (etag, changed.headers["ETag"])


def test_a_reader_logged_in_gets_private_pages_without_etag(app, client, auth, make_page) -> None:
    make_page("Lavoir", "Le lavoir.")
    make_user(app, "Bob")
    auth.login("Bob")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in page.headers


@pytest.mark.parametrize("seconds", [0, 20])
def test_the_proxy_setting(make_app: Callable[..., Flask], make_page, seconds: int) -> None:
    app = make_app(PROXY_CACHE_SECONDS=seconds, PROXY_STALE_SECONDS=60, ANONYMOUS_EDITING=True)
    sandbox = "/wiki/Bac_%C3%A0_sable"  # a visitor's edit there is published at once
    make_page("Bac à sable", "On essaie.")
    visitor = app.test_client()
    proxied = "public, max-age=0, s-maxage=20, stale-while-revalidate=60"
    expected = proxied if seconds else "no-cache"
    assert visitor.get(sandbox).headers["Cache-Control"] == expected

    # a visitor who edits (and so has a session: the form's CSRF token) gets private
    # answers: never an old copy a proxy holds
    form = visitor.get(sandbox + "?action=edit")
    token = CSRF_RE.search(form.text).group(1)
    base = re.search(r'name="base_revision"[^>]*value="(\d+)"', form.text).group(1)
    saved = visitor.post(
        sandbox + "?action=edit",
        data={"csrf_token": token, "base_revision": base, "text": "On essaie encore."},
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith(sandbox)
    assert "On essaie encore." in visitor.get(sandbox).text  # with the « saved » message
    after = visitor.get(sandbox)
    assert "On essaie encore." in after.text
    assert after.headers["Cache-Control"] == "private, no-cache"
    assert app.test_client().get(sandbox).headers["Cache-Control"] == expected  # the others
