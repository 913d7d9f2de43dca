"""Generate a big wiki in bulk: 100,000 pages and 1,000,000 revisions in minutes.

A benchmark tool, not a test. It fills an instance folder (and its SQLite file, or a
PostgreSQL database given by ``--database-url``) the way a real wiki of that size would
look after an import, then times ``wikicoop reindex`` on it::

    python bench/make_big_wiki.py --instance /tmp/big --pages 100000 --revisions 1000000
    python bench/make_big_wiki.py --instance /tmp/bigpg --truncate \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/wikicoop_big

What is written, consistently with what ``writing.save`` stores for a published page:

* pages with ``latest_revision_id``, ``created_at`` (first revision) and ``touched_at``
  (last revision); revisions with ``parent_id``, ``size``, ``action`` (create, then edit),
  authors among 12 accounts, ids in time order (as a live wiki numbers them);
* ``page_links`` and ``category_memberships`` of each page's latest text, found by the
  renderer's own pre-scan (checked against a full render on a sample);
* one category of 5,000 members (« Catégorie:Vie associative ») and one page linked from
  20,000 others (the first title), plus the category pages themselves;
* the render cache is left EMPTY (as after an import): a page's first view renders it.

Texts are French: the vocabulary of ``bench_core.py`` mixed with real sentences of
UD French-GSD (``../shared/testdata/french-text``, when present), 1–5 KB for the latest
revision; earlier revisions are shorter versions of it (a page grows over its history).
Everything derives from ``--seed``: the same options give the same wiki.

The load runs in big transactions through SQLAlchemy Core on the ORM tables (so column
types such as a compressed ``Revision.text`` apply); on SQLite with ``synchronous=OFF``
and a large cache during the load only. Timings and sizes go to ``<instance>/bigwiki.json``
for ``bench_scale.py``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import (
    CATEGORIES,
    PASSWORD,
    CorpusPage,
    CorpusWriter,
    build_app,
    check_bulk_matches_service,
    load_average,
    make_titles,
    truncate_all,
)

from wikicoop import create_app
from wikicoop.cli import upgrade
from wikicoop.community.accounts import create_user
from wikicoop.core.db import engine_of
from wikicoop.core.models import CategoryMembership, Page, PageLink, Revision
from wikicoop.search import rebuild
from wikicoop.search.parallel import default_workers
from wikicoop.text.licences import DEFAULT_LICENCE
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

ROOT = Path(__file__).resolve().parents[1]
GSD = ROOT.parent / "shared" / "testdata" / "french-text" / "fr_gsd_sentences.json"
BIG_CATEGORY = "Vie associative"
BIG_CATEGORY_MEMBERS = 5_000
POPULAR_LINKERS = 20_000
USERS = 12
#: revisions per INSERT transaction
CHUNK = 20_000
HISTORY_YEARS = 3
#: characters a Markdown block may not hold (the generated texts must have no code,
#: HTML or list syntax hidden in a borrowed sentence, so the pre-scan equals a render)
UNSAFE = set("[]*_`#<>|\\~{}&$")
SUMMARIES = (
    "Relecture",
    "Mise à jour des horaires",
    "Ajout d'une section",
    "Orthographe",
    "Précisions",
    "Nouvelles photos du chantier",
    "Compte rendu de l'assemblée",
    "Liens vers les pages voisines",
    "",
    "",
)


@dataclass
class BigPage:
    """A page of the big wiki: its final text and how many revisions it has."""

    page: CorpusPage
    revisions: int
    blocks: list[str]


def gsd_sentences() -> list[str]:
    """Real French sentences (UD French-GSD) that are plain prose in Markdown."""
    if not GSD.exists():
        return []
    rows = json.loads(GSD.read_text(encoding="utf-8"))
    return [
        r["text"]
        for r in rows
        if 40 <= len(r["text"]) <= 300
        and not UNSAFE & set(r["text"])
        and not r["text"][0].isdigit()
        and not r["text"].startswith(("-", "+", "=", "«"))
    ]


class BigWriter(CorpusWriter):
    """``CorpusWriter`` with real sentences mixed in and pages of 1–5 KB."""

    def __init__(self, rng: random.Random, titles: Sequence[str], real: Sequence[str]) -> None:
        super().__init__(rng, titles)
        self.real = real

    def sentence(self, *, link: str | None = None) -> str:
        """A real sentence half of the time (when there are some), else a generated one."""
        if link is None and self.real and self.rng.random() < 0.5:
            return self.rng.choice(self.real)
        return super().sentence(link=link)

    def big_page(self, title: str, extra_links: Sequence[str], extra_categories: Sequence[str]):
        """Blocks of a page about ``title`` of 1–5 KB, and its categories."""
        rng = self.rng
        target = int(rng.triangular(1000, 5000, 2200))
        blocks = [f"**{title}** " + self.paragraph(rng.randint(2, 4), 1)]
        sections = list(rng.sample(SECTION_NAMES, len(SECTION_NAMES)))
        size = len(blocks[0].encode())
        while size < target and sections:
            part = [f"## {sections.pop()}", self.paragraph(rng.randint(2, 5), rng.randint(0, 1))]
            roll = rng.random()
            if roll < 0.2:
                part += ["Ce qu'il faut apporter :", self.bullet_list()]
            elif roll < 0.35:
                part.append(self.table())
            blocks += part
            size += sum(len(b.encode()) + 2 for b in part)
        see_also = [self.link_target() for _ in range(rng.randint(1, 3))]
        see_also += [*extra_links, self.red_title()]
        blocks += ["## Voir aussi", "\n".join(f"- [[{t}]]" for t in dict.fromkeys(see_also))]
        categories = tuple(
            dict.fromkeys([*rng.sample(CATEGORIES, rng.randint(1, 2)), *extra_categories])
        )
        blocks.append(" ".join(f"[[Catégorie:{c}]]" for c in categories))
        return blocks, categories


# the section names of bench_core, a few more for longer pages
SECTION_NAMES = (
    "Histoire", "Fonctionnement", "Horaires", "Participer", "Projets en cours", "Accès",
    "Gouvernance", "Financement", "Partenaires", "Événements passés", "Règles de vie",
    "Matériel", "Contacts", "Questions fréquentes", "Chiffres clés", "Bilan de l'année",
    "Revue de presse", "Témoignages", "Lieux", "Chronologie",
)  # fmt: skip


def revision_counts(rng: random.Random, pages: int, revisions: int) -> list[int]:
    """Revisions per page: at least one each, the rest spread with a long tail (a few
    pages have hundreds, most a handful), summing exactly to ``revisions``."""
    extra = revisions - pages
    if extra < 0:
        raise ValueError("--revisions must be at least --pages")
    weights = [min(rng.paretovariate(1.3), 400.0) for _ in range(pages)]
    total = sum(weights)
    counts = [1 + int(extra * w / total) for w in weights]
    for i in rng.sample(range(pages), revisions - sum(counts)):
        counts[i] += 1
    return counts


def revision_text(blocks: Sequence[str], k: int, n: int) -> str:
    """Revision ``k`` (0-based) of ``n``: the first blocks of the final text (a page
    grows), and a review line until the last, so that no two revisions are equal."""
    if k == n - 1:
        return "\n\n".join(blocks) + "\n"
    body = blocks[: max(1, math.ceil(len(blocks) * (k + 1) / n))]
    return "\n\n".join(body) + f"\n\nRelecture en cours ({k + 1}/{n}).\n"


def build_pages(args: argparse.Namespace, rng: random.Random) -> list[BigPage]:
    """Every page's final text and revision count (category pages first)."""
    articles = args.pages - len(CATEGORIES) - 1
    titles = make_titles(rng, articles)
    writer = BigWriter(rng, titles, gsd_sentences())
    popular = titles[0]
    linkers = set(rng.sample(range(1, articles), min(POPULAR_LINKERS, articles - 1)))
    members = set(rng.sample(range(articles), min(BIG_CATEGORY_MEMBERS, articles)))
    counts = revision_counts(rng, args.pages, args.revisions)
    pages: list[BigPage] = []
    for name in (*CATEGORIES, BIG_CATEGORY):
        body = f"Les pages sur le thème « {name} ». " + writer.paragraph(2, 0)
        title = parse_title(f"Catégorie:{name}")
        pages.append(BigPage(CorpusPage(title, body + "\n", ()), 0, [body]))
    for i, raw in enumerate(titles):
        blocks, categories = writer.big_page(
            raw,
            [popular] if i in linkers else [],
            [BIG_CATEGORY] if i in members else [],
        )
        text_ = "\n\n".join(blocks) + "\n"
        pages.append(BigPage(CorpusPage(parse_title(raw), text_, categories), 0, blocks))
    for page, count in zip(pages, counts, strict=True):
        page.revisions = count
    return pages


def timeline(rng: random.Random, pages: Sequence[BigPage]) -> list[tuple[float, int, int]]:
    """Every revision as (time, page index, k), in time order: ids follow it."""
    end = time.time() - 3600
    start = end - HISTORY_YEARS * 365 * 86400
    events: list[tuple[float, int, int]] = []
    for index, page in enumerate(pages):
        # a page is created somewhere in the three years; its edits come after
        created = rng.uniform(start, end - 60)
        times = sorted(rng.uniform(created, end) for _ in range(page.revisions - 1))
        events.append((created, index, 0))
        events += [(t, index, k) for k, t in enumerate(times, start=1)]
    events.sort()
    return events


def load_engine(url: str) -> Engine:
    """An engine for the load only (SQLite: durability off, big cache, during the load)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            for pragma in (
                "journal_mode=WAL",
                "synchronous=OFF",
                "cache_size=-400000",
                "temp_store=MEMORY",
                "foreign_keys=ON",
            ):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

    return engine


def load(
    engine: Engine,
    pages: Sequence[BigPage],
    events: Sequence[tuple[float, int, int]],
    user_ids: Sequence[int],
    rng: random.Random,
    renderer: Any,
    step: Any,
) -> None:
    """Insert pages, revisions, links and categories in big transactions."""
    stamp = lambda t: datetime.fromtimestamp(t, UTC)  # noqa: E731
    first = [0.0] * len(pages)
    last = [0.0] * len(pages)
    for t, index, k in events:
        if k == 0:
            first[index] = t
        last[index] = max(last[index], t)
    base = 1 + _scalar(engine, select(func.coalesce(func.max(Page.id), 0)))
    rev_base = 1 + _scalar(engine, select(func.coalesce(func.max(Revision.id), 0)))
    with step("pages"), engine.begin() as conn:
        rows = [
            {
                "id": base + i,
                "namespace": p.page.title.namespace,
                "name": p.page.title.name,
                "licence": DEFAULT_LICENCE,
                "language": "fr",
                "created_at": stamp(first[i]),
                "touched_at": stamp(last[i]),
            }
            for i, p in enumerate(pages)
        ]
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(Page.__table__), rows[start : start + CHUNK])
    with step("revisions"):
        previous: list[int | None] = [None] * len(pages)
        for start in range(0, len(events), CHUNK):
            rows = []
            for offset, (t, index, k) in enumerate(events[start : start + CHUNK]):
                rid = rev_base + start + offset
                page = pages[index]
                body = revision_text(page.blocks, k, page.revisions)
                rows.append(
                    {
                        "id": rid,
                        "page_id": base + index,
                        "parent_id": previous[index],
                        "author_id": user_ids[rng.randrange(len(user_ids))],
                        "created_at": stamp(t),
                        "summary": "Création" if k == 0 else rng.choice(SUMMARIES),
                        "minor": k > 0 and rng.random() < 0.2,
                        "size": len(body.encode("utf-8")),
                        "text": body,
                        "licence": DEFAULT_LICENCE,
                        "action": "create" if k == 0 else "edit",
                        "status": "published",
                    }
                )
                previous[index] = rid
            with engine.begin() as conn:
                conn.execute(insert(Revision.__table__), rows)
            done = start + len(rows)
            if done % 200_000 < CHUNK or done == len(events):
                print(f"    {done:>9} revisions  {step.elapsed():7.1f} s", flush=True)
    with step("latest_revision_id"), engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE pages SET latest_revision_id = (SELECT max(r.id) FROM revisions r"
                " WHERE r.page_id = pages.id) WHERE id >= :base"
            ),
            {"base": base},
        )
    with step("links and categories"), engine.begin() as conn:
        links, members = [], []
        for i, p in enumerate(pages):
            for ns, name in sorted(renderer.wiki_link_targets(p.page.text)):
                links.append(
                    {"source_page_id": base + i, "target_namespace": ns, "target_name": name}
                )
            for category in p.page.categories:
                members.append(
                    {"page_id": base + i, "category": category, "sort_key": p.page.title.name}
                )
        for start in range(0, len(links), CHUNK * 5):
            conn.execute(insert(PageLink.__table__), links[start : start + CHUNK * 5])
        for start in range(0, len(members), CHUNK * 5):
            conn.execute(insert(CategoryMembership.__table__), members[start : start + CHUNK * 5])
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("pages", "revisions"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT max(id) FROM {table}))"
                    )
                )
    with step("ANALYZE"):
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))


def _scalar(engine: Engine, query: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(query) or 0)


class Steps:
    """Named wall-clock steps, printed as they end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._start = 0.0

    def __call__(self, name: str) -> Any:
        steps = self

        class _Step:
            def __enter__(self) -> None:
                steps._start = time.perf_counter()
                print(f"  {name}…", flush=True)

            def __exit__(self, *exc: object) -> None:
                steps.seconds[name] = time.perf_counter() - steps._start
                print(f"  {name}: {steps.seconds[name]:.1f} s", flush=True)

        return _Step()

    def elapsed(self) -> float:
        """Seconds since the current step began."""
        return time.perf_counter() - self._start


def database_size(engine: Engine) -> int:
    """Bytes the database takes on disk (SQLite: file and WAL; PostgreSQL: the database)."""
    if engine.dialect.name == "postgresql":
        return _scalar(engine, text("SELECT pg_database_size(current_database())"))
    path = Path(engine.url.database or "")
    return sum(f.stat().st_size for f in path.parent.glob(path.name + "*"))


def folder_size(path: Path) -> int:
    """Bytes of the files under ``path`` (0 when missing)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def write_instance_config(instance: Path, url: str) -> None:
    """``instance/config.py`` so that ``wikicoop`` commands and ``bench_scale.py`` open it."""
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(
        "# written by bench/make_big_wiki.py\n"
        f"DATABASE_URL = {url!r}\n"
        "SECRET_KEY = 'bench-secret-key'\n"
        "SEED_ON_FIRST_RUN = False\n"
        "SESSION_COOKIE_SECURE = False\n"
        "REMEMBER_COOKIE_SECURE = False\n"
        "RATELIMIT_ENABLED = False\n",
        encoding="utf-8",
    )


def reindex(instance: Path, backend: str, workers: int) -> tuple[float, float]:
    """Seconds of ``wikicoop reindex`` run as a command on the instance: wall clock, CPU."""
    env = dict(os.environ, WIKICOOP_INSTANCE=str(instance))
    if backend:
        env["WIKICOOP_SEARCH_BACKEND"] = backend
    wikicoop = Path(sys.executable).with_name("wikicoop")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [str(wikicoop), "reindex", "--workers", str(workers)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - start, cpu


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instance", required=True, type=Path, help="instance folder to fill")
    parser.add_argument("--database-url", default="", help="default: <instance>/wikicoop.db")
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--revisions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--truncate", action="store_true", help="empty a PostgreSQL --database-url first"
    )
    parser.add_argument("--no-reindex", action="store_true", help="skip `wikicoop reindex`")
    parser.add_argument(
        "--workers", type=int, default=default_workers(), help="reindex processes (one a core)"
    )
    parser.add_argument(
        "--reindex-only",
        action="store_true",
        help="only rebuild the search index of a built instance, in process, with progress",
    )
    parser.add_argument(
        "--search-backend", default="", help="SEARCH_BACKEND for the reindex (default: config)"
    )
    parser.add_argument(
        "--check", type=int, default=50, help="pages whose links a full render checks (50)"
    )
    args = parser.parse_args(argv)
    if args.pages < 200:
        parser.error("--pages must be at least 200")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Build the wiki; 0 once built, 2 when the database already holds pages."""
    args = parse_args(argv)
    instance = args.instance.resolve()
    if args.reindex_only:
        return reindex_in_process(instance, args.search_backend, args.workers)
    url = args.database_url or f"sqlite:///{instance / 'wikicoop.db'}"
    write_instance_config(instance, url)
    app = build_app(instance, url)
    engine = engine_of(app)
    if args.truncate:
        upgrade(app)
        truncate_all(engine)
    upgrade(app)
    if _scalar(engine, select(func.count()).select_from(Page)):
        print("The database already holds pages: give an empty one (or --truncate).")
        return 2
    print(
        f"make_big_wiki: {args.pages} pages, {args.revisions} revisions, seed {args.seed}, "
        f"{engine.dialect.name}; load average {load_average()}"
    )
    steps = Steps()
    rng = random.Random(args.seed)
    with steps("users"), app.app_context():
        session = get_session()
        user_ids = [
            create_user(session, f"Contributeur {i:02d}", PASSWORD, trust="granted").id
            for i in range(USERS)
        ]
        session.commit()
    with steps("texts"):
        pages = build_pages(args, rng)
    with steps("timeline"):
        events = timeline(rng, pages)
    loader = load_engine(url)
    try:
        load(loader, pages, events, user_ids, rng, app.extensions["wikicoop.renderer"], steps)
    finally:
        loader.dispose()
    sample = pages[:: max(1, len(pages) // args.check)][: args.check]
    check_bulk_matches_service(app, [p.page for p in sample])
    engine.dispose()
    total_load = sum(steps.seconds.values())
    text_bytes = sum(len(p.page.text.encode()) for p in pages)
    facts: dict[str, Any] = {
        "pages": len(pages),
        "revisions": len(events),
        "seed": args.seed,
        "database": engine.dialect.name,
        "popular_title": pages[len(CATEGORIES) + 1].page.title.full,
        "big_category": f"Catégorie:{BIG_CATEGORY}",
        "most_revised_title": max(pages, key=lambda p: p.revisions).page.title.full,
        "most_revisions": max(p.revisions for p in pages),
        "latest_text_kb_average": round(text_bytes / len(pages) / 1024, 2),
        "build_seconds": {k: round(v, 1) for k, v in steps.seconds.items()},
        "build_total_seconds": round(total_load, 1),
        "database_bytes": database_size(engine),
        "render_cache": "empty",
        "load_average": load_average(),
    }
    print(f"  database: {facts['database_bytes'] / 2**20:.0f} MB; build {total_load:.0f} s")
    write_facts(instance, facts)
    if not args.no_reindex:
        seconds, cpu_seconds = reindex(instance, args.search_backend, args.workers)
        record_reindex(instance, app, seconds, args.search_backend or "", cpu_seconds)
    print(json.dumps(read_facts(instance), indent=2, ensure_ascii=False))
    return 0


def read_facts(instance: Path) -> dict[str, Any]:
    """``<instance>/bigwiki.json``."""
    return json.loads((instance / "bigwiki.json").read_text(encoding="utf-8"))


def write_facts(instance: Path, facts: dict[str, Any]) -> None:
    """Write ``<instance>/bigwiki.json``."""
    (instance / "bigwiki.json").write_text(json.dumps(facts, indent=2, ensure_ascii=False))


def record_reindex(
    instance: Path, app: Any, seconds: float, backend: str, cpu_seconds: float
) -> None:
    """Add a reindex's time (wall clock and CPU) and the sizes after it to the facts file."""
    facts = read_facts(instance)
    engine = engine_of(app)
    facts["reindex_seconds"] = round(seconds, 1)
    facts["reindex_cpu_seconds"] = round(cpu_seconds, 1)
    facts["reindex_backend"] = backend or str(app.config["SEARCH_BACKEND"])
    if facts["reindex_backend"] == "postgresql":
        facts["index_bytes"] = _scalar(
            engine,
            text(
                "SELECT pg_total_relation_size('search_entries')"
                " + pg_total_relation_size('search_facets')"
            ),
        )
    else:
        facts["index_bytes"] = folder_size(Path(app.config["SEARCH_INDEX_DIR"]))
    facts["database_bytes_after_reindex"] = database_size(engine)
    facts["load_average_after_reindex"] = load_average()
    engine.dispose()
    write_facts(instance, facts)
    print(
        f"  reindex ({facts['reindex_backend']}): {seconds:.0f} s ({cpu_seconds:.0f} s CPU); index "
        f"{facts['index_bytes'] / 2**20:.0f} MB (load average {load_average()})"
    )


def reindex_in_process(instance: Path, backend: str, workers: int) -> int:
    """``--reindex-only``: what ``wikicoop reindex`` does, in this process, printing the
    pages done every 5,000 with the time (the command's progress bar shows nothing when
    its output is not a terminal). The CPU time counts the workers once they are done;
    the progress lines show this process's only."""
    overrides: dict[str, Any] = {"INSTANCE_PATH": str(instance)}
    if backend:
        overrides["SEARCH_BACKEND"] = backend
    app = create_app(overrides)
    upgrade(app)
    start, cpu = time.perf_counter(), time.process_time()
    workers_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = 0

    def progress(count: int) -> None:
        # both backends pass the running total (wikicoop reindex's bar takes it as a step)
        nonlocal done
        before, done = done, count
        if done // 5000 != before // 5000:
            print(
                f"    {done:>7} pages  {time.perf_counter() - start:7.1f} s"
                f"  ({time.process_time() - cpu:.0f} s CPU, load average {load_average()})",
                flush=True,
            )

    with app.app_context():
        count = rebuild(app, progress=progress, workers=workers)
    seconds = time.perf_counter() - start
    print(f"  {count} pages indexed in {seconds:.1f} s", flush=True)
    workers_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (
        workers_after.ru_utime
        + workers_after.ru_stime
        - workers_before.ru_utime
        - workers_before.ru_stime
    )
    record_reindex(instance, app, seconds, backend, time.process_time() - cpu + workers_cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
