"""The pid file of ``wikicoop run``'s master, in the instance folder.

A crash of the master (``kill -9``, the OOM killer) leaves the file behind. It is
checked against a live ``wikicoop`` process, so the one a crash left never blocks the
next start. Standard library only: the start reads it before loading the app's
libraries (:mod:`wikicoop.page_generation` leaves it out of the start's inputs).
"""

from __future__ import annotations

import os
from pathlib import Path

#: the master's pid file, in the instance folder
PID_FILE = "wikicoop.pid"


class AlreadyRunning(RuntimeError):
    """The instance is already served by a live ``wikicoop run`` (message in French)."""


def pid_path(instance: Path) -> Path:
    """Where ``wikicoop run`` keeps its master's process id (gunicorn writes it once it
    listens and removes it when it stops)."""
    return instance / PID_FILE


def _is_wikicoop_process(pid: int) -> bool:
    """Whether ``pid`` is a live process running wikicoop (not a reused pid)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, someone else's
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no /proc here: alive is all we know
    except OSError:
        return True
    return b"wikicoop" in command


def serving_pid(instance: Path) -> int | None:
    """The process id of the live ``wikicoop run`` serving the instance folder
    ``instance``, or None (no pid file, or one a crash left)."""
    try:
        pid = int(pid_path(instance).read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return None
    return pid if _is_wikicoop_process(pid) else None


def claim_pid_file(instance: Path) -> None:
    """Refuse to start when a live wikicoop serves the instance folder ``instance``
    (:class:`AlreadyRunning`); forget a stale pid file.

    After a crash the file stays, naming a dead process (or, after a reboot, someone
    else's).
    """
    pid = serving_pid(instance)
    path = pid_path(instance)
    if pid is not None:
        raise AlreadyRunning(
            f"Ce wiki est déjà servi par le processus {pid} (fichier {path}). "
            "Arrêtez-le d'abord, ou supprimez ce fichier s'il ne tourne plus."
        )
    path.unlink(missing_ok=True)
