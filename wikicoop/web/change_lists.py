"""What the HTML and JSON views of the change lists share (``views/changes.py`` and
``views/changes_api.py``): their query parameters read into a
:class:`~wikicoop.community.changes.ChangeFilter`, which revision statuses the reader may
list (decided here, once, by :func:`viewer_statuses`), and following a page.

No view is imported here.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..community import changes as ch
from ..community import watching
from ..community.accounts import find_user
from ..core import revisions as rev
from ..core import visibility
from ..core.models import Page, User
from ..core.moderation import PENDING, PUBLISHED, REJECTED, STATUSES
from ..text.titles import NAMESPACES, Title, lookup_namespace, parse_title
from .db import get_session
from .helpers import account, allowed

#: the French address is the one the interface links to; the English one redirects
RECENT_CHANGES_PATH = "/modifications-recentes"
WATCHLIST_LIMIT = 200
NOTIFICATIONS_PER_PAGE = 50


class BadParam(Exception):
    """A query parameter the list cannot use: ``status`` (HTTP) and a message to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def int_param(args: Mapping[str, str], name: str, default: int | None) -> int | None:
    """A positive whole-number parameter (capped to 32 bits), or ``default`` when absent."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParam(
            400, _("Le paramètre « %(name)s » doit être un nombre entier.", name=name)
        ) from None
    if value < 1:
        raise BadParam(400, _("Le paramètre « %(name)s » doit être positif.", name=name))
    return min(value, 2**31 - 1)  # ids are 32-bit: a larger cursor means "from the start"


def _namespace_param(raw: str) -> str | None:
    if not raw:
        return None
    if raw in NAMESPACES:
        return raw
    found = lookup_namespace(raw)
    if found is None:
        raise BadParam(400, _("Espace de noms inconnu : « %(value)s ».", value=raw[:50]))
    return found.key


def viewer_statuses(author: User | None = None) -> tuple[str, ...]:
    """The revision statuses the current reader may list.

    Moderators: all. The author of the listed contributions: all but hidden ones.
    Everyone else: published only.
    """
    if allowed("see_hidden"):
        return STATUSES
    if author is not None and current_user.is_authenticated and current_user.id == author.id:
        return (PUBLISHED, PENDING, REJECTED)
    return (PUBLISHED,)


def user_param(raw: str) -> User:
    """The account named ``raw`` (any spelling); :class:`BadParam` 404 when there is none."""
    user = find_user(get_session(), raw)  # any spelling: accounts.username_key
    if user is None:
        raise BadParam(404, _("Aucun compte ne s'appelle « %(name)s ».", name=raw[:64]))
    return user


def change_filter(
    args: Mapping[str, str], *, author: User | None = None, contributions: bool = False
) -> ch.ChangeFilter:
    """The filter of a list of changes from its query parameters; :class:`BadParam` if wrong.

    Parameters: ``namespace``, ``type``, ``user`` (recent changes only), ``minor``
    (hide|only), ``status`` (published, pending, rejected, hidden, all: what the reader
    may see), ``patrolled`` (yes|no, moderators), ``before`` (cursor), ``limit`` (≤ 500).
    """
    moderator = allowed("view_pending")
    visible = viewer_statuses(author)
    statuses: tuple[str, ...] = visible if contributions else (PUBLISHED,)
    status = args.get("status", "").strip()
    if status:
        if status != "all" and status not in STATUSES:
            raise BadParam(
                400,
                _(
                    "Statut inconnu : « %(value)s ». Choisissez parmi : %(choices)s.",
                    value=status[:30],
                    choices="published, pending, rejected, hidden, all",
                ),
            )
        wanted = visible if status == "all" else (status,)
        if not set(wanted) <= set(visible):
            raise BadParam(
                403,
                _(
                    "Seuls les modérateurs voient les modifications en attente, "
                    "refusées ou masquées."
                ),
            )
        statuses = wanted
    minor = args.get("minor", "").strip() or None
    if minor is not None and minor not in ch.MINOR_FILTERS:
        raise BadParam(400, _("Le paramètre « minor » vaut « hide » ou « only »."))
    patrolled_raw = args.get("patrolled", "").strip()
    patrolled: bool | None = None
    if patrolled_raw:
        if patrolled_raw not in {"yes", "no"}:
            raise BadParam(400, _("Le paramètre « patrolled » vaut « yes » ou « no »."))
        if not moderator:
            raise BadParam(403, _("Seuls les modérateurs filtrent les modifications vérifiées."))
        patrolled = patrolled_raw == "yes"
    page_type = args.get("type", "").strip() or None
    if page_type is not None and page_type not in ch.PAGE_TYPES:
        raise BadParam(
            400,
            _(
                "Type de page inconnu : « %(value)s ». Types existants : %(choices)s.",
                value=page_type[:50],
                choices=", ".join(ch.PAGE_TYPES),
            ),
        )
    if author is None and args.get("user", "").strip():
        author = user_param(args["user"].strip())
    return ch.ChangeFilter(
        statuses=statuses,
        namespace=_namespace_param(args.get("namespace", "").strip()),
        page_type=page_type,
        author_id=author.id if author is not None else None,
        minor=minor,
        patrolled=patrolled,
        include_deleted_pages=allowed("view_deleted"),
        before=int_param(args, "before", None),
        limit=min(ch.MAX_LIMIT, int_param(args, "limit", ch.DEFAULT_LIMIT) or 1),
    )


def watchlist_filter() -> ch.ChangeFilter:
    """The changes of the reader's watchlist: others' changes to the pages they follow."""
    return ch.ChangeFilter(
        watched_by=current_user.id,
        exclude_author_id=current_user.id,
        limit=WATCHLIST_LIMIT,
    )


# -------------------------------------------------------------------------- following


def watch_target(raw: str) -> Title:
    """The page a follow request is about: a discussion is followed with its page."""
    capitalize = bool(current_app.config["CAPITALIZE_FIRST"])
    title = parse_title(raw, capitalize_first=capitalize, allow_fragment=False)
    return title.subject_page() if title.is_talk else title


def visible_page(title: Title) -> Page | None:
    """The page under ``title`` if it exists for the reader (see
    :func:`wikicoop.visibility.page_exists_for`: not deleted, published, or the reader
    moderates or wrote one of its revisions)."""
    session = get_session()
    page = rev.find_page(session, title)
    if page is None or not visibility.page_exists_for(session, page, account()):
        return None
    return page


def set_watch(page: Page, follow: bool) -> bool:
    """Follow or unfollow for the current user, committed; whether anything changed."""
    session = get_session()
    if follow:
        changed = watching.watch(session, current_user.id, page.id)
    else:
        changed = watching.unwatch(session, current_user.id, page.id)
    try:
        session.commit()
    except IntegrityError:  # the same follow sent twice at once: it is followed
        session.rollback()
        changed = False
    return changed
