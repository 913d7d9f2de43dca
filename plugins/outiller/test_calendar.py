"""The calendar views, the JSON list of sessions and the iCalendar feeds, through the
running app."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import icalendar
from helpers import Api, bearer_for, soup

from .outiller_testing import in_days


def _sessions(client, path):
    page = soup(client.get(path))
    return [
        (li["data-title"], li["data-start"], li["data-status"])
        for li in page.select("li.outiller-session")
    ]


def test_upcoming_lists_sessions_soonest_first_with_places(make_workshop, client):
    make_workshop("Atelier B", in_days(10), capacity=5)
    make_workshop("Atelier A", in_days(3), capacity=2)
    make_workshop("Atelier passé", in_days(-5))
    response = client.get("/ateliers")
    assert response.status_code == 200
    listed = _sessions(client, "/ateliers")
    assert [title for title, _, _ in listed] == ["Atelier A", "Atelier B"]
    text = soup(response).get_text(" ")
    assert "2 places restantes" in text and "5 places restantes" in text


def test_a_weekly_workshop_expands_into_its_sessions(make_workshop, client):
    first = in_days(2)
    make_workshop("Hebdo", first, weekly_until=(first + timedelta(days=21)).date())
    listed = _sessions(client, "/ateliers")
    assert len(listed) == 4
    assert {status for _, _, status in listed} == {"open"}
    body = Api(client).get("/api/v1/workshops")
    starts = [w["start"][:16] for w in body["workshops"]]
    assert starts[0] == first.isoformat()[:16]
    assert all(w["title"] == "Hebdo" and w["capacity"] == 12 for w in body["workshops"])


def test_month_view_marks_past_sessions(make_workshop, client):
    past, later = in_days(-1, hour=8), in_days(1)
    make_workshop("Hier", past)
    make_workshop("Demain", later)
    month = past.strftime("%Y-%m")
    listed = dict((t, s) for t, _, s in _sessions(client, f"/ateliers/mois/{month}"))
    assert listed["Hier"] == "past"
    page = soup(client.get(f"/ateliers/mois/{month}"))
    assert page.select_one('li[data-title="Hier"] .outiller-state').get_text() == "passé"
    assert client.get("/ateliers/mois/2026-13").status_code == 400
    assert "AAAA-MM" in client.get("/ateliers/mois/demain").text


def test_views_by_place_and_topic(make_workshop, client):
    make_workshop("Blog", in_days(4), place="Médiathèque de Saint-Martin", topics=("blog",))
    make_workshop(
        "Carte",
        in_days(5),
        place="Centre social",
        topics=("cartographie",),
        autres_themes="OpenStreetMap",
    )
    by_place = _sessions(client, "/ateliers/lieu/" + quote("Médiathèque de Saint-Martin"))
    assert [t for t, _, _ in by_place] == ["Blog"]
    assert [t for t, _, _ in _sessions(client, "/ateliers/theme/cartographie")] == ["Carte"]
    assert [t for t, _, _ in _sessions(client, "/ateliers/theme/OpenStreetMap")] == ["Carte"]
    api = Api(client)
    assert [w["title"] for w in api.get("/api/v1/workshops?topic=blog")["workshops"]] == ["Blog"]
    assert [
        w["title"]
        for w in api.get("/api/v1/workshops", query={"place": "Centre social"})["workshops"]
    ] == ["Carte"]
    # the place links to its page
    link = soup(client.get("/ateliers")).select_one('li[data-title="Blog"] a[href^="/wiki/M"]')
    assert link is not None and link.get_text() == "Médiathèque de Saint-Martin"


def test_api_dates_filter_and_bad_dates_are_400(make_workshop, client):
    make_workshop("Proche", in_days(2))
    make_workshop("Lointain", in_days(40))
    api = Api(client)
    soon = (in_days(10)).date().isoformat()
    assert [w["title"] for w in api.get(f"/api/v1/workshops?to={soon}")["workshops"]] == ["Proche"]
    late = in_days(20).date().isoformat()
    assert [w["title"] for w in api.get(f"/api/v1/workshops?from={late}")["workshops"]] == [
        "Lointain"
    ]
    one = api.get("/api/v1/workshops")["workshops"][0]
    assert set(one) >= {
        "title",
        "url",
        "start",
        "end",
        "place",
        "topics",
        "capacity",
        "registered",
        "waiting",
        "status",
    }
    assert one["url"].endswith("/wiki/Proche") and one["status"] == "open"
    bad = api.get("/api/v1/workshops?from=hier", 400)
    assert bad["parameter"] == "from" and "AAAA-MM-JJ" in bad["error"]
    bad = api.get("/api/v1/workshops?from=2027-01-10&to=2027-01-01", 400)
    assert bad["parameter"] == "to"
    assert (
        "YYYY-MM-DD"
        in api.get("/api/v1/workshops?to=13/01", 400, headers={"Accept-Language": "en"})["error"]
    )


def _events(response):
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    return cal, [c for c in cal.walk("VEVENT")]


def test_the_feed_parses_back_with_uids_rrule_and_timezone(make_workshop, client):
    first = in_days(3, hour=18)
    make_workshop(
        'Hebdo ; virgule, "guillemets"',
        first,
        weekly_until=(first + timedelta(days=14)).date(),
        topics=("audio",),
    )
    make_workshop("Unique", in_days(6), place="Médiathèque", topics=("vidéo",))
    cal, events = _events(client.get("/agenda.ics"))
    assert len(events) == 2
    weekly = next(e for e in events if "Hebdo" in str(e["summary"]))
    assert str(weekly["summary"]) == 'Hebdo ; virgule, "guillemets"'  # escaped, read back
    rule = weekly["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["UNTIL"][0].utcoffset() == timedelta(0)
    assert (
        weekly["dtstart"].dt.tzinfo is not None
        and weekly["dtstart"].params["TZID"] == "Europe/Paris"
    )
    assert weekly["dtstart"].dt.replace(tzinfo=None) == first.replace(tzinfo=None)
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    uids = {str(e["uid"]) for e in events}
    _, again = _events(client.get("/agenda.ics"))
    assert {str(e["uid"]) for e in again} == uids  # stable
    _, only = _events(client.get("/agenda.ics?topic=vidéo"))
    assert [str(e["summary"]) for e in only] == ["Unique"]
    _, at = _events(client.get("/agenda.ics", query_string={"place": "Médiathèque"}))
    assert [str(e["summary"]) for e in at] == ["Unique"]


def test_an_edit_shows_in_the_feed_at_once(make_workshop, client):
    """Feeds are kept built, under a key naming each workshop's published revision."""
    make_workshop("Unique", in_days(6), place="Médiathèque")
    _, before = _events(client.get("/agenda.ics"))
    assert [str(e["location"]) for e in before] == ["Médiathèque"]
    make_workshop("Unique", in_days(6), place="Centre social")  # a new revision
    make_workshop("Autre", in_days(8))
    _, after = _events(client.get("/agenda.ics"))
    assert sorted(str(e["location"]) for e in after) == [
        "Centre social",
        "Centre social de Kerourien",
    ]
    _, english = _events(client.get("/agenda.ics", headers={"Accept-Language": "en"}))
    assert "Level" in str(english[0]["description"])


def test_calendar_queries_do_not_grow_with_workshops(
    make_workshop, ateliers, client, statements_of
):
    url = "/api/v1/workshops/{}/registrations"

    def add(names):
        for name in names:
            make_workshop(name, in_days(4), weekly_until=in_days(30).date())
            Api(client, bearer_for(ateliers, "Ana")).call("POST", url.format(name), 201)

    add(["Un", "Deux"])
    paths = ["/ateliers", "/ateliers/theme/wiki", "/agenda.ics", "/api/v1/workshops"]
    few = [statements_of(client, path) for path in paths]
    add(["Trois", "Quatre", "Cinq", "Six"])
    assert [statements_of(client, path) for path in paths] == few


def test_a_weekly_series_keeps_its_hour_across_the_change_of_time(ateliers, client, app):
    """Summer time ends on 31 October 2027: the sessions stay at 10:00 local."""
    body = {
        "text": "Hebdo.",
        "base_revision": None,
        "type": "atelier",
        "fields": {
            "debut": "2027-10-20T10:00",
            "fin": "2027-10-20T12:00",
            "lieu": "Centre social",
            "places": 5,
            "repetition": "chaque semaine",
            "jusqu_au": "2027-11-10",
        },
    }
    Api(client, bearer_for(app, "Modo", "moderator")).put("Hebdo automne", body, 201)
    listed = Api(client).get("/api/v1/workshops?from=2027-10-01&to=2027-11-30")["workshops"]
    assert [w["start"] for w in listed] == [
        "2027-10-20T10:00:00+02:00",
        "2027-10-27T10:00:00+02:00",
        "2027-11-03T10:00:00+01:00",
        "2027-11-10T10:00:00+01:00",
    ]
    assert listed[2]["end"] == "2027-11-03T12:00:00+01:00"
