"""The folders shipped with wikicoop: ``themes/``, ``plugins/`` and ``pages_seed/``.

They stay at the top of the source tree, where people edit them; a wheel carries them
inside the package as ``wikicoop.bundled.<folder>`` (the mapping is in pyproject.toml),
so an installed wikicoop finds them without its source tree.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from .config import PROJECT_ROOT

#: the importable package that holds the folders in an installed wheel
BUNDLED_PACKAGE = "wikicoop.bundled"
FOLDERS = ("themes", "plugins", "pages_seed")


def bundled_dir(name: str) -> Path:
    """The shipped folder ``name``: the installed copy, else the source tree's."""
    if name not in FOLDERS:
        raise ValueError(f"no shipped folder named {name!r}")
    try:
        spec = find_spec(f"{BUNDLED_PACKAGE}.{name}")
    except ModuleNotFoundError:  # running from the source tree
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return PROJECT_ROOT / name
