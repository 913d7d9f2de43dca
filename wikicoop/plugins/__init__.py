"""The plugin system: pluggy hooks under the project name ``wikicoop``.

A plugin marks its hook implementations with :data:`hookimpl`::

    from wikicoop.plugins import hookimpl

    @hookimpl
    def navigation_links(actor):
        return [{"label": "Annonces", "url": "/annonces"}]

The hook specifications are in :mod:`wikicoop.plugins.hookspecs`; the manager that
finds plugins (the ``plugins/`` folder and the ``wikicoop.plugins`` entry points) is
in :mod:`wikicoop.plugins.manager`. The core never imports this package: it is handed
``hooks`` (the manager's ``pm.hook`` relay, or None) through its context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from flask import Flask

#: pluggy's project name: hook markers and the entry-point group derive from it
PROJECT = "wikicoop"
#: the entry-point group third-party plugins register under
ENTRY_POINT_GROUP = "wikicoop.plugins"
#: where create_app keeps the pluggy.PluginManager
EXTENSION_KEY = "wikicoop.plugins"

hookimpl = pluggy.HookimplMarker(PROJECT)
hookspec = pluggy.HookspecMarker(PROJECT)


def manager_of(app: Flask) -> pluggy.PluginManager:
    """The app's plugin manager (built by ``create_app``)."""
    return app.extensions[EXTENSION_KEY]


def hooks_of(app: Flask) -> Any:
    """The app's hook relay (``pm.hook``), to hand to the core as ``hooks``."""
    return manager_of(app).hook


__all__ = ["ENTRY_POINT_GROUP", "EXTENSION_KEY", "PROJECT", "hookimpl", "hooks_of", "manager_of"]
