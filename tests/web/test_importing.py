"""The import write path (core/importing.py): a page with its whole history, dates,
licences and authors kept; an existing title refused with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_user, soup
from sqlalchemy import func, select

from wikicoop.core.importing import ImportedRevision, import_page
from wikicoop.core.models import AuditEntry, Page, PageLink, Revision
from wikicoop.core.writing import context_for
from wikicoop.errors import ServiceError
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

START = datetime(2019, 5, 2, 9, 30, tzinfo=UTC)


def _history(local_author=None) -> list[ImportedRevision]:
    return [
        ImportedRevision(
            text="Première version, voir [[Quartier Bellevue]].",
            created_at=START + timedelta(days=40),  # out of order on purpose
            licence="CC-BY-SA-4.0",
            author_name="wiki-brest>Maëlle Le Goff, animatrice de l'espace public numérique",
            summary="suite",
        ),
        ImportedRevision(
            text="Ébauche",
            created_at=START,
            licence="CC-BY-4.0",
            author_name="wiki-brest>Yann",
            summary="création",
        ),
        ImportedRevision(
            text="Version finale, voir [[Quartier Bellevue]].",
            created_at=START + timedelta(days=400),
            licence="CC-BY-SA-4.0",
            author=local_author,
            summary="mise à jour",
            minor=True,
        ),
    ]


def test_a_page_comes_with_its_history_as_it_was(app: Flask, client: FlaskClient) -> None:
    admin = make_user(app, "Admin", "admin")
    local = make_user(app, "Alice")
    with app.app_context():
        session = get_session()
        ctx = context_for(app, session)
        page = import_page(
            ctx,
            parse_title("Cyber-base de Bellevue"),
            _history(session.merge(local)),
            actor=session.merge(admin),
            source="wiki-brest.net export",
        )
        session.commit()
        revisions = session.scalars(
            select(Revision).where(Revision.page_id == page.id).order_by(Revision.id)
        ).all()
        assert [r.created_at for r in revisions] == [
            START,
            START + timedelta(days=40),
            START + timedelta(days=400),
        ]
        assert [r.author_name for r in revisions] == [
            "wiki-brest>Yann",
            "wiki-brest>Maëlle Le Goff, animatrice de l'espace public numérique",
            "Alice",
        ]
        assert [r.licence for r in revisions] == ["CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-SA-4.0"]
        assert {r.action for r in revisions} == {"import"}
        assert [r.parent_id for r in revisions] == [None, revisions[0].id, revisions[1].id]
        assert page.latest_revision_id == revisions[-1].id and page.created_at == START
        assert page.licence == "CC-BY-SA-4.0"
        links = session.scalars(
            select(PageLink.target_name).where(PageLink.source_page_id == page.id)
        )
        assert list(links) == ["Quartier Bellevue"]  # published like any page
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
        assert (entry.page_id, entry.reason, entry.details["revisions"]) == (
            page.id,
            "wiki-brest.net export",
            3,
        )
    page_view = soup(client.get("/wiki/Cyber-base_de_Bellevue"))
    assert "Version finale" in page_view.select_one(".page-content").get_text()
    history = client.get("/wiki/Cyber-base_de_Bellevue?action=history").get_data(as_text=True)
    assert "wiki-brest&gt;Yann" in history and "2019" in history


def test_an_existing_title_is_refused_and_nothing_is_written(app: Flask) -> None:
    admin = make_user(app, "Admin", "admin")
    with app.app_context():
        session = get_session()
        ctx = context_for(app, session)
        import_page(ctx, parse_title("Double"), _history(), actor=session.merge(admin))
        session.commit()
        before = session.scalar(select(func.count()).select_from(Revision))
        with pytest.raises(ServiceError) as info:
            import_page(ctx, parse_title("Double"), _history(), actor=session.merge(admin))
        assert (info.value.code, info.value.status) == ("import-exists", 409)
        assert "existe déjà" in info.value.message
        with pytest.raises(ServiceError) as info:
            import_page(ctx, parse_title("Vide"), [], actor=session.merge(admin))
        assert info.value.code == "import-empty"
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Revision)) == before
        assert (
            session.scalar(select(func.count()).select_from(Page).where(Page.name == "Vide")) == 0
        )


def test_a_bad_licence_in_the_history_writes_nothing(app: Flask) -> None:
    admin = make_user(app, "Admin", "admin")
    history = [*_history()[:2], ImportedRevision("x", START, "pas-une-licence", "a>b")]
    with app.app_context():
        session = get_session()
        with pytest.raises(ServiceError):
            import_page(
                context_for(app, session),
                parse_title("Mauvaise"),
                history,
                actor=session.merge(admin),
            )
        session.rollback()
        assert (
            session.scalar(select(func.count()).select_from(Page).where(Page.name == "Mauvaise"))
            == 0
        )
