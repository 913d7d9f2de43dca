"""Atom feeds under /flux/, and the ``<link rel="alternate">`` tags that announce them.

- ``/flux/modifications-recentes.atom[?namespace=aide]`` — recent changes of the wiki;
- ``/flux/historique/<Title>.atom`` — a page's history; the title is written as in page
  URLs (``/flux/historique/Aide:%C3%89crire/Brouillon.atom`` for ``Aide:Écrire/Brouillon``:
  ``/`` and ``:`` stay as they are, a title ending in ``.atom`` simply gets a second one);
- ``/flux/contributions/<username>.atom`` — a user's contributions;
- ``/flux/categorie/<Name>.atom`` — new pages of a category (name without the prefix).

Feeds are the same for every reader (published content only), so they answer
conditional GETs with a strong ETag computed from the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from jinja2.runtime import Context
from jinja2.utils import pass_context
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from ...community import feeds
from ...community.accounts import find_user
from ...core.models import Page, User
from ...text.titles import NAMESPACES, Title, TitleError, lookup_namespace, make_title, parse_title
from ..atom import atom_response, site
from ..db import get_session
from ..errors import fail
from ..helpers import parse_or_fail
from ..labels import current_language, localized
from ..urls import page_url

bp = Blueprint("feeds", __name__, url_prefix="/flux")


def _site_path(endpoint: str, **values: str) -> str:
    """A route's path from the site's root (``site().url`` adds the root, mount point
    included, as for page URLs)."""
    return url_for(endpoint, **values)[len(request.script_root) :]


def _served(path: str) -> bool:
    """Whether some view answers ``path`` (another module may serve it, or not yet)."""
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        return True  # served at its canonical address
    except HTTPException:
        return False
    return True


def _namespace_arg() -> str | None:
    """The ``namespace`` filter (a key such as ``help`` or a prefix such as ``Aide``)."""
    raw = request.args.get("namespace", "").strip()
    if not raw:
        return None
    if raw in NAMESPACES:
        return raw
    namespace = lookup_namespace(raw.rstrip(":"))
    if namespace is None:
        fail(400, _("Espace de noms inconnu : « %(namespace)s ».", namespace=raw[:50]))
    return namespace.key


def _namespace_label(key: str) -> str:
    return NAMESPACES[key].name or _("espace principal")


def recent_changes_title(namespace: str | None = None) -> str:
    """The title of the recent changes feed (of one namespace, when given)."""
    name = current_app.config["SITE_NAME"]
    if namespace:
        return _(
            "%(site)s : modifications récentes (%(namespace)s)",
            site=name,
            namespace=_namespace_label(namespace),
        )
    return _("%(site)s : modifications récentes", site=name)


def history_title(title: Title) -> str:
    """The title of a page's history feed."""
    return _("Historique de « %(title)s »", title=title.full)


def contributions_title(username: str) -> str:
    """The title of a user's contributions feed."""
    return _("Contributions de %(user)s", user=username)


def category_title(name: str) -> str:
    """The title of a category's new pages feed."""
    return _("Nouvelles pages de la catégorie « %(category)s »", category=name)


@bp.route("/modifications-recentes.atom")
def recent_changes() -> Response:
    """The newest published changes of the whole wiki (or of one namespace)."""
    namespace = _namespace_arg()
    where = site()
    path = _site_path("feeds.recent_changes", **({"namespace": namespace} if namespace else {}))
    info = feeds.FeedInfo(
        feed_id=where.url(path),
        title=recent_changes_title(namespace),
        self_url=where.url(path),
        html_url=where.url(
            "/modifications-recentes" if _served("/modifications-recentes") else "/"
        ),
        language=current_language(),
    )
    changes = feeds.recent_changes(get_session(), namespace=namespace)
    return atom_response(feeds.changes_feed(where, info, changes))


@bp.route("/historique/<path:title>.atom")
def history(title: str) -> Response:
    """The published revisions of one page."""
    parsed = parse_or_fail(title)
    session = get_session()
    page = feeds.published_page(session, parsed)
    if page is None:
        fail(404, _("La page « %(title)s » n'existe pas.", title=parsed.full))
    where = site()
    info = feeds.FeedInfo(
        feed_id=where.tag(page.created_at, f"page/{page.id}/history"),
        title=history_title(parsed),
        self_url=where.url(_site_path("feeds.history", title=parsed.dbkey)),
        html_url=where.url(page_url(parsed, "history")),
        language=current_language(),
        empty_updated=page.created_at,
    )
    changes = feeds.page_changes(session, page)
    return atom_response(feeds.changes_feed(where, info, changes, entry_title=_history_entry_title))


def _history_entry_title(change: feeds.Change) -> str:
    return change.summary or _("Modification de %(user)s", user=change.author)


@bp.route("/contributions/<username>.atom")
def contributions(username: str) -> Response:
    """The published revisions written by one user."""
    session = get_session()
    user = find_user(session, username[:200])  # any spelling: accounts.username_key
    if user is None:
        fail(404, _("Il n'y a pas d'utilisateur nommé « %(user)s ».", user=username[:100]))
    where = site()
    info = feeds.FeedInfo(
        feed_id=where.tag(user.created_at, f"user/{user.id}/contributions"),
        title=contributions_title(user.username),
        self_url=where.url(_site_path("feeds.contributions", username=_url_name(user.username))),
        html_url=where.url(_contributions_page(user.username)),
        language=current_language(),
        empty_updated=user.created_at,
    )
    changes = feeds.user_changes(session, user)
    return atom_response(feeds.changes_feed(where, info, changes))


@bp.route("/categorie/<path:name>.atom")
def category(name: str) -> Response:
    """The pages newly filed in a category."""
    try:
        parsed = parse_title(
            f"Catégorie:{name}",
            capitalize_first=current_app.config["CAPITALIZE_FIRST"],
            allow_fragment=False,
        )
    except TitleError as err:
        fail(400, _("Nom de catégorie invalide : %(reason)s", reason=localized(err)))
    session = get_session()
    pages = feeds.category_new_pages(session, parsed.name)
    if not pages and not feeds.category_exists(session, parsed.name):
        fail(404, _("La catégorie « %(category)s » n'existe pas.", category=parsed.name))
    where = site()
    self_url = where.url(_site_path("feeds.category", name=_url_name(parsed.name)))
    info = feeds.FeedInfo(
        feed_id=self_url,
        title=category_title(parsed.name),
        self_url=self_url,
        html_url=where.url(page_url(parsed)),
        language=current_language(),
    )
    return atom_response(feeds.new_pages_feed(where, info, pages))


def _url_name(name: str) -> str:
    """A stored name as URLs write it: spaces as underscores."""
    return name.replace(" ", "_")


def _contributions_page(username: str) -> str:
    """The HTML list of a user's contributions, or their user page when it is not served."""
    path = "/contributions/" + username
    if _served(path):
        return quote(path)
    return page_url(make_title("user", username))


# ------------------------------------------------------------- discovery in <head>


@dataclass(frozen=True)
class FeedLink:
    """One ``<link rel="alternate" type="application/atom+xml">`` of a page's head."""

    title: str
    url: str


@bp.app_template_global()
@pass_context
def feed_links(context: Context) -> list[FeedLink]:
    """The feeds a page announces: recent changes everywhere; on a page, its history;
    on a user page (or a page about a user, such as their contributions), the user's
    contributions; on a category, its new pages.

    Computed from what the page shows (never from who is looking), since anonymous page
    views are cached whole. Only a user page costs a query (does the user exist?).
    """
    links = [FeedLink(recent_changes_title(), url_for("feeds.recent_changes"))]
    if context.name == "error.html":
        return links
    page, title, person = context.get("page"), context.get("title"), context.get("user")
    if isinstance(title, Title):
        public = isinstance(page, Page) and not page.is_deleted and page.latest_revision_id
        if public and (page.namespace, page.name) == title.key:
            links.append(
                FeedLink(history_title(title), url_for("feeds.history", title=title.dbkey))
            )
        if title.namespace == "category" and (public or context.get("members")):
            links.append(
                FeedLink(
                    category_title(title.name),
                    url_for("feeds.category", name=_url_name(title.name)),
                )
            )
        if title.namespace == "user" and not isinstance(person, User):
            person = find_user(get_session(), title.name.split("/", 1)[0])
    if isinstance(person, User):
        links.append(
            FeedLink(
                contributions_title(person.username),
                url_for("feeds.contributions", username=_url_name(person.username)),
            )
        )
    return links
