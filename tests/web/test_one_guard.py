"""One visibility guard for the web and the API (issue 8, point 4).

For each kind of reader and each state of a page, ``/wiki/<title>`` and
``/api/v1/pages/<title>`` must agree: same status for the page, one of its revisions, its
history and a diff, and the same text when the page is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wikicoop.community import review
from wikicoop.community.accounts import find_user
from wikicoop.core import revisions as rev
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

READERS = ("visitor", "author", "other_newcomer", "moderator")


@dataclass(frozen=True)
class State:
    """A page in some state: its title, the revision the probes ask for, and what each
    reader may see (probe name -> expected status, per reader)."""

    title: str
    revision: int
    expected: dict[str, dict[str, int]]


def _moderate(app: Flask, act: Callable, revision_id: int) -> None:
    """Apply a review act (``review.reject``, ``review.hide``) as the moderator."""
    with app.app_context():
        session = get_session()
        act(session, revision_id=revision_id, moderator=find_user(session, "Modo"), reason="test")


def _delete(app: Flask, title: str) -> None:
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, parse_title(title))
        rev.delete_page(session, page=page, actor=find_user(session, "Admin"), reason="test")


def _everyone(status: int) -> dict[str, int]:
    return {"view": status, "revision": status, "history": status, "diff": status}


def published(app: Flask, make_page) -> State:
    rid = make_page("Publiée", "Texte publiepourtous.")
    return State("Publiée", rid, dict.fromkeys(READERS, _everyone(200)))


def _for_author_and_moderators(title: str, rid: int, theirs: dict, others: dict) -> State:
    """A state the newcomer who wrote it and moderators see as ``theirs``, the visitor and
    the other newcomer as ``others``."""
    return State(
        title,
        rid,
        {"visitor": others, "other_newcomer": others, "author": theirs, "moderator": theirs},
    )


def pending_edit(app: Flask, make_page) -> State:
    """A published page with the newcomer's edit waiting: the author reads their version
    (the view probe checks the text), the others the published one."""
    make_page("Atelier", "Texte atelierpublie.")
    rid = make_page("Atelier", "Texte atelierpropose.", author="Nouveau")
    unseen = {"view": 200, "revision": 404, "history": 200, "diff": 404}
    return _for_author_and_moderators("Atelier", rid, _everyone(200), unseen)


def only_pending(app: Flask, make_page) -> State:
    rid = make_page("Attente", "Texte attenterelecture.", author="Nouveau")
    return _for_author_and_moderators("Attente", rid, _everyone(200), _everyone(404))


def rejected_only(app: Flask, make_page) -> State:
    rid = make_page("Refusée", "Texte refusepublicite.", author="Nouveau")
    _moderate(app, review.reject, rid)
    # nothing to show as "the page", but its history and revision stay readable by
    # their author and moderators
    readable = {"view": 404, "revision": 200, "history": 200, "diff": 200}
    return _for_author_and_moderators("Refusée", rid, readable, _everyone(404))


def deleted(app: Flask, make_page) -> State:
    rid = make_page("Supprimée", "Texte supprimeeadmin.")
    _delete(app, "Supprimée")
    return State("Supprimée", rid, dict.fromkeys(READERS, _everyone(404)))


def hidden_latest(app: Flask, make_page) -> State:
    make_page("Masquée", "Texte masqueepublie.")
    rid = make_page("Masquée", "Texte masqueeinjure.", author="Nouveau")
    _moderate(app, review.hide, rid)
    masked = {"view": 200, "revision": 403, "history": 200, "diff": 403}
    return State(
        "Masquée",
        rid,
        {"visitor": masked, "other_newcomer": masked, "author": masked}
        | {"moderator": _everyone(200)},
    )


def probes(title: str, revision: int) -> dict[str, tuple[str, str]]:
    """Probe name -> (web URL, API URL)."""
    path = title.replace(" ", "_")
    api = f"/api/v1/pages/{path}"
    pair = f"from={revision}&to={revision}"
    return {
        "view": (f"/wiki/{path}", api),
        "revision": (f"/wiki/{path}?revision={revision}", f"{api}?revision={revision}"),
        "history": (f"/wiki/{path}?action=history", f"{api}/history"),
        "diff": (f"/wiki/{path}?action=diff&{pair}", f"{api}/diff?{pair}"),
    }


@pytest.fixture
def readers(app: Flask, auth) -> dict[str, FlaskClient]:
    """A visitor, the newcomer who writes the pages, another newcomer, a moderator."""
    clients = {name: app.test_client() for name in READERS}
    auth.login("Nouveau", client=clients["author"], trust="auto")
    auth.login("Autre", client=clients["other_newcomer"], trust="auto")
    auth.login("Modo", client=clients["moderator"], role="moderator")
    auth.make_user("Admin", role="admin")
    return clients


@pytest.mark.parametrize(
    "build",
    [published, pending_edit, only_pending, rejected_only, deleted, hidden_latest],
    ids=lambda f: f.__name__,
)
def test_web_and_api_agree(app, make_page, readers, build):
    state = build(app, make_page)
    outcomes = []
    for reader, client in readers.items():
        for probe, (web_url, api_url) in probes(state.title, state.revision).items():
            web = client.get(web_url)
            api = client.get(api_url)
            assert web.status_code < 500 and api.status_code < 500, (reader, probe)
            expected = state.expected[reader][probe]
            outcomes.append((reader, probe, expected, web.status_code, api.status_code))
            if probe == "view" and api.status_code == 200 and web.status_code == 200:
                # the same version is shown: its distinctive word is in the web page
                word = api.get_json()["text"].split()[-1].rstrip(".")
                assert word in web.text, (reader, probe, word)
    wrong = [o for o in outcomes if not o[2] == o[3] == o[4]]
    assert not wrong, "(reader, probe, expected, web, api): " + repr(wrong)
