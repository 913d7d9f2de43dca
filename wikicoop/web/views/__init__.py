"""The views: one module per part of the wiki, each with its blueprint(s).

:func:`register_views` is the one place that lists them. No view module imports another:
what they share is in :mod:`wikicoop.web.helpers` (and the web layer's other helper
modules), and pages reach each other through URLs, never through imports.
"""

from __future__ import annotations

from flask import Flask

from ..helpers import PageViews
from . import (
    account_recovery,
    aliases,
    api,
    appearance,
    auth,
    changes,
    changes_api,
    community,
    community_api,
    convert_api,
    discussions,
    feeds,
    jobs_admin,
    misc,
    moderation,
    page_history,
    page_operations,
    pages,
    preview_api,
    search,
    tokens,
)


def register_views(app: Flask) -> None:
    """Register every view's blueprint, what answers ``/wiki/<Title>`` (each ``?action=``,
    and the namespaces with their own view), then the views' template globals and receivers.
    """
    app.extensions["wikicoop.page_views"] = PageViews(
        actions={**pages.ACTIONS, **page_history.ACTIONS, **page_operations.ACTIONS},
        # a discussion page shows its threads (an old revision of its text: the page view)
        namespace_views={"talk": discussions.discussion_page},
    )
    for blueprint in (
        pages.bp,
        auth.bp,
        api.bp,
        misc.bp,
        search.bp,
        feeds.bp,  # also the feed_links() template global
        moderation.bp,
        moderation.api_bp,
        community.bp,
        community_api.bp,
        tokens.bp,  # one's API tokens: list and revoke
        aliases.bp,  # English paths of the list pages, redirected to the French ones
        changes.bp,  # recent changes, contributions, watchlists, notifications
        changes_api.bp,
        discussions.bp,
        discussions.api_bp,
        account_recovery.bp,  # password reset, e-mail change
        appearance.bp,  # each person's theme
        convert_api.bp,  # MediaWiki wikitext to this wiki's syntax
        preview_api.bp,  # the editor's live preview
        jobs_admin.bp,  # the background jobs, for admins
    ):
        app.register_blueprint(blueprint)
    changes.init_app(app)  # the notification badge, the follow button, the receivers
    discussions.init_app(app)  # the discussion_count() template global
