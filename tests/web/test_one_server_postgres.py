"""One server alone on PostgreSQL (issue 14): between its own writes its workers reuse
their last reading of the database's state (the write mark, wikicoop/core/write_mark.py),
yet a save made on any worker is seen at once by every visitor on every worker, and a
write made without the wiki within CHANGE_CHECK_SECONDS.

Runs in the PostgreSQL pass only (the SQLite stamp has no such reuse).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from helpers import PASSWORD, soup
from server_support import Browser, RunningWiki
from sqlalchemy import make_url
from wiki_fixtures import _truncate_all

from wikicoop.postgres_stamp import libpq_uri

#: views of a page in a row: each on a new connection, shared by the two workers
VIEWS = 16


@pytest.fixture(scope="module")
def wiki(
    postgres_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningWiki]:
    if not postgres_url or not postgres_url.startswith("postgresql"):
        pytest.skip("the write mark is PostgreSQL's: set WIKICOOP_DATABASE_URL")
    _truncate_all(postgres_url)
    root = tmp_path_factory.mktemp("one-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKICOOP_")}
    env.update(
        WIKICOOP_DATABASE_URL=postgres_url,
        WIKICOOP_INSTANCE=str(root / "instance"),
        WIKICOOP_SECRET_KEY=uuid.uuid4().hex,
        WIKICOOP_ADMIN_PASSWORD=PASSWORD,
        WIKICOOP_PASSWORD_HASH_METHOD="scrypt:1024:8:1",
        WIKICOOP_LOGIN_RATE_LIMIT="1000 per hour",
    )
    server = RunningWiki(env, root / "wiki.log")
    try:
        server.start(workers=2)
        server.wait_ready()
        yield server
    finally:
        server.close()


def article(answer_text: str) -> str:
    found = soup(answer_text).select_one(".page-content")
    assert found is not None, answer_text[:2000]
    return found.get_text(" ", strip=True)


def test_a_save_is_seen_at_once_on_every_worker(wiki: RunningWiki) -> None:
    editor, visitor = Browser(), Browser()
    assert editor.login(wiki.port, "admin", PASSWORD).status == 302
    title = f"Lavoir {uuid.uuid4().hex[:6]}"
    path = quote(title.replace(" ", "_"))
    for version in ("Première", "Deuxième", "Troisième"):
        answer = editor.save(wiki.port, path, f"{version} version du lavoir.")
        assert answer.status == 302, f"{answer!r}\n{wiki.output()[-3000:]}"
        for _ in range(VIEWS):  # kept by both workers after the first views
            view = visitor.get(wiki.port, f"/wiki/{path}")
            assert view.status == 200 and f"{version} version" in article(view.text)


def test_a_write_made_without_the_wiki_is_seen_within_the_check(
    wiki: RunningWiki, postgres_url: str
) -> None:
    editor, visitor = Browser(), Browser()
    assert editor.login(wiki.port, "admin", PASSWORD).status == 302
    title = f"Fontaine {uuid.uuid4().hex[:6]}"
    path = quote(title.replace(" ", "_"))
    assert editor.save(wiki.port, path, "La fontaine.").status == 302
    for _ in range(VIEWS):
        assert visitor.get(wiki.port, f"/wiki/{path}").status == 200
    import psycopg

    url = make_url(postgres_url)
    uri = libpq_uri(url.set(query={}).render_as_string(hide_password=False))
    schema = re.search(r"search_path=(\w+)", url.query["options"])
    assert uri is not None and schema is not None
    with psycopg.connect(uri, autocommit=True) as connection:  # as psql would
        connection.execute(f"SET search_path TO {schema.group(1)}")
        connection.execute("UPDATE pages SET deleted_at = now() WHERE name = %s", (title,))
    deadline = time.monotonic() + 1 + 2  # CHANGE_CHECK_SECONDS, and a margin
    while visitor.get(wiki.port, f"/wiki/{path}").status == 200:
        assert time.monotonic() < deadline, "a page deleted by hand still shown"
        time.sleep(0.05)
