"""The « Pages cousines » panel, stored: each page's five best related pages are kept in
``relier_related`` with the generation they were computed at. A page view reads its row
and the current generation in one query; a publication, deletion or rename anywhere
bumps the generation (:func:`bump`), and the next view of a page whose row is older
computes its list again (:func:`.related.related`) and stores it. The JSON twin
(``/api/v1/pages/<title>/related``) always computes afresh.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wikicoop.core import signals
from wikicoop.core.models import Page
from wikicoop.text.titles import Title, make_title

from . import related as rel
from .tables import installed, related, state

SHOWN = 5


def bump(session: Session) -> None:
    """Every stored list is stale once the caller's transaction has committed.

    The counter is raised after the commit, in a short transaction of its own: raised
    inside the save, its one row made every save, on every server, wait for the saves
    before it to commit (a view between the commit and the raise may show a list that
    is a few milliseconds old).
    """
    if not installed(session):
        return
    engine = session.get_bind()

    def raise_generation() -> None:
        with engine.begin() as connection:
            connection.execute(
                update(state).where(state.c.name == "generation").values(value=state.c.value + 1)
            )

    signals.after_commit(session, raise_generation)


def stored(session: Session, page: Page) -> list[tuple[Title, list[str]]] | None:
    """The page's cousins ``[(title, reason kinds)]``: read in one query when fresh,
    computed and stored otherwise; None without the plugin's tables."""
    if not installed(session):
        return None
    row = session.execute(
        select(state.c.value, related.c.generation, related.c["items"])
        .select_from(state.outerjoin(related, related.c.page_id == page.id))
        .where(state.c.name == "generation")
    ).first()
    if row is None:
        return None
    generation, computed_at, items = row
    if computed_at != generation:
        items = _compute(session, page, generation)
    return [(make_title(item["ns"], item["name"]), list(item["kinds"])) for item in items]


def _compute(session: Session, page: Page, generation: int) -> list[dict[str, Any]]:
    """Compute the page's cousins and store them (committed at once: a page view)."""
    items = []
    for cousin in rel.related(session, page, SHOWN):
        if cousin.title is None:
            continue
        kinds: list[str] = []
        for reason in cousin.reasons:
            if reason["kind"] not in kinds:
                kinds.append(reason["kind"])
        items.append({"ns": cousin.title.namespace, "name": cousin.title.name, "kinds": kinds})
    page_id = page.id
    try:
        session.execute(delete(related).where(related.c.page_id == page_id))
        session.execute(
            related.insert().values(page_id=page_id, generation=generation, items=items)
        )
        session.commit()
    except IntegrityError:  # another view stored it meanwhile: the same list
        session.rollback()
    return items
