"""Learning to write: exercises detected from real edits and visits through the app,
the sandbox's reset keeping its history, owner-only sandboxes, and the facilitators'
view of their participants' progress."""

from __future__ import annotations

from helpers import Api, bearer_for, save, soup

from .outiller_testing import in_days

SANDBOX = "Utilisateur:Lea/Bac_à_sable"


def _progress(client):
    page = soup(client.get("/apprendre"))
    count = page.select_one(".outiller-count")
    done = {li["data-exercise"] for li in page.select("li.outiller-exercise[data-done=yes]")}
    return int(count["data-done"]), int(count["data-total"]), done


def test_exercises_follow_what_the_learner_did(ateliers, auth, client, make_page):
    auth.login("Lea")
    assert _progress(client) == (0, 9, set())
    token = soup(client.get("/apprendre")).select_one("input[name=csrf_token]")["value"]
    reset = client.post("/apprendre/bac-a-sable/reinitialiser", data={"csrf_token": token})
    assert reset.status_code == 302
    assert _progress(client)[0] == 0  # the starting text passes no exercise
    assert save(client, SANDBOX, "# Mon quartier\n\nDu texte.\n").status_code == 302
    assert _progress(client)[2] == {"titre"}
    text = "# Mon quartier\n\n- pain\n- lait\n\nC'est **important**.\n"
    assert save(client, SANDBOX, text, summary="une liste et du gras").status_code == 302
    assert _progress(client)[2] == {"titre", "liste", "gras", "resume"}
    make_page("Accueil", "Bienvenue.", author="Autre")
    text += "\nVoir [[Accueil]].\n\n[[Catégorie:Essais]]\n"
    assert save(client, SANDBOX, text).status_code == 302
    assert {"lien", "categorie"} <= _progress(client)[2]
    # looking at the history and a diff, as pages the learner opened
    assert client.get(f"/wiki/{SANDBOX}?action=history").status_code == 200
    assert "historique" in _progress(client)[2] and "comparer" not in _progress(client)[2]
    history = soup(client.get(f"/wiki/{SANDBOX}?action=history"))
    diff = history.select_one('a[href*="action=diff"]')["href"]
    assert client.get(diff).status_code == 200
    assert "comparer" in _progress(client)[2]
    # a page of their own, outside the sandbox
    assert save(client, "Jardin_partagé", "Un jardin.").status_code == 302
    count, total, done = _progress(client)
    assert (count, total) == (9, 9) and len(done) == 9
    bar = soup(client.get("/apprendre")).select_one("progress")
    assert bar["value"] == "9" and bar["max"] == "9" and bar.get_text() == "9 / 9"


def test_a_bad_attempt_is_not_counted(ateliers, auth, client):
    auth.login("Lea")
    # no space after the hash, a star without its pair, a broken link
    assert save(client, SANDBOX, "#pasuntitre\n\n*presque* gras\n\n[[Accueil\n").status_code == 302
    assert _progress(client)[2] == set()
    check = soup(client.get("/apprendre?verifier=titre"))
    assert check.select_one("#exercice-titre .outiller-checked").get_text() == "à faire"


def test_reset_keeps_the_history(ateliers, auth, client):
    auth.login("Lea")
    save(client, SANDBOX, "Premier essai.\n")
    save(client, SANDBOX, "Deuxième essai.\n")
    page = soup(client.get(f"/wiki/{SANDBOX}"))
    form = page.select_one('form[action="/apprendre/bac-a-sable/reinitialiser"]')
    assert form is not None  # the owner's sandbox carries its reset button
    token = form.select_one("input[name=csrf_token]")["value"]
    assert client.post(form["action"]).status_code == 400  # no CSRF token
    done = client.post(form["action"], data={"csrf_token": token}, follow_redirects=True)
    assert "texte de départ" in done.text
    history = Api(client).history("Utilisateur:Lea/Bac à sable")
    revisions = history["revisions"]
    assert len(revisions) == 3
    assert revisions[0]["summary"] == "Réinitialisation du bac à sable"
    texts = [
        Api(client).get(f"/api/v1/pages/Utilisateur:Lea/Bac_%C3%A0_sable?revision={r['id']}")[
            "text"
        ]
        for r in revisions
    ]
    assert "Bienvenue dans votre bac à sable" in texts[0]
    assert "Deuxième essai." in texts[1] and "Premier essai." in texts[2]
    assert 'name="robots" content="noindex' in client.get(f"/wiki/{SANDBOX}").text


def test_only_the_owner_and_moderators_write_in_a_sandbox(ateliers, auth, client, app):
    auth.login("Lea")
    save(client, SANDBOX, "Mon essai.\n")
    auth.logout()
    auth.login("Intrus")
    refused = save(client, SANDBOX, "Pas à moi.\n")
    assert refused.status_code == 403
    other = Api(client, bearer_for(app, "Intrus"))
    body = {"text": "Création chez un autre.", "base_revision": None}
    answer = other.put("Utilisateur:Zoe/Bac à sable", body, 403).get_json()
    assert "appartient à Zoe" in answer["error"]
    moderator = Api(client, bearer_for(app, "Modératrice", "moderator"))
    assert moderator.put("Utilisateur:Zoe/Bac à sable", body, 201)
    assert Api(client).page("Utilisateur:Lea/Bac à sable")["text"] == "Mon essai.\n"


def test_facilitators_see_their_participants_progress(make_workshop, ateliers, auth, client, app):
    make_workshop("Atelier wiki", in_days(3), capacity=1, facilitators="Anim")
    url = "/api/v1/workshops/Atelier_wiki/registrations"
    for name in ("Lea", "Max", "Noa"):
        Api(client, bearer_for(app, name)).call("POST", url, 201)  # Noa, Max wait
    auth.login("Lea")
    save(client, SANDBOX, "# Titre\n\n- un\n- deux\n", summary="essai")
    auth.logout()
    auth.login("Anim")
    page = soup(client.get("/ateliers/Atelier_wiki/progression"))
    rows = {tr["data-user"]: int(tr["data-done"]) for tr in page.select("tbody tr")}
    assert rows == {"Lea": 3}  # only registered participants, not the waiting ones
    cells = {
        td["data-exercise"]: td.get_text()
        for td in page.select('tr[data-user="Lea"] td[data-exercise]')
    }
    assert cells["titre"] == "fait" and cells["gras"] == "à faire"
    assert page.select_one("div.table-scroll") is not None
    auth.logout()
    assert client.get("/ateliers/Atelier_wiki/progression").status_code == 401


def test_progress_takes_the_same_queries_for_2_or_8_learners(
    make_workshop, ateliers, client, auth, app, statements_of
):
    make_workshop("Atelier wiki", in_days(3), capacity=20, facilitators="Anim")
    url = "/api/v1/workshops/Atelier_wiki/registrations"

    def sign_up(names):
        for name in names:
            Api(client, bearer_for(app, name)).call("POST", url, 201)
            Api(client, bearer_for(app, name)).put(
                f"Utilisateur:{name}/Bac à sable", {"text": "# Titre\n", "base_revision": None}, 201
            )

    sign_up(["Lou1", "Lou2"])
    auth.login("Anim")
    path = "/ateliers/Atelier_wiki/progression"
    client.get(path)  # warm
    few = statements_of(client, path)
    sign_up([f"Max{i}" for i in range(6)])
    many = statements_of(client, path)
    assert many == few, (few, many)
    page = soup(client.get(path))
    assert len(page.select("tbody tr")) == 8
