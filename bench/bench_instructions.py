"""CPU instructions of the hot requests, counted by callgrind: an A/B that load cannot blur.

Wall-clock medians on a shared two-core machine move by 10 % or more between two runs of
the same code. Instruction counts barely move, whatever else runs, so they can tell whether a change
made a request cheaper or dearer. Run it from the root of each tree to compare::

    python bench/bench_instructions.py                  # this tree
    cd /tmp/old && PYTHONPATH=/tmp/old python /path/to/bench/bench_instructions.py

The script re-runs itself under ``valgrind --tool=callgrind --instr-atstart=no`` with
``PYTHONHASHSEED=0``, builds a small corpus with bench_core's functions (a 500-revision
history, a 100 KB diff), warms every request up twice, then switches the counting on only
around ``--requests`` requests of each kind (``callgrind_control``): page view, history,
diff, search, and a save through the write path (indexing included: outside a request
it is done at once). It prints the total per kind and per request. Needs valgrind
(Debian's package). Counts still vary a few per cent between runs (memory layout):
compare differences larger than that.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

UNDER_VALGRIND = "WIKICOOP_BENCH_UNDER_CALLGRIND"


def _callgrind_control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


def _measure(requests: int) -> None:
    """Build the corpus and count each kind of request (runs inside valgrind)."""
    sys.path.insert(0, str(Path.cwd() / "bench"))
    import random

    import bench_core as bc

    from wikicoop import search

    # the layout of issue 9 or the one before it, so that one script measures both trees
    create_user = _first_of(("wikicoop.community.accounts", "wikicoop.accounts"), "create_user")
    parse_title = _first_of(("wikicoop.text.titles", "wikicoop.titles"), "parse_title")
    get_session = _first_of(("wikicoop.web.db", "wikicoop.db"), "get_session")

    tmp = Path(tempfile.mkdtemp(prefix="wikicoop-instr-"))
    app = bc.build_app(tmp / "instance", f"sqlite:///{tmp / 'wiki.db'}")
    bc.upgrade_schema(bc.engine_of(app))
    rng = random.Random(2024)
    with app.app_context():
        session = get_session()
        ids = [
            create_user(session, name, bc.PASSWORD, trust="granted").id
            for name in ("Bench", "Camille", "Sacha")
        ]
    titles = bc.make_titles(rng, 50)
    writer = bc.CorpusWriter(rng, titles)
    for raw in titles[:20]:
        body, _ = writer.page(raw)
        bc.save(app, parse_title(raw), body, ids[0], "Création")
    history, diff = parse_title("Historique du banc d'essai"), parse_title("Comparaison")
    text, _ = writer.page(history.full)
    bc.save(app, history, text, ids[0], "Création")
    bc.add_history(app, history, text, ids)
    old = writer.long_text(bc.DIFF_LINES)
    bc.save(app, diff, old, ids[0], "v1")
    bc.save(app, diff, writer.changed_copy(old, bc.DIFF_CHANGED_SHARE), ids[0], "v2")
    if hasattr(search, "wait_for_index"):  # older trees indexed before answering
        search.wait_for_index(app, 300)  # no indexing thread left to count
    client = app.test_client()

    def get(url: str) -> Callable[[], None]:
        def request() -> None:
            assert client.get(url).status_code == 200, url

        return request

    edited, texts = parse_title(titles[5]), [writer.page(titles[5])[0] for _ in range(2)]
    saves = iter(range(10**6))

    def save() -> None:  # through the write path: render, links, signals, index (at once)
        bc.save(app, edited, texts[next(saves) % 2], ids[1], "Relecture")

    kinds = {
        "cached page view": get("/wiki/" + parse_title(titles[3]).url_path),
        "history (50 of 500 revisions)": get("/wiki/" + history.url_path + "?action=history"),
        "history, limit=500": get("/wiki/" + history.url_path + "?action=history&limit=500"),
        "diff page (100 KB)": get("/wiki/" + diff.url_path + "?action=diff"),
        "search (two words)": get("/recherche?q=" + "+".join(_two_words(text))),
        "save (write path)": save,
    }
    for run in kinds.values():
        for _ in range(2):  # the first render, caches, lazy imports
            run()
    for number, run in enumerate(kinds.values(), start=1):
        _callgrind_control("-z")
        _callgrind_control("-i", "on")
        for _ in range(requests):
            run()
        _callgrind_control("-i", "off")
        _callgrind_control("-d", f"kind{number}")
    shutil.rmtree(tmp, ignore_errors=True)
    print("\t".join(kinds))


def _first_of(modules: tuple[str, ...], name: str) -> Any:
    """``name`` from the first of ``modules`` that imports."""
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except ImportError:
            continue
    raise ImportError(f"{name} in none of {modules}")


def _two_words(text: str) -> list[str]:
    """Two long words of a page of the corpus: a query that finds it and others."""
    words = [word.strip(".,;:!?()*_#") for word in text.split()]
    long = [word for word in words if len(word) > 6 and word.isalpha()]
    return long[:2]


def _total(dump: Path) -> int:
    """The instruction total of one callgrind dump (its ``totals:`` line; ``summary:``
    counts from the last zeroing, which callgrind_control -z leaves at 0)."""
    for line in dump.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise ValueError(f"no total in {dump}")


def main(argv: list[str] | None = None) -> int:
    """Run the measure under callgrind and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5, help="requests counted per kind")
    args = parser.parse_args(argv)
    if os.environ.get(UNDER_VALGRIND):
        _measure(args.requests)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is needed (apt-get install valgrind).")
        return 2
    with tempfile.TemporaryDirectory(prefix="wikicoop-callgrind-") as out:
        env = {**os.environ, UNDER_VALGRIND: "1", "PYTHONHASHSEED": "0"}
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}/cg.%p",
                sys.executable,
                __file__,
                f"--requests={args.requests}",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:])
            return 1
        names = done.stdout.strip().splitlines()[-1].split("\t")
        dumps = sorted(Path(out).glob("cg.*.*"), key=lambda p: int(p.suffix[1:]))
        print(f"CPU instructions (callgrind), {args.requests} requests of each kind")
        print(f"{'request':<34} {'total':>16} {'per request':>14}")
        for name, dump in zip(names, dumps, strict=True):
            total = _total(dump)
            print(f"{name:<34} {total:>16,} {total // args.requests:>14,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
