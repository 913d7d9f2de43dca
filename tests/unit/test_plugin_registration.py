"""The plugin manager registers a plugin module's hook functions alone
(``wikicoop.plugins.manager._Hooks``): the same hooks as the module itself would give
pluggy, without looking at the module's other names."""

from __future__ import annotations

from types import ModuleType

import pluggy
import pytest
from flask import current_app

from wikicoop.plugins import PROJECT, hookimpl, hookspecs
from wikicoop.plugins.manager import _hooks_of, build_manager, plugins_of

pytestmark = pytest.mark.any_database


def _implementations(pm: pluggy.PluginManager) -> set[tuple[str, str, str]]:
    """(hook, plugin name, function name) of every implementation registered."""
    return {
        (name, impl.plugin_name, impl.function.__name__)
        for name, caller in vars(pm.hook).items()
        if isinstance(caller, pluggy.HookCaller)
        for impl in caller.get_hookimpls()
    }


def test_the_bundled_plugins_give_the_same_hooks_as_their_modules() -> None:
    registered = build_manager()
    modules = pluggy.PluginManager(PROJECT)
    modules.add_hookspecs(hookspecs)
    for info in plugins_of(registered):
        modules.register(info.module, name=info.name)
    assert _implementations(registered) == _implementations(modules)
    assert len(_implementations(registered)) > 50


def test_only_marked_functions_are_kept_and_proxies_are_not_read() -> None:
    module = ModuleType("greffon_essai")
    module.app = current_app  # read outside an app context, this proxy would raise

    @hookimpl
    def navigation_links(actor: object) -> list[dict[str, str]]:
        return [{"label": "Essai", "url": "/essai"}]

    def helper() -> None:
        """A module's own function, not a hook."""

    module.navigation_links = navigation_links
    module.helper = helper
    hooks = _hooks_of(module)
    assert dir(hooks) == ["navigation_links"]
    assert repr(hooks) == repr(module)  # messages name the module

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(hooks, name="greffon_essai")
    assert pm.hook.navigation_links(actor=None) == [[{"label": "Essai", "url": "/essai"}]]


def test_an_object_that_is_not_a_module_is_registered_as_it_is() -> None:
    class Menu:
        @hookimpl
        def navigation_links(self, actor: object) -> list[dict[str, str]]:
            return []

    menu = Menu()
    assert _hooks_of(menu) is menu
