"""The budget of a worker's own memory (issue 14, point 2; wikicoop.worker_memory)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wikicoop.worker_memory import MemoryBudget, memory_figures, own_memory_mib

linux_only = pytest.mark.skipif(
    not Path("/proc/self/smaps_rollup").exists(), reason="/proc/self/smaps_rollup (Linux)"
)

ROLLUP = """\
55d0c0000000-7ffd0000000 ---p 00000000 00:00 0                          [rollup]
Rss:               90000 kB
Pss:               50000 kB
Shared_Clean:       8000 kB
Shared_Dirty:      45000 kB
Private_Clean:      1024 kB
Private_Dirty:     36864 kB
Referenced:        90000 kB
Anonymous:         80000 kB
"""


def rollup_file(tmp_path: Path, text: str = ROLLUP) -> Path:
    path = tmp_path / "smaps_rollup"
    path.write_text(text)
    return path


def test_own_memory_is_the_private_pages_clean_and_dirty(tmp_path: Path) -> None:
    assert own_memory_mib(rollup_file(tmp_path)) == 37.0  # (1,024 + 36,864) kB
    figures = memory_figures(rollup_file(tmp_path))
    assert figures is not None and figures["Pss"] == 50000 / 1024 and "55d0c0000000" not in figures
    assert own_memory_mib(tmp_path / "missing") is None  # not Linux: nothing measured


@linux_only
def test_own_memory_grows_with_what_this_process_writes() -> None:
    before = own_memory_mib()
    assert before is not None and before > 1
    written = os.urandom(32 * 1024 * 1024)  # 32 MiB of pages written by this process
    after = own_memory_mib()
    assert after is not None and after - before > 28
    del written


def test_no_budget_never_asks_for_a_replacement(tmp_path: Path) -> None:
    budget = MemoryBudget(0, check_seconds=0, min_requests=1, rollup=rollup_file(tmp_path))
    assert all(budget.after_request() is None for _ in range(10))


def test_over_the_budget_once_the_worker_served_enough_requests(tmp_path: Path) -> None:
    budget = MemoryBudget(30, check_seconds=0, min_requests=5, rollup=rollup_file(tmp_path))
    answers = [budget.after_request() for _ in range(6)]
    assert answers == [None, None, None, None, 37.0, 37.0]


def test_under_the_budget_nothing_is_asked(tmp_path: Path) -> None:
    budget = MemoryBudget(40, check_seconds=0, min_requests=1, rollup=rollup_file(tmp_path))
    assert budget.after_request() is None


def test_the_memory_is_read_at_most_once_a_check_period(tmp_path: Path) -> None:
    path = rollup_file(tmp_path)
    budget = MemoryBudget(30, check_seconds=3600, min_requests=1, rollup=path)
    assert budget.after_request() == 37.0
    path.unlink()  # a second reading would now find nothing: it must not happen
    assert [budget.after_request() for _ in range(100)] == [None] * 100


@linux_only
def test_a_real_reading_of_this_process() -> None:
    held = MemoryBudget(1, check_seconds=0, min_requests=1).after_request()
    assert held is not None and held > 1
    assert MemoryBudget(1_000_000, check_seconds=0, min_requests=1).after_request() is None
    figures = memory_figures()
    assert figures is not None and figures["Rss"] >= figures["Private_Dirty"] > 0
    assert abs(held - (figures["Private_Clean"] + figures["Private_Dirty"])) < 16
