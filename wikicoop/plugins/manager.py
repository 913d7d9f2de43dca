"""Finding, loading and registering plugins.

Two sources, both enabled by default:

- the packages of the shipped ``plugins/`` folder (found through
  :func:`wikicoop.bundled_data.bundled_dir`, so an installed wheel has them), each
  imported as a top-level package named after its folder;
- third-party packages registered under the entry-point group ``wikicoop.plugins``.

The setting ``DISABLED_PLUGINS`` turns any of them off, by entry-point name, package
name or distribution name; a disabled plugin is not even imported. A plugin that fails
to import stops the start with a :class:`PluginError` naming it: a site silently
running without one of its plugins would be worse.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import pluggy

from ..bundled_data import bundled_dir
from . import ENTRY_POINT_GROUP, PROJECT, hookspecs


class PluginError(RuntimeError):
    """A plugin could not be loaded (the message names it)."""


@dataclass(frozen=True)
class PluginInfo:
    """An enabled plugin, as the manager registered it."""

    name: str
    package: str
    version: str
    source: str  # "bundled" or "entry-point"
    module: ModuleType


@dataclass(frozen=True)
class _Candidate:
    name: str
    names: frozenset[str]  # every name DISABLED_PLUGINS may use for it
    source: str
    load: Any  # () -> (module, package name, version)


def _bundled_candidates(folder: Path) -> Iterator[_Candidate]:
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if not (path / "__init__.py").is_file() or path.name.startswith(("_", ".")):
            continue
        yield _Candidate(
            name=path.name,
            names=frozenset({path.name}),
            source="bundled",
            load=lambda path=path: _import_folder(path),
        )


def _entry_point_candidates() -> Iterator[_Candidate]:
    seen: set[tuple[str, str]] = set()
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if (point.name, point.value) in seen:  # one package found twice on sys.path
            continue
        seen.add((point.name, point.value))
        names = {point.name, point.module.split(".")[0]}
        if point.dist is not None:
            names.add(point.dist.name)
        yield _Candidate(
            name=point.name,
            names=frozenset(names),
            source="entry-point",
            load=lambda point=point: _import_entry_point(point),
        )


def _import_folder(path: Path) -> tuple[ModuleType, str, str]:
    """Import ``plugins/<name>/`` as the top-level package ``<name>``."""
    name = path.name
    existing = sys.modules.get(name)
    if existing is not None:
        if Path(getattr(existing, "__file__", "") or "").resolve().parent != path.resolve():
            raise PluginError(f"plugin {name!r}: another module named {name!r} is loaded")
        return existing, name, _version_of(existing)
    spec = importlib.util.spec_from_file_location(
        name, path / "__init__.py", submodule_search_locations=[str(path)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module, name, _version_of(module)


def _import_entry_point(point: EntryPoint) -> tuple[ModuleType, str, str]:
    loaded = point.load()
    module = loaded if isinstance(loaded, ModuleType) else importlib.import_module(point.module)
    version = point.dist.version if point.dist is not None else _version_of(module)
    return loaded, point.module.split(".")[0], version


def _version_of(module: ModuleType) -> str:
    from ..version import __version__

    return str(getattr(module, "__version__", __version__))


def discover(
    disabled: Iterable[str], plugins_dir: Path | None = None
) -> tuple[list[PluginInfo], list[str]]:
    """Import the enabled plugins; return them and the names of the disabled ones."""
    off = {str(name) for name in disabled}
    folder = bundled_dir("plugins") if plugins_dir is None else plugins_dir
    enabled: list[PluginInfo] = []
    skipped: list[str] = []
    taken: set[str] = set()
    for candidate in [*_bundled_candidates(folder), *_entry_point_candidates()]:
        if candidate.names & off:
            skipped.append(candidate.name)
            continue
        if candidate.name in taken:  # turn one off by its package or distribution name
            raise PluginError(f"two plugins are named {candidate.name!r}")
        try:
            module, package, version = candidate.load()
        except PluginError:
            raise
        except Exception as error:
            raise PluginError(
                f"plugin {candidate.name!r} ({candidate.source}) failed to import: "
                f"{type(error).__name__}: {error}"
            ) from error
        taken.add(candidate.name)
        enabled.append(PluginInfo(candidate.name, package, version, candidate.source, module))
    return enabled, skipped


def build_manager(disabled: Iterable[str] = (), plugins_dir: Path | None = None) -> Any:
    """A pluggy manager with the hook specifications and every enabled plugin registered.

    ``pm.wikicoop_plugins`` lists the :class:`PluginInfo` of the enabled plugins and
    ``pm.wikicoop_disabled`` the names turned off.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    enabled, skipped = discover(disabled, plugins_dir)
    for info in enabled:
        try:
            pm.register(_hooks_of(info.module), name=info.name)
        except ValueError as error:  # the same module under two names
            raise PluginError(f"plugin {info.name!r}: {error}") from error
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(f"plugin {error.plugin!r}: {error}") from error
    pm.wikicoop_plugins = enabled  # type: ignore[attr-defined]
    pm.wikicoop_disabled = skipped  # type: ignore[attr-defined]
    return pm


class _Hooks:
    """A plugin module's hook implementations, and nothing else of the module.

    pluggy looks at every name of what it registers (``dir``), each through
    :func:`inspect.getattr_static`: a plugin module's imports, constants and helpers
    too, a third of building the manager for the bundled plugins (34 ms, 23.5 with this
    object, measured on a loaded machine). This object lists only the functions marked
    with :data:`wikicoop.plugins.hookimpl`; its ``repr`` is the module's, for the
    messages that name a plugin.
    """

    def __init__(self, source: Any) -> None:
        self._source = source
        hooks = {
            name: value
            for name, value in vars(source).items()
            # type(), not isinstance: a module's proxies (Flask's current_app) must not
            # be evaluated, which is why pluggy reads attributes statically
            if type(value) is FunctionType and hasattr(value, f"{PROJECT}_impl")
        }
        self._names = list(hooks)
        vars(self).update(hooks)

    def __dir__(self) -> list[str]:
        return list(self._names)

    def __repr__(self) -> str:
        return repr(self._source)


def _hooks_of(plugin: Any) -> Any:
    """What :func:`build_manager` registers for ``plugin``: a module's hook functions
    alone (:class:`_Hooks`); any other object (a class, an instance) as it is."""
    return _Hooks(plugin) if isinstance(plugin, ModuleType) else plugin


def plugins_of(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """The enabled plugins of a manager made by :func:`build_manager`."""
    return list(getattr(pm, "wikicoop_plugins", []))


def collect(results: Iterable[Any]) -> list[Any]:
    """Flatten a list hook's results: each plugin returns one item, a list, or None."""
    items: list[Any] = []
    for result in results:
        if result is None:
            continue
        if isinstance(result, list | tuple):
            items.extend(result)
        else:
            items.append(result)
    return items
