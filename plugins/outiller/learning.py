"""Learning to write on the wiki: the guided path's exercises, each checked from what
the learner actually did — the texts and summaries of the revisions they wrote, the
pages they created, and their visits to a history or a diff (recorded by
:func:`record_visit`, an ``after_request`` handler the plugin's startup registers).

Progress is computed in two queries for any number of learners (their revisions, their
visits), never one per learner and exercise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from wikicoop.core.db import engine_of, insert_unless_present
from wikicoop.core.models import Page, Revision, User, utcnow
from wikicoop.core.moderation import personal_sandbox_title
from wikicoop.text.titles import parse_title

from .tables import visits

SANDBOX_NAME = "Bac à sable"

#: the starting text of a personal sandbox: it passes no exercise
STARTING_TEXT = (
    "Bienvenue dans votre bac à sable !\n\n"
    "Cette page est à vous : écrivez, essayez, effacez. Seuls vous et les modérateurs "
    "peuvent la modifier, et les moteurs de recherche ne la montrent pas.\n\n"
    "Pour repartir de ce texte, utilisez le bouton « Réinitialiser » de la page "
    "Apprendre à écrire sur le wiki (/apprendre). L'historique garde tous vos essais.\n"
)
#: the summaries the wiki writes by itself (they are no exercise done)
RESET_SUMMARIES = ("Réinitialisation du bac à sable", "Sandbox reset")
_AUTOMATIC_SUMMARY = re.compile(r"^Version n° \d+ rétablie$|« .* » renommée en « .* »")

_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\S", re.M)
_BOLD = re.compile(r"\*\*[^*\n]+?\*\*|__[^_\n]+?__")
_CATEGORY = re.compile(r"\[\[\s*(?:Catégorie|Category)\s*:", re.I)
_PAGE_LINK = re.compile(
    r"\[\[(?!\s*(?:Catégorie|Category|Fichier|File|Image)\s*:)[^\]\n]+\]\]", re.I
)

#: pages whose view counts for an exercise: the core's ``pages.page`` endpoint's actions
VISIT_ACTIONS = {"history": "history", "diff": "diff"}


def sandbox_title(settings: Mapping[str, Any], username: str) -> str:
    """The full title of ``username``'s personal sandbox (the core's helper when present)."""
    try:
        return personal_sandbox_title(settings, username, SANDBOX_NAME)
    except ValueError:  # the site's PERSONAL_SANDBOXES leave it out: the same title
        return f"Utilisateur:{username}/{SANDBOX_NAME}"


@dataclass
class Evidence:
    """What one learner did, as read from the database."""

    texts: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    created: int = 0  # pages created, their sandbox left aside
    visits: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Exercise:
    """One step of the path: words in French and English, and its check."""

    key: str
    title: dict[str, str]
    how: dict[str, str]
    done: Callable[[Evidence], bool]


def _in_texts(pattern: re.Pattern[str]) -> Callable[[Evidence], bool]:
    return lambda evidence: any(pattern.search(text) for text in evidence.texts)


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "titre",
        {"fr": "Écrire un titre", "en": "Write a heading"},
        {
            "fr": "Dans votre bac à sable, commencez une ligne par un dièse et une espace : "
            "« # Mon quartier ». Enregistrez.",
            "en": "In your sandbox, start a line with a hash and a space: "
            "“# My neighbourhood”. Save.",
        },
        _in_texts(_HEADING),
    ),
    Exercise(
        "liste",
        {"fr": "Faire une liste", "en": "Make a list"},
        {
            "fr": "Écrivez deux lignes qui commencent chacune par un tiret et une espace : "
            "« - pain » puis « - lait ».",
            "en": "Write two lines each starting with a dash and a space: “- bread”, “- milk”.",
        },
        _in_texts(_LIST),
    ),
    Exercise(
        "gras",
        {"fr": "Mettre un mot en gras", "en": "Make a word bold"},
        {
            "fr": "Entourez un mot de deux astérisques de chaque côté : « **important** ».",
            "en": "Put two asterisks on each side of a word: “**important**”.",
        },
        _in_texts(_BOLD),
    ),
    Exercise(
        "lien",
        {"fr": "Faire un lien vers une autre page", "en": "Link to another page"},
        {
            "fr": "Écrivez le titre d'une page entre doubles crochets : « [[Accueil]] ».",
            "en": "Write a page's title between double brackets: “[[Accueil]]”.",
        },
        _in_texts(_PAGE_LINK),
    ),
    Exercise(
        "categorie",
        {"fr": "Ajouter une catégorie", "en": "Add a category"},
        {
            "fr": "À la fin d'une page, ajoutez « [[Catégorie:Ateliers]] ».",
            "en": "At the end of a page, add “[[Catégorie:Ateliers]]”.",
        },
        _in_texts(_CATEGORY),
    ),
    Exercise(
        "resume",
        {"fr": "Écrire un résumé de modification", "en": "Write an edit summary"},
        {
            "fr": "Avant d'enregistrer, remplissez la case « Résumé » en quelques mots : "
            "ce que vous avez changé.",
            "en": "Before saving, fill in the “Summary” box in a few words: what you changed.",
        },
        lambda evidence: bool(evidence.summaries),
    ),
    Exercise(
        "historique",
        {"fr": "Regarder l'historique d'une page", "en": "Look at a page's history"},
        {
            "fr": "Ouvrez l'onglet « Historique » de votre bac à sable : chaque version y est.",
            "en": "Open the “History” tab of your sandbox: every version is there.",
        },
        lambda evidence: "history" in evidence.visits,
    ),
    Exercise(
        "comparer",
        {"fr": "Comparer deux versions", "en": "Compare two versions"},
        {
            "fr": "Dans l'historique, choisissez deux versions et affichez leurs différences.",
            "en": "In the history, pick two versions and show their differences.",
        },
        lambda evidence: "diff" in evidence.visits,
    ),
    Exercise(
        "creer",
        {"fr": "Créer une page", "en": "Create a page"},
        {
            "fr": "Suivez un lien rouge, ou tapez un titre nouveau dans la recherche, puis "
            "écrivez la première version de la page.",
            "en": "Follow a red link, or type a new title in the search, then write the "
            "page's first version.",
        },
        lambda evidence: evidence.created > 0,
    ),
)


def _counts_as_summary(summary: str) -> bool:
    text = (summary or "").strip()
    return bool(text) and text not in RESET_SUMMARIES and not _AUTOMATIC_SUMMARY.search(text)


def evidence_of(
    session: Session, settings: Mapping[str, Any], users: Mapping[int, str]
) -> dict[int, Evidence]:
    """What each learner (``{user id: name}``) did: two queries for all of them."""
    found = {user_id: Evidence() for user_id in users}
    if not users:
        return found
    sandboxes = {}
    for user_id, name in users.items():
        title = parse_title(sandbox_title(settings, name))
        sandboxes[user_id] = (title.namespace, title.name)
    rows = session.execute(
        select(
            Revision.author_id,
            Revision.text,
            Revision.summary,
            Revision.parent_id,
            Page.namespace,
            Page.name,
        )
        .join(Page, Page.id == Revision.page_id)
        .where(Revision.author_id.in_(list(users)))
    )
    for author_id, text, summary, parent_id, namespace, name in rows:
        evidence = found[author_id]
        if summary not in RESET_SUMMARIES:  # the reset's text is the starting one
            evidence.texts.append(text or "")
        if _counts_as_summary(summary):
            evidence.summaries.append(summary)
        if parent_id is None and (namespace, name) != sandboxes[author_id]:
            evidence.created += 1
    for user_id, kind in session.execute(
        select(visits.c.user_id, visits.c.kind).where(visits.c.user_id.in_(list(users)))
    ):
        found[user_id].visits.add(kind)
    return found


def done_keys(evidence: Evidence) -> set[str]:
    """The keys of the exercises ``evidence`` passes."""
    return {exercise.key for exercise in EXERCISES if exercise.done(evidence)}


def progress_of(
    session: Session, settings: Mapping[str, Any], users: Mapping[int, str]
) -> dict[int, set[str]]:
    """``{user id: keys of the exercises done}`` for every learner given."""
    return {user_id: done_keys(ev) for user_id, ev in evidence_of(session, settings, users).items()}


# ------------------------------------------------------------------ visits


def _visit_kind() -> str | None:
    if request.endpoint != "pages.page" or request.method != "GET":
        return None
    return VISIT_ACTIONS.get(request.args.get("action", ""))


def record_visit(response: Response) -> Response:
    """After a signed-in person's successful view of a history or a diff, note it once
    (a connection of its own: the request's session is left alone). Never fails the
    response: without the plugin's tables (not migrated yet) nothing is noted."""
    kind = _visit_kind()
    if kind is None or response.status_code != 200 or not current_user.is_authenticated:
        return response
    noted: set = current_app.extensions.setdefault("outiller.visits", set())
    key = (int(current_user.id), kind)
    if key in noted:
        return response
    engine = engine_of(current_app)
    values = {"user_id": key[0], "kind": kind, "first_at": utcnow()}
    insert = insert_unless_present(visits, engine.dialect.name)
    if insert is None:  # a plain INSERT: a duplicate's error is caught below, as any
        insert = visits.insert()
    try:
        with engine.begin() as connection:
            connection.execute(insert.values(**values))
        noted.add(key)
    except SQLAlchemyError:
        current_app.logger.debug("outiller: visit not recorded", exc_info=True)
    return response


def install(app: Flask) -> None:
    """Register the visit recorder on ``app``."""
    app.after_request(record_visit)


def learners_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """``{id: username}`` of the given accounts (one query)."""
    wanted = list(ids)
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(wanted))).all())
