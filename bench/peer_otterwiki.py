"""An Otter Wiki as a peer of ``bench_views.py``: the same pages, served the same way.

A benchmark tool (issue 14, point 5), not a part of the wiki. An Otter Wiki
(https://otterwiki.com, a Flask wiki that keeps its pages in a git repository) is
installed from PyPI into a virtualenv of its own inside the peer's folder (its Flask and
SQLAlchemy versions are not wikicoop's), its repository gets every page of the bench wiki
as a Markdown file in one commit, and it is served by gunicorn with the options of
``wikicoop run``: two workers of four threads, the app loaded once before forking, an
access log, a 60 s timeout (the workers measured are the master's children, as for
wikicoop: the module has no ``worker_pids``).

One setting differs from An Otter Wiki's defaults, as the admin of such a wiki would set
it: the sidebar's tree of pages is off. On by default, it reads the first lines of every
page beside the one viewed, from git, on each view: with the bench's 2,000 pages side by
side, a view took 1.7 s and weighed 480 KB.

Differences worth knowing when reading the figures: An Otter Wiki renders a page from
its Markdown on every view (it keeps no rendering), reads the page from git each time,
and holds one commit per page here where the wikicoop bench wiki holds five revisions::

    python bench/peer_otterwiki.py --folder /tmp/otter --pages 50 --port 5060
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from bench_core import sample_pages

NAME = "Otter Wiki"
#: what is installed into the peer's own virtualenv (the release measured is printed)
PACKAGES = ("otterwiki", "gunicorn")
#: the peer's marker: the number of pages and a hash of their titles
READY = "prepared.txt"


def missing() -> str | None:
    """None when An Otter Wiki can be installed and run here; else why not."""
    if shutil.which("git") is None:
        return "git is missing: apt-get install -y git"
    try:
        import venv  # noqa: F401
    except ImportError:
        return "Python's venv module is missing: apt-get install -y python3-venv"
    return None


def _venv(folder: Path) -> Path:
    return folder / "venv"


def _marker(pages: Mapping[str, str]) -> str:
    from hashlib import blake2b

    digest = blake2b("\n".join(sorted(pages)).encode(), digest_size=12).hexdigest()
    return f"{len(pages)} {digest}\n"


def file_name(title: str) -> str:
    """The Markdown file that holds ``title`` in the repository (An Otter Wiki keeps
    page names in lower case on disk unless told otherwise)."""
    return title.lower().replace("/", "-") + ".md"


def prepare(folder: Path, pages: Mapping[str, str]) -> None:
    """Install An Otter Wiki into ``folder`` and commit ``pages`` (title -> Markdown)
    to its repository, once: a folder already prepared with the same titles is kept."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / READY
    if marker.exists() and marker.read_text() == _marker(pages):
        return
    venv = _venv(folder)
    if not (venv / "bin" / "gunicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
        done = subprocess.run([*pip, *PACKAGES], capture_output=True, text=True, check=False)
        if done.returncode != 0:  # pip's warnings are noise, its errors are not
            raise RuntimeError(f"installing An Otter Wiki failed:\n{done.stderr[-3000:]}")
    repository = folder / "repository"
    shutil.rmtree(repository, ignore_errors=True)
    repository.mkdir()
    for title, text in pages.items():
        # the first heading names the page as written (its file name is in lower case)
        (repository / file_name(title)).write_text(f"# {title}\n\n{text}", encoding="utf-8")
    git = ["git", "-C", str(repository), "-c", "user.name=bench", "-c", "user.email=b@e.nch"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "the bench wiki's pages"], check=True)
    settings = folder / "settings.cfg"
    settings.write_text(
        f"REPOSITORY = {str(repository)!r}\n"
        f"SECRET_KEY = {secrets.token_hex(24)!r}\n"
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(folder / 'otterwiki.db')!r}\n"
        "SITE_NAME = 'Otter Wiki (bench)'\n"
        "SITE_LANG = 'fr'\n"
        "READ_ACCESS = 'ANONYMOUS'\n"
        "SIDEBAR_MENUTREE_MODE = ''\n",
        encoding="utf-8",
    )
    marker.write_text(_marker(pages))


def server(folder: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """The gunicorn command serving the wiki of ``folder`` on 127.0.0.1:``port``, with
    the options of ``wikicoop run``, and its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKICOOP_", "PYTHON"))}
    env["OTTERWIKI_SETTINGS"] = str(folder / "settings.cfg")
    # the repository is trusted whoever owns it (git refuses others' by default)
    env.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="safe.directory", GIT_CONFIG_VALUE_0="*")
    command = [str(_venv(folder) / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--threads", "4", "--worker-class", "gthread"]
    command += ["--timeout", "60", "--access-logfile", "-", "--preload"]
    return [*command, "otterwiki.server:app"], env


def page_path(title: str) -> str:
    """The URL path of the page ``title``."""
    return "/" + quote(title.replace("/", "-"), safe=":")


def version(folder: Path) -> str:
    """The release of An Otter Wiki installed in ``folder``."""
    done = subprocess.run(
        [str(_venv(folder) / "bin" / "pip"), "show", "otterwiki"],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--port", type=int, default=5060)
    args = parser.parse_args(argv)
    reason = missing()
    if reason:
        print(reason)
        return 2
    pages = sample_pages(args.pages)
    prepare(args.folder, pages)
    command, env = server(args.folder, args.port)
    address = f"http://127.0.0.1:{args.port}{page_path(next(iter(pages)))}"
    print(f"An Otter Wiki {version(args.folder)}: {address}")
    return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
