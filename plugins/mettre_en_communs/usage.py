"""Which published pages embed which files: rewritten when a page is published (one
query to read, one to delete, one to insert), dropped when a page is deleted. The file
page's "utilisé dans" list and the licence checks read it in one query."""

from __future__ import annotations

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from wikicoop.core.models import Page, Revision, utcnow

from .embed import tables_ready
from .media_api import embedded_files
from .tables import file_usage


def record_usage(session: Session, page: Page, revision: Revision) -> None:
    """Store the files ``revision`` (the page's new public version) embeds."""
    if not tables_ready(session):
        return
    # a redirect (left by a rename) shows what it points to: it uses nothing
    wanted = set() if page.redirect_target else set(embedded_files(revision.text))
    had = set(
        session.execute(
            select(file_usage.c.file_name).where(file_usage.c.page_id == page.id)
        ).scalars()
    )
    if wanted == had:
        return
    gone, added = had - wanted, wanted - had
    if gone:
        session.execute(
            delete(file_usage).where(
                file_usage.c.page_id == page.id, file_usage.c.file_name.in_(sorted(gone))
            )
        )
    if added:
        session.execute(
            insert(file_usage), [{"page_id": page.id, "file_name": n} for n in sorted(added)]
        )
    _touch_files(session, gone | added)


def forget_usage(session: Session, page: Page) -> None:
    """A deleted page embeds nothing any more."""
    if not tables_ready(session):
        return
    names = set(
        session.execute(
            select(file_usage.c.file_name).where(file_usage.c.page_id == page.id)
        ).scalars()
    )
    if names:
        session.execute(delete(file_usage).where(file_usage.c.page_id == page.id))
        _touch_files(session, names)


def _touch_files(session: Session, names: set[str]) -> None:
    """The file pages' "utilisé dans" changed: a new key for their anonymous cache."""
    session.execute(
        update(Page)
        .where(Page.namespace == "file", Page.name.in_(sorted(names)))
        .values(touched_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def pages_using(session: Session, name: str) -> list[Page]:
    """The undeleted pages embedding the file ``name`` (or a former name of it, now a
    redirect), by title: one query."""
    redirects = select(Page.name).where(
        Page.namespace == "file",
        Page.redirect_target == "Fichier:" + name,
        Page.deleted_at.is_(None),
    )
    named = or_(file_usage.c.file_name == name, file_usage.c.file_name.in_(redirects))
    return list(
        session.execute(
            select(Page)
            .join(file_usage, file_usage.c.page_id == Page.id)
            .where(named, Page.deleted_at.is_(None))
            .distinct()
            .order_by(Page.namespace, Page.name)
        ).scalars()
    )


def file_renamed(session: Session, old_title: str, new_title: str) -> None:
    """A file page moved: the pages showing it are rendered again (their images now
    point to the new name, through the redirect the rename left)."""
    if not tables_ready(session):
        return
    from wikicoop.core import render_cache

    from .media_api import file_name_of

    old = file_name_of(old_title)
    if old is None:
        return
    users = select(file_usage.c.page_id).where(file_usage.c.file_name == old)
    render_cache.forget_renders(session, list(session.execute(users).scalars()))
