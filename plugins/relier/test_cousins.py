"""The « Pages cousines » panel is stored: a page view reads it in one query, and the
list is computed again only after a page was published, deleted or renamed; the lists
the views compute are stored together, never one commit a view."""

from __future__ import annotations

from helpers import soup
from sqlalchemy import event, select, update

from wikicoop.core.db import engine_of
from wikicoop.web.db import get_session

from . import cousins as stored_cousins
from .tables import related


def store_waiting(app) -> int:
    """Store the lists the views computed (as the first view after
    RELIER_COUSINS_STORE_SECONDS does)."""
    with app.app_context():
        return stored_cousins.store_waiting(get_session())


def cousins(client, path: str = "Jardin_A") -> list[str]:
    panel = soup(client.get(f"/wiki/{path}")).select_one(".relier-cousins")
    return [a.get_text() for a in panel.select("a")] if panel else []


def test_the_panel_is_stored_and_refreshed_after_a_change(relier, app, client, auth, make_page):
    make_page("Jardin A", "[[Compost]] [[Graines]]")
    make_page("Jardin B", "[[Compost]] [[Graines]]")
    auth.login("Alice")  # a logged-in reader: the page is not served whole from a cache
    assert cousins(client) == ["Jardin B"]
    assert store_waiting(app) == 1

    with app.app_context():  # a witness written in the stored row shows: it is read
        session = get_session()
        witness = [{"ns": "main", "name": "Témoin", "kinds": ["category"]}]
        session.execute(update(related).values(items=witness))
        session.commit()
    assert cousins(client) == ["Témoin"]

    make_page("Jardin C", "[[Compost]]")  # a publication anywhere: computed again
    assert cousins(client) == ["Jardin B", "Jardin C"]


def test_a_page_view_pays_one_query_for_the_panel(relier, app, client, auth, make_page):
    make_page("Jardin A", "[[Compost]] [[Graines]] [[Catégorie:Jardins]]")
    make_page("Jardin B", "[[Compost]] [[Graines]] [[Catégorie:Jardins]]")
    auth.login("Alice")
    assert cousins(client) == ["Jardin B"]  # computed and stored
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def queries_of_a_view() -> int:
        counts = []
        for _ in range(3):
            statements.clear()
            assert client.get("/wiki/Jardin_A").status_code == 200
            counts.append(len(statements))
        return min(counts)

    engine = engine_of(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        with_panel = queries_of_a_view()
        app.config["RELIER_COUSINS_PANEL"] = False
        without = queries_of_a_view()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert with_panel - without == 1


def test_the_views_of_stale_pages_commit_nothing_until_the_lists_are_due(
    relier, app, client, auth, make_page
):
    """After a publication every list is stale: each page's next view computes its own,
    and one transaction stores them together once they are due (a commit a view would
    move the change stamp that every visitor's cached page depends on)."""
    for name in ("Jardin A", "Jardin B", "Jardin C"):
        make_page(name, "[[Compost]] [[Graines]]")
    auth.login("Alice")  # a logged-in reader: each view renders the page and its panel
    commits: list[object] = []

    def count(connection) -> None:
        commits.append(connection)

    engine = engine_of(app)
    event.listen(engine, "commit", count)
    try:
        for path in ("Jardin_A", "Jardin_B", "Jardin_C", "Jardin_A"):
            assert len(cousins(client, path)) == 2  # computed for each, in memory
        assert commits == []
        with app.app_context():
            assert get_session().execute(select(related)).all() == []
        app.config["RELIER_COUSINS_STORE_SECONDS"] = 0  # due: the next view stores them
        assert cousins(client, "Jardin_B") == ["Jardin A", "Jardin C"]
        assert len(commits) == 1
    finally:
        event.remove(engine, "commit", count)
    with app.app_context():
        stored = get_session().execute(select(related.c.page_id)).scalars().all()
    assert len(stored) == 3
