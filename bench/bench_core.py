"""Core benchmark of wikicoop: page views, saves, history and diffs on a generated corpus.

A measurement, not a test: it always exits 0 once the measurements ran, and prints
"OVER TARGET" next to a median that misses its target. Run it from the repository root::

    python bench/bench_core.py                      # 10,000 pages, 200 repetitions
    python bench/bench_core.py --pages 500          # quick mode
    python bench/bench_core.py --database-url postgresql+psycopg://u:p@localhost/bench

Everything runs in process (``app.test_client()``, no HTTP server), timed with
``time.perf_counter``. The corpus is random French wiki text built from a fixed
vocabulary with ``random.Random(seed)``, so two runs with the same options measure the
same pages.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import platform
import pstats
import random
import re
import sqlite3
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, func, insert, select, text, update
from sqlalchemy.orm import Session
from whoosh.filedb.filestore import FileStorage

from wikicoop import create_app
from wikicoop.community.accounts import create_user
from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.core.db import engine_of, upgrade_schema
from wikicoop.core.models import (
    Base,
    CategoryMembership,
    Page,
    PageLink,
    RenderCache,
    Revision,
    User,
)
from wikicoop.rendering.pipeline import Renderer
from wikicoop.search import backend_of, wait_for_index
from wikicoop.seed import seed_author
from wikicoop.text.diffing import diff_texts
from wikicoop.text.licences import DEFAULT_LICENCE
from wikicoop.text.titles import Title, parse_title
from wikicoop.web.db import get_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from search_corpus import huge_page_text

PASSWORD = "correct horse battery staple"
BULK_CHUNK = 1000
HISTORY_REVISIONS = 500
DIFF_LINES = 2000
DIFF_CHANGED_SHARE = 0.05
#: fresh repetitions profiled by --profile
PROFILE_RUNS = 20

#: medians that must not be exceeded, in milliseconds (None: reported without target)
TARGET_VIEW_MS = 5.0
TARGET_SAVE_MS = 50.0
TARGET_DIFF_MS = 100.0

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BASE_REVISION_RE = re.compile(r'name="base_revision"[^>]*value="([^"]*)"')

# --------------------------------------------------------------------------- vocabulary

# fmt: off
PLACES = (
    "de Saint-Martin", "des Tilleuls", "de la Croix-Rousse", "de Bellevue", "du Vieux Bourg",
    "des Prés", "de la Guillotière", "du Plateau", "des Brotteaux", "de Montchat",
    "de la Duchère", "de Vaise", "du Moulin-à-Vent", "des Pentes", "de la Sarra",
    "de Gerland", "des Charpennes", "de Monplaisir", "du Point-du-Jour", "de Champvert",
    "de la Soie", "des Gratte-Ciel", "du Tonkin", "de Cusset", "des Buers",
    "de Saint-Jean", "de Fourvière", "de la Mulatière", "d'Ainay", "de Perrache",
    "des Étroits", "de Choulans", "du Bachut", "des États-Unis", "de Mermoz",
    "de la Plaine", "des Sources", "du Grand Trou", "de Saint-Rambert", "de l'Île Barbe",
    "de Rochecardon", "de Saint-Clair", "des Chartreux", "de la Boucle", "du Parc",
    "des Noyers", "de Laënnec", "de Grange-Blanche", "du Château", "de la Ficelle",
    "de Villeneuve", "des Hauts-de-Loire", "de Bourg-Neuf", "du Marais", "de Pierre-Bénite",
    "des Célestins", "de la Tête d'Or", "du Bas-Pays", "de Sainte-Foy", "des Minimes",
)
RED_PLACES = (
    "de Montauban-sur-Loire", "des Trois-Fontaines", "de Val-Joli", "du Clos-Fleuri",
    "de Roche-Blanche", "des Peupliers", "de la Forge", "de Bois-Joli",
)
TOPICS = (
    "Jardin partagé", "Atelier vélo", "Marché", "Bibliothèque", "Maison de quartier",
    "Ressourcerie", "Fête de quartier", "Chemin de randonnée", "Lavoir", "Moulin",
    "Chapelle", "École primaire", "Conseil de quartier", "Compostage collectif",
    "Covoiturage", "Café associatif", "Épicerie solidaire", "Repair café", "Verger",
    "Ludothèque", "Chorale", "Club de lecture", "Fanfare", "Piscine", "Gymnase",
    "Boîte à livres", "Friche", "Halle", "Place du marché", "Fontaine", "Pont",
    "Passerelle", "Cimetière", "Crèche parentale", "Amap", "Cinéma associatif",
    "Théâtre de verdure", "Skatepark", "Square", "Bourse aux vêtements", "Vide-grenier",
    "Accorderie", "Collectif d'habitants", "Rucher", "Poulailler collectif", "Tiers-lieu",
    "Atelier couture", "Cours de français", "Conciergerie", "Jumelage",
)
ASPECTS = (
    "histoire", "projet", "règlement", "assemblée", "travaux", "calendrier", "archives",
    "bilan",
)
SECTIONS = (
    "Histoire", "Fonctionnement", "Horaires", "Participer", "Projets en cours", "Accès",
    "Gouvernance", "Financement", "Partenaires", "Événements passés", "Règles de vie",
    "Matériel", "Contacts", "Questions fréquentes", "Chiffres clés", "Bilan de l'année",
)
SUBSECTIONS = ("Au printemps", "En été", "En hiver", "Pour les enfants", "Pour les anciens")
CATEGORIES = (
    "Jardins", "Associations", "Patrimoine", "Culture", "Sport", "Solidarité",
    "Environnement", "Transports", "Éducation", "Alimentation", "Habitat", "Économie locale",
    "Vie de quartier", "Loisirs", "Santé", "Numérique", "Jeunesse", "Seniors", "Réemploi",
    "Démocratie locale",
)
SUBJECTS: tuple[tuple[str, bool], ...] = (
    ("Les habitants", True), ("L'association", False), ("La mairie", False),
    ("Le collectif", False), ("Les bénévoles", True), ("Chaque printemps, les voisins", True),
    ("Le conseil de quartier", False), ("Une dizaine de familles", True),
    ("L'équipe d'animation", False), ("Les enfants de l'école", True),
    ("Le comité des fêtes", False), ("Plusieurs commerçants", True),
    ("La communauté de communes", False), ("Les jardiniers", True),
    ("Depuis l'an dernier, le centre social", False), ("Les membres fondateurs", True),
)
VERBS: tuple[tuple[str, str], ...] = (
    ("organise", "organisent"), ("entretient", "entretiennent"), ("propose", "proposent"),
    ("a rénové", "ont rénové"), ("accueille", "accueillent"), ("anime", "animent"),
    ("prépare", "préparent"), ("finance", "financent"), ("soutient", "soutiennent"),
    ("a lancé", "ont lancé"), ("documente", "documentent"), ("partage", "partagent"),
    ("répare", "réparent"), ("a inauguré", "ont inauguré"), ("gère", "gèrent"),
)
OBJECTS = (
    "un atelier de réparation", "des plantations de légumes anciens", "une fête de quartier",
    "un repas partagé", "la collecte des déchets verts", "des visites guidées",
    "une permanence hebdomadaire", "le nettoyage des berges", "un concours de photographie",
    "des cours d'initiation", "une exposition sur le patrimoine", "la bourse aux plants",
    "un marché de producteurs", "des lectures à voix haute", "la rénovation du four à pain",
    "un chantier participatif", "des balades à vélo", "une soirée de projection",
    "l'accueil des nouveaux arrivants", "un inventaire des arbres remarquables",
)
COMPLEMENTS = (
    "le samedi matin", "depuis 2012", "avec le soutien de la commune",
    "près de l'ancienne gare", "deux fois par mois", "pendant les vacances scolaires",
    "en lien avec les écoles", "sans aucune subvention", "dans la cour de la mairie",
    "chaque premier dimanche du mois", "à la belle saison", "depuis la fermeture de l'usine",
    "grâce à une souscription publique", "au bord du canal", "avec les associations voisines",
    "en accès libre et gratuit", "sur inscription auprès de l'accueil",
    "malgré la pluie de novembre",
)
LINK_INTROS = (
    "Voir aussi la page", "Pour plus de détails, consultez", "Le projet est lié à",
    "On peut le rapprocher de", "Les comptes rendus sont sur la page",
)
LIST_ITEMS = (
    "des gants et un sécateur", "une gourde", "des sacs en tissu", "un vélo en état de rouler",
    "des graines à échanger", "un plat à partager", "de bonnes chaussures", "un carnet",
    "une lampe de poche", "de la bonne humeur", "une clé à molette", "des bocaux en verre",
)
DAYS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
HOURS = ("9 h – 12 h", "14 h – 17 h", "10 h – 18 h", "18 h – 20 h", "8 h 30 – 11 h")
VENUES = ("salle polyvalente", "local associatif", "cour de l'école", "parvis de l'église")
SWAP_WORDS = (
    "quartier", "jardin", "village", "atelier", "projet", "collectif", "printemps", "automne",
)
# fmt: on

# --------------------------------------------------------------------------- corpus


def make_titles(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct page titles such as « Lavoir des Tilleuls (histoire) »."""
    combos = [f"{topic} {place}" for topic in TOPICS for place in PLACES]
    combos += [f"{c} ({aspect})" for c in list(combos) for aspect in ASPECTS]
    rng.shuffle(combos)
    titles = combos[:count]
    titles += [f"{combos[i % len(combos)]} {i}" for i in range(len(titles), count)]
    return titles


class CorpusWriter:
    """Builds reproducible French wiki pages (Markdown with [[wiki links]])."""

    def __init__(self, rng: random.Random, titles: Sequence[str]) -> None:
        self.rng = rng
        self.titles = titles

    def sentence(self, *, link: str | None = None) -> str:
        """One sentence from the vocabulary, optionally ending with a wiki link."""
        rng = self.rng
        subject, plural = rng.choice(SUBJECTS)
        verb = rng.choice(VERBS)[1 if plural else 0]
        words = f"{subject} {verb} {rng.choice(OBJECTS)} {rng.choice(COMPLEMENTS)}"
        if link is not None:
            shown = link if rng.random() < 0.6 else f"{link}|{rng.choice(OBJECTS)}"
            words += f", comme le raconte [[{shown}]]"
        return words + "."

    def red_title(self) -> str:
        """A title that no page of the corpus has (a red link)."""
        return f"{self.rng.choice(TOPICS)} {self.rng.choice(RED_PLACES)}"

    def link_target(self) -> str:
        """A link target: an existing page 80 % of the time, else a red link."""
        if self.rng.random() < 0.8:
            return self.rng.choice(self.titles)
        return self.red_title()

    def paragraph(self, sentences: int, links: int) -> str:
        """A paragraph of ``sentences`` sentences, ``links`` of them carrying a link."""
        with_link = set(self.rng.sample(range(sentences), min(links, sentences)))
        return " ".join(
            self.sentence(link=self.link_target() if i in with_link else None)
            for i in range(sentences)
        )

    def bullet_list(self) -> str:
        """A bulleted list of three to five things to bring."""
        items = self.rng.sample(LIST_ITEMS, self.rng.randint(3, 5))
        return "\n".join(f"- {item}" for item in items)

    def table(self) -> str:
        """A small GFM table of opening hours."""
        rows = ["| Jour | Horaire | Lieu |", "| --- | --- | --- |"]
        for day in sorted(self.rng.sample(DAYS, 3), key=DAYS.index):
            rows.append(
                f"| {day} | {self.rng.choice(HOURS)} | {self.rng.choice(VENUES).capitalize()} |"
            )
        return "\n".join(rows)

    def page(self, title: str) -> tuple[str, tuple[str, ...]]:
        """A 2–3 KB page about ``title`` and its categories (in order of appearance)."""
        rng = self.rng
        target = rng.randint(2000, 2900)
        blocks = [f"**{title}** " + self.paragraph(rng.randint(3, 4), 1)]
        sections = list(rng.sample(SECTIONS, len(SECTIONS)))
        size = len(blocks[0].encode())
        while size < target and sections:
            part = [f"## {sections.pop()}", self.paragraph(rng.randint(2, 4), rng.randint(0, 1))]
            roll = rng.random()
            if roll < 0.25:
                part += ["Ce qu'il faut apporter :", self.bullet_list()]
            elif roll < 0.45:
                part.append(self.table())
            elif roll < 0.55:
                part += [f"### {rng.choice(SUBSECTIONS)}", self.paragraph(2, 0)]
            blocks += part
            size += sum(len(b.encode()) + 2 for b in part)
        see_also = [self.link_target() for _ in range(rng.randint(2, 4))]
        see_also.append(self.red_title())
        blocks += ["## Voir aussi", "\n".join(f"- [[{t}]]" for t in see_also)]
        categories = tuple(dict.fromkeys(rng.sample(CATEGORIES, rng.randint(1, 2))))
        blocks.append(" ".join(f"[[Catégorie:{c}]]" for c in categories))
        return "\n\n".join(blocks) + "\n", categories

    def long_text(self, lines: int) -> str:
        """About ``lines`` lines of hard-wrapped prose with headings (~50 bytes a line)."""
        out: list[str] = []
        next_heading = 0
        while len(out) < lines:
            if len(out) >= next_heading:
                out += [f"## {self.rng.choice(SECTIONS)} {next_heading // 60 + 1}", ""]
                next_heading += 60
            out += textwrap.wrap(self.paragraph(self.rng.randint(4, 7), 0), width=60)
            out.append("")
        return "\n".join(out[:lines]) + "\n"

    def changed_copy(self, text: str, share: float) -> str:
        """``text`` with ``share`` of its non-empty lines edited, deleted or inserted after."""
        lines = text.split("\n")
        candidates = [i for i, line in enumerate(lines) if line.strip()]
        picked = set(self.rng.sample(candidates, round(len(lines) * share)))
        out: list[str] = []
        for i, line in enumerate(lines):
            if i not in picked:
                out.append(line)
                continue
            roll = self.rng.random()
            if roll < 0.7:  # a few words changed inside the line
                words = line.split(" ")
                j = self.rng.randrange(len(words))
                words[j] = self.rng.choice(SWAP_WORDS)
                if self.rng.random() < 0.5:
                    words.append(self.rng.choice(SWAP_WORDS))
                out.append(" ".join(words))
            elif roll < 0.85:  # line deleted
                continue
            else:  # a new line inserted after this one
                out += [line, self.sentence()[:60]]
        return "\n".join(out)


def sample_pages(count: int, seed: int = 14) -> dict[str, str]:
    """``count`` made-up pages (title -> Markdown) of the bench's corpus, with the pages
    of their categories and a help page: what a peer of ``bench_views.py`` serves when
    run by hand."""
    rng = random.Random(seed)
    writer = CorpusWriter(rng, make_titles(rng, count))
    pages: dict[str, str] = {"Aide:Écrire une page": "# Écrire\n\n1. Ouvrir\n2. Écrire *vite*\n"}
    for title in writer.titles:
        pages[title], categories = writer.page(title)
        for category in categories:
            pages.setdefault(f"Catégorie:{category}", f"Les pages sur « {category} ».\n")
    return pages


@dataclass
class CorpusPage:
    """A generated page: its title, Markdown text and categories."""

    title: Title
    text: str
    categories: tuple[str, ...]


@dataclass
class Timings:
    """Wall-clock durations of each setup step, in seconds, in insertion order."""

    steps: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.steps[name] = time.perf_counter() - start


# --------------------------------------------------------------------------- app helpers


def build_app(instance: Path, database_url: str) -> Flask:
    """The app as ``tests/wiki_fixtures.py`` builds it, on ``database_url``."""
    return create_app(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "SEED_ON_FIRST_RUN": False,
            # the bench times saves, not the rate limiter (200 saves a minute by one user)
            "RATELIMIT_ENABLED": False,
        }
    )


def truncate_all(engine: Engine) -> None:
    """Empty every table of a PostgreSQL database (``--truncate``)."""
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def renderer_of(app: Flask) -> Renderer:
    """The app's Markdown renderer."""
    return app.extensions["wikicoop.renderer"]


def save(app: Flask, title: Title, body: str, user_id: int, summary: str = "") -> int:
    """Create or edit ``title`` through ``writing.save``; the new revision id."""
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, title)
        result = writing.save(
            writing.context_for(app, session),
            writing.Edit(
                title=title,
                text=body,
                base_revision_id=page.latest_revision_id if page else None,
                author=rev.Author(user=session.get(User, user_id)),
                summary=summary,
            ),
        )
        assert result.revision is not None and result.conflict is None
        return result.revision.id


def bulk_insert_pages(
    session: Session,
    renderer: Renderer,
    pages: Sequence[CorpusPage],
    user_id: int,
    when: datetime,
) -> None:
    """Insert pages with one revision each, their links and categories; no render cache.

    Links are the keys the renderer's pre-scan finds (the texts hold no code, so they are
    exactly what ``writing.save`` would store); categories come from the generator.
    """
    page_ids = list(
        session.scalars(
            insert(Page).returning(Page.id, sort_by_parameter_order=True),
            [
                {
                    "namespace": p.title.namespace,
                    "name": p.title.name,
                    "licence": DEFAULT_LICENCE,
                    "language": "fr",
                    "created_at": when,
                    "touched_at": when,
                }
                for p in pages
            ],
        )
    )
    revision_ids = list(
        session.scalars(
            insert(Revision).returning(Revision.id, sort_by_parameter_order=True),
            [
                {
                    "page_id": page_id,
                    "author_id": user_id,
                    "created_at": when,
                    "summary": "Création",
                    "size": len(p.text.encode("utf-8")),
                    "text": p.text,
                    "licence": DEFAULT_LICENCE,
                    "action": "create",
                }
                for page_id, p in zip(page_ids, pages, strict=True)
            ],
        )
    )
    session.execute(
        update(Page),
        [
            {"id": page_id, "latest_revision_id": revision_id}
            for page_id, revision_id in zip(page_ids, revision_ids, strict=True)
        ],
    )
    links = [
        {"source_page_id": page_id, "target_namespace": ns, "target_name": name}
        for page_id, p in zip(page_ids, pages, strict=True)
        for ns, name in sorted(renderer.wiki_link_targets(p.text))
    ]
    session.execute(insert(PageLink), links)
    session.execute(
        insert(CategoryMembership),
        [
            {"page_id": page_id, "category": category, "sort_key": p.title.name}
            for page_id, p in zip(page_ids, pages, strict=True)
            for category in p.categories
        ],
    )


def check_bulk_matches_service(app: Flask, pages: Sequence[CorpusPage]) -> None:
    """Assert that bulk-inserted links and categories equal what rendering finds."""
    renderer = renderer_of(app)
    with app.app_context():
        session = get_session()
        for p in pages:
            rendered = renderer.render(p.text)
            page = rev.find_page(session, p.title)
            assert page is not None
            stored_links = {
                (ns, name)
                for ns, name in session.execute(
                    select(PageLink.target_namespace, PageLink.target_name).where(
                        PageLink.source_page_id == page.id
                    )
                )
            }
            stored_categories = set(
                session.scalars(
                    select(CategoryMembership.category).where(CategoryMembership.page_id == page.id)
                )
            )
            assert stored_links == set(rendered.links), p.title.full
            assert stored_categories == set(rendered.categories), p.title.full


def add_history(app: Flask, title: Title, base_text: str, user_ids: Sequence[int]) -> None:
    """Give ``title`` (an existing page) 500 revisions in all, inserted in bulk."""
    rng = random.Random(7)
    with app.app_context():
        session = get_session()
        page = rev.find_page(session, title)
        assert page is not None and page.latest_revision_id is not None
        first_id = page.latest_revision_id
        start = datetime.now(UTC) - timedelta(days=HISTORY_REVISIONS)
        texts, body = [], base_text
        for i in range(HISTORY_REVISIONS - 1):
            if rng.random() < 0.3 and body.count("\n\n") > 4:
                cut = body.rfind("\n\n", 0, len(body) - 100)
                body = body[:cut] + body[cut + 2 :]
            else:
                body = body.rstrip("\n") + f"\n\nAjout n° {i} : {SUBJECTS[i % 16][0]}.\n"
            texts.append(body)
        ids = list(
            session.scalars(
                insert(Revision).returning(Revision.id, sort_by_parameter_order=True),
                [
                    {
                        "page_id": page.id,
                        "author_id": user_ids[i % len(user_ids)],
                        "created_at": start + timedelta(days=i),
                        "summary": f"Relecture n° {i}",
                        "minor": i % 5 == 0,
                        "size": len(t.encode("utf-8")),
                        "text": t,
                        "licence": page.licence,
                        "action": "edit",
                    }
                    for i, t in enumerate(texts)
                ],
            )
        )
        parents = [first_id, *ids[:-1]]
        session.execute(
            update(Revision),
            [{"id": i, "parent_id": p} for i, p in zip(ids, parents, strict=True)],
        )
        session.execute(update(Page).where(Page.id == page.id).values(latest_revision_id=ids[-1]))
        session.commit()


# --------------------------------------------------------------------------- measuring


def median(values: Sequence[float]) -> float:
    """The middle value (mean of the two middle ones for an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Samples:
    """Wall-clock (``perf_counter``) and CPU (``process_time``) durations, in milliseconds."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` once and record how long it took."""
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.cpu.append((time.process_time() - cpu) * 1000)


Prepared = Callable[[], object]


@dataclass
class Measure:
    """A timed operation: ``prepare(i)`` sets up repetition ``i`` (untimed) and returns
    the function to time. Repetitions may use any ``i``, so that ``--profile`` can run
    fresh ones after the timed ``count``."""

    name: str
    prepare: Callable[[int], Prepared]
    count: int
    target_ms: float | None = None
    samples: Samples = field(default_factory=Samples)

    def run(self) -> Measure:
        """Time repetitions ``0 .. count - 1``."""
        for i in range(self.count):
            self.samples.run(self.prepare(i))
        return self

    @property
    def over_target(self) -> bool:
        return self.target_ms is not None and median(self.samples.wall) > self.target_ms


class StatementCounter:
    """Counts SQL statements sent through an engine while ``counting`` is on."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.counting = False
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *_args: object) -> None:
        if self.counting:
            self.count += 1

    def measure(self, fn: Callable[[], Any]) -> int:
        """Number of statements ``fn`` sends."""
        self.count, self.counting = 0, True
        try:
            fn()
        finally:
            self.counting = False
        return self.count


def get_ok(client: FlaskClient, url: str, status: int = 200) -> str:
    """GET ``url`` and check the status; the body."""
    response = client.get(url)
    if response.status_code != status:
        raise RuntimeError(f"GET {url}: {response.status_code}\n{response.text[:2000]}")
    return response.text


def login(client: FlaskClient, username: str) -> None:
    """Log ``client`` in through the real login form."""
    html = get_ok(client, "/compte/connexion")
    response = client.post(
        "/compte/connexion",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(html)},
    )
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code}")


def csrf_of(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def edited(body: str, n: int) -> str:
    """``body`` with one sentence added at the end of its first paragraph."""
    cut = body.find("\n\n")
    addition = f" Mise à jour n° {n} : la permanence change d'horaire à partir de lundi."
    return body[:cut] + addition + body[cut:]


def latest_text(app: Flask, title: Title) -> str:
    """The text of the latest revision of ``title``."""
    with app.app_context():
        page = rev.find_page(get_session(), title)
        assert page is not None and page.latest_revision is not None
        return page.latest_revision.text


def load_average() -> str:
    """The 1-minute load average ("?" where the system does not tell)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "?"


def print_table(results: Sequence[Measure]) -> None:
    """The results, one line each, with the target and "OVER TARGET" on a miss."""
    width = max(len(r.name) for r in results)
    header = (
        f"{'measure':<{width}}  {'n':>4}  {'median':>8}  {'p95':>8}  {'min':>8}  {'max':>8}"
        f"  {'cpu med':>8}  {'target':>9}"
    )
    print(header)
    print("-" * (len(header) + 13))
    for r in results:
        wall = r.samples.wall
        target = f"<= {r.target_ms:g} ms" if r.target_ms is not None else ""
        flag = "  OVER TARGET" if r.over_target else ("  ok" if r.target_ms else "")
        print(
            f"{r.name:<{width}}  {len(wall):>4}  {median(wall):>8.2f}  {p95(wall):>8.2f}"
            f"  {min(wall):>8.2f}  {max(wall):>8.2f}  {median(r.samples.cpu):>8.2f}"
            f"  {target:>9}{flag}"
        )
    print(
        '(milliseconds of wall clock; "cpu med" is the median CPU time of this process, '
        "less sensitive to other load; targets apply to the wall-clock median)"
    )


# --------------------------------------------------------------------------- typed pages
# shared by the facette plugins' benches (bench_faire_avec.py, bench_etre_en_attention.py…)

TypedSave = Callable[..., None]


@contextmanager
def typed_saver(app: Flask) -> Iterator[TypedSave]:
    """``save(title, page_type, fields, text=...)``: a structured page created through
    ``writing.save`` as the wiki's own (published at once), inside an app context."""
    with app.app_context():
        session = get_session()
        ctx = writing.context_for(app, session)
        author = rev.Author(user=seed_author(session))

        def save(title: str, page_type: str, fields: dict[str, Any], text: str = "Texte.") -> None:
            edit = writing.Edit(
                author=author,
                title=parse_title(title),
                text=text,
                base_revision_id=None,
                page_type=page_type,
                fields=fields,
                system=True,
            )
            writing.save(ctx, edit)

        yield save


def get_measures(app: Flask, repeat: int, urls: Sequence[tuple[str, str]]) -> list[Measure]:
    """One measure per ``(name, url)``: ``GET url`` through the test client (200 expected)."""
    client = app.test_client()
    return [
        Measure(name, lambda _i, url=url: lambda: get_ok(client, url), repeat) for name, url in urls
    ]


def typed_bench_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options every facette bench has: --repeat, --seed, --database-url, --truncate."""
    parser.add_argument("--repeat", type=int, default=50, help="repetitions (default 50)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--truncate", action="store_true", help="empty --database-url first")
    return parser


def run_typed_bench(
    args: argparse.Namespace,
    title: str,
    build: Callable[[Flask], None],
    measures: Callable[[Flask], list[Measure]],
) -> int:
    """Make an app (SQLite in a temporary folder unless ``--database-url``), ``build``
    its pages (timed), run ``measures`` and print their table; 0 once measured."""
    with tempfile.TemporaryDirectory(prefix="wikicoop-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = build_app(Path(tmp) / "instance", url)
        engine = engine_of(app)
        try:
            if args.truncate:  # PostgreSQL only: empties every table of the given database
                upgrade_schema(engine)
                truncate_all(engine)
            upgrade_schema(engine)
            print(f"{title}, {engine.dialect.name}; load average at start: {load_average()}")
            timings = Timings()
            with timings.step("pages through writing.save"):
                build(app)
            for name, seconds in timings.steps.items():
                print(f"{name}: {seconds:.1f} s")
            print_table([measure.run() for measure in measures(app)])
            print(f"load average at end: {load_average()}")
        finally:
            wait_for_index(app, timeout=None)
            engine.dispose()
    return 0


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line options, checked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="corpus size (default 10000)")
    parser.add_argument("--repeat", type=int, default=200, help="repetitions (default 200)")
    parser.add_argument(
        "--diff-repeat", type=int, default=30, help="repetitions of the diffs (default 30)"
    )
    parser.add_argument(
        "--service-pages",
        type=int,
        default=200,
        help="corpus pages created through writing.save instead of bulk inserts (default 200)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="SQLAlchemy URL of an empty database (default: SQLite in a temporary folder)",
    )
    parser.add_argument(
        "--truncate",
        action="store_true",
        help="empty every table of --database-url first (PostgreSQL only; destroys data)",
    )
    parser.add_argument("--seed", type=int, default=2024, help="corpus random seed")
    parser.add_argument(
        "--huge-repeat",
        type=int,
        default=3,
        help="saves of the 2 MB page of 250,000 distinct words (default 3; 0: none)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"cProfile {PROFILE_RUNS} more runs of each measure over target (of all if none)",
    )
    args = parser.parse_args(argv)
    if args.pages < 50:
        parser.error("--pages must be at least 50")
    if args.repeat < 1 or args.diff_repeat < 1:
        parser.error("--repeat and --diff-repeat must be positive")
    args.service_pages = min(args.service_pages, args.pages // 4)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit code (0 once measured, 2 on an unusable database)."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wikicoop-bench-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, tmp: Path) -> int:
    """Build the app in ``tmp``, benchmark it, dispose of its engine."""
    database_url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = build_app(tmp / "instance", database_url)
    engine = engine_of(app)
    try:
        return _run(args, app, engine)
    finally:
        wait_for_index(app, timeout=None)  # before the temporary folder goes
        engine.dispose()


def _run(args: argparse.Namespace, app: Flask, engine: Engine) -> int:
    """Build the corpus, run the measures, print the report."""
    if args.truncate:
        if engine.dialect.name != "postgresql":
            print("--truncate is for a PostgreSQL --database-url only.")
            return 2
        upgrade_schema(engine)
        truncate_all(engine)
    upgrade_schema(engine)
    with app.app_context():
        if get_session().scalar(select(func.count()).select_from(Page)):
            print("The database already holds pages: give an empty one (or --truncate).")
            return 2

    print("wikicoop core benchmark")
    database = engine.dialect.name
    if database == "sqlite":
        database += f" {sqlite3.sqlite_version}"
    if not args.database_url:
        database += " (file in a temporary folder)"
    print(
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPU(s), load average {load_average()}; database {database}"
    )
    print(
        f"pages={args.pages} repeat={args.repeat} diff-repeat={args.diff_repeat} seed={args.seed}"
    )
    print()

    timings = Timings()
    rng = random.Random(args.seed)
    renderer = renderer_of(app)

    with timings.step("users"), app.app_context():
        session = get_session()
        users = [
            create_user(session, name, PASSWORD, trust="granted")  # publish at once
            for name in ("Bench", "Camille", "Dominique", "Sacha", "Maëlle")
        ]
        user_ids = [u.id for u in users]
        editor_id = user_ids[0]

    with timings.step("generate texts"):
        titles = make_titles(rng, args.pages)
        writer = CorpusWriter(rng, titles)
        corpus: list[CorpusPage] = []
        for raw in titles:
            body, categories = writer.page(raw)
            corpus.append(CorpusPage(parse_title(raw), body, categories))
    bulk, service = corpus[: -args.service_pages], corpus[-args.service_pages :]

    with timings.step(f"bulk insert ({len(bulk)} pages)"), app.app_context():
        session = get_session()
        when = datetime.now(UTC) - timedelta(days=30)
        for start in range(0, len(bulk), BULK_CHUNK):
            bulk_insert_pages(session, renderer, bulk[start : start + BULK_CHUNK], editor_id, when)
            session.commit()

    with timings.step(f"writing.save ({len(service)} pages)"):
        for p in service:
            save(app, p.title, p.text, editor_id, "Création")

    check_bulk_matches_service(app, bulk[:: max(1, len(bulk) // 25)])

    history_title = parse_title("Historique du banc d'essai")
    diff_title = parse_title("Comparaison du banc d'essai")
    with timings.step(f"history page ({HISTORY_REVISIONS} revisions)"):
        history_text, _ = writer.page(history_title.full)
        save(app, history_title, history_text, editor_id, "Création")
        add_history(app, history_title, history_text, user_ids)
    with timings.step("100 KB diff page (2 revisions)"):
        old_long = writer.long_text(DIFF_LINES)
        new_long = writer.changed_copy(old_long, DIFF_CHANGED_SHARE)
        save(app, diff_title, old_long, editor_id, "Version longue")
        save(app, diff_title, new_long, editor_id, "5 % des lignes changées")

    total_bytes = sum(len(p.text.encode()) for p in corpus)
    link_count = sum(len(renderer.wiki_link_targets(p.text)) for p in corpus)
    with app.app_context():
        session = get_session()
        stored_links = session.scalar(select(func.count()).select_from(PageLink))
        cached = session.scalar(select(func.count()).select_from(RenderCache))
    print(
        f"corpus: {len(corpus)} pages ({len(bulk)} bulk, {len(service)} via writing.save), "
        f"{total_bytes / len(corpus) / 1024:.2f} KB average, "
        f"{total_bytes / 1024 / 1024:.1f} MB of text, {link_count / len(corpus):.1f} distinct "
        f"links a page, {stored_links} link rows, {cached} renders cached"
    )
    for name, seconds in timings.steps.items():
        print(f"  {name:<36} {seconds:8.2f} s")
    print(f"  {'corpus build total':<36} {sum(timings.steps.values()):8.2f} s")
    print()

    bench = Bench(app, engine, args, rng, bulk, service, editor_id)
    measures = bench.measures(history_title, diff_title, old_long, new_long)
    if args.huge_repeat > 0:
        measures += HugePage(bench).measures(args.huge_repeat)
    for m in measures:
        m.run()
    counts = bench.statement_counts(measures)
    print_table(measures)
    print()
    print("SQL statements per request (before_cursor_execute listener on the engine)")
    for name, values in counts.items():
        print(f"  {name:<46} min {min(values):>3}  max {max(values):>3}")
    missed = [m for m in measures if m.over_target]
    print()
    print(f"load average at the end: {load_average()}")
    print("OVER TARGET: " + ", ".join(m.name for m in missed) if missed else "All targets met.")
    if args.profile:
        for m in missed or measures:
            profile(m, PROFILE_RUNS)
    return 0


class Bench:
    """The measured operations on a built corpus."""

    def __init__(
        self,
        app: Flask,
        engine: Engine,
        args: argparse.Namespace,
        rng: random.Random,
        bulk: Sequence[CorpusPage],
        service: Sequence[CorpusPage],
        editor_id: int,
    ) -> None:
        self.app, self.args, self.editor_id = app, args, editor_id
        self.counter = StatementCounter(engine)
        self.anonymous = app.test_client()
        self.editor = app.test_client()
        self._unclosed: list[Any] = []  # web responses to close once their timing is done
        login(self.editor, "Bench")
        n = args.repeat
        # warm templates, the pool and the code paths on pages left out of the samples
        for p in [*service[:3], bulk[-1]]:
            get_ok(self.anonymous, "/wiki/" + p.title.url_path)
            get_ok(self.editor, "/wiki/" + p.title.url_path + "?action=edit")
        # bulk pages were never viewed: their first view renders them and fills the cache
        pool = rng.sample(list(bulk[:-1]), min(n + PROFILE_RUNS, len(bulk) - 1))
        self.cold_urls = ["/wiki/" + p.title.url_path for p in pool]
        self.warm_urls = self.cold_urls[:n]
        # saves edit distinct ~3 KB pages where the corpus has enough of them
        big = [p for p in bulk if len(p.text.encode()) >= 2600] or list(bulk)
        edits = rng.sample(big, min(2 * (n + PROFILE_RUNS), len(big)))
        self.service_pool = [p.title for p in edits[0::2]]
        self.web_pool = [p.title for p in edits[1::2] or edits]

    def view(self, urls: Sequence[str]) -> Callable[[int], Prepared]:
        """GET ``urls[i]`` anonymously (modulo: a page viewed again is cached).

        The search indexing that earlier saves left running in the background is let
        finish first, untimed: a view is measured alone, as before indexing left saves.
        """

        def prepare(i: int) -> Prepared:
            wait_for_index(self.app, timeout=None)
            return lambda: get_ok(self.anonymous, urls[i % len(urls)])

        return prepare

    def service_save(self, i: int) -> Prepared:
        """An edit of a ~3 KB page through ``writing.save`` (only the call is timed)."""
        title = self.service_pool[i % len(self.service_pool)]
        ctx = self.app.app_context()
        ctx.push()
        session = get_session()
        page = rev.find_page(session, title)
        assert page is not None and page.latest_revision is not None
        body = edited(page.latest_revision.text, i)
        author = rev.Author(user=session.get(User, self.editor_id))
        base_id = page.latest_revision_id
        write_ctx = writing.context_for(self.app, session)

        def call() -> None:
            try:
                result = writing.save(
                    write_ctx,
                    writing.Edit(
                        title=title,
                        text=body,
                        base_revision_id=base_id,
                        author=author,
                        summary="Banc d'essai",
                    ),
                )
                assert result.revision is not None and result.changed and not result.merged
            finally:
                ctx.pop()

        return call

    def _web_url(self, i: int) -> str:
        return "/wiki/" + self.web_pool[i % len(self.web_pool)].url_path + "?action=edit"

    def edit_form(self, i: int) -> Prepared:
        """GET the edit form of a ~3 KB page, logged in."""
        url = self._web_url(i)
        return lambda: get_ok(self.editor, url)

    def web_save(self, i: int) -> Prepared:
        """POST the edit form (its CSRF token and base revision fetched untimed).

        The previous response is closed here, untimed, as a WSGI server closes it once
        sent, and the previous save's indexing, which no one waits for (it runs in the
        background after the response), is let finish untimed too.
        """
        while self._unclosed:
            self._unclosed.pop().close()
        wait_for_index(self.app, timeout=None)
        url = self._web_url(i)
        html = get_ok(self.editor, url)
        base = BASE_REVISION_RE.search(html)
        data = {
            "csrf_token": csrf_of(html),
            "base_revision": base.group(1) if base else "",
            "text": edited(latest_text(self.app, self.web_pool[i % len(self.web_pool)]), i),
            "summary": "Banc d'essai (formulaire)",
            "save": "Enregistrer",
        }

        def post() -> None:
            response = self.editor.post(url, data=data)
            if response.status_code != 302:
                raise RuntimeError(f"POST {url}: {response.status_code}\n{response.text[:2000]}")
            self._unclosed.append(response)

        return post

    def measures(
        self, history_title: Title, diff_title: Title, old_long: str, new_long: str
    ) -> list[Measure]:
        """Every measure, in the order they run (cold views before cached ones)."""
        n, d = self.args.repeat, self.args.diff_repeat
        history_url = "/wiki/" + history_title.url_path + "?action=history"
        diff_url = "/wiki/" + diff_title.url_path + "?action=diff"
        for url in (history_url, history_url + "&limit=500", diff_url):
            get_ok(self.anonymous, url)
        stats = diff_texts(old_long, new_long)
        size = f"{len(old_long.encode()) / 1024:.0f} KB, {stats.added}+/{stats.removed}- lines"
        return [
            Measure("page view, cold cache (first view, renders)", self.view(self.cold_urls), n),
            Measure(
                "page view, cached (GET /wiki/<title>)",
                self.view(self.warm_urls),
                n,
                TARGET_VIEW_MS,
            ),
            Measure("save via writing.save (~3 KB page)", self.service_save, n, TARGET_SAVE_MS),
            Measure("edit form (GET ?action=edit, logged in)", self.edit_form, n),
            Measure("save via web form (POST ?action=edit)", self.web_save, n, TARGET_SAVE_MS),
            Measure(
                f"history (GET ?action=history, {HISTORY_REVISIONS} revs)",
                self.view([history_url]),
                n,
            ),
            Measure(
                "history, limit=500 (all rows on one page)",
                self.view([history_url + "&limit=500"]),
                max(1, n // 10),
            ),
            Measure(f"diff_texts ({size})", lambda _i: lambda: diff_texts(old_long, new_long), d),
            Measure(
                "diff_texts + inline_html()",
                lambda _i: lambda: diff_texts(old_long, new_long).inline_html(),
                d,
                TARGET_DIFF_MS,
            ),
            Measure("diff page (GET ?action=diff)", self.view([diff_url]), d, TARGET_DIFF_MS),
        ]

    def statement_counts(self, measures: Sequence[Measure]) -> dict[str, list[int]]:
        """SQL statements sent by a few more repetitions of the web measures."""
        by_name = {m.name: m for m in measures}
        wanted = {
            "page view, cached (GET /wiki/<title>)": 20,
            "edit form (GET ?action=edit, logged in)": 5,
            "save via writing.save (~3 KB page)": 5,
            "save via web form (POST ?action=edit)": 5,
            f"history (GET ?action=history, {HISTORY_REVISIONS} revs)": 3,
            "history, limit=500 (all rows on one page)": 3,
            "diff page (GET ?action=diff)": 3,
        }
        counts: dict[str, list[int]] = {}
        for name, times in wanted.items():
            m = by_name[name]
            counts[name] = [self.counter.measure(m.prepare(i)) for i in range(times)]
        return counts


class HugePage:
    """The 2 MB page of 250,000 distinct words of issue 8, point 16: its save through the
    web form, the same until it is searchable, and another person's save of a ~3 KB page
    while the search index is being written with it (the index's write lock held)."""

    def __init__(self, bench: Bench) -> None:
        self.bench, self.app = bench, bench.app
        self.client = bench.app.test_client()
        login(self.client, "Camille")
        self.text, _ = huge_page_text()
        self._running: list[threading.Thread] = []

    def measures(self, count: int) -> list[Measure]:
        """The three measures, ``count`` repetitions each."""
        return [
            Measure("save via web form, 2 MB page (250,000 words)", self.save, count),
            Measure("  the same, until searchable (wait_for_index)", self.save_found, count),
            Measure("save via web form (~3 KB) while 2 MB is indexed", self.save_beside, count),
        ]

    def _idle(self) -> None:
        """Untimed: the previous repetition's saves and their indexing are over."""
        while self._running:
            self._running.pop().join()
        wait_for_index(self.app, timeout=None)

    def _post(self, name: str) -> Prepared:
        """The POST of a new 2 MB page (its form fetched untimed)."""
        url = "/wiki/" + parse_title(name).url_path + "?action=edit"
        data = {"csrf_token": csrf_of(get_ok(self.client, url)), "base_revision": ""}
        data |= {"text": self.text, "summary": "2 Mo", "save": "Enregistrer"}

        def post() -> None:
            response = self.client.post(url, data=data)
            if response.status_code != 302:
                raise RuntimeError(f"POST {url}: {response.status_code}\n{response.text[:500]}")
            response.close()

        return post

    def save(self, i: int) -> Prepared:
        self._idle()
        return self._post(f"Très grande page {i}")

    def save_found(self, i: int) -> Prepared:
        self._idle()
        post = self._post(f"Très grande page trouvée {i}")
        return lambda: (post(), wait_for_index(self.app, timeout=None))

    def save_beside(self, i: int) -> Prepared:
        """Untimed: start saving a 2 MB page in a thread, until the index's write lock is
        taken for it; timed: a web save of another page meanwhile."""
        self._idle()
        timed = self.bench.web_save(10_000 + i)
        thread = threading.Thread(target=self._post(f"Très grande page voisine {i}"))
        thread.start()
        self._running.append(thread)
        while not self._index_locked():
            if not thread.is_alive() and wait_for_index(self.app, timeout=0):
                break  # indexed before the lock was seen taken
            time.sleep(0.002)
        return timed

    def _index_locked(self) -> bool:
        backend = backend_of(self.app)
        lock = FileStorage(str(backend.index_dir)).lock(backend.index_name + "_WRITELOCK")
        if lock.acquire():
            lock.release()
            return False
        return True


def profile(m: Measure, runs: int) -> None:
    """cProfile ``runs`` fresh repetitions of ``m``; print where the time goes."""
    profiler = cProfile.Profile()
    for i in range(m.count, m.count + runs):
        fn = m.prepare(i)
        profiler.enable()
        fn()
        profiler.disable()
    print()
    print(f"=== profile: {m.name} ({runs} runs) ===")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    sys.exit(main())
