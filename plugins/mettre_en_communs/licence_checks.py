"""Licence checks of pages against what they embed: the conflicts of a text (for the
editor's notices) and of a published revision (stored for moderators, cleared by a
later revision that fixes them).

Files come from the media library (:mod:`.media_api`), guarded: without it no file is
checked. Pages transcluded with ``{{:Titre}}`` (:mod:`.reuse_transclusion`) are checked
as text (:func:`.licence_rules.conflict` with ``kind="text"``: an ND page cannot be
transcluded, a CC BY-SA page cannot sit in a CC BY one); their hosts' stored conflicts
follow the sources' changes (:mod:`.reuse_transclusion_usage`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wikicoop.core.models import Page, Revision, utcnow
from wikicoop.core.render_cache import contributors_until
from wikicoop.text.titles import make_title

from .licence_rules import RESERVED, conflict, normalise
from .licence_tables import has_table, licence_conflicts
from .reuse_credit import licence_label

#: what the editor reads for each conflict, French and English
NOTICES = {
    "unknown": {
        "fr": "Le fichier « {item} » n'a pas de licence connue : vérifiez qu'il peut être "
        "publié ici.",
        "en": "The file “{item}” has no known licence: check that it may be published here.",
    },
    "reserved": {
        "fr": "Le fichier « {item} » est « tous droits réservés » : seul son auteur peut "
        "l'utiliser dans une page sous {host}.",
        "en": "The file “{item}” is “all rights reserved”: only its author may use it in a "
        "page under {host}.",
    },
    "nc": {
        "fr": "Le fichier « {item} » est sous {licence} (pas d'utilisation commerciale), mais "
        "cette page, sous {host}, permet l'usage commercial.",
        "en": "The file “{item}” is under {licence} (non-commercial), but this page, under "
        "{host}, allows commercial use.",
    },
    "nd": {
        "fr": "« {item} » est sous {licence} (pas de modification) : il ne peut pas être "
        "repris dans le texte d'une page que chacun modifie.",
        "en": "“{item}” is under {licence} (no derivatives): it cannot be taken into the "
        "text of a page everyone edits.",
    },
    "sa": {
        "fr": "Le fichier « {item} » est sous {licence} (partage dans les mêmes conditions) : "
        "cette page, sous {host}, ne peut pas le reprendre.",
        "en": "The file “{item}” is under {licence} (share-alike): this page, under {host}, "
        "cannot carry it.",
    },
    "attribution": {
        "fr": "Le fichier « {item} » demande de citer son auteur ({licence}), mais cette page "
        "est sous {host}, sans aucune condition.",
        "en": "The file “{item}” must be credited ({licence}), but this page is under {host}, "
        "without any condition.",
    },
}


#: the same for a transcluded page (``kind == "text"``)
TEXT_NOTICES = {
    "unknown": {
        "fr": "La page incluse « {item} » n'a pas de licence connue : vérifiez qu'elle peut "
        "être reprise ici.",
        "en": "The included page “{item}” has no known licence: check that it may be reused here.",
    },
    "reserved": NOTICES["reserved"],
    "nc": {
        "fr": "La page incluse « {item} » est sous {licence} (pas d'utilisation commerciale), "
        "mais cette page, sous {host}, permet l'usage commercial.",
        "en": "The included page “{item}” is under {licence} (non-commercial), but this "
        "page, under {host}, allows commercial use.",
    },
    "nd": NOTICES["nd"],
    "sa": {
        "fr": "La page incluse « {item} » est sous {licence} (partage dans les mêmes "
        "conditions) : cette page, sous {host}, ne peut pas la reprendre.",
        "en": "The included page “{item}” is under {licence} (share-alike): this page, "
        "under {host}, cannot carry it.",
    },
    "attribution": {
        "fr": "La page incluse « {item} » demande de citer ses auteurs ({licence}), mais "
        "cette page est sous {host}, sans aucune condition.",
        "en": "The included page “{item}” must be credited ({licence}), but this page is "
        "under {host}, without any condition.",
    },
}


@dataclass(frozen=True)
class Conflict:
    """Something a page embeds under a licence the page cannot carry."""

    item: str
    kind: str
    item_licence: str
    page_licence: str
    reason: str

    def notice(self) -> dict[str, str]:
        """The editor's warning, ``{"fr", "en"}``."""
        params = {
            "item": self.item,
            "licence": licence_label(self.item_licence)[0],
            "host": licence_label(self.page_licence)[0],
        }
        texts = TEXT_NOTICES if self.kind == "text" else NOTICES
        return {lang: text.format(**params) for lang, text in texts[self.reason].items()}


def _media() -> Any:
    try:
        from . import media_api
    except ImportError:  # the media part is absent: no file to check
        return None
    return media_api


def _file_authors(session: Session, name: str) -> set[str]:
    """Who wrote a file page (for an « all rights reserved » file)."""
    page = session.scalars(select(Page).where(Page.namespace == "file", Page.name == name)).first()
    if page is None or page.latest_revision_id is None:
        return set()
    return set(contributors_until(session, page.id, page.latest_revision_id))


def conflicts_in(
    session: Session,
    text: str,
    host_licence: str,
    host_authors: Callable[[], Sequence[str]],
) -> list[Conflict]:
    """The conflicts of ``text`` under ``host_licence`` (files that do not exist yet
    are not checked: they are red links); ``host_authors()`` is asked only for an « all
    rights reserved » file."""
    found = _text_conflicts(session, text, host_licence)
    media = _media()
    if media is None:
        return found
    names = media.embedded_files(text)
    if not names:
        return found
    licences = media.file_licences(session, names)
    for name in names:
        if name not in licences:
            continue
        code = licences[name]
        same_author = False
        if normalise(code) == RESERVED:
            authors = set(host_authors())
            same_author = bool(authors) and authors <= _file_authors(session, name)
        reason = conflict(host_licence, code, kind="file", same_author=same_author)
        if reason is not None:
            found.append(Conflict(name, "file", code or "unknown", host_licence, reason))
    return found


def _text_conflicts(session: Session, text: str, host_licence: str) -> list[Conflict]:
    """The conflicts of the pages ``text`` transcludes (``{{:Titre}}``; a missing page
    is a red link, not checked)."""
    from .reuse_transclusion import published_sources, transcluded_titles

    titles = transcluded_titles(text)
    if not titles:
        return []
    sources = published_sources(session, titles)
    found: list[Conflict] = []
    for title in titles:
        source = sources.get(title.key)
        if source is None:
            continue
        reason = conflict(host_licence, source.licence, kind="text")
        if reason is not None:
            found.append(Conflict(title.full, "text", source.licence, host_licence, reason))
    return found


def check_published(session: Session, page: Page, revision: Revision) -> None:
    """Store the conflicts of ``page``'s published ``revision``: new ones from now, the
    ones still there keep their date, the ones fixed go. Flushes only."""
    if not has_table(session, licence_conflicts.name):
        return
    found = {
        c.item: c
        for c in conflicts_in(
            session,
            revision.text,
            page.licence,
            lambda: contributors_until(session, page.id, revision.id),
        )
    }
    c = licence_conflicts.c
    if not found:  # the usual case: one statement
        session.execute(delete(licence_conflicts).where(c.page_id == page.id))
        return
    stored = {
        row.item: row
        for row in session.execute(select(licence_conflicts).where(c.page_id == page.id))
    }
    gone = [
        item
        for item, row in stored.items()
        if item not in found
        or found[item].reason != row.reason
        or found[item].page_licence != row.page_licence
    ]
    if gone:
        session.execute(delete(licence_conflicts).where(c.page_id == page.id, c.item.in_(gone)))
    fresh = [item for item in found if item not in stored or item in gone]
    if fresh:
        now = utcnow()
        session.execute(
            licence_conflicts.insert(),
            [
                {
                    "page_id": page.id,
                    "item": found[item].item[:600],
                    "kind": found[item].kind,
                    "item_licence": found[item].item_licence[:32],
                    "page_licence": found[item].page_licence[:32],
                    "reason": found[item].reason,
                    "revision_id": revision.id,
                    "found_at": now,
                }
                for item in fresh
            ],
        )


def recheck_embedders(session: Session, file_page: Page) -> None:
    """A file's page was published (maybe under another licence): check again the
    pages that embed it (from the media library's usage table)."""
    try:
        from .tables import file_usage
    except ImportError:
        return
    if not has_table(session, file_usage.name):
        return
    ids = session.scalars(
        select(file_usage.c.page_id).where(file_usage.c.file_name == file_page.name)
    ).all()
    if not ids:
        return
    pages = session.scalars(
        select(Page).where(
            Page.id.in_(ids), Page.deleted_at.is_(None), Page.latest_revision_id.is_not(None)
        )
    ).all()
    for page in pages:
        latest = page.latest_revision
        if latest is not None:
            check_published(session, page, latest)


def notices_for(ctx: Any) -> list[dict[str, str]]:
    """The ``edit_notices`` of an edit: one warning per conflict of its text."""
    session = ctx.session

    def authors() -> list[str]:
        """The page's writers so far, and the editor."""
        found: list[str] = []
        title = ctx.title
        page = session.scalars(
            select(Page).where(Page.namespace == title.namespace, Page.name == title.name)
        ).first()
        if page is not None and page.latest_revision_id is not None:
            found = contributors_until(session, page.id, page.latest_revision_id)
        name = getattr(getattr(ctx, "actor", None), "username", None)
        return [*found, name] if name else found

    text = str(ctx.text or "")
    return [c.notice() for c in conflicts_in(session, text, ctx.licence or "", authors)]


def page_title(namespace: str, name: str) -> str:
    """A page's full title from its row's parts."""
    return make_title(namespace, name).full
