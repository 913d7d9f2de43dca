"""Nothing is lost: two residents editing the same page at once, through the web form."""

from __future__ import annotations

import threading

from helpers import edit_form, page_text, soup

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.models import Revision
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

BASE = "Premier paragraphe.\n\nDeuxième paragraphe.\n\nTroisième paragraphe.\n"


def post_edit(client, fields, text):
    return client.post(
        "/wiki/Partag%C3%A9e?action=edit",
        data={**fields, "text": text, "summary": "", "save": "Enregistrer"},
    )


def two_clients(app, auth):
    alice, bob = app.test_client(), app.test_client()
    auth.login("Alice", client=alice)
    auth.login("Bob", client=bob)
    return alice, bob


def current_text(client) -> str:
    return page_text(client, "Partag%C3%A9e")


def test_disjoint_edits_are_merged_and_the_user_told(app, auth, make_page):
    make_page("Partagée", BASE)
    alice, bob = two_clients(app, auth)
    alice_form, bob_form = edit_form(alice, "Partag%C3%A9e"), edit_form(bob, "Partag%C3%A9e")
    assert alice_form["base_revision"] == bob_form["base_revision"]
    assert post_edit(alice, alice_form, BASE.replace("Premier", "Tout premier")).status_code == 302
    response = post_edit(bob, bob_form, BASE.replace("Troisième", "Ultime"))
    assert response.status_code == 302
    follow = bob.get(response.headers["Location"])
    assert "réunies" in follow.text
    text = current_text(alice)
    assert "Tout premier paragraphe" in text and "Ultime paragraphe" in text
    with app.app_context():
        last = get_session().query(Revision).order_by(Revision.id.desc()).first()
        assert last.action == "merge"


def test_overlapping_edits_show_a_conflict_and_keep_the_users_text(app, auth, make_page):
    make_page("Partagée", BASE)
    alice, bob = two_clients(app, auth)
    alice_form, bob_form = edit_form(alice, "Partag%C3%A9e"), edit_form(bob, "Partag%C3%A9e")
    alice_text = BASE.replace("Deuxième paragraphe", "Second paragraphe selon Alice")
    bob_text = BASE.replace("Deuxième paragraphe", "Paragraphe numéro deux selon Bob")
    assert post_edit(alice, alice_form, alice_text).status_code == 302
    response = post_edit(bob, bob_form, bob_text)
    assert response.status_code == 409
    page = soup(response)
    assert "Conflit" in page.select_one(".conflict h2").get_text()
    assert page.select_one("textarea[name=text]").get_text().strip() == bob_text.strip()
    assert "selon Alice" in page.select_one(".conflict textarea").get_text()
    # the form now starts from Alice's revision: saving again resolves the conflict
    new_base = page.select_one("input[name=base_revision]")["value"]
    assert new_base != bob_form["base_revision"]
    assert "selon Alice" in current_text(bob)  # nothing of Bob's was written over Alice's
    resolved = {**bob_form, "base_revision": new_base}
    assert post_edit(bob, resolved, bob_text).status_code == 302
    assert "selon Bob" in current_text(bob)
    with app.app_context():
        assert get_session().query(Revision).count() == 3


def test_two_creations_of_the_same_page_conflict(app, auth):
    alice, bob = two_clients(app, auth)
    alice_form, bob_form = edit_form(alice, "Partag%C3%A9e"), edit_form(bob, "Partag%C3%A9e")
    assert alice_form["base_revision"] == "" == bob_form["base_revision"]
    assert post_edit(alice, alice_form, "Version d'Alice").status_code == 302
    response = post_edit(bob, bob_form, "Version de Bob")
    assert response.status_code == 409
    assert "Version d&#39;Alice" in response.text or "Version d'Alice" in response.text


def test_concurrent_saves_never_lose_an_edit(app, make_page):
    """Eight threads save disjoint lines from the same base: every line survives."""
    lines = [f"ligne {n}" for n in range(8)]
    first = make_page("Partagée", "\n\n".join(lines))
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            with app.app_context():
                from wikicoop.community.accounts import create_user

                user = create_user(get_session(), f"Fil{n}", "mot de passe solide", trust="granted")
                mine = list(lines)
                mine[n] = f"ligne {n} modifiée par le fil {n}"
                barrier.wait()
                result = writing.save(
                    writing.context_for(app, get_session()),
                    writing.Edit(
                        title=parse_title("Partagée"),
                        text="\n\n".join(mine),
                        base_revision_id=first,
                        author=rev.Author(user=user),
                    ),
                )
                assert result.conflict is None, result.conflict
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with app.app_context():
        page = rev.find_page(get_session(), parse_title("Partagée"))
        text = page.latest_revision.text
        for n in range(8):
            assert f"ligne {n} modifiée par le fil {n}" in text
        assert get_session().query(Revision).count() == 9
