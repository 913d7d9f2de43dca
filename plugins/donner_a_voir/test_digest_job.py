"""``wikicoop magazine send-digest --background``: the letter goes through the job queue
and a real ``wikicoop worker`` sends it, once per subscriber (tests/jobs_support.py:
the machine's Redis, a queue of the test's own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import Result
from flask import Flask
from flask.cli import ScriptInfo
from helpers import REDIS_URL, Inbox, use_smtp
from jobs_support import own_queue, rq_queue, run_burst

from wikicoop.cli import cli

from .test_digest import SITE, WEEK, delivered, subscribe, week  # noqa: F401 (a fixture)


@pytest.fixture
def queue_name() -> Iterator[str]:
    with own_queue() as name:
        yield name


def send(app: Flask, *args: str) -> Result:
    info = ScriptInfo(create_app=lambda: app)
    command = ["magazine", "send-digest", *args]
    return app.test_cli_runner().invoke(cli, command, obj=info, catch_exceptions=False)


@pytest.mark.usefixtures("week")  # two articles in WEEK
def test_send_digest_in_the_background(
    magazine: Flask, smtp_server: tuple[Inbox, int], queue_name: str
) -> None:
    inbox, port = smtp_server
    use_smtp(magazine, port, SITE_URL=SITE, MAGAZINE_BATCH_SIZE=2)
    subscribe(magazine, "a@exemple.org", "b@exemple.org", "c@exemple.org")
    refused = send(magazine, "--edition", WEEK, "--background")
    assert refused.exit_code != 0 and "--background demande REDIS_URL" in refused.output
    magazine.config.update(REDIS_URL=REDIS_URL, JOBS_QUEUE=queue_name)
    result = send(magazine, "--edition", WEEK, "--background")
    assert result.exit_code == 0, result.output
    assert "envoi confié aux tâches de fond" in result.output
    assert inbox.envelopes == []  # the command only queued it
    (job,) = rq_queue(magazine).get_jobs()
    assert job.func_name == "donner_a_voir.digest.send_digest_job"
    send(magazine, "--edition", WEEK, "--background")  # twice: the second sends nothing
    run_burst(magazine)
    assert sorted(m["To"] for m in inbox.messages()) == [
        "a@exemple.org",
        "b@exemple.org",
        "c@exemple.org",
    ]
    assert job.get_status() == "finished"
    assert job.latest_result().return_value == {"sent": 3, "refused": 0, "already": 0}
    assert [email for email, _ in delivered(magazine)] == [
        "a@exemple.org",
        "b@exemple.org",
        "c@exemple.org",
    ]
