"""Capacity under concurrency: 50 people sign up at once, through the API, to a
workshop of 12 places, each thread with its own client (so its own app context,
session and connection), started together at a barrier. Exactly 12 are registered,
38 wait, in positions 1..38. On SQLite and on PostgreSQL (``WIKICOOP_DATABASE_URL``)."""

from __future__ import annotations

import threading

from helpers import Api, bearer_for

URL = "/api/v1/workshops/Atelier_couru/registrations"
PEOPLE = 50
PLACES = 12


def _together(app, headers, method):
    barrier = threading.Barrier(len(headers))
    answers: dict[int, object] = {}

    def one(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        try:
            response = client.open(URL, method=method, headers=headers[index])
            answers[index] = (response.status_code, response.get_json())
        except Exception as err:  # the test reports it, rather than a thread dying quietly
            answers[index] = err

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(headers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_fifty_at_once_to_twelve_places(make_workshop, ateliers, client):
    make_workshop("Atelier couru", capacity=PLACES)
    headers = [bearer_for(ateliers, f"Personne{i:02d}") for i in range(PEOPLE)]
    answers = _together(ateliers, headers, "POST")
    assert len(answers) == PEOPLE
    failed = {i: a for i, a in answers.items() if not isinstance(a, tuple) or a[0] != 201}
    assert not failed, failed
    bodies = [a[1] for a in answers.values()]
    registered = [b for b in bodies if b["status"] == "registered"]
    waiting = [b for b in bodies if b["status"] == "waiting"]
    assert len(registered) == PLACES
    assert sorted(b["position"] for b in waiting) == list(range(1, PEOPLE - PLACES + 1))
    listed = Api(client).get("/api/v1/workshops")["workshops"][0]
    assert (listed["registered"], listed["waiting"]) == (PLACES, PEOPLE - PLACES)


def test_cancellations_at_once_keep_the_queue_exact(make_workshop, ateliers, client):
    """20 people for 5 places; then the 5 registered and 5 waiting cancel at once: the
    next 5 of the queue are promoted, the other 5 wait in positions 1..5."""
    make_workshop("Atelier couru", capacity=5)
    headers = [bearer_for(ateliers, f"Personne{i:02d}") for i in range(20)]
    for header in headers:  # one after the other: the order is known
        Api(client, header).call("POST", URL, 201)
    leaving = headers[:5] + headers[5:10]
    answers = _together(ateliers, leaving, "DELETE")
    assert all(isinstance(a, tuple) and a[0] == 200 for a in answers.values()), answers
    states = [Api(client, h).call("POST", URL, 200).get_json() for h in headers[10:]]
    assert [s["status"] for s in states] == ["registered"] * 5 + ["waiting"] * 5
    assert [s.get("position") for s in states[5:]] == [1, 2, 3, 4, 5]
