"""Background jobs on a real Redis with real ``wikicoop worker`` processes (issue 13,
point 3): e-mail through the queue, retries with a back-off, failures on the admin page,
a worker killed by ``kill -9`` mid-job (each message sent once), and without Redis the
in-process path. Each test has a queue of its own, whose keys it deletes at the end."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import threading
from collections.abc import Callable, Iterator

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from helpers import REDIS_URL, Inbox, csrf_from, edit_form, free_port, use_smtp
from jobs_support import (
    own_queue,
    rq_queue,
    run_burst,
    start_worker,
    stop_worker,
    wait_until,
)

from wikicoop.cli import cli
from wikicoop.community import mailer, watching
from wikicoop.community.accounts import find_user
from wikicoop.core import revisions as rev
from wikicoop.jobs import enqueue, queue
from wikicoop.jobs.status import describe_call
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

redis = pytest.importorskip("redis", reason="the redis extra is not installed")
rq = pytest.importorskip("rq", reason="the redis extra (RQ) is not installed")

#: the queue, the workers and the retries do not depend on the wiki's database (the mail
#: a save sends is tested on both in test_notifications.py): the SQLite pass runs them
pytestmark = pytest.mark.any_database


@pytest.fixture
def queue_name() -> Iterator[str]:
    """A queue of this test's own on the machine's Redis (skip when Redis does not
    answer); every key of it is deleted at the end."""
    with own_queue() as name:
        yield name


@pytest.fixture
def queued_app(make_app: Callable[..., Flask], queue_name: str) -> Flask:
    """A wiki whose jobs go to ``queue_name`` (retried twice, after 1 s then 2 s)."""
    return make_app(REDIS_URL=REDIS_URL, JOBS_QUEUE=queue_name, JOB_RETRIES=2, JOB_RETRY_SECONDS=1)


# ---------------------------------------------------------------------------- e-mail


def follow(app: Flask, username: str, title: str, email: str) -> None:
    with app.app_context():
        session = get_session()
        user = find_user(session, username)
        user.email = email
        watching.watch(session, user.id, rev.find_page(session, parse_title(title)).id)
        session.commit()


def test_a_notification_mail_goes_through_the_queue_to_a_worker(
    queued_app: Flask, auth, make_page, smtp_server
) -> None:
    """An edit of a followed page queues the e-mail in Redis (nothing is sent by the web
    process); ``wikicoop worker --burst`` sends it to the SMTP server."""
    inbox, port = smtp_server
    use_smtp(queued_app, port)
    make_page("Alpha", "one\n", author="Alice")
    auth.make_user("Carol")
    follow(queued_app, "Carol", "Alpha", "carol@example.org")
    client = queued_app.test_client()
    auth.login("Bob", client=client)
    fields = edit_form(client, "Alpha")
    response = client.post("/wiki/Alpha?action=edit", data={**fields, "text": "two\n", "save": "1"})
    response.close()  # a WSGI server closes the response: in-process jobs would run now
    assert response.status_code == 302
    jobs = rq_queue(queued_app).get_jobs()
    assert [job.func_name for job in jobs] == ["wikicoop.community.mailer.send_mail_job"]
    assert inbox.envelopes == []
    run_burst(queued_app)
    (message,) = inbox.messages()
    assert message["To"] == "carol@example.org"
    assert "Alpha" in message["Subject"]
    assert jobs[0].get_status() == "finished"


# ------------------------------------------------------------- retries and the admin page


def test_a_failing_job_is_retried_with_a_back_off_then_shown_to_admins(
    queued_app: Flask, queue_name: str, auth
) -> None:
    """Two retries (after 2 s, then 4 s), then the job is failed: the admin page lists it
    with its attempts and last error; "Relancer" puts it back on the queue, and
    "Supprimer" forgets another one. Only admins see the page."""
    runs = f"test:{queue_name}:runs"
    once = f"test:{queue_name}:once"
    queued_app.config["JOB_RETRY_SECONDS"] = 2
    with queued_app.app_context():
        job_id = enqueue("jobs_sample.fail_always", runs)
        queued_app.config["JOB_RETRIES"] = 0  # the second job: no retry
        other_id = enqueue("jobs_sample.fail_always", once)
    worker = start_worker(queued_app)
    failed = rq_queue(queued_app).failed_job_registry
    try:
        wait_until(lambda: job_id in failed and other_id in failed, "both jobs to fail")
    finally:
        stop_worker(worker)
    connection = redis.Redis.from_url(REDIS_URL)
    times = [float(t) for t in connection.lrange(runs, 0, -1)]
    assert len(times) == 3 and connection.llen(once) == 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # RQ schedules to the whole second: a retry may come up to 1 s before its interval
    assert gaps[0] >= 1 and gaps[1] >= 3, gaps
    job = rq.job.Job.fetch(job_id, connection=connection)
    assert job.retry_intervals == [2, 4]

    admin = queued_app.test_client()
    auth.login("Mod", client=admin, role="moderator")
    assert admin.get("/admin/taches").status_code == 403
    assert queued_app.test_client().get("/admin/taches").status_code == 401
    auth.login("Root", client=admin, role="admin")
    page = admin.get("/admin/taches")
    assert page.status_code == 200
    row = row_of(page.text, job_id)
    assert "jobs_sample.fail_always" in row and runs in row
    assert "RuntimeError: échec voulu pour le test" in row
    assert '<td class="job-attempts">3</td>' in row

    token = csrf_from(page.text)
    refused = admin.post(f"/admin/taches/{job_id}/relancer")  # no CSRF token
    assert refused.status_code == 400 and job_id in failed
    done = admin.post(f"/admin/taches/{job_id}/relancer", data={"csrf_token": token})
    assert done.status_code == 302
    assert job_id not in failed and job_id in rq_queue(queued_app).get_job_ids()
    done = admin.post(f"/admin/taches/{other_id}/supprimer", data={"csrf_token": token})
    assert done.status_code == 302 and other_id not in failed
    page = admin.get("/admin/taches")
    assert "La tâche est supprimée." in page.text and other_id not in page.text
    assert job_id in row_of(page.text, job_id)  # now waiting in the queue
    unknown = admin.post("/admin/taches/nope/supprimer", data={"csrf_token": token})
    assert "Aucune tâche en échec" in admin.get(unknown.headers["Location"]).text


def row_of(html: str, job_id: str) -> str:
    """The table row of job ``job_id`` on the admin page."""
    start = html.index(f'data-job="{job_id}"')
    return html[start : html.index("</tr>", start)]


# ------------------------------------------------------------- kill -9 in the middle


class HoldingInbox(Inbox):
    """Takes the first message; holds the second one's MAIL FROM until released."""

    def __init__(self) -> None:
        super().__init__()
        self.transactions = 0
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        self.transactions += 1
        if self.transactions == 2:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


def test_a_worker_killed_mid_job_sends_each_message_once(queued_app: Flask) -> None:
    """kill -9 of the worker (its process group: the worker and its scheduler; the work
    horse, in a group of its own, dies with the worker) while the second of two messages
    is on its way: a new worker takes the abandoned job again and sends only the second
    one; each recipient gets one message. A horse that outlived the worker would finish
    the job once released, and the job would never count as abandoned."""
    inbox = HoldingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    queued_app.config["JOB_RETRY_SECONDS"] = 0  # an abandoned job is retried at once
    use_smtp(queued_app, port)
    try:
        with queued_app.app_context():
            mails = [mailer.Mail(f"{n}@example.org", f"Message {n}", "Bonjour\n") for n in "ab"]
            assert mailer.send_later(queued_app.config, mails)
        worker = start_worker(queued_app, "--heartbeat", "1", "--grace", "2")
        try:
            wait_until(inbox.holding.is_set, "the worker to send the second message")
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        finally:
            stop_worker(worker)
            inbox.release.set()
        assert [m["To"] for m in inbox.messages()] == ["a@example.org"]
        started = rq_queue(queued_app).started_job_registry
        (job_id,) = wait_until(started.get_expired_job_ids, "the killed job to be abandoned")
        run_burst(queued_app)
        assert sorted(m["To"] for m in inbox.messages()) == ["a@example.org", "b@example.org"]
        job = rq.job.Job.fetch(job_id, connection=rq_queue(queued_app).connection)
        assert job.get_status() == "finished"
    finally:
        controller.stop()


# ------------------------------------------------------------------- without Redis


def test_without_redis_jobs_run_here_and_failures_are_kept_for_admins(
    app: Flask, auth, client: FlaskClient
) -> None:
    """No REDIS_URL: a job runs at once outside a request; a failing one is logged and
    listed on the admin page, which can run it again or forget it."""
    with app.app_context():
        assert enqueue("jobs_sample.succeed_here", "x") is None
        assert enqueue("jobs_sample.fail_here", "premier") is None
    (failure,) = queue.local_failures(app)
    assert failure.func == "jobs_sample.fail_here"
    assert failure.error == "ValueError: échec ici : premier"
    auth.login("Root", role="admin")
    page = client.get("/admin/taches")
    row = row_of(page.text, failure.id)
    assert "jobs_sample.fail_here" in row and "échec ici : premier" in row
    token = csrf_from(page.text)
    response = client.post(f"/admin/taches/{failure.id}/relancer", data={"csrf_token": token})
    response.close()  # it runs again once the response is sent, and fails again
    (again,) = queue.local_failures(app)
    assert again.id != failure.id and again.error == failure.error
    client.post(f"/admin/taches/{again.id}/supprimer", data={"csrf_token": token})
    assert queue.local_failures(app) == []
    assert "jobs_sample.fail_here" not in client.get("/admin/taches").text


def test_admins_find_the_jobs_page_in_the_menu_and_by_its_english_address(
    auth, client: FlaskClient
) -> None:
    auth.login("Modo", role="moderator")
    assert "/admin/taches" not in client.get("/modifications-recentes").text
    auth.logout()
    auth.login("Root", role="admin")
    assert 'href="/admin/taches"' in client.get("/modifications-recentes").text
    moved = client.get("/admin/jobs")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/admin/taches")


def test_the_worker_needs_redis(app: Flask) -> None:
    result = CliRunner().invoke(cli, ["worker", "--burst"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code != 0
    assert "REDIS_URL n'est pas réglé" in result.output


def test_retry_intervals_double_and_arguments_are_summarised() -> None:
    assert queue.retry_intervals({"JOB_RETRIES": 3, "JOB_RETRY_SECONDS": 10}) == [10, 20, 40]
    assert queue.retry_intervals({"JOB_RETRIES": 0, "JOB_RETRY_SECONDS": 10}) == []
    secret = "https://wiki.example/compte/nouveau-mot-de-passe/TOKEN"
    shown = describe_call([[{"id": "1", "to": "a@example.org", "body": secret}]], {"n": 2})
    assert "TOKEN" not in shown and "n=2" in shown
    with pytest.raises(ValueError):
        queue.dotted_path(lambda: None)


# ------------------------------------------------------------------ index maintenance


def test_index_maintenance_is_one_job_for_many_writes(queued_app: Flask, app: Flask) -> None:
    """Writes in a row ask for maintenance: one job waits on the queue, and a worker runs
    it; without Redis it runs at once, in this process."""
    from wikicoop.search.maintenance import maintain_later

    for _ in range(3):
        maintain_later(queued_app)
    (job,) = rq_queue(queued_app).get_jobs()
    assert job.func_name == "wikicoop.search.maintenance.maintain_index"
    run_burst(queued_app)
    assert job.get_status() == "finished"
    maintain_later(app)  # no REDIS_URL
    assert queue.local_failures(app) == []
