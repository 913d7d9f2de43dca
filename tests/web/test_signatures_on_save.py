"""Signatures (``~~~~``, ``~~~``, ``~~~~~``) written out when a page is saved, by every
way of saving (the form, the API, the core's write path), never in code, never by an
import, a restore or the wiki's own seed pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, make_user, save
from sqlalchemy import select

from wikicoop.community.accounts import find_user
from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.importing import ImportedRevision, import_page
from wikicoop.core.models import Revision
from wikicoop.seed import load_seed
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

#: « 4 décembre 2026 à 18:42 (CET) » (summer time: CEST)
DATE = r"\d{1,2} \w+ \d{4} à \d{2}:\d{2} \(CES?T\)"
TEXT = "Je suis d'accord. ~~~~\n\nNom seul : ~~~\n\n```\nEn code : ~~~~\n```\n\nEt `~~~~` aussi."


def stored_text(app: Flask, title: str) -> str:
    """The text of the page's newest revision (published or waiting for review)."""
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title(title))
        assert page is not None
        newest = session.scalars(
            select(Revision).where(Revision.page_id == page.id).order_by(Revision.id.desc())
        ).first()
        assert newest is not None
        return newest.text


def assert_signed(text: str, name: str) -> None:
    link = re.escape(f"[[Utilisateur:{name}|{name}]]")
    assert re.search(f"Je suis d'accord\\. {link} {DATE}\n", text), text
    assert f"Nom seul : [[Utilisateur:{name}|{name}]]\n" in text
    assert "```\nEn code : ~~~~\n```" in text
    assert "Et `~~~~` aussi." in text


def test_the_edit_form_signs(app: Flask, client: FlaskClient, auth) -> None:
    auth.login("Alice")
    response = save(client, "Discussion:Jardin", TEXT)
    assert response.status_code == 302, response.text
    assert_signed(stored_text(app, "Discussion:Jardin"), "Alice")
    # the page shows the link and the date, not a code block swallowing the rest
    html = client.get("/wiki/Discussion:Jardin").text
    assert 'href="/wiki/Utilisateur:Alice"' in html


def test_the_api_signs(app: Flask, client: FlaskClient) -> None:
    api = Api(client, bearer_for(app, "Bob"))
    api.create("Discussion:Four", TEXT)
    assert_signed(stored_text(app, "Discussion:Four"), "Bob")
    api.edit("Discussion:Four", stored_text(app, "Discussion:Four") + "\nRéponse ~~~~~\n")
    assert re.search(f"Réponse {DATE}\n", stored_text(app, "Discussion:Four"))


def test_the_core_write_path_signs_in_the_sites_time_zone(make_app) -> None:
    app = make_app(TIMEZONE="America/New_York")
    make_user(app, "Chloé")
    with app.app_context():
        session = get_session()
        edit = writing.Edit(
            author=rev.Author(user=find_user(session, "Chloé")),
            title=parse_title("Discussion:Horaires"),
            text="Ouvert ? ~~~~",
            base_revision_id=None,
        )
        now = datetime(2026, 12, 4, 17, 42, tzinfo=UTC)
        writing.save(writing.context_for(app, session, now=now), edit)
    assert stored_text(app, "Discussion:Horaires") == (
        "Ouvert ? [[Utilisateur:Chloé|Chloé]] 4 décembre 2026 à 12:42 (EST)\n"
    )


def test_an_anonymous_writer_signs_with_the_address(make_app) -> None:
    app = make_app(ANONYMOUS_EDITING=True)
    client = app.test_client()
    response = save(client, "Discussion:Quartier", "Une question ~~~~")
    assert response.status_code == 302, response.text
    assert re.fullmatch(
        f"Une question \\[\\[Utilisateur:127\\.0\\.0\\.1\\|127\\.0\\.0\\.1\\]\\] {DATE}\n",
        stored_text(app, "Discussion:Quartier"),
    )


def test_a_restore_and_an_import_keep_the_tildes(app: Flask, make_page) -> None:
    admin = make_user(app, "Admin", "admin")
    with app.app_context():
        session = get_session()
        ctx = writing.context_for(app, session)
        import_page(
            ctx,
            parse_title("Discussion:Ancienne"),
            [
                ImportedRevision(
                    text="Signé à l'ancienne ~~~~",
                    created_at=datetime(2015, 3, 1, tzinfo=UTC),
                    licence="CC-BY-SA-4.0",
                    author_name="wiki-brest>Yann",
                )
            ],
            actor=session.merge(admin),
        )
        session.commit()
    assert stored_text(app, "Discussion:Ancienne") == "Signé à l'ancienne ~~~~\n"
    first = None
    with app.app_context():
        page = rev.find_page(get_session(), parse_title("Discussion:Ancienne"))
        assert page is not None
        first = page.latest_revision_id
    make_page("Discussion:Ancienne", "Autre texte", author="Admin")
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Discussion:Ancienne"))
        assert page is not None
        writing.restore(
            writing.context_for(app, session),
            page=page,
            revision_id=first,
            author=rev.Author(user=session.merge(admin)),
        )
    assert stored_text(app, "Discussion:Ancienne") == "Signé à l'ancienne ~~~~\n"


def test_seed_pages_keep_their_tildes(app: Flask, tmp_path: Path) -> None:
    (tmp_path / "exemple.md").write_text(
        "---\ntitle: Aide:Signer\nlicence: CC-BY-SA-4.0\n---\nTapez ~~~~ pour signer.\n",
        encoding="utf-8",
    )
    with app.app_context():
        load_seed(writing.context_for(app, get_session()), [tmp_path])
    assert stored_text(app, "Aide:Signer") == "Tapez ~~~~ pour signer.\n"
