"""Signing up and cancelling through the API and the page's form: the waiting list, its
promotion, refusals; the facilitators' list, its CSV and who may see it; the personal
calendar."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import icalendar
from helpers import Api, bearer_for, login, post_form, soup, use_smtp

from wikicoop.community.accounts import find_user
from wikicoop.web.db import get_session

from .outiller_testing import in_days, local_iso

URL = "/api/v1/workshops/Atelier_wiki/registrations"


def _api(app, client, name):
    return Api(client, bearer_for(app, name))


def test_sign_up_fills_places_then_the_waiting_list(make_workshop, ateliers, client):
    make_workshop("Atelier wiki", capacity=2)
    answers = [_api(ateliers, client, n).call("POST", URL) for n in ("Ana", "Bob", "Cleo", "Dan")]
    assert [a.status_code for a in answers] == [201] * 4
    assert [a.get_json()["status"] for a in answers] == [
        "registered",
        "registered",
        "waiting",
        "waiting",
    ]
    assert [a.get_json().get("position") for a in answers] == [None, None, 1, 2]
    again = _api(ateliers, client, "Cleo").call("POST", URL, 200).get_json()
    assert again == {**again, "status": "waiting", "position": 1, "already": True}
    session = Api(client).get("/api/v1/workshops")["workshops"][0]
    assert (session["registered"], session["waiting"], session["status"]) == (2, 2, "full")


def test_cancel_promotes_the_first_waiting_and_moves_the_queue(make_workshop, ateliers, client):
    make_workshop("Atelier wiki", capacity=1)
    for name in ("Ana", "Bob", "Cleo", "Dan"):
        _api(ateliers, client, name).call("POST", URL, 201)
    # a waiting person leaves: those behind move up
    left = _api(ateliers, client, "Cleo").call("DELETE", URL, 200).get_json()
    assert left["was"] == "waiting"
    assert _api(ateliers, client, "Dan").call("POST", URL, 200).get_json()["position"] == 2
    # the registered one leaves: Bob takes the place, Dan moves to 1
    assert _api(ateliers, client, "Ana").call("DELETE", URL, 200).get_json()["was"] == "registered"
    assert _api(ateliers, client, "Bob").call("POST", URL, 200).get_json()["status"] == "registered"
    dan = _api(ateliers, client, "Dan").call("POST", URL, 200).get_json()
    assert (dan["status"], dan["position"]) == ("waiting", 1)
    # cancelling twice: nothing to cancel
    assert (
        "pas inscrit" in _api(ateliers, client, "Ana").call("DELETE", URL, 404).get_json()["error"]
    )
    # and Ana may sign up again (a new row; the cancelled one stays as history)
    assert _api(ateliers, client, "Ana").call("POST", URL, 201).get_json()["position"] == 2


def test_refusals_past_unknown_anonymous(make_workshop, ateliers, client):
    start = in_days(-2)
    make_workshop("Atelier wiki", start)
    past = _api(ateliers, client, "Ana").call("POST", URL, 409).get_json()
    assert "plus de séance à venir" in past["error"]
    asked = {"start": local_iso(start)}
    past = _api(ateliers, client, "Ana").call("POST", URL, 409, json_body=asked).get_json()
    assert "déjà eu lieu" in past["error"]
    other = {"start": local_iso(start + timedelta(hours=1))}
    assert (
        _api(ateliers, client, "Ana").call("POST", URL, 404, json_body=other).get_json()["code"]
        == "unknown-session"
    )
    bad = _api(ateliers, client, "Ana").call("POST", URL, 400, json_body={"start": "mardi"})
    assert "AAAA-MM-JJ" in bad.get_json()["error"]
    assert Api(client).call("POST", URL, 401).get_json()["error"]
    plain = "/api/v1/workshops/Accueil/registrations"
    assert (
        "n'est pas un atelier"
        in _api(ateliers, client, "Ana").call("POST", plain, 404).get_json()["error"]
    )
    english = _api(ateliers, client, "Ana").call(
        "POST", URL, 409, headers={"Accept-Language": "en"}
    )
    assert "no upcoming session" in english.get_json()["error"]


def test_a_weekly_session_is_chosen_by_its_start(make_workshop, ateliers, client):
    first = in_days(2)
    make_workshop(
        "Atelier wiki", first, capacity=1, weekly_until=(first + timedelta(days=14)).date()
    )
    second = local_iso(first + timedelta(days=7))
    api = _api(ateliers, client, "Ana")
    assert (
        api.call("POST", URL, 201, json_body={"start": second}).get_json()["status"] == "registered"
    )
    assert api.call("POST", URL, 201).get_json()["status"] == "registered"  # the next one
    bob = _api(ateliers, client, "Bob").call("POST", URL + "?start=" + second, 201).get_json()
    assert bob["status"] == "waiting"
    listed = Api(client).get("/api/v1/workshops")["workshops"]
    assert [(s["registered"], s["waiting"]) for s in listed] == [(1, 0), (1, 1), (0, 0)]


def test_the_page_form_signs_up_and_cancels(make_workshop, ateliers, auth, client):
    make_workshop("Atelier wiki", capacity=1)
    anonymous = soup(client.get("/wiki/Atelier_wiki")).select_one(".outiller-login")
    assert anonymous is not None and "Connectez-vous" in anonymous.get_text()
    auth.login("Ana")
    page = client.get("/wiki/Atelier_wiki")
    form = soup(page).select_one("form.outiller-form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert data["action"] == "inscrire" and data["csrf_token"]
    refused = client.post(form["action"], data={k: v for k, v in data.items() if k != "csrf_token"})
    assert refused.status_code == 400  # no CSRF token, nothing done
    assert Api(client).get("/api/v1/workshops")["workshops"][0]["registered"] == 0
    done = client.post(form["action"], data=data, follow_redirects=True)
    assert "Inscription enregistrée" in done.text
    panel = soup(done).select_one("ul.outiller-panel li")
    assert "Vous êtes inscrit" in panel.get_text() and panel["data-status"] == "full"
    cancel = {i["name"]: i["value"] for i in panel.select("input[type=hidden]")}
    assert cancel["action"] == "annuler"
    done = client.post(form["action"], data=cancel, follow_redirects=True)
    assert "Inscription annulée" in done.text
    assert Api(client).get("/api/v1/workshops")["workshops"][0]["registered"] == 0


def test_the_list_and_its_csv_are_for_facilitators_and_moderators(
    make_workshop, ateliers, auth, client
):
    make_workshop("Atelier wiki", capacity=1, facilitators="Anim, Autre")
    for name in ("Ana", "Bob"):
        _api(ateliers, client, name).call("POST", URL, 201)
    sneaky = _api(ateliers, client, "Eve")
    with ateliers.app_context():
        user = find_user(get_session(), "Eve")
        user.email = "=cmd|'/c calc'!A1@exemple.org"
        get_session().commit()
    sneaky.call("POST", URL, 201)
    assert client.get("/ateliers/Atelier_wiki/inscriptions").status_code == 401
    auth.login("Bob")
    assert client.get("/ateliers/Atelier_wiki/inscriptions").status_code == 403
    assert client.get("/ateliers/Atelier_wiki/inscriptions.csv").status_code == 403
    assert client.get("/ateliers/Atelier_wiki/progression").status_code == 403
    auth.logout()
    auth.login("Anim")
    page = soup(client.get("/ateliers/Atelier_wiki/inscriptions"))
    rows = [(tr["data-user"], tr["data-status"]) for tr in page.select("tbody tr")]
    assert rows == [("Ana", "registered"), ("Bob", "waiting"), ("Eve", "waiting")]
    assert page.select_one("div.table-scroll table caption") is not None
    exported = client.get("/ateliers/Atelier_wiki/inscriptions.csv")
    assert exported.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert table[0][:4] == ["seance", "compte", "courriel", "statut"]
    assert table[3][2] == "'=cmd|'/c calc'!A1@exemple.org"  # never read as a formula
    auth.logout()
    auth.login("Modératrice", role="moderator")
    assert client.get("/ateliers/Atelier_wiki/inscriptions").status_code == 200
    assert client.get("/ateliers/Plus_rien/inscriptions").status_code == 404


def test_the_personal_calendar_is_private(make_workshop, ateliers, auth, client):
    first = in_days(2)
    make_workshop(
        "Atelier wiki", first, capacity=1, weekly_until=(first + timedelta(days=7)).date()
    )
    make_workshop("Anime", in_days(4), facilitators="Ana")
    make_workshop("Autre", in_days(5))
    api = _api(ateliers, client, "Ana")
    api.call("POST", URL, 201)
    _api(ateliers, client, "Bob").call("POST", URL, 201)
    assert client.get("/agenda/Ana.ics").status_code == 403
    assert client.get("/agenda/Ana.ics?cle=faux").status_code == 403
    auth.login("Ana")
    mine = client.get("/agenda/Ana.ics")
    events = icalendar.Calendar.from_ical(mine.data).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == ["Anime", "Atelier wiki"]
    uid = next(str(e["uid"]) for e in events if str(e["summary"]) == "Atelier wiki")
    assert uid.startswith("atelier-") and first.strftime("%Y%m%dT%H%M") in uid
    link = soup(client.get("/apprendre")).select_one('a[href^="/agenda/Ana.ics?cle="]')["href"]
    assert soup(client.get("/ateliers")).select_one(f'a[href="{link}"]') is not None
    auth.logout()
    assert client.get(link).status_code == 200  # a calendar program, with the key
    assert client.get(link.replace("Ana", "Bob")).status_code == 403


def test_the_promoted_person_gets_an_e_mail(make_workshop, ateliers, client, smtp_server):
    inbox, port = smtp_server
    use_smtp(ateliers, port)
    make_workshop("Atelier wiki", capacity=1)
    _api(ateliers, client, "Ana").call("POST", URL, 201)
    _api(ateliers, client, "Bob").call("POST", URL, 201)
    with ateliers.app_context():
        find_user(get_session(), "Bob").email = "bob@exemple.org"
        get_session().commit()
    response = _api(ateliers, client, "Ana").call("DELETE", URL, 200)
    assert inbox.messages() == []  # sent once the response is on its way...
    response.close()  # ...which a WSGI server signals by closing it
    messages = inbox.messages()
    assert [m["To"] for m in messages] == ["bob@exemple.org"]
    assert "Une place s'est libérée" in messages[0]["Subject"]
    assert "/wiki/Atelier_wiki" in messages[0].get_content()


def test_places_left_are_said_in_words(make_workshop, ateliers, client):
    make_workshop("Atelier wiki", capacity=2)
    _api(ateliers, client, "Ana").call("POST", URL, 201)
    state = soup(client.get("/ateliers")).select_one(".outiller-state").get_text()
    assert state == "1 place restante"
    _api(ateliers, client, "Bob").call("POST", URL, 201)
    _api(ateliers, client, "Cleo").call("POST", URL, 201)
    page = soup(client.get("/ateliers"))
    assert page.select_one(".outiller-state").get_text() == "complet — liste d'attente"
    assert "1 en attente" in page.select_one("li.outiller-session").get_text()
    english = soup(client.get("/ateliers", headers={"Accept-Language": "en"}))
    assert english.select_one(".outiller-state").get_text() == "full — waiting list"


def test_a_blocked_account_cannot_sign_up_but_may_cancel(make_workshop, ateliers, client):
    from wikicoop.community.accounts import create_user
    from wikicoop.community.governance import block_user

    make_workshop("Atelier wiki", capacity=3)
    ana = _api(ateliers, client, "Ana")
    ana.call("POST", URL, 201)
    with ateliers.app_context():
        session = get_session()
        modo = create_user(session, "Modératrice", "mot de passe solide", role="moderator")
        block_user(session, find_user(session, "Ana"), by=modo, reason="essai", expires_at=None)
        session.commit()
    _api(ateliers, client, "Bob").call("POST", URL, 201)
    left = _api(ateliers, client, "Ana").call("DELETE", URL, 200)
    assert left.get_json()["was"] == "registered"
    again = _api(ateliers, client, "Ana").call("POST", URL, 403).get_json()
    assert again["error"]
    assert Api(client).get("/api/v1/workshops")["workshops"][0]["registered"] == 1


def test_sign_ups_are_rate_limited_across_the_form_and_the_api(make_workshop, ateliers, client):
    """Each act may e-mail someone: OUTILLER_SIGNUP_RATE_LIMIT counts an account's
    sign-ups and cancellations, the API's and the form's together (429, said in words)."""
    ateliers.config["OUTILLER_SIGNUP_RATE_LIMIT"] = "3 per minute"
    make_workshop("Atelier wiki", capacity=5)
    api = _api(ateliers, client, "Ana")
    api.call("POST", URL, 201)
    api.call("DELETE", URL, 200)
    api.call("POST", URL, 201)
    # the same account through the page's form: the fourth act of the minute
    login(client, "Ana")
    form = post_form(
        client,
        "/ateliers/Atelier_wiki/inscription",
        {"action": "annuler"},
        form_url="/wiki/Atelier_wiki",
    )
    assert form.status_code == 429
    refused = api.call("DELETE", URL, 429).get_json()
    assert refused["error"]
    # another account is counted apart
    _api(ateliers, client, "Bob").call("POST", URL, 201)
