"""The ``{{pages …}}`` macro of portals: a block listing the published pages that match.

``{{pages catégorie="Lieux" type="lieu_acces" champ="quartier=Bellevue" limite=10
tri="titre"}}`` on a line of its own lists, as links, the live pages in the category,
of the type, whose field has the value (``champ`` may be repeated), sorted by title
(``tri="titre"``, the default) or newest change first (``tri="récent"``), at most
``limite`` of them (1 to 200, 50 by default). An unknown parameter or a bad value renders
a visible, escaped message instead of the list; the macro never raises.

The list is computed when the page is rendered, with the render's session
(``get_context(state).session``); renders are cached per revision, so the pages that use
macros are remembered (``relier_macro_pages``, :func:`track`) and their cached renders
are dropped whenever a page is published, deleted or renamed (:func:`forget_portals`).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wikicoop.core import render_cache
from wikicoop.core.models import CategoryMembership, Page, Revision
from wikicoop.rendering.markdown import get_context
from wikicoop.text.titles import (
    TitleError,
    fold_key,
    lookup_namespace,
    make_title,
    parse_title,
)

from .tables import installed, macro_pages
from .texts import TEXTS

#: the macro on a line of its own (leading spaces allowed, as for other blocks)
MACRO_PATTERN = r"^ {0,3}\{\{pages(?P<relier_args>(?:[ \t][^\n]*)?)\}\}[ \t]*(?:\n|$)"
MARKER = "{{pages"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
SORTS = {"titre": "title", "title": "title", "récent": "recent", "recent": "recent"}
#: the parameters as the help page names them, then their other spellings
NAMED = ("catégorie", "type", "champ", "espace", "limite", "tri")
KNOWN = frozenset((*NAMED, "categorie", "category", "field", "namespace", "limit", "sort"))


def say(key: str, **params: Any) -> str:
    """A macro's text, in French: a render is cached and served to every reader, and the
    page around it is French (the wiki's language)."""
    return TEXTS[key]["fr"].format(**params)


class MacroError(ValueError):
    """A macro written wrongly: the message says what, in the reader's language."""


@dataclass
class Query:
    """What a ``{{pages}}`` macro asks for."""

    category: str | None = None
    page_type: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    namespace: str | None = None
    limit: int = DEFAULT_LIMIT
    sort: str = "title"


def parse_args(raw: str) -> Query:
    """The macro's parameters (``name="value"`` or ``name=value``); :class:`MacroError`
    naming the first wrong one."""
    try:
        words = shlex.split(raw)
    except ValueError:
        raise MacroError(say("macro_quotes")) from None
    query = Query()
    for word in words:
        name, equal, value = word.partition("=")
        name = name.strip().casefold()
        if not equal or name not in KNOWN:
            raise MacroError(say("macro_unknown", name=name or word, known=", ".join(NAMED)))
        value = value.strip()
        if name in ("catégorie", "categorie", "category"):
            query.category = _category_name(value)
        elif name == "type":
            query.page_type = value
        elif name in ("champ", "field"):
            key, eq, wanted = value.partition("=")
            if not eq or not key.strip():
                raise MacroError(say("macro_field", value=value))
            query.fields.append((key.strip(), wanted.strip()))
        elif name in ("limite", "limit"):
            if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
                raise MacroError(say("macro_limit", value=value, high=MAX_LIMIT))
            query.limit = int(value)
        elif name in ("tri", "sort"):
            if value.casefold() not in SORTS:
                raise MacroError(say("macro_sort", value=value))
            query.sort = SORTS[value.casefold()]
        else:
            query.namespace = _namespace_key(value)
    return query


def _category_name(value: str) -> str:
    try:
        return parse_title(value, default_namespace="category", allow_fragment=False).name
    except TitleError:
        raise MacroError(say("macro_category", value=value)) from None


def _namespace_key(value: str) -> str:
    if fold_key(value) in ("principal", "main", ""):
        return "main"
    namespace = lookup_namespace(value.strip().rstrip(":"))
    if namespace is None:
        raise MacroError(say("macro_namespace", value=value))
    return namespace.key


def _matches(fields: dict[str, Any] | None, wanted: list[tuple[str, str]]) -> bool:
    """Whether the field values have every ``(name, value)`` (case-insensitive; a list
    value matches when one of its items does)."""
    values = fields or {}
    for name, value in wanted:
        have = values.get(name)
        items = have if isinstance(have, list) else [have]
        if not any(str(item).casefold() == value.casefold() for item in items if item is not None):
            return False
    return True


def run(session: Session, query: Query) -> list[tuple[str, str]]:
    """The matching live pages as ``(namespace, name)``, in the asked order: one query."""
    stmt = (
        select(Page.namespace, Page.name, Revision.fields)
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(Page.deleted_at.is_(None), Page.redirect_target.is_(None))
    )
    if query.category is not None:
        stmt = stmt.join(CategoryMembership, CategoryMembership.page_id == Page.id).where(
            CategoryMembership.category == query.category
        )
    if query.page_type is not None:
        stmt = stmt.where(Revision.page_type == query.page_type)
    if query.namespace is not None:
        stmt = stmt.where(Page.namespace == query.namespace)
    limited = query.sort == "recent" and not query.fields
    if query.sort == "recent":
        stmt = stmt.order_by(Page.touched_at.desc(), Page.id.desc())
    if limited:  # otherwise the order (accents folded) or the JSON fields are Python's
        stmt = stmt.limit(query.limit)
    rows = session.execute(stmt).all()
    if query.sort == "title":
        rows.sort(key=lambda row: (fold_key(row[1]), row[1], row[0]))
    found = []
    for namespace, name, fields in rows:
        if _matches(fields, query.fields):
            found.append((namespace, name))
            if len(found) >= query.limit:
                break
    return found


def _render(renderer: Any, token: dict[str, Any], state: Any) -> str:
    ctx = get_context(state)
    try:
        query = parse_args(token["attrs"]["args"])
    except MacroError as err:
        return f'<p class="relier-macro-error" role="note">{escape(str(err))}</p>\n'
    session = getattr(ctx, "session", None)
    if session is None:
        return f'<p class="relier-macro-note">{escape(say("macro_no_session"))}</p>\n'
    found = run(session, query)
    if not found:
        return f'<p class="relier-macro-empty">{escape(say("macro_none"))}</p>\n'
    items = []
    for namespace, name in found:
        title = make_title(namespace, name)
        href = escape(ctx.wiki_url(title))
        items.append(f'<li><a class="wikilink" href="{href}">{escape(title.full)}</a></li>')
    return '<ul class="relier-pages">\n' + "\n".join(items) + "\n</ul>\n"


def pages_macro(md: Any) -> None:
    """Mistune plugin: the ``{{pages …}}`` block rule."""

    def parse(block: Any, m: re.Match, state: Any) -> int:
        state.append_token({"type": "relier_pages", "attrs": {"args": m.group("relier_args")}})
        return m.end()

    md.block.register("relier_pages", MACRO_PATTERN, parse)
    md.renderer.register_token_handler("relier_pages", _render)


# ------------------------------------------------------------ cached renders of portals


def track(session: Session, page_id: int, text: str, portals: set[int]) -> None:
    """Remember whether the page's public text uses a macro (``portals``: the pages
    remembered so far; a statement only when the answer changes)."""
    if MARKER in text and page_id not in portals:
        session.execute(macro_pages.insert().values(page_id=page_id))
    elif MARKER not in text and page_id in portals:
        session.execute(delete(macro_pages).where(macro_pages.c.page_id == page_id))


def portal_ids(session: Session) -> set[int]:
    """The pages whose text uses a macro."""
    return {pid for (pid,) in session.execute(select(macro_pages.c.page_id))}


def forget_portals(
    session: Session, except_page: int | None = None, portals: set[int] | None = None
) -> None:
    """Drop the cached renders of the pages that use macros (``portals``, read if not
    given; but ``except_page``, whose render was just made): the pages they list may
    have changed."""
    ids = (portal_ids(session) if portals is None else portals) - {except_page}
    if ids:
        render_cache.forget_renders(session, sorted(ids))


def on_published(session: Session, page: Page, text: str) -> None:
    """``page_published``: record the page's use of macros, refresh the portals (one
    statement a save when neither changes)."""
    if not installed(session):
        return
    portals = portal_ids(session)
    track(session, page.id, text, portals)
    forget_portals(session, except_page=page.id, portals=portals)


def on_changed(session: Session) -> None:
    """``page_deleted`` / ``page_renamed``: refresh the portals."""
    if installed(session):
        forget_portals(session)
