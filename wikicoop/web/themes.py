"""Themes: ``themes/<name>/theme.toml`` plus templates/ and static/ folders.

Template lookup order: the site theme (setting ``THEME``), its parent theme, the plugins,
then the core templates, which any theme template can still extend as
``default:base.html`` (Datasette's convention).

Stylesheets: a page links the stylesheets of its theme's whole chain, the farthest
ancestor's first, so that a child theme (``parent = "default"``) only writes what differs.
Each person may read the site in another theme than the site's (cookie ``theme``, or
their account's choice): that changes the stylesheets and ``<body data-theme>``, never
the templates, which stay the site theme's (see docs/themes.md).
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, request, send_from_directory, url_for
from flask_login import current_user
from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
)
from jinja2.bccache import Bucket
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from ..bundled_data import bundled_dir
from .home import init_home

#: ``themes/`` of the source tree, or its copy in the installed package
THEMES_DIR = bundled_dir("themes")
#: the cookie holding a visitor's chosen theme
THEME_COOKIE = "theme"
#: how long a theme file may be kept: a year when its address holds its content's hash
LONG_MAX_AGE = 365 * 24 * 3600
SHORT_MAX_AGE = 3600
_EXTENSION = "wikicoop.themes"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Theme:
    """A theme's declaration, read from its theme.toml."""

    name: str
    path: Path
    label: str
    parent: str | None
    stylesheets: tuple[str, ...]
    #: a picture of its static/ folder shown in the header band, beside the site name
    logo: str | None = None


def load_theme(name: str, themes_dir: Path = THEMES_DIR) -> Theme:
    """Read ``themes/<name>/theme.toml``; raise ValueError naming the problem."""
    path = themes_dir / name
    declaration = path / "theme.toml"
    if not declaration.is_file():
        raise ValueError(f"theme {name!r}: {declaration} not found")
    data = tomllib.loads(declaration.read_text(encoding="utf-8"))
    return Theme(
        name=name,
        path=path,
        label=str(data.get("label", name)),
        parent=data.get("parent"),
        stylesheets=tuple(data.get("stylesheets", ["style.css"])),
        logo=data.get("logo") or None,
    )


def theme_chain(name: str, themes_dir: Path = THEMES_DIR) -> list[Theme]:
    """The theme and its ancestors, nearest first (cycles are refused)."""
    chain: list[Theme] = []
    current: str | None = name
    while current:
        if any(t.name == current for t in chain):
            raise ValueError(f"theme {name!r}: parent cycle through {current!r}")
        theme = load_theme(current, themes_dir)
        chain.append(theme)
        current = theme.parent
    return chain


def theme_names(themes_dir: Path = THEMES_DIR) -> list[str]:
    """The folders of ``themes_dir`` that hold a theme.toml, sorted by name."""
    if not themes_dir.is_dir():
        return []
    return sorted(p.name for p in themes_dir.iterdir() if (p / "theme.toml").is_file())


def stylesheet_files(chain: Sequence[Theme]) -> list[tuple[Theme, str]]:
    """The stylesheets a page of this chain links, the farthest ancestor's first: a child
    theme's rules come last and win over its parent's."""
    return [(theme, sheet) for theme in reversed(chain) for sheet in theme.stylesheets]


@dataclass(frozen=True)
class ThemeChoice:
    """A theme a person may choose, as read at startup."""

    name: str
    label: str
    chain: tuple[Theme, ...]
    #: its stylesheets in link order: (file under /theme/, hash of its content)
    stylesheets: tuple[tuple[str, str], ...]


#: compiled templates by cache key, shared by every app of the process
_COMPILED: dict[str, bytes] = {}
#: where an instance keeps its compiled templates
TEMPLATE_CACHE_DIR = Path("cache") / "templates"


class _TemplateCodeCache(BytecodeCache):
    """Compiled templates, kept in memory for every app of the process (the test suite
    builds one per test) and on disk in the instance folder: a restarted server loads
    them instead of compiling them again (0.06 s of its first page view).

    Jinja checks each one against its template's source (a changed template is compiled
    again) and writes the files atomically (several workers may write at once).
    """

    def __init__(self, folder: Path | None) -> None:
        self._disk = FileSystemBytecodeCache(str(folder)) if folder is not None else None

    def load_bytecode(self, bucket: Bucket) -> None:
        code = _COMPILED.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
            return
        if self._disk is not None:
            self._disk.load_bytecode(bucket)
            if bucket.code is not None:
                _COMPILED[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: Bucket) -> None:
        _COMPILED[bucket.key] = bucket.bytecode_to_string()
        if self._disk is not None:
            # a read-only instance folder: compiled again at the next start
            with suppress(OSError):
                self._disk.dump_bytecode(bucket)


def _template_cache_folder(app: Flask) -> Path | None:
    """The instance's folder of compiled templates, made if missing (None if it cannot)."""
    folder = Path(app.instance_path) / TEMPLATE_CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def _file_version(path: Path) -> str:
    """A short hash of a file's content: its address changes when it does."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def _choices(site_chain: list[Theme], themes_dir: Path) -> dict[str, ThemeChoice]:
    """Every theme of ``themes_dir`` that loads, with its stylesheet addresses; the site
    theme always (a broken other theme is left out of the choice, with a warning)."""
    chains = {site_chain[0].name: site_chain}
    for name in theme_names(themes_dir):
        if name not in chains:
            try:
                chains[name] = theme_chain(name, themes_dir)
            except (ValueError, tomllib.TOMLDecodeError) as err:
                log.warning("theme %s left out of the choice: %s", name, err)
    choices = {}
    for name, chain in sorted(chains.items()):
        sheets = tuple(
            (f"{theme.name}/{sheet}", _file_version(theme.path / "static" / sheet))
            for theme, sheet in stylesheet_files(chain)
            if (theme.path / "static" / sheet).is_file()
        )
        choices[name] = ThemeChoice(name, chain[0].label, tuple(chain), sheets)
    return choices


def theme_choices() -> dict[str, ThemeChoice]:
    """The themes anyone may choose, by name (read at startup)."""
    return current_app.extensions[_EXTENSION]


def valid_theme(name: str | None) -> str | None:
    """``name`` when it is a theme one may choose, else None."""
    return name if name and name in theme_choices() else None


def query_theme() -> str | None:
    """The theme asked by ``?theme=`` on a GET (unknown names are ignored)."""
    if request.method != "GET":
        return None
    return valid_theme(request.args.get(THEME_COOKIE, "")[:64])


def current_theme_name() -> str:
    """The theme this request is shown in: ``?theme=``, then the account's choice, then
    the ``theme`` cookie, then the site's ``THEME``."""
    cached = g.get("wikicoop_theme")
    if cached:
        return cached
    chosen = query_theme()
    if chosen is None and current_user and current_user.is_authenticated:
        chosen = valid_theme(getattr(current_user, "theme", None))
    if chosen is None:
        chosen = valid_theme(request.cookies.get(THEME_COOKIE))
    name = chosen or current_app.config["THEME"]
    g.wikicoop_theme = name
    return name


def current_stylesheets() -> tuple[str, ...]:
    """Template global: the stylesheet addresses of the reader's theme."""
    return tuple(
        url_for("theme_static", filename=filename, v=version)
        for filename, version in theme_choices()[current_theme_name()].stylesheets
    )


def logo_url() -> str | None:
    """Template global: the site's logo (``LOGO_URL``, else the site theme's ``logo``)."""
    configured = current_app.config.get("LOGO_URL")
    if configured:
        return str(configured)
    theme: Theme = current_app.extensions["wikicoop.theme"]
    return url_for("theme_static", filename=theme.logo) if theme.logo else None


def init_themes(app: Flask, extra_template_dirs: Sequence[str] = ()) -> None:
    """Install the theme's template loaders, its static route and the theme choice.

    :param extra_template_dirs: the plugins' template folders, searched after the theme
        (a theme may restyle a plugin's page) and before the core.
    """
    themes_dir = Path(app.config.get("THEMES_DIR") or THEMES_DIR)
    chain = theme_chain(app.config["THEME"], themes_dir)
    core_loader = app.jinja_loader
    assert core_loader is not None
    loaders = [FileSystemLoader(str(t.path / "templates")) for t in chain]
    loaders += [FileSystemLoader(folder) for folder in extra_template_dirs]
    app.jinja_loader = ChoiceLoader([*loaders, core_loader, PrefixLoader({"default": core_loader})])
    app.jinja_env.bytecode_cache = _TemplateCodeCache(_template_cache_folder(app))
    app.extensions["wikicoop.theme"] = chain[0]

    def theme_static(filename: str) -> Response:
        # cached by browsers: for a year when the address names the content (?v=hash),
        # an hour otherwise; always with an ETag for the conditional requests after that
        max_age = LONG_MAX_AGE if request.args.get("v") else SHORT_MAX_AGE
        owner, _, rest = filename.partition("/")
        choice = app.extensions[_EXTENSION].get(owner)
        if choice is not None and rest:  # /theme/<theme>/<file>: that theme's own file
            for theme in choice.chain:
                if theme.name == owner and (theme.path / "static" / rest).is_file():
                    return send_from_directory(theme.path / "static", rest, max_age=max_age)
        for theme in chain:  # /theme/<file>: the site theme's, else its ancestors'
            if (theme.path / "static" / filename).is_file():
                return send_from_directory(theme.path / "static", filename, max_age=max_age)
        raise NotFound()

    app.add_url_rule("/theme/<path:filename>", "theme_static", theme_static)
    app.extensions[_EXTENSION] = _choices(chain, themes_dir)
    init_home(app)  # the home's panels, which the page template of every theme shows
    app.jinja_env.globals.update(
        theme=chain[0],
        theme_stylesheets=current_stylesheets,
        current_theme_name=current_theme_name,
        logo_url=logo_url,
    )
