"""Where the rate limits are counted: with ``REDIS_URL`` set, in that Redis, shared by
every worker and server (tests/web/test_two_servers.py shows it across two real
servers); while Redis does not answer, in each worker's memory, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from helpers import login

from wikicoop.web.extensions import limiter

#: nothing listens on port 1: a Redis that does not answer
DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_with_redis_url_the_rate_limits_are_counted_in_that_redis(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(REDIS_URL=DEAD_REDIS, JOBS_QUEUE="wiki-de-brest")
    assert app.config["RATELIMIT_STORAGE_URI"] == DEAD_REDIS
    assert app.config["RATELIMIT_KEY_PREFIX"] == "wiki-de-brest"  # two wikis, one Redis
    assert type(limiter.storage).__name__ == "RedisStorage"


def test_a_storage_named_in_the_settings_is_kept(make_app: Callable[..., Flask]) -> None:
    app = make_app(REDIS_URL=DEAD_REDIS, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/5")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/5"
    plain = make_app()  # no Redis: each worker's memory, no prefix
    assert plain.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert "RATELIMIT_KEY_PREFIX" not in plain.config
    assert type(limiter.storage).__name__ == "MemoryStorage"


def test_while_redis_does_not_answer_logins_are_limited_in_memory(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(REDIS_URL=DEAD_REDIS, LOGIN_RATE_LIMIT="3 per hour")
    client = app.test_client()
    statuses = [login(client, "Personne", "mauvais").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    make_app()  # the next app of this process does not inherit the dead storage
    assert not limiter._storage_dead
