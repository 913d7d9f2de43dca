"""Every hook a plugin may implement, with its arguments and when it runs.

Hooks take keyword arguments only. A ``ctx`` argument is a small dataclass made by
the caller; its fields are listed in each docstring. A hook returning ``None``
abstains. Hooks returning lists are called on every plugin and their results joined
(pluggy returns one result per plugin; the caller flattens them).
docs/plugins.md explains each hook with an example.
"""

from __future__ import annotations

from typing import Any

from . import hookspec

# -- the application ---------------------------------------------------------------


@hookspec
def startup(app: Any) -> None:
    """startup(app): once, at the end of ``create_app``, the app fully built."""


@hookspec
def blueprints() -> Any:
    """blueprints(): Flask blueprints (one or a list) registered by ``create_app``."""


@hookspec
def cli_commands(cli: Any) -> None:
    """cli_commands(cli): add Click commands to the ``wikicoop`` group ``cli``."""


@hookspec
def migration_dirs() -> Any:
    """migration_dirs(): Alembic version folders of the plugin's own tables (a path or a
    list), each a branch of its own; ``wikicoop upgrade`` and startup upgrade them."""


@hookspec
def seed_dirs() -> Any:
    """seed_dirs(): folders of seed pages (same front matter as pages_seed/), created on
    the first run and by ``wikicoop seed``."""


@hookspec
def seed_loaded(app: Any, session: Any, created: Any) -> None:
    """seed_loaded(app, session, created): after the seed pages were loaded (first run,
    ``wikicoop load-seed``); ``created`` lists the Titles made this time (empty when all
    existed). For what a page file cannot carry (an example image and its file page...);
    be idempotent. The caller commits."""


@hookspec
def translation_dirs() -> Any:
    """translation_dirs(): gettext folders (``<lang>/LC_MESSAGES/messages.mo``) joined to
    Flask-Babel's BABEL_TRANSLATION_DIRECTORIES at startup."""


@hookspec
def page_types() -> Any:
    """page_types(): page type declarations (dicts or ``PageType``) registered at startup
    in the page type registry, under the plugin's name."""


# -- rendering ---------------------------------------------------------------------


@hookspec
def markdown_plugins() -> Any:
    """markdown_plugins(): mistune plugins (callables ``plugin(md)``) added to the
    renderer at startup; part of the render-cache fingerprint."""


@hookspec
def sanitizer_allowlist() -> Any:
    """sanitizer_allowlist(): a dict ``{"tags": [...], "attributes": {tag: [...]}}``
    merged into the nh3 allowlist at startup (sanitizing stays the last step)."""


@hookspec
def interwiki_prefixes(session: Any) -> Any:
    """interwiki_prefixes(session): ``{prefix: url template}`` for ``[[prefix:Page]]``
    links, the template holding ``$1`` (the page, spaces as ``_``, percent-encoded).
    Called at render time with the render's session (None without one), once per render
    that has such a link. Whoever changes the table calls
    ``render_cache.forget_renders`` so pages are rendered again."""


# -- writing and moderation --------------------------------------------------------


@hookspec
def validate_edit(ctx: Any) -> None:
    """validate_edit(ctx): before an edit is stored; raise a ServiceError to refuse it
    (nothing is saved). ctx (``writing.EditCheck``): session, edit (``writing.Edit``),
    page (None for a creation), settings, decision (None at this point)."""


@hookspec
def edit_notices(ctx: Any) -> Any:
    """edit_notices(ctx): warnings (plain text, or ``{"fr": …, "en": …}``) about an edit
    that is allowed but deserves a look; never refuses (``validate_edit`` does). Shown
    by the editor's preview, flashed after a save, in the API's save answer
    (``notices``). ctx (``web.notices.EditNoticeCheck``): session, title, text, licence
    (the one the page would carry), page_type, fields, actor."""


@hookspec
def moderation_verdict(ctx: Any) -> Any:
    """moderation_verdict(ctx): before an edit is stored; return None (abstain) or a
    ``wikicoop.moderation.Decision``; the strictest of the core's and the plugins' wins.
    ctx (``writing.EditCheck``): session, edit, page, settings, decision (the core's)."""


@hookspec
def permission_check(actor: Any, action: str, page: Any) -> bool | None:
    """permission_check(actor, action, page): inside ``permissions.can``, after its hard
    rules (deleted page, blocked account, protection, trust, rank over another account),
    which no plugin lifts. actor: the User (or None, anonymous). None abstains; False
    denies and wins over True; True grants a plugin's own action, or lifts a core
    action's role minimum."""


# -- events (inside the transaction that makes them; do not commit) ----------------


@hookspec
def page_published(ctx: Any) -> None:
    """page_published(ctx): a revision became the public version of its page (save,
    creation, approval, restore; ``writing.publish``).
    ctx (``writing.Published``): session, page, revision, actor."""


@hookspec
def page_renamed(ctx: Any) -> None:
    """page_renamed(ctx): a page moved to a new title. ctx (``events.PageRenamed``):
    session, page (renamed), old_title, new_title (full titles), actor, reason."""


@hookspec
def page_deleted(ctx: Any) -> None:
    """page_deleted(ctx): a page was (soft-)deleted.
    ctx (``events.PageDeleted``): session, page, actor, reason."""


@hookspec
def licence_changed(ctx: Any) -> None:
    """licence_changed(ctx): a page moved to another licence. ctx
    (``events.LicenceChanged``): session, page, old_licence, new_licence (codes), actor,
    reason."""


# -- search ------------------------------------------------------------------------


@hookspec
def search_fields() -> Any:
    """search_fields(): extra search fields ``{name: "keyword" | "text"}`` added to the
    index schema when the app starts (the backend interface names no Whoosh type)."""


@hookspec
def search_document(ctx: Any) -> Any:
    """search_document(ctx): extra values ``{field: value}`` for a page's search document
    when it is indexed. ctx: page, revision."""


# -- the web layer -----------------------------------------------------------------


@hookspec
def template_dirs() -> Any:
    """template_dirs(): template folders searched after the theme, before the core."""


@hookspec
def stylesheets() -> Any:
    """stylesheets(): addresses of the plugin's stylesheets (its blueprint's static files),
    linked from every page before the theme's (a theme may override them; the theme's
    custom properties apply), read once at startup: for what the plugin puts in pages
    the core shows (an embedded image floating right...)."""


@hookspec
def template_context(ctx: Any) -> Any:
    """template_context(ctx): extra variables ``{name: value}`` for every template
    rendered in a request. ctx: template (its name), actor, request."""


@hookspec
def page_panels(ctx: Any) -> Any:
    """page_panels(ctx): panels shown on a page's view, each ``{"title", "html"}`` (html
    trusted: escape what you insert). ctx: page, revision, actor, title."""


@hookspec
def page_actions(ctx: Any) -> Any:
    """page_actions(ctx): links in a page's action bar, each ``{"label", "url"}``.
    ctx: page, revision, actor, title."""


@hookspec
def navigation_links(actor: Any) -> Any:
    """navigation_links(actor): menu entries, each ``{"label", "url"}``, for ``actor``
    (the current user, perhaps anonymous)."""


@hookspec
def home_portal() -> Any:
    """home_portal(): the plugin's box on the home page, ``{"facette", "title", "text",
    "url"}`` or None: ``facette`` the policy's facette it serves (``faire_avec``,
    ``etre_en_attention``, ``donner_a_voir``, ``mettre_en_communs``, ``outiller``,
    ``relier``, or another name), ``title`` and ``text`` (one plain sentence) a string or
    ``{"fr": …, "en": …}``, ``url`` where the box leads. Read on each view of the home."""
