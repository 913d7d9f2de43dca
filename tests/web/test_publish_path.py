"""Issue 9, points 1-2: one write path. Creating, saving, restoring and approving each end
in ``writing.publish`` (the ``page_published`` hook fires once per act, a moderator's own
change is patrolled there); plugins refuse an edit (``validate_edit``) or hold it for
review (``moderation_verdict``); page types and field values are stored with each
revision, kept, restored, merged, and conflict like the text.

The plugin here is a plain object registered on the app's real plugin manager for one
test; every act goes through the running app (web form, API or the write path on the
test database).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, login, make_user, post_form, save
from sqlalchemy import event, func, select

from wikicoop.community import review
from wikicoop.community.accounts import find_user
from wikicoop.core import moderation, writing
from wikicoop.core import revisions as rev
from wikicoop.core.db import engine_of
from wikicoop.core.models import CategoryMembership, PageLink, Revision
from wikicoop.core.page_types import FieldError
from wikicoop.errors import ServiceError
from wikicoop.plugins import hookimpl
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

PLACE = {
    "name": "lieu",
    "label": {"fr": "Lieu", "en": "Place"},
    "fields": [
        {"name": "ville", "kind": "text", "label": "Ville"},
        {"name": "places", "kind": "number", "label": "Places"},
    ],
}


class Recorder:
    """A plugin object: records publications, refuses texts with ``refuse`` in them,
    returns ``verdict`` as its moderation verdict."""

    def __init__(self) -> None:
        self.published: list[tuple[str, int, str, str | None]] = []
        self.refuse: str | None = None
        self.verdict: moderation.Decision | None = None

    @hookimpl
    def page_published(self, ctx: Any) -> None:
        actor = ctx.actor.username if ctx.actor is not None else None
        self.published.append((ctx.page.title.full, ctx.revision.id, ctx.revision.action, actor))

    @hookimpl
    def validate_edit(self, ctx: Any) -> None:
        if self.refuse and self.refuse in str(ctx.edit.text):
            raise ServiceError("plugin-refused", status=400)

    @hookimpl
    def moderation_verdict(self, ctx: Any) -> moderation.Decision | None:
        return self.verdict


@pytest.fixture
def recorder(app: Flask) -> Iterator[Recorder]:
    manager = app.extensions["wikicoop.plugins"]
    plugin = Recorder()
    manager.register(plugin, name="test-recorder")
    yield plugin
    manager.unregister(plugin)


def _revision(app: Flask, revision_id: int) -> Revision:
    with app.app_context():
        return get_session().get(Revision, revision_id)


def _count(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Revision)) or 0


def _latest_id(app: Flask, title: str) -> int:
    with app.app_context():
        page = rev.find_page(get_session(), parse_title(title))
        assert page is not None and page.latest_revision_id is not None
        return page.latest_revision_id


def test_create_save_restore_and_approve_each_publish_once(
    app: Flask, client: FlaskClient, recorder: Recorder
) -> None:
    modo = make_user(app, "Modo", role="moderator")
    make_user(app, "Nouveau", trust="auto")
    login(client, "Modo")
    assert save(client, "Verger", "Premier texte.").status_code == 302
    first = _latest_id(app, "Verger")
    assert recorder.published == [("Verger", first, "create", "Modo")]
    assert save(client, "Verger", "Deuxième texte.").status_code == 302
    second = _latest_id(app, "Verger")
    assert recorder.published[1:] == [("Verger", second, "edit", "Modo")]
    restore = f"/wiki/Verger?action=restore&revision={first}"
    assert post_form(client, restore, {"revision": str(first)}).status_code == 302
    restored = _latest_id(app, "Verger")
    assert recorder.published[2:] == [("Verger", restored, "restore", "Modo")]
    assert _revision(app, restored).text == "Premier texte.\n"

    newcomer = app.test_client()
    login(newcomer, "Nouveau")
    assert save(newcomer, "Verger", "Premier texte, complété.").status_code == 302
    assert len(recorder.published) == 3  # waiting for review: nothing published
    with app.app_context():
        pending = get_session().scalar(select(func.max(Revision.id)))
    approved = post_form(
        client, f"/moderation/revision/{pending}/approve", {}, form_url="/moderation"
    )
    assert approved.status_code == 302
    assert recorder.published[3:] == [("Verger", pending, "edit", "Modo")]
    # every one of these, made or approved by a moderator, needs no patrol
    for revision_id in (first, second, restored, pending):
        assert _revision(app, revision_id).patrolled_by_id == modo.id


def _alice_creates_lavoir(app: Flask, client: FlaskClient) -> int:
    """Alice (trusted) logs in and creates "Lavoir" with the web form; its revision."""
    make_user(app, "Alice")
    login(client, "Alice")
    assert save(client, "Lavoir", "Le vieux lavoir.").status_code == 302
    return _latest_id(app, "Lavoir")


def test_a_contributors_save_is_published_once_and_left_to_patrol(
    app: Flask, client: FlaskClient, recorder: Recorder
) -> None:
    created = _alice_creates_lavoir(app, client)
    assert recorder.published == [("Lavoir", created, "create", "Alice")]
    assert _revision(app, created).patrolled_at is None


def test_validate_edit_refusing_gives_400_and_saves_nothing(
    app: Flask, client: FlaskClient, recorder: Recorder
) -> None:
    _alice_creates_lavoir(app, client)
    before = _count(app)
    recorder.refuse = "interdit"
    refused = save(client, "Lavoir", "Un mot interdit.")
    assert refused.status_code == 400
    assert "plugin-refused" in refused.text  # a code the core has no sentence for
    api = Api(client, bearer_for(app, "Alice"))
    body = api.put("Neuve", {"text": "Encore interdit.", "base_revision": None}, 400).get_json()
    assert body["code"] == "plugin-refused"
    assert _count(app) == before
    assert [title for title, *_ in recorder.published] == ["Lavoir"]
    with app.app_context():
        assert rev.find_page(get_session(), parse_title("Neuve")) is None


def test_a_pending_moderation_verdict_wins_and_its_reasons_are_kept(
    app: Flask, client: FlaskClient, recorder: Recorder
) -> None:
    make_user(app, "Alice")  # trusted: the core would publish
    make_user(app, "Nouveau", trust="auto")  # a newcomer: the core holds it already
    recorder.verdict = moderation.Decision(moderation.PENDING, ("plugin-check",))
    alice = Api(client, bearer_for(app, "Alice"))
    response = alice.put("Annonce", {"text": "Une annonce.", "base_revision": None}, 202)
    held = response.get_json()["revision"]["id"]
    assert _revision(app, held).pending_reason_codes == ["plugin-check"]
    assert recorder.published == []
    newcomer = Api(app.test_client(), bearer_for(app, "Nouveau"))
    newcomer.put("Autre", {"text": "Une autre.", "base_revision": None}, 202)
    with app.app_context():
        last = get_session().scalar(select(Revision).order_by(Revision.id.desc()).limit(1))
        assert last.pending_reason_codes == ["newcomer", "plugin-check"]
    # a plugin saying "published" never lifts the core's hold
    recorder.verdict = moderation.Decision(moderation.PUBLISHED)
    newcomer.put("Troisième", {"text": "Et une troisième.", "base_revision": None}, 202)
    assert recorder.published == []


# -------------------------------------------------------------------- types and fields


@pytest.fixture
def typed_app(make_app) -> Flask:
    application = make_app(PAGE_TYPES=[PLACE])
    with application.app_context():
        session = get_session()
        from wikicoop.community.accounts import create_user

        create_user(session, "Alice", "correct horse battery", trust="granted")
        create_user(session, "Bob", "correct horse battery", trust="granted")
        create_user(session, "Nouveau", "correct horse battery", trust="auto")
        create_user(session, "Modo", "correct horse battery", role="moderator")
    return application


def _write(app: Flask, who: str, title: str, text: str, base: int | None, **kw: Any):
    with app.app_context():
        session = get_session()
        edit = writing.Edit(
            author=rev.Author(user=find_user(session, who)),
            title=parse_title(title),
            text=text,
            base_revision_id=base,
            **kw,
        )
        return writing.save(writing.context_for(app, session), edit)


def _typed(app: Flask, revision_id: int) -> tuple[str | None, dict | None]:
    revision = _revision(app, revision_id)
    return revision.page_type, revision.fields


def test_fields_are_stored_kept_checked_and_restored(typed_app: Flask) -> None:
    app = typed_app
    first = _write(app, "Alice", "Salle", "Une salle.", None, page_type="lieu",
                  fields={"ville": "Brest", "places": 40}).revision.id  # fmt: skip
    assert _typed(app, first) == ("lieu", {"ville": "Brest", "places": 40})
    kept = _write(app, "Alice", "Salle", "Une grande salle.", first).revision.id
    assert _typed(app, kept) == ("lieu", {"ville": "Brest", "places": 40})
    before = _count(app)
    with pytest.raises(FieldError) as refused:
        _write(app, "Alice", "Salle", "Encore.", kept, fields={"places": "beaucoup"})
    assert refused.value.status == 400 and refused.value.params["field"] == "places"
    with pytest.raises(FieldError):
        _write(app, "Alice", "Salle", "Encore.", kept, fields={"inconnu": 1})
    with pytest.raises(FieldError):
        _write(app, "Alice", "Autre", "Texte.", None, page_type="inexistant")
    assert _count(app) == before
    # only a field changes: a new revision all the same
    moved = _write(app, "Alice", "Salle", "Une grande salle.", kept, fields={"ville": "Quimper"})
    assert moved.changed and _typed(app, moved.revision.id) == ("lieu", {"ville": "Quimper"})
    plain = _write(app, "Alice", "Salle", "Une grande salle.", moved.revision.id, page_type="")
    assert _typed(app, plain.revision.id) == (None, None)
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title("Salle"))
        restored = writing.restore(
            writing.context_for(app, session),
            page=page,
            revision_id=first,
            author=rev.Author(user=find_user(session, "Alice")),
        )
        assert restored.revision.text == "Une salle.\n"
    assert _typed(app, restored.revision.id) == ("lieu", {"ville": "Brest", "places": 40})


def test_fields_merge_like_the_text_and_conflict_when_changed_on_both_sides(
    typed_app: Flask,
) -> None:
    app = typed_app
    text = "Premier paragraphe.\n\nSecond paragraphe.\n"
    base = _write(app, "Alice", "Salle", text, None, page_type="lieu",
                 fields={"ville": "Brest", "places": 40}).revision.id  # fmt: skip
    theirs = _write(app, "Bob", "Salle", text, base, fields={"ville": "Brest", "places": 50})
    # another field changed from the same base: merged
    mine = _write(app, "Alice", "Salle", text.replace("Premier", "Tout premier"), base,
                 fields={"ville": "Morlaix", "places": 40})  # fmt: skip
    assert mine.merged and mine.conflict is None
    assert _typed(app, mine.revision.id) == ("lieu", {"ville": "Morlaix", "places": 50})
    assert mine.revision.text.startswith("Tout premier")
    # the same field changed differently on both sides: a conflict, nothing written
    before = _count(app)
    clash = _write(app, "Bob", "Salle", text, theirs.revision.id,
                  fields={"ville": "Quimper", "places": 50})  # fmt: skip
    assert clash.conflict is not None and clash.field_conflicts == ["ville"]
    assert _count(app) == before
    # dropping the type where the other side changed its values: a conflict too
    clash = _write(app, "Bob", "Salle", text, base, page_type="")
    assert clash.conflict is not None and clash.field_conflicts == ["ville", "places"]
    assert _count(app) == before


def test_approval_merges_fields_and_refuses_a_field_conflict(typed_app: Flask) -> None:
    app = typed_app
    text = "Une salle.\n"
    base = _write(app, "Alice", "Salle", text, None, page_type="lieu",
                 fields={"ville": "Brest", "places": 40}).revision.id  # fmt: skip
    held = _write(app, "Nouveau", "Salle", text, base, fields={"ville": "Brest", "places": 45})
    assert held.pending
    _write(app, "Alice", "Salle", text, base, fields={"ville": "Landerneau", "places": 40})
    with app.app_context():
        session = get_session()
        published = review.approve(
            writing.context_for(app, session),
            revision_id=held.revision.id,
            moderator=find_user(session, "Modo"),
        )
        assert published.action == "merge"
        assert (published.page_type, published.fields) == (
            "lieu",
            {"ville": "Landerneau", "places": 45},
        )
    second = _write(app, "Nouveau", "Salle", text, published.id, fields={"ville": "Brest"})
    _write(app, "Alice", "Salle", text, published.id, fields={"ville": "Paimpol", "places": 45})
    with app.app_context():
        session = get_session()
        with pytest.raises(rev.EditError) as refused:
            review.approve(
                writing.context_for(app, session),
                revision_id=second.revision.id,
                moderator=find_user(session, "Modo"),
            )
        assert refused.value.code == "approve-conflict"


def test_publish_only_flushes_the_act_commits(app: Flask, make_page, recorder: Recorder) -> None:
    """The transaction rule: what an act is made of never commits; the act does, once."""
    first = make_page("Lavoir", "Le vieux lavoir.")
    with app.app_context():
        session = get_session()
        commits: list[int] = []
        event.listen(session, "after_commit", lambda _s: commits.append(1))
        page = rev.find_page(session, parse_title("Lavoir"))
        latest = page.latest_revision
        revision = rev.new_revision(
            page,
            parent=latest,
            author=rev.Author(user=find_user(session, "Alice")),
            text="Un autre texte.\n",
            summary="",
            action="edit",
            now=latest.created_at,
        )
        writing.publish(
            writing.context_for(app, session), page, revision, latest=latest, actor=None,
            now=latest.created_at,
        )  # fmt: skip
        assert commits == [] and [p[2] for p in recorder.published] == ["create", "edit"]
        session.rollback()  # the caller gives up: nothing of it stays
        assert _latest_id(app, "Lavoir") == first
        author = rev.Author(user=find_user(session, "Alice"))
        edit = writing.Edit(author=author, title=page.title, text="Encore.", base_revision_id=first)
        writing.save(writing.context_for(app, session), edit)
        assert commits == [1]  # a save commits once


def test_a_save_stores_its_rendering_without_looking_for_one(
    app: Flask, client: FlaskClient
) -> None:
    """The revision a save inserts is new: its rendering is inserted at once, without
    the query that looks for a stored one first (each query is a round trip on
    PostgreSQL)."""
    created = _alice_creates_lavoir(app, client)
    me, statements = threading.get_ident(), []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if "render_cache" in statement and threading.get_ident() == me:  # not the indexer's
            statements.append(statement.split(None, 1)[0].upper())

    event.listen(engine_of(app), "before_cursor_execute", record)
    try:
        assert save(client, "Lavoir", "Le vieux lavoir, restauré.").status_code == 302
    finally:
        event.remove(engine_of(app), "before_cursor_execute", record)
    assert statements == ["INSERT"]
    assert _latest_id(app, "Lavoir") != created


def _links_and_categories(app: Flask, title: str) -> tuple[set[str], dict[str, str]]:
    """The stored link targets (``ns:name``) and categories (-> sort key) of ``title``."""
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title(title))
        assert page is not None
        links = session.execute(
            select(PageLink.target_namespace, PageLink.target_name).where(
                PageLink.source_page_id == page.id
            )
        )
        categories = session.execute(
            select(CategoryMembership.category, CategoryMembership.sort_key).where(
                CategoryMembership.page_id == page.id
            )
        )
        return {f"{ns}:{name}" for ns, name in links}, {c: key for c, key in categories}


def test_a_save_rewrites_links_and_categories_only_when_they_change(
    app: Flask, client: FlaskClient
) -> None:
    """Most edits change neither the links nor the categories: the save reads them in one
    query and writes nothing there (it deleted and inserted both: four round trips on
    PostgreSQL); a change rewrites what changed, and a page left without any has none."""
    make_user(app, "Alice")
    login(client, "Alice")
    text = "Le [[Lavoir]] et la [[Fontaine]].\n\n[[Catégorie:Patrimoine]]\n"
    assert save(client, "Quartier", text).status_code == 302
    first = _links_and_categories(app, "Quartier")
    assert first == ({"main:Lavoir", "main:Fontaine"}, {"Patrimoine": "Quartier"})

    me, statements = threading.get_ident(), []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if threading.get_ident() != me:  # not the indexer's
            return
        tables = [t for t in ("page_links", "category_memberships") if t in statement]
        if tables:
            statements.append(f"{statement.split(None, 1)[0].upper()} {' + '.join(tables)}")

    def saved(text: str) -> tuple[list[str], tuple[set[str], dict[str, str]]]:
        """The statements on both tables of a save of ``text``, then what they hold."""
        statements.clear()
        event.listen(engine_of(app), "before_cursor_execute", record)
        try:
            assert save(client, "Quartier", text).status_code == 302
        finally:
            event.remove(engine_of(app), "before_cursor_execute", record)
        return list(statements), _links_and_categories(app, "Quartier")

    # one read of both tables (a UNION), nothing written
    assert saved("Un texte plus long. " + text) == (
        ["SELECT page_links + category_memberships"],
        first,
    )
    assert saved("Le [[Lavoir]] et le [[Marché]].\n\n[[Catégorie:Commerces]]\n") == (
        [
            "SELECT page_links + category_memberships",
            "DELETE page_links",
            "INSERT page_links",
            "DELETE category_memberships",
            "INSERT category_memberships",
        ],
        ({"main:Lavoir", "main:Marché"}, {"Commerces": "Quartier"}),
    )
    assert saved("Plus aucun lien.") == (
        [
            "SELECT page_links + category_memberships",
            "DELETE page_links",
            "DELETE category_memberships",
        ],
        (set(), {}),
    )
