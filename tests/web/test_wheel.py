"""wikicoop installed from a wheel, outside the clone, serves its pages with their theme.

Slow but real (about 20–40 s): the wheel is built from a copy of the source tree with
pip, installed with ``--no-deps --target`` (a fresh virtualenv resolving every
dependency took 90 s here), and run from a folder outside the clone by an interpreter
that sees only that folder and this virtualenv's dependencies (``python -S``: no .pth
file, so not the editable install of the clone).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: what a checkout holds besides the sources (never copied into the build)
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "venv", "instance", "build", "dist", "node_modules", "*.egg-info",
    "__pycache__", ".pytest_cache", ".ruff_cache", ".ci-axe", "tests", "bench",
)  # fmt: skip

SERVE = """
import json, sys
import wikicoop
from wikicoop import create_app
from wikicoop.cli import initialize

app = create_app({
    "INSTANCE_PATH": sys.argv[1],
    "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    "ADMIN_PASSWORD": "correct horse battery",
})
initialize(app, echo=lambda _message: None)
client = app.test_client()
home = client.get("/wiki/Accueil")
print(json.dumps({
    "module": wikicoop.__file__,
    "home": home.status_code,
    "home_links_theme": '/theme/default/style.css?v=' in home.text,
    "stylesheet": client.get("/theme/style.css").status_code,
    "help": client.get("/wiki/Aide:Sommaire").status_code,
}))
"""


# packaging does not depend on the database: it runs once, in the SQLite run
pytestmark = pytest.mark.any_database


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built by pip from a copy of the source tree (the clone stays untouched)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = work.glob("wikicoop-*.whl")
    return built


def test_the_wheel_ships_every_package_and_the_top_level_folders(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in ROOT.glob("wikicoop/**/__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names, "a package is not in the wheel"
    for folder in ("themes", "plugins", "pages_seed"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                shipped = "wikicoop/bundled/" + path.relative_to(ROOT).as_posix()
                assert shipped in names, f"{shipped} is not in the wheel"


def test_installed_wheel_serves_pages_with_their_theme(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKICOOP_")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]])
    done = subprocess.run(
        [sys.executable, "-S", "-c", SERVE, str(tmp_path / "instance")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(seen["module"]).is_relative_to(target), "not the installed copy"
    assert seen == {
        "module": seen["module"],
        "home": 200,  # a seed page
        "home_links_theme": True,
        "stylesheet": 200,
        "help": 200,
    }
