"""Job functions for the jobs tests: importable by a worker process (tests/web is put on
its PYTHONPATH), each counting its runs in Redis under the key it is given."""

from __future__ import annotations

import time

from wikicoop.jobs import redis_of


def fail_always(counter: str) -> None:
    """Note this run (its time, in a list) and fail."""
    redis_of().rpush(counter, repr(time.time()))
    raise RuntimeError("échec voulu pour le test")


def count_run(counter: str) -> int:
    """Note this run and succeed; how many runs so far."""
    return int(redis_of().rpush(counter, repr(time.time())))


def succeed_here(value: str) -> str:
    """Succeed (a job run in-process, without Redis)."""
    return value


def fail_here(value: str) -> None:
    """Fail (a job run in-process, without Redis)."""
    raise ValueError(f"échec ici : {value}")
