"""The published pages of a structured type, as the plugins' directories list them."""

from __future__ import annotations

import pytest
from flask import Flask
from helpers import make_user
from page_type_samples import PLACE
from sqlalchemy import event

from wikicoop.community.accounts import find_user
from wikicoop.core import revisions as rev
from wikicoop.core.db import engine_of
from wikicoop.core.typed_pages import published_of_type
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session


@pytest.fixture
def app(make_app) -> Flask:
    return make_app(PAGE_TYPES=[PLACE])


def test_only_published_undeleted_pages_of_the_type_by_title(app: Flask, make_page) -> None:
    make_page("Zèbre", "z", page_type="lieu", fields={"nom": "Z", "wifi": True})
    first = make_page("Abeille", "a", page_type="lieu", fields={"nom": "A"})
    make_page("Texte simple", "pas de type")
    make_page("Supprimé", "s", page_type="lieu", fields={"nom": "S"})
    make_user(app, "Nouveau", trust="auto")
    make_page("En attente", "p", author="Nouveau", page_type="lieu", fields={"nom": "P"})
    with app.app_context():
        session = get_session()
        gone = rev.find_page(session, parse_title("Supprimé"))
        rev.delete_page(session, page=gone, actor=find_user(session, "Alice"))
        session.commit()
        statements: list[str] = []
        event.listen(engine_of(app), "before_cursor_execute", lambda *a: statements.append(a[2]))
        pages = published_of_type(session, "lieu")
    assert [p.title.full for p in pages] == ["Abeille", "Zèbre"]
    assert len(statements) == 1  # one query, whatever the number of pages
    assert pages[0].revision_id == first and pages[0].fields == {"nom": "A"}
    assert pages[1].field("wifi") is True and pages[1].field("places", 0) == 0


def test_a_new_version_moves_the_listed_fields(app: Flask, make_page) -> None:
    make_page("Abeille", "a", page_type="lieu", fields={"nom": "A"})
    latest = make_page("Abeille", "a", fields={"nom": "B"})
    with app.app_context():
        (page,) = published_of_type(get_session(), "lieu")
    assert page.revision_id == latest and page.fields["nom"] == "B"
